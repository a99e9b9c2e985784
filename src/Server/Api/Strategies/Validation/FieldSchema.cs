using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Api.Strategies.Validation;

/// <summary>
/// The shape of a kind's JSON as far as fieldValidation needs it: which members an object has,
/// what arrays hold, and where any key is allowed (maps such as labels or data) or anything at
/// all (RawExtension, <c>x-kubernetes-preserve-unknown-fields</c>). Built once per kind by
/// reflection over the official <c>k8s.Models</c> types, whose <c>JsonPropertyName</c>s are the
/// wire names.
/// </summary>
public sealed class FieldSchema
{
    /// <summary>A scalar (string, number, bool, quantity, IntOrString, time, bytes): members under it are not checked.</summary>
    public static readonly FieldSchema Leaf = new();

    /// <summary>Anything goes (RawExtension, FieldsV1, JSON).</summary>
    public static readonly FieldSchema Any = new();

    private static readonly ConcurrentDictionary<(string Group, string Version, string Kind), FieldSchema?> ByKind = new();
    /// <summary>Members of an object; null when this is not an object.</summary>
    public Dictionary<string, FieldSchema>? Properties { get; private set; }

    /// <summary>Element schema of an array.</summary>
    public FieldSchema? Items { get; private set; }

    /// <summary>Value schema of a map with free keys.</summary>
    public FieldSchema? Values { get; private set; }

    /// <summary>The schema of a served kind, or null when the model types do not know it.</summary>
    public static FieldSchema? ForKind(string group, string version, string kind) =>
        ByKind.GetOrAdd((group, version, kind), static key =>
            KubernetesModelTypes.TryGetEntity(key.Item1, key.Item2, key.Item3, out var type) ? FromType(type, new Dictionary<Type, FieldSchema>()) : null);

    private static FieldSchema FromType(Type type, Dictionary<Type, FieldSchema> seen)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(object) || type == typeof(System.Text.Json.JsonElement))
        {
            return Any;
        }

        if (KubernetesModelTypes.IsScalar(type))
        {
            return Leaf;
        }

        if (seen.TryGetValue(type, out var known))
        {
            return known;
        }

        if (KubernetesModelTypes.GenericArgument(type, typeof(IDictionary<,>), 1) is { } valueType)
        {
            var map = new FieldSchema();
            seen[type] = map;
            map.Values = FromType(valueType, seen);
            return map;
        }

        if (type != typeof(string) && KubernetesModelTypes.GenericArgument(type, typeof(IEnumerable<>), 0) is { } itemType)
        {
            var array = new FieldSchema();
            seen[type] = array;
            array.Items = FromType(itemType, seen);
            return array;
        }

        if (typeof(IEnumerable).IsAssignableFrom(type) || type.Namespace != typeof(V1Pod).Namespace)
        {
            return Any;
        }

        var obj = new FieldSchema { Properties = new Dictionary<string, FieldSchema>(StringComparer.Ordinal) };
        seen[type] = obj;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is { } name)
            {
                obj.Properties[name.Name] = FromType(property.PropertyType, seen);
            }
        }

        return obj;
    }
}
