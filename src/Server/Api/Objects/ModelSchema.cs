using System.Collections;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Nautilus.Server.Api.Objects;

/// <summary>What a schema node holds.</summary>
public enum ModelSchemaKind : byte
{
    /// <summary>A string, number, boolean, or a named scalar (Quantity, IntOrString, Time).</summary>
    Scalar,

    /// <summary>A struct with declared fields.</summary>
    Object,
    Array,

    /// <summary>A map with free keys (labels, data, resources.limits).</summary>
    Map,

    /// <summary>Anything (RawExtension, FieldsV1).</summary>
    Any,
}

/// <summary>One field of a struct: its wire name, schema, description and markers.</summary>
/// <param name="Declaring">The model class declaring the field, and <paramref name="Property"/> its C# name: where the description is read from.</param>
public sealed record ModelField(string Name, ModelSchema Schema, FieldMarkers Markers, Type? Declaring = null, string? Property = null)
{
    /// <summary>kube's description of the field; read on demand (only the OpenAPI documents need it).</summary>
    public string? Description => Declaring is null ? null : ModelDocs.OfProperty(Declaring, Property!);
}

/// <summary>
/// The schema of the served kinds, built once by reflection over the official client's
/// <c>k8s.Models</c> types (their <c>JsonPropertyName</c>s are the wire names), with the
/// descriptions of <see cref="ModelDocs"/> and the markers of <see cref="SchemaMarkers"/>. The one
/// tree that the OpenAPI documents render and that field validation, strategic merge patch and
/// server-side apply read. A struct type has one node wherever it appears.
/// </summary>
public sealed class ModelSchema
{
    private const string MetaPackage = "io.k8s.apimachinery.pkg.apis.meta.v1.";

    public static readonly ModelSchema String = Primitive("string");
    public static readonly ModelSchema Boolean = Primitive("boolean");
    public static readonly ModelSchema Int32 = Primitive("integer", "int32");
    public static readonly ModelSchema Int64 = Primitive("integer", "int64");
    public static readonly ModelSchema Double = Primitive("number", "double");
    public static readonly ModelSchema Bytes = Primitive("string", "byte");

    /// <summary>Anything, with no definition of its own (an untyped field).</summary>
    public static readonly ModelSchema Any = new() { Kind = ModelSchemaKind.Any };

    public static readonly ModelSchema Time = new()
    {
        Kind = ModelSchemaKind.Scalar, Definition = MetaPackage + "Time", JsonType = "string", Format = "date-time",
        Description = "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.",
    };

    public static readonly ModelSchema MicroTime = new()
    {
        Kind = ModelSchemaKind.Scalar, Definition = MetaPackage + "MicroTime", JsonType = "string", Format = "date-time",
        Description = "MicroTime is version of Time with microsecond level precision.",
    };

    public static readonly ModelSchema FieldsV1 = new()
    {
        Kind = ModelSchemaKind.Any, Definition = MetaPackage + "FieldsV1", JsonType = "object",
        Description = "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff",
    };

    public static readonly ModelSchema Quantity = new()
    {
        Kind = ModelSchemaKind.Scalar, Definition = KubernetesModelTypes.DefinitionName(typeof(ResourceQuantity)), JsonType = "string", OneOf = ["string", "number"],
        Description = "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the \"\" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= \"+\" | \"-\" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | \"\" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn't choose the capitalization.)\n\n<decimalExponent> ::= \"e\" <signedNumber> | \"E\" <signedNumber> ```\n\nNo matter which of the three exponent forms is used, no quantity may represent a number greater than 2^63-1 in magnitude, nor may it have more than 3 decimal places. Numbers larger or more precise will be capped or rounded up. (E.g.: 0.1m will rounded up to 1m.) This may be extended in the future if we require larger or smaller quantities.\n\nWhen a Quantity is parsed from a string, it will remember the type of suffix it had, and will use the same type again when it is serialized.\n\nBefore serializing, Quantity will be put in \"canonical form\". This means that Exponent/suffix will be adjusted up or down (with a corresponding increase or decrease in Mantissa) such that:\n\n- No precision is lost - No fractional digits will be emitted - The exponent (or suffix) is as large as possible.\n\nThe sign will be omitted unless the number is negative.\n\nExamples:\n\n- 1.5 will be serialized as \"1500m\" - 1.5Gi will be serialized as \"1536Mi\"\n\nNote that the quantity is NOT able to represent some numbers. For example, a number with more than 3 decimal places cannot be represented. Numbers which are not representable, will be rounded up when used (e.g. 1.0001 cpu will be rounded up to 1001m).\n\nNon-canonical values will still parse as long as they are well formed, but will be re-emitted in their canonical form. (So always use canonical form, or don't diff.)\n\nThis format is intended to make it difficult to use these numbers without writing some sort of special handling code in the hopes that that will cause implementors to also use a fixed-point implementation.",
    };

    public static readonly ModelSchema IntOrString = new()
    {
        Kind = ModelSchemaKind.Scalar, Definition = KubernetesModelTypes.DefinitionName(typeof(IntOrString)), JsonType = "string", Format = "int-or-string", OneOf = ["integer", "string"],
        Description = "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.",
    };

    private static readonly Lock Gate = new();
    private static readonly Dictionary<Type, ModelSchema> ByType = [];
    private static readonly Lazy<ModelSchema> Unmodelled = new(() => new ModelSchema
    {
        Kind = ModelSchemaKind.Object,
        Fields = new SortedDictionary<string, ModelField>(StringComparer.Ordinal)
        {
            ["apiVersion"] = new("apiVersion", String, FieldMarkers.None),
            ["kind"] = new("kind", String, FieldMarkers.None),
            ["metadata"] = new("metadata", ForType(typeof(V1ObjectMeta)), FieldMarkers.None),
        },
    });

    private string? _definition;
    private string? _description;

    private ModelSchema()
    {
    }

    public ModelSchemaKind Kind { get; private init; }

    /// <summary>The model class of a struct; null otherwise.</summary>
    public Type? ModelType { get; private init; }

    /// <summary>
    /// The OpenAPI definition name of a struct or named scalar (io.k8s.api.core.v1.Container); null
    /// for an inline schema. A struct's is looked up on demand: naming every model type costs a
    /// walk of the whole client assembly that validation and patching do not need.
    /// </summary>
    public string? Definition
    {
        get => ModelType is null ? _definition : _definition ??= KubernetesModelTypes.DefinitionName(ModelType);
        private init => _definition = value;
    }

    /// <summary>The description of the type itself (the field's description is on <see cref="ModelField"/>), read on demand.</summary>
    public string? Description
    {
        get => ModelType is null ? _description : ModelDocs.OfType(ModelType);
        private init => _description = value;
    }

    /// <summary>The OpenAPI type of a scalar: string, integer, number, boolean.</summary>
    public string? JsonType { get; private init; }

    public string? Format { get; private init; }

    /// <summary>The OpenAPI v3 <c>oneOf</c> types of Quantity and IntOrString (v2 has only their type and format).</summary>
    public string[]? OneOf { get; private init; }

    /// <summary>Struct fields by wire name, in ordinal order.</summary>
    public IReadOnlyDictionary<string, ModelField> Fields { get; private set; } = EmptyFields;

    public string[] Required { get; private set; } = [];

    /// <summary>+structType=atomic: owned and replaced as a whole.</summary>
    public bool Atomic { get; private set; }

    /// <summary>Array items and map values.</summary>
    public ModelSchema? Element { get; private init; }

    /// <summary>The kinds a top-level type is served as (x-kubernetes-group-version-kind).</summary>
    public (string Group, string Version, string Kind)? GroupVersionKind { get; private set; }

    private static IReadOnlyDictionary<string, ModelField> EmptyFields { get; } = new SortedDictionary<string, ModelField>(StringComparer.Ordinal);

    /// <summary>The schema of a kind (group "" for core); null when the client does not model it.</summary>
    public static ModelSchema? ForKind(string group, string version, string kind) =>
        KubernetesModelTypes.TryGetEntity(group, version, kind, out var type) ? ForType(type) : null;

    /// <summary>A kind the client does not model (a custom resource): only its type and object metadata are known.</summary>
    public static ModelSchema UnmodelledKind => Unmodelled.Value;

    /// <summary>The schema of a model type (built once, shared by every kind that reaches it).</summary>
    public static ModelSchema ForType(Type type)
    {
        lock (Gate)
        {
            return Build(type);
        }
    }

    /// <summary>A struct field, or null when the struct does not declare it.</summary>
    public ModelField? Field(string name) => Fields.TryGetValue(name, out var field) ? field : null;

    private static ModelSchema Primitive(string type, string? format = null) => new() { Kind = ModelSchemaKind.Scalar, JsonType = type, Format = format };

    private static ModelSchema Build(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type.IsEnum)
        {
            return String;
        }

        if (type == typeof(bool))
        {
            return Boolean;
        }

        if (type == typeof(int) || type == typeof(short) || type == typeof(byte))
        {
            return Int32;
        }

        if (type == typeof(long))
        {
            return Int64;
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return Double;
        }

        if (type == typeof(byte[]))
        {
            return Bytes;
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return Time;
        }

        if (type == typeof(ResourceQuantity))
        {
            return Quantity;
        }

        if (type == typeof(IntOrString))
        {
            return IntOrString;
        }

        if (type == typeof(object) || type == typeof(System.Text.Json.JsonElement) || KubernetesModelTypes.IsScalar(type))
        {
            return Any;
        }

        if (ByType.TryGetValue(type, out var known))
        {
            return known;
        }

        if (KubernetesModelTypes.GenericArgument(type, typeof(IDictionary<,>), 1) is { } valueType)
        {
            return new ModelSchema { Kind = ModelSchemaKind.Map, Element = Build(valueType) };
        }

        if (KubernetesModelTypes.GenericArgument(type, typeof(IEnumerable<>), 0) is { } itemType)
        {
            return new ModelSchema { Kind = ModelSchemaKind.Array, Element = Build(itemType) };
        }

        if (typeof(IEnumerable).IsAssignableFrom(type) || type.Namespace != typeof(V1Pod).Namespace)
        {
            return Any;
        }

        var node = new ModelSchema { Kind = ModelSchemaKind.Object, ModelType = type };
        ByType[type] = node;
        node.Atomic = SchemaMarkers.IsAtomicStruct(type.Name);
        node.Required = SchemaMarkers.RequiredOf(type.Name);
        if (type.GetCustomAttribute<KubernetesEntityAttribute>() is { Kind: { Length: > 0 } kind } entity)
        {
            node.GroupVersionKind = (entity.Group ?? "", entity.ApiVersion ?? "", kind);
        }

        var fields = new SortedDictionary<string, ModelField>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is not { } name)
            {
                continue;
            }

            var schema = SchemaMarkers.NamedScalarOf(type.Name, name.Name) switch
            {
                "MicroTime" => MicroTime,
                "FieldsV1" => FieldsV1,
                _ => Build(property.PropertyType),
            };
            fields[name.Name] = new ModelField(name.Name, schema, SchemaMarkers.Of(type.Name, name.Name), type, property.Name);
        }

        node.Fields = fields;
        if (node.Required.Length == 0 && node.GroupVersionKind?.Kind.EndsWith("List", StringComparison.Ordinal) == true && fields.ContainsKey("items"))
        {
            node.Required = ["items"];
        }

        return node;
    }
}
