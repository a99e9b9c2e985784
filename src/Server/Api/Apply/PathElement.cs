using System.Buffers;
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

    [ThreadStatic]
    private static StringBuilder? KeyText;

    // 24 bytes: a field keeps its name (its text "f:" and the name is made when asked for, as
    // FieldsV1 is written from the name); the other kinds keep their canonical text, which is their
    // identity. The payload is a key's fields or a set item's value.
    private readonly string? _text;
    private readonly object? _payload;

    private PathElement(PathElementKind kind, string? text, object? payload, int index)
    {
        Kind = kind;
        _text = text;
        _payload = payload;
        Index = index;
    }

    public PathElementKind Kind { get; }

    /// <summary>The FieldsV1 key: <c>f:</c>, <c>k:</c>, <c>v:</c> or <c>i:</c> and the element.</summary>
    public string Text => Kind == PathElementKind.Field ? "f:" + _text : _text!;

    public string? Name => Kind == PathElementKind.Field ? _text : null;

    public (string Name, JsonNode? Value)[]? Keys => _payload as (string Name, JsonNode? Value)[];

    public JsonNode? Value => Kind == PathElementKind.Value ? _payload as JsonNode : null;

    public int Index { get; }

    public static PathElement Field(string name) => new(PathElementKind.Field, name, null, 0);

    /// <summary>An associative list item by its key fields, which this sorts by name in place and keeps.</summary>
    /// <remarks>The values are held, not copied: JSON values are immutable, and replacing one in its object makes a new node.</remarks>
    public static PathElement Key((string Name, JsonNode? Value)[] keys)
    {
        // Key fields are one to three: an insertion sort, without LINQ.
        for (var i = 1; i < keys.Length; i++)
        {
            var item = keys[i];
            var j = i - 1;
            for (; j >= 0 && string.CompareOrdinal(keys[j].Name, item.Name) > 0; j--)
            {
                keys[j + 1] = keys[j];
            }

            keys[j + 1] = item;
        }

        var text = KeyText ??= new StringBuilder(64);
        text.Clear().Append("k:{");
        for (var i = 0; i < keys.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            AppendString(text, keys[i].Name);
            text.Append(':');
            AppendValue(text, keys[i].Value);
        }

        return new(PathElementKind.Key, text.Append('}').ToString(), keys, 0);
    }

    public static PathElement OfValue(JsonNode? value) => new(PathElementKind.Value, "v:" + ValueJson(value), value, 0);

    public static PathElement OfIndex(int index) => new(PathElementKind.Index, "i:" + index.ToString(CultureInfo.InvariantCulture), null, index);

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
                case 'k':
                    return ParseKey(body);
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

    /// <summary>The key fields of <c>k:{...}</c>, scalars read without a document (objects and arrays, which kube allows but nobody uses as keys, with one).</summary>
    private static PathElement? ParseKey(string body)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(body));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var keys = new List<(string Name, JsonNode? Value)>(2);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            JsonNode? value = reader.TokenType switch
            {
                JsonTokenType.String => JsonValue.Create(reader.GetString()),
                JsonTokenType.Number when reader.TryGetInt64(out var integer) => JsonValue.Create(integer),
                JsonTokenType.Number => JsonValue.Create(reader.GetDouble()),
                JsonTokenType.True or JsonTokenType.False => JsonValue.Create(reader.GetBoolean()),
                JsonTokenType.Null => null,
                _ => JsonNode.Parse(ref reader),
            };
            keys.Add((name, value));
        }

        return reader.TokenType == JsonTokenType.EndObject && reader.Read() is false ? Key([.. keys]) : null;
    }

    /// <summary>The element as fieldpath.PathElement.String writes it in conflict messages: <c>.name</c>, <c>[name="nginx"]</c>, <c>[=value]</c>, <c>[0]</c>.</summary>
    public override string ToString() => Kind switch
    {
        PathElementKind.Field => "." + Name,
        PathElementKind.Key => "[" + string.Join(",", Keys!.Select(k => k.Name + "=" + GoString(k.Value))) + "]",
        PathElementKind.Value => "[=" + GoString(Value) + "]",
        _ => "[" + Index.ToString(CultureInfo.InvariantCulture) + "]",
    };

    public bool Equals(PathElement other) => Kind == other.Kind && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is PathElement other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text ?? "");

    /// <summary>Writes <see cref="Text"/> as a JSON property name and its colon, escaped as the relaxed encoder escapes it.</summary>
    public void WriteJsonName(System.Buffers.IBufferWriter<byte> output)
    {
        var text = Kind == PathElementKind.Field ? _text! : _text.AsSpan(2);
        var span = output.GetSpan((text.Length * 2) + 6);
        span[0] = (byte)'"';
        var at = 1;
        if (Kind == PathElementKind.Field)
        {
            span[at++] = (byte)'f';
        }
        else
        {
            span[at++] = (byte)_text![0];
        }

        span[at++] = (byte)':';
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                // Control and non-ASCII characters: the encoder's own rules.
                WriteEncoded(output, Kind == PathElementKind.Field ? "f:" + _text : _text!);
                return;
            }

            if (c is '"' or '\\')
            {
                span[at++] = (byte)'\\';
            }

            span[at++] = (byte)c;
        }

        span[at++] = (byte)'"';
        span[at++] = (byte)':';
        output.Advance(at);
    }

    private static void WriteEncoded(System.Buffers.IBufferWriter<byte> output, string text)
    {
        var encoded = JsonEncodedText.Encode(text, Compact.Encoder);
        output.Write("\""u8);
        output.Write(encoded.EncodedUtf8Bytes);
        output.Write("\":"u8);
    }

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

    private static void AppendValue(StringBuilder text, JsonNode? value)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.TryGetValue<string>(out var s))
        {
            AppendString(text, s);
        }
        else if (value is JsonValue n && n.GetValueKind() == JsonValueKind.Number && n.TryGetValue<long>(out var number))
        {
            text.Append(number.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            text.Append(ValueJson(value));
        }
    }

    /// <summary>A JSON string as the compact relaxed encoder writes it; names and values that need no escaping (nearly all) are copied.</summary>
    private static void AppendString(StringBuilder text, string s)
    {
        foreach (var c in s)
        {
            if (c < 0x20 || c == '"' || c == '\\' || c > 0x7E)
            {
                text.Append(JsonSerializer.Serialize(s, Compact));
                return;
            }
        }

        text.Append('"').Append(s).Append('"');
    }

    // value.ToString: strings quoted as Go's %q, everything else as its JSON.
    private static string GoString(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var s) ? JsonSerializer.Serialize(s, Compact) : ValueJson(value);
}
