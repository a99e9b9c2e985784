using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json.Nodes;

using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Api.Apply;

/// <summary>What a schema node is, as structured-merge-diff's schema atoms.</summary>
public enum MergeKind : byte
{
    Scalar,
    Struct,

    /// <summary>A map with free keys (labels, data, resources.limits).</summary>
    Map,
    List,

    /// <summary>Anything (RawExtension): objects merge key by key, lists are atomic.</summary>
    Untyped,
}

/// <summary>
/// The merge semantics of a kind's fields, as kube-apiserver derives them from its OpenAPI
/// (<c>x-kubernetes-list-type</c>, <c>x-kubernetes-list-map-keys</c>, <c>x-kubernetes-map-type</c>):
/// a view of the kind's <see cref="ModelSchema"/> (the markers of <see cref="SchemaMarkers"/>),
/// built once per kind. A list field is atomic unless its markers make it a set or a map.
/// </summary>
public sealed class MergeSchema
{
    public static readonly MergeSchema Scalar = new() { Kind = MergeKind.Scalar };

    public static readonly MergeSchema Untyped = new() { Kind = MergeKind.Untyped };

    private static readonly ConcurrentDictionary<(string Group, string Version, string Kind), MergeSchema?> ByKind = new();

    // Built on first use, once the schema is complete (a struct's fields are filled in after it is
    // created, for recursive types); two threads may both build it, and either result is the same.
    private DeclaredFields? declared;
    private ListKeyNames? keyNames;

    public MergeKind Kind { get; private init; }

    /// <summary>Atomic: the node is owned and replaced as a whole (atomic lists, structs, maps).</summary>
    public bool Atomic { get; private set; }

    /// <summary>Struct members by wire name.</summary>
    public Dictionary<string, MergeSchema>? Fields { get; private set; }

    /// <summary>Map values and list items.</summary>
    public MergeSchema? Element { get; private set; }

    /// <summary>A list's map keys; empty for a set; null for an atomic list.</summary>
    public string[]? Keys { get; private set; }

    /// <summary>Defaults of map keys that may be omitted (a port's protocol is TCP).</summary>
    public IReadOnlyDictionary<string, JsonNode>? KeyDefaults { get; private set; }

    /// <summary>A list whose items are identified by key fields or by value.</summary>
    public bool Associative => Kind == MergeKind.List && !Atomic;

    /// <summary>The merge schema of a served kind; null when the model types do not know it.</summary>
    public static MergeSchema? ForKind(string group, string version, string kind) =>
        ByKind.GetOrAdd((group, version, kind), static key =>
            ModelSchema.ForKind(key.Item1, key.Item2, key.Item3) is { } schema ? From(schema, new Dictionary<ModelSchema, MergeSchema>()) : null);

    /// <summary>A map with free keys whose values follow <paramref name="element"/>.</summary>
    public static MergeSchema MapOf(MergeSchema element) => new() { Kind = MergeKind.Map, Element = element };

    /// <summary>An atomic list of <paramref name="element"/>.</summary>
    public static MergeSchema AtomicListOf(MergeSchema element) => new() { Kind = MergeKind.List, Atomic = true, Element = element };

    /// <summary>An associative list: keyed by <paramref name="keys"/>, or a set when there are none.</summary>
    public static MergeSchema AssociativeListOf(MergeSchema element, string[] keys, IReadOnlyDictionary<string, JsonNode>? defaults = null) =>
        new() { Kind = MergeKind.List, Element = element, Keys = keys, KeyDefaults = defaults };

    /// <summary>A struct with the given fields.</summary>
    public static MergeSchema StructOf(Dictionary<string, MergeSchema> fields, bool atomic = false) =>
        new() { Kind = MergeKind.Struct, Fields = fields, Atomic = atomic };

    /// <summary>The schema of one struct field, or null when the struct does not declare it.</summary>
    public MergeSchema? Field(string name) => Fields is not null && Fields.TryGetValue(name, out var field) ? field : null;

    /// <summary>
    /// A struct's fields for writing FieldsV1: each with its rank in FieldsV1 (ordinal) order and
    /// its FieldsV1 key as written, so a created object's members sort by an integer and their keys
    /// are copied rather than encoded. Read after the schema is built (<see cref="Fields"/> is not
    /// changed afterwards).
    /// </summary>
    internal DeclaredFields Declared => declared ??= BuildDeclared();

    /// <summary>
    /// A map list's key names sorted as <c>k:{…}</c> writes them, each as its <c>\"name\":</c> in
    /// a FieldsV1 key; null for atomic lists and sets, and when a name would need more escaping than
    /// that (kube's key names never do).
    /// </summary>
    internal ListKeyNames? KeyNames => Keys is { Length: > 0 } && !Atomic ? keyNames ??= BuildKeyNames(Keys) : null;

    private DeclaredFields BuildDeclared()
    {
        var names = Fields?.Keys.ToArray() ?? [];
        Array.Sort(names, string.CompareOrdinal);
        var byOrder = new DeclaredField[names.Length];
        var name = new ArrayBufferWriter<byte>(64);
        for (var i = 0; i < names.Length; i++)
        {
            name.ResetWrittenCount();
            PathElement.Field(names[i]).WriteJsonName(name);
            byOrder[i] = new DeclaredField(Fields![names[i]], i, name.WrittenSpan.ToArray());
        }

        return new DeclaredFields(byOrder.ToFrozenDictionary(f => names[f.Order], StringComparer.Ordinal), byOrder);
    }

    private static ListKeyNames BuildKeyNames(string[] keys)
    {
        var sorted = (string[])keys.Clone();
        Array.Sort(sorted, string.CompareOrdinal);
        var json = new byte[sorted.Length][];
        for (var i = 0; i < sorted.Length; i++)
        {
            foreach (var c in sorted[i])
            {
                if (c is < ' ' or > '~' or '"' or '\\')
                {
                    return new ListKeyNames(sorted, null);
                }
            }

            json[i] = System.Text.Encoding.ASCII.GetBytes("\\\"" + sorted[i] + "\\\":");
        }

        return new ListKeyNames(sorted, json);
    }

    private static MergeSchema From(ModelSchema node, Dictionary<ModelSchema, MergeSchema> seen)
    {
        switch (node.Kind)
        {
            case ModelSchemaKind.Scalar:
                return Scalar;
            case ModelSchemaKind.Any:
                return Untyped;
            case ModelSchemaKind.Map:
                return MapOf(From(node.Element ?? ModelSchema.Any, seen));
            case ModelSchemaKind.Array:
                return AtomicListOf(From(node.Element ?? ModelSchema.Any, seen));
        }

        if (seen.TryGetValue(node, out var known))
        {
            return known;
        }

        var obj = new MergeSchema { Kind = MergeKind.Struct, Fields = new Dictionary<string, MergeSchema>(StringComparer.Ordinal), Atomic = node.Atomic };
        seen[node] = obj;
        foreach (var (name, field) in node.Fields)
        {
            var schema = From(field.Schema, seen);
            var markers = field.Markers;
            if (schema.Kind == MergeKind.List && markers.ListType is "map" or "set")
            {
                schema = AssociativeListOf(schema.Element ?? Untyped, markers.ListType == "map" ? markers.ListMapKeys ?? [] : [], markers.KeyDefaults);
            }
            else if (schema.Kind == MergeKind.Map && markers.MapType == "atomic")
            {
                schema = new MergeSchema { Kind = MergeKind.Map, Atomic = true, Element = schema.Element };
            }

            obj.Fields[name] = schema;
        }

        return obj;
    }
}

/// <summary>A declared struct field: its schema, its rank among the struct's fields in ordinal order, and its FieldsV1 key as JSON (<c>"f:name":</c>).</summary>
internal sealed record DeclaredField(MergeSchema Schema, int Order, byte[] JsonName);

/// <summary>A struct's declared fields by name and in ordinal order of their names (<see cref="DeclaredField.Order"/>).</summary>
internal sealed record DeclaredFields(FrozenDictionary<string, DeclaredField> ByName, DeclaredField[] ByOrder);

/// <summary>A map list's key names in ordinal order, and each as written inside a FieldsV1 key (null when one needs escaping).</summary>
internal sealed record ListKeyNames(string[] Sorted, byte[][]? Json);
