using System.Collections.Concurrent;

using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Api.Strategies.Validation;

/// <summary>
/// The shape of a kind's JSON as far as fieldValidation needs it: which members an object has,
/// what arrays hold, and where any key is allowed (maps such as labels or data) or anything at
/// all (RawExtension, FieldsV1). A view of the kind's <see cref="ModelSchema"/>, built once per kind.
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
            ModelSchema.ForKind(key.Item1, key.Item2, key.Item3) is { } schema ? From(schema, new Dictionary<ModelSchema, FieldSchema>()) : null);

    private static FieldSchema From(ModelSchema node, Dictionary<ModelSchema, FieldSchema> seen)
    {
        switch (node.Kind)
        {
            case ModelSchemaKind.Scalar:
                return Leaf;
            case ModelSchemaKind.Any:
                return Any;
            case ModelSchemaKind.Map:
                return new FieldSchema { Values = From(node.Element ?? ModelSchema.Any, seen) };
            case ModelSchemaKind.Array:
                return new FieldSchema { Items = From(node.Element ?? ModelSchema.Any, seen) };
        }

        if (seen.TryGetValue(node, out var known))
        {
            return known;
        }

        var obj = new FieldSchema { Properties = new Dictionary<string, FieldSchema>(StringComparer.Ordinal) };
        seen[node] = obj;
        foreach (var (name, field) in node.Fields)
        {
            obj.Properties[name] = From(field.Schema, seen);
        }

        return obj;
    }
}
