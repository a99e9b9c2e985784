using System.Text.Json;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Api.Strategies.Defaults;

/// <summary>
/// "Unset" as Go's defaulting functions see it, on JSON trees: a missing or null member is a nil
/// pointer; for plain strings and numbers, "" and 0 are unset too. Every helper leaves a set value
/// alone, so defaulting stays idempotent.
/// </summary>
internal static class JsonDefaults
{
    /// <summary>The object member <paramref name="name"/>, or null when absent or not an object.</summary>
    public static JsonObject? Object(JsonObject? parent, string name) => parent?[name] as JsonObject;

    /// <summary>The object member <paramref name="name"/>, created empty when absent or null (a pointer defaulted to <c>&amp;T{}</c>).</summary>
    public static JsonObject EnsureObject(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    /// <summary>The objects of an array member; non-object items are skipped.</summary>
    public static ObjectItems Items(JsonObject? parent, string name) => new(parent?[name] as JsonArray);

    public static bool IsUnset(JsonObject obj, string name) => !obj.TryGetPropertyValue(name, out var node) || node is null;

    /// <summary>A Go string field: "" counts as unset.</summary>
    public static bool IsEmptyString(JsonObject obj, string name) => !obj.TryGetPropertyValue(name, out var node) || IsEmptyString(node);

    /// <summary>A Go integer field: 0 counts as unset.</summary>
    public static bool IsZeroNumber(JsonObject obj, string name) => !obj.TryGetPropertyValue(name, out var node) || IsZeroNumber(node);

    private static bool IsEmptyString(JsonNode? node) =>
        node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.String && StringEquals(v, ""));

    private static bool IsZeroNumber(JsonNode? node) => node is null || (TryGetInt64(node, out var n) && n == 0);

    /// <summary>An integer, whether parsed from JSON or set from any CLR integer type.</summary>
    public static bool TryGetInt64(JsonNode? node, out long value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && (v.TryGetValue(out value) || long.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value));
    }

    /// <summary>Sets a Go string field when it is "" or absent.</summary>
    public static void SetIfEmpty(JsonObject obj, string name, string value) => Set(obj, name, value, static node => IsEmptyString(node), static v => v);

    /// <summary>Sets a Go integer field when it is 0 or absent.</summary>
    public static void SetIfZero(JsonObject obj, string name, long value) => Set(obj, name, value, static node => IsZeroNumber(node), static v => v);

    /// <summary>Sets a pointer field when it is absent or null (a set zero value is kept).</summary>
    public static void SetIfUnset(JsonObject obj, string name, JsonNode value) => Set(obj, name, value, static node => node is null, static v => v);

    /// <inheritdoc cref="SetIfUnset(JsonObject, string, JsonNode)"/>
    public static void SetIfUnset(JsonObject obj, string name, string value) => Set(obj, name, value, static node => node is null, static v => v);

    /// <inheritdoc cref="SetIfUnset(JsonObject, string, JsonNode)"/>
    public static void SetIfUnset(JsonObject obj, string name, int value) => Set(obj, name, value, static node => node is null, static v => v);

    /// <inheritdoc cref="SetIfUnset(JsonObject, string, JsonNode)"/>
    public static void SetIfUnset(JsonObject obj, string name, bool value) => Set(obj, name, value, static node => node is null, static v => v);

    /// <summary>
    /// Sets <paramref name="name"/> when absent or <paramref name="unset"/>, looking the member up
    /// once: an absent member is appended and an unset one replaced where it is, as the indexer
    /// does, without the indexer's second lookup. The node is made only when it is set (an argument
    /// converted to a JsonNode would be allocated on every call).
    /// </summary>
    private static void Set<T>(JsonObject obj, string name, T value, Func<JsonNode?, bool> unset, Func<T, JsonNode?> node)
    {
        var index = obj.IndexOf(name);
        if (index < 0)
        {
            obj.Add(name, node(value));
        }
        else if (unset(obj.GetAt(index).Value))
        {
            obj.SetAt(index, node(value));
        }
    }

    public static string? StringValue(JsonObject? obj, string name) => StringNode(obj, name)?.GetValue<string>();

    /// <summary>
    /// The text of a string member, copied into <paramref name="buffer"/> when it is parsed ASCII
    /// that fits; "" when absent or not a string, as <c>StringValue(...) ?? ""</c> reads it (see <see cref="KubeJson.TryGetChars"/>).
    /// </summary>
    public static ReadOnlySpan<char> Chars(JsonObject? obj, string name, Span<char> buffer) =>
        obj is not null && KubeJson.TryGetChars(obj[name], buffer, out var text) ? text : default;

    /// <summary>The member <paramref name="name"/> when it is a string, left unread (see <see cref="StringEquals"/>); null otherwise.</summary>
    public static JsonValue? StringNode(JsonObject? obj, string name) =>
        obj?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v : null;

    /// <summary>Whether the member <paramref name="name"/> is a string other than "".</summary>
    public static bool HasString(JsonObject? obj, string name) => StringNode(obj, name) is { } value && !StringEquals(value, "");

    /// <summary>
    /// Whether a string value is <paramref name="text"/>. A parsed value is compared where it lies:
    /// reading its string would allocate a new one on every call.
    /// </summary>
    public static bool StringEquals(JsonValue value, string text) =>
        value.TryGetValue(out JsonElement element) ? element.ValueEquals(text) : value.GetValue<string>() == text;

    /// <summary>The objects of an array for <c>foreach</c>, by index and without allocating; non-object items are skipped.</summary>
    public struct ObjectItems(JsonArray? array)
    {
        private int _index = -1;

        public JsonObject Current { get; private set; } = null!;

        public readonly ObjectItems GetEnumerator() => this;

        public bool MoveNext()
        {
            while (array is not null && ++_index < array.Count)
            {
                if (array[_index] is JsonObject item)
                {
                    Current = item;
                    return true;
                }
            }

            return false;
        }
    }
}
