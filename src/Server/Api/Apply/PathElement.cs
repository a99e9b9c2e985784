using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Apply;

/// <summary>What a <see cref="PathElement"/> names, in the order structured-merge-diff sorts them.</summary>
public enum PathElementKind : byte
{
    /// <summary>A struct field or map key: <c>f:name</c>.</summary>
    Field,

    /// <summary>An item of an associative list, by its key fields: <c>k:{"name":"nginx"}</c>.</summary>
    Key,

    /// <summary>An item of a set: <c>v:"finalizer"</c>.</summary>
    Value,

    /// <summary>An item of a list by position: <c>i:0</c> (only where no key identifies items).</summary>
    Index,
}

/// <summary>
/// One step of a field path, as structured-merge-diff's fieldpath.PathElement. <see cref="Text"/>
/// is its FieldsV1 key and, being canonical (key fields sorted, values compact JSON), its identity.
/// </summary>
public readonly struct PathElement : IEquatable<PathElement>, IComparable<PathElement>
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private PathElement(PathElementKind kind, string text, string? name, (string Name, JsonNode? Value)[]? keys, JsonNode? value, int index)
    {
        Kind = kind;
        Text = text;
        Name = name;
        Keys = keys;
        Value = value;
        Index = index;
    }

    public PathElementKind Kind { get; }

    /// <summary>The FieldsV1 key: <c>f:</c>, <c>k:</c>, <c>v:</c> or <c>i:</c> and the element.</summary>
    public string Text { get; }

    public string? Name { get; }

    public (string Name, JsonNode? Value)[]? Keys { get; }

    public JsonNode? Value { get; }

    public int Index { get; }

    public static PathElement Field(string name) => new(PathElementKind.Field, "f:" + name, name, null, null, 0);

    public static PathElement Key(IEnumerable<(string Name, JsonNode? Value)> keys)
    {
        var sorted = keys.OrderBy(k => k.Name, StringComparer.Ordinal).Select(k => (k.Name, k.Value?.DeepClone())).ToArray();
        var text = new StringBuilder("k:{");
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(JsonSerializer.Serialize(sorted[i].Name, Compact)).Append(':').Append(ValueJson(sorted[i].Item2));
        }

        return new(PathElementKind.Key, text.Append('}').ToString(), null, sorted, null, 0);
    }

    public static PathElement OfValue(JsonNode? value) => new(PathElementKind.Value, "v:" + ValueJson(value), null, null, value?.DeepClone(), 0);

    public static PathElement OfIndex(int index) => new(PathElementKind.Index, "i:" + index.ToString(CultureInfo.InvariantCulture), null, null, null, index);

    /// <summary>Parses a FieldsV1 key; null when it is not one.</summary>
    public static PathElement? Parse(string text)
    {
        if (text.Length < 2 || text[1] != ':')
        {
            return null;
        }

        var body = text[2..];
        try
        {
            switch (text[0])
            {
                case 'f':
                    return Field(body);
                case 'k' when JsonNode.Parse(body) is JsonObject keys:
                    return Key(keys.Select(k => (k.Key, k.Value)));
                case 'v':
                    return OfValue(JsonNode.Parse(body));
                case 'i' when int.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out var index):
                    return OfIndex(index);
                default:
                    return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The element as fieldpath.PathElement.String writes it in conflict messages: <c>.name</c>, <c>[name="nginx"]</c>, <c>[=value]</c>, <c>[0]</c>.</summary>
    public override string ToString() => Kind switch
    {
        PathElementKind.Field => "." + Name,
        PathElementKind.Key => "[" + string.Join(",", Keys!.Select(k => k.Name + "=" + GoString(k.Value))) + "]",
        PathElementKind.Value => "[=" + GoString(Value) + "]",
        _ => "[" + Index.ToString(CultureInfo.InvariantCulture) + "]",
    };

    public bool Equals(PathElement other) => Kind == other.Kind && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is PathElement other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text ?? "");

    /// <summary>fieldpath.PathElement.Compare: fields, then keys, then values, then indexes.</summary>
    public int CompareTo(PathElement other)
    {
        if (Kind != other.Kind)
        {
            return Kind.CompareTo(other.Kind);
        }

        switch (Kind)
        {
            case PathElementKind.Field:
                return string.CompareOrdinal(Name, other.Name);
            case PathElementKind.Key:
                var left = Keys!;
                var right = other.Keys!;
                for (var i = 0; ; i++)
                {
                    if (i >= left.Length || i >= right.Length)
                    {
                        return left.Length.CompareTo(right.Length);
                    }

                    var c = string.CompareOrdinal(left[i].Name, right[i].Name);
                    if (c == 0)
                    {
                        c = JsonValues.Compare(left[i].Value, right[i].Value);
                    }

                    if (c != 0)
                    {
                        return c;
                    }
                }

            case PathElementKind.Value:
                return JsonValues.Compare(Value, other.Value);
            default:
                return Index.CompareTo(other.Index);
        }
    }

    public static bool operator ==(PathElement left, PathElement right) => left.Equals(right);

    public static bool operator !=(PathElement left, PathElement right) => !left.Equals(right);

    public static bool operator <(PathElement left, PathElement right) => left.CompareTo(right) < 0;

    public static bool operator >(PathElement left, PathElement right) => left.CompareTo(right) > 0;

    public static bool operator <=(PathElement left, PathElement right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PathElement left, PathElement right) => left.CompareTo(right) >= 0;

    /// <summary>A path as fieldpath.Path.String writes it: <c>.spec.template.spec.containers[name="nginx"].image</c>.</summary>
    public static string Format(IEnumerable<PathElement> path) => string.Concat(path.Select(p => p.ToString()));

    private static string ValueJson(JsonNode? value) => value is null ? "null" : value.ToJsonString(Compact);

    // value.ToString: strings quoted as Go's %q, everything else as its JSON.
    private static string GoString(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var s) ? JsonSerializer.Serialize(s, Compact) : ValueJson(value);
}
