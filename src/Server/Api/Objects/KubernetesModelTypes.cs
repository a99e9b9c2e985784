using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Nautilus.Server.Api.Objects;

/// <summary>
/// Reflection over the official client's model types, shared by the schema derived from them
/// (<see cref="ModelSchema"/>: OpenAPI, field validation, patching, server-side apply): one index
/// of kinds to types and one of types to their OpenAPI definition names, each built once.
/// </summary>
internal static partial class KubernetesModelTypes
{
    private static readonly Lazy<Dictionary<(string Group, string Version, string Kind), string>> EntityNames = new(FindEntityTypes);
    private static readonly Lazy<Dictionary<(string Group, string Version, string Kind), Type>> Entities = new(() => EntityNames.Value.ToDictionary(e => e.Key, e => typeof(V1Pod).Assembly.GetType(e.Value, throwOnError: true)!));
    private static readonly Lazy<Dictionary<Type, string>> Definitions = new(NameDefinitions);

    // The apimachinery meta/v1 types a model can reference; every other type lives in the package of the kinds that use it.
    private static readonly HashSet<string> MetaTypes =
    [
        "V1ObjectMeta", "V1ListMeta", "V1LabelSelector", "V1LabelSelectorRequirement", "V1OwnerReference", "V1ManagedFieldsEntry",
        "V1Condition", "V1Status", "V1StatusDetails", "V1StatusCause", "V1DeleteOptions", "V1Preconditions", "V1APIResource",
        "V1APIResourceList", "V1APIGroup", "V1APIGroupList", "V1APIVersions", "V1GroupVersionForDiscovery", "V1ServerAddressByClientCIDR",
        "V1WatchEvent",
    ];

    /// <summary>The model type of a kind (group "" for core), or false when the client does not model it.</summary>
    public static bool TryGetEntity(string group, string version, string kind, out Type type)
    {
        type = null!;
        if (!EntityNames.Value.TryGetValue((group, version, kind), out var name))
        {
            return false;
        }

        type = typeof(V1Pod).Assembly.GetType(name, throwOnError: true)!;
        return true;
    }

    /// <summary>
    /// The OpenAPI definition name kube-apiserver publishes for a model type
    /// (io.k8s.api.core.v1.Container, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta,
    /// io.k8s.apimachinery.pkg.api.resource.Quantity), or null for a type outside the index.
    /// </summary>
    public static string? DefinitionName(Type type)
    {
        if (type == typeof(IntOrString))
        {
            return "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
        }

        if (type == typeof(ResourceQuantity))
        {
            return "io.k8s.apimachinery.pkg.api.resource.Quantity";
        }

        return Definitions.Value.TryGetValue(type, out var name) ? name : null;
    }

    /// <summary>A value with no fields of its own: primitives, strings, times, bytes, IntOrString, Quantity.</summary>
    public static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
        || type == typeof(byte[]) || type == typeof(IntOrString) || type == typeof(ResourceQuantity);

    /// <summary>The <paramref name="index"/>th type argument of <paramref name="openInterface"/> as <paramref name="type"/> implements it, or null.</summary>
    public static Type? GenericArgument(Type type, Type openInterface, int index)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == openInterface)
        {
            return type.GetGenericArguments()[index];
        }

        foreach (var candidate in type.GetInterfaces())
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == openInterface)
            {
                return candidate.GetGenericArguments()[index];
            }
        }

        return null;
    }

    /// <summary>
    /// The client's class names drop the Go package (V1Container, V1DeploymentSpec), so a nested
    /// type takes the group of the first kind that reaches it: core kinds first (their types only
    /// reach core and meta), meta types named outright. The version is the class name's prefix.
    /// </summary>
    private static Dictionary<Type, string> NameDefinitions()
    {
        var names = new Dictionary<Type, string>();
        foreach (var type in typeof(V1Pod).Assembly.GetTypes())
        {
            if (type.Namespace == typeof(V1Pod).Namespace && MetaTypes.Contains(type.Name))
            {
                names[type] = "io.k8s.apimachinery.pkg.apis.meta.v1." + type.Name[2..];
            }
        }

        var entities = Entities.Value.OrderBy(e => e.Key.Group.Length == 0 ? 0 : 1).ThenBy(e => e.Key.Group, StringComparer.Ordinal).ThenBy(e => e.Value.Name, StringComparer.Ordinal);
        foreach (var ((group, _, _), entity) in entities)
        {
            var pending = new Stack<Type>();
            pending.Push(entity);
            while (pending.Count > 0)
            {
                var type = pending.Pop();
                if (names.ContainsKey(type) || VersionedName().Match(type.Name) is not { Success: true } match)
                {
                    continue;
                }

                names[type] = OpenApi.OpenApiDocuments.DefinitionName(group, "v" + match.Groups[1].Value, match.Groups[2].Value);
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is not null && ModelTypeOf(property.PropertyType) is { } referenced)
                    {
                        pending.Push(referenced);
                    }
                }
            }
        }

        return names;
    }

    /// <summary>The model class a property holds, through nullables, lists and maps; null for scalars.</summary>
    private static Type? ModelTypeOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(type) || type == typeof(object))
        {
            return null;
        }

        if (GenericArgument(type, typeof(IDictionary<,>), 1) is { } value)
        {
            return ModelTypeOf(value);
        }

        if (GenericArgument(type, typeof(IEnumerable<>), 0) is { } item)
        {
            return ModelTypeOf(item);
        }

        return type.Namespace == typeof(V1Pod).Namespace ? type : null;
    }

    // V1Container, V1beta1FlowSchema, Corev1EventSeries (a group prefix where two groups share a name).
    [GeneratedRegex("^(?:[A-Z][a-z]+)?[Vv]([0-9]+(?:alpha[0-9]+|beta[0-9]+)?)([A-Z][A-Za-z0-9]*)$")]
    private static partial Regex VersionedName();

    /// <summary>
    /// The kinds the client models, by the full names of their types, read from its assembly's
    /// metadata rather than by loading its types: loading all 1,500 of them to look at their
    /// attributes cost 21 MiB of resident memory, and the served kinds reach a small part of them.
    /// A type loads when its kind is asked for (all of them only for the OpenAPI documents).
    /// </summary>
    private static Dictionary<(string, string, string), string> FindEntityTypes()
    {
        var assembly = typeof(V1Pod).Assembly;
        var types = new Dictionary<(string, string, string), string>();
        var metadata = RawMetadata(assembly);
        var strings = new AttributeStrings();
        foreach (var handle in metadata.TypeDefinitions)
        {
            var definition = metadata.GetTypeDefinition(handle);
            foreach (var attributeHandle in definition.GetCustomAttributes())
            {
                var attribute = metadata.GetCustomAttribute(attributeHandle);
                if (attribute.Constructor.Kind != System.Reflection.Metadata.HandleKind.MethodDefinition
                    || !metadata.StringComparer.Equals(metadata.GetTypeDefinition(metadata.GetMethodDefinition((System.Reflection.Metadata.MethodDefinitionHandle)attribute.Constructor).GetDeclaringType()).Name, nameof(KubernetesEntityAttribute)))
                {
                    continue;
                }

                string? group = null, version = null, kind = null;
                foreach (var argument in attribute.DecodeValue(strings).NamedArguments)
                {
                    switch (argument.Name)
                    {
                        case nameof(KubernetesEntityAttribute.Group):
                            group = argument.Value as string;
                            break;
                        case nameof(KubernetesEntityAttribute.ApiVersion):
                            version = argument.Value as string;
                            break;
                        case nameof(KubernetesEntityAttribute.Kind):
                            kind = argument.Value as string;
                            break;
                    }
                }

                if (kind is { Length: > 0 })
                {
                    types.TryAdd((group ?? "", version ?? "", kind), metadata.GetString(definition.Namespace) + "." + metadata.GetString(definition.Name));
                }
            }
        }

        return types;
    }

    /// <summary>The metadata the runtime already mapped for the assembly (reading the file again would map all of its 12 MB).</summary>
    private static unsafe System.Reflection.Metadata.MetadataReader RawMetadata(Assembly assembly) =>
        System.Reflection.Metadata.AssemblyExtensions.TryGetRawMetadata(assembly, out var blob, out var length)
            ? new System.Reflection.Metadata.MetadataReader(blob, length)
            : throw new InvalidOperationException("no metadata for " + assembly.FullName);

    /// <summary>Decodes the string arguments of a custom attribute (the entity attribute has no others); types are named, never loaded.</summary>
    private sealed class AttributeStrings : System.Reflection.Metadata.ICustomAttributeTypeProvider<string>
    {
        public string GetPrimitiveType(System.Reflection.Metadata.PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetSystemType() => "System.Type";

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(System.Reflection.Metadata.MetadataReader reader, System.Reflection.Metadata.TypeDefinitionHandle handle, byte rawTypeKind) =>
            reader.GetString(reader.GetTypeDefinition(handle).Name);

        public string GetTypeFromReference(System.Reflection.Metadata.MetadataReader reader, System.Reflection.Metadata.TypeReferenceHandle handle, byte rawTypeKind) =>
            reader.GetString(reader.GetTypeReference(handle).Name);

        public string GetTypeFromSerializedName(string name) => name;

        public System.Reflection.Metadata.PrimitiveTypeCode GetUnderlyingEnumType(string type) => System.Reflection.Metadata.PrimitiveTypeCode.Int32;

        public bool IsSystemType(string type) => type == "System.Type";
    }
}
