using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;

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
/// built once per kind by reflection over the <c>k8s.Models</c> types, with the list and
/// struct semantics of <see cref="ListSemantics"/>. Unlike FieldSchema, a node knows the type
/// it came from, since list semantics are declared per type and field.
/// </summary>
public sealed class MergeSchema
{
    public static readonly MergeSchema Scalar = new() { Kind = MergeKind.Scalar };

    public static readonly MergeSchema Untyped = new() { Kind = MergeKind.Untyped };

    private static readonly ConcurrentDictionary<(string Group, string Version, string Kind), MergeSchema?> ByKind = new();
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
            KubernetesModelTypes.TryGetEntity(key.Item1, key.Item2, key.Item3, out var type) ? FromType(type, new Dictionary<Type, MergeSchema>()) : null);

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

    private static MergeSchema FromType(Type type, Dictionary<Type, MergeSchema> seen)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(object) || type == typeof(System.Text.Json.JsonElement))
        {
            return Untyped;
        }

        if (KubernetesModelTypes.IsScalar(type))
        {
            return Scalar;
        }

        if (seen.TryGetValue(type, out var known))
        {
            return known;
        }

        if (KubernetesModelTypes.GenericArgument(type, typeof(IDictionary<,>), 1) is { } valueType)
        {
            return new MergeSchema { Kind = MergeKind.Map, Element = FromType(valueType, seen) };
        }

        if (KubernetesModelTypes.GenericArgument(type, typeof(IEnumerable<>), 0) is { } itemType)
        {
            return new MergeSchema { Kind = MergeKind.List, Atomic = true, Element = FromType(itemType, seen) };
        }

        if (typeof(IEnumerable).IsAssignableFrom(type) || type.Namespace != typeof(V1Pod).Namespace)
        {
            return Untyped;
        }

        var obj = new MergeSchema { Kind = MergeKind.Struct, Fields = new Dictionary<string, MergeSchema>(StringComparer.Ordinal), Atomic = ListSemantics.IsAtomicStruct(type.Name) };
        seen[type] = obj;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is not { } name)
            {
                continue;
            }

            var field = FromType(property.PropertyType, seen);
            if (field.Kind == MergeKind.List && ListSemantics.ListOf(type.Name, name.Name) is { } list)
            {
                field = new MergeSchema
                {
                    Kind = MergeKind.List, Atomic = list.Keys is null, Element = field.Element, Keys = list.Keys, KeyDefaults = list.KeyDefaults,
                };
            }
            else if (field.Kind == MergeKind.Map && ListSemantics.IsAtomicMap(type.Name, name.Name))
            {
                field = new MergeSchema { Kind = MergeKind.Map, Atomic = true, Element = field.Element };
            }

            obj.Fields[name.Name] = field;
        }

        return obj;
    }
}
