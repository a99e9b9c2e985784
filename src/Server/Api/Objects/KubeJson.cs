using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Objects;

/// <summary>Reading and writing Kubernetes JSON objects with the member order kube-apiserver writes.</summary>
public static class KubeJson
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions StoredDocumentOptions = new() { MaxDepth = 256 };
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    // ObjectMeta's field order in k8s.io/apimachinery/pkg/apis/meta/v1/types.go.
    private static readonly string[] MetadataOrder =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    ];

    /// <summary>The names of <see cref="MetadataOrder"/> encoded once: every write writes them.</summary>
    private static readonly JsonEncodedText[] MetadataOrderNames = Array.ConvertAll(MetadataOrder, name => JsonEncodedText.Encode(name));

    /// <summary>The segments of each field path <see cref="FieldValue"/> has read, split once: the paths are the resources' own selectable fields, so a table keyed by those strings lives as long as they do.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, string[]> FieldPathSegments = [];

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<RawJson> RawJsonInfo =
        System.Text.Json.Serialization.Metadata.JsonMetadataServices.CreateValueInfo<RawJson>(new JsonSerializerOptions { TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine() }, new RawJsonConverter());

    /// <summary>
    /// JSON already written, as a node of a tree that is about to be serialized: writing the tree
    /// copies the bytes, where a parsed node would be walked token by token (managedFields, written
    /// by every write, is a tenth of a pod). Code that reads the member takes it through <see cref="Materialize"/>.
    /// </summary>
    public static JsonNode Raw(byte[] utf8) => JsonValue.Create(new RawJson(utf8), RawJsonInfo)!;

    /// <summary>The node itself, or the tree of a <see cref="Raw"/> node.</summary>
    public static JsonNode? Materialize(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<RawJson>(out var raw) ? JsonNode.Parse(raw.Utf8, NodeOptions, StoredDocumentOptions) : node;

    private sealed record RawJson(byte[] Utf8);

    private sealed class RawJsonConverter : System.Text.Json.Serialization.JsonConverter<RawJson>
    {
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("raw JSON nodes are written, not read");

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Utf8, skipInputValidation: true);
    }

    /// <summary>
    /// A tree of JSON this server wrote itself (a stored object): well formed, with no member
    /// twice, so nothing is checked, and nodes are made only where the tree is read; a write that
    /// changes one part (a status) writes the rest back from the parsed document.
    /// </summary>
    public static JsonObject ParseStored(ReadOnlySpan<byte> json) => (JsonObject)JsonNode.Parse(json, NodeOptions, StoredDocumentOptions)!;

    /// <summary>Parses a request body that must be one JSON object; anything else is a 400 as kube-apiserver answers it.</summary>
    public static JsonObject ParseObject(ReadOnlySpan<byte> body)
    {
        JsonNode? node;
        try
        {
            // Duplicate members (fieldValidation Warn or Ignore; Strict rejected them earlier): the last one wins, as in kube's decoder.
            node = JsonTreeReader.Read(body);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"error decoding request body: json parse error: {Describe(e)}");
        }

        return node as JsonObject ?? throw ApiException.BadRequest("error decoding request body: the body must be a JSON object");
    }

    private static string Describe(JsonException e) =>
        e.LineNumber is { } line ? $"{e.Message.Split(" Path:")[0]} (line {line + 1})" : e.Message;

    /// <summary>Serializes with kind, apiVersion and metadata first and metadata in ObjectMeta order.</summary>
    public static byte[] Serialize(JsonObject obj)
    {
        using var scratch = ScratchBuffers.Rent();
        var buffer = scratch.Buffer;
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteMember(writer, obj, "kind");
            WriteMember(writer, obj, "apiVersion");
            if (obj["metadata"] is JsonObject metadata)
            {
                writer.WritePropertyName("metadata");
                WriteMetadata(writer, metadata);
            }

            for (var i = 0; i < obj.Count; i++)
            {
                var (key, value) = obj.GetAt(i);
                if (key is "kind" or "apiVersion" or "metadata")
                {
                    continue;
                }

                writer.WritePropertyName(key);
                WriteValue(writer, value);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteMetadata(Utf8JsonWriter writer, JsonObject metadata)
    {
        writer.WriteStartObject();
        var known = 0;
        for (var i = 0; i < MetadataOrder.Length; i++)
        {
            var name = MetadataOrder[i];
            if (!metadata.TryGetPropertyValue(name, out var value))
            {
                continue;
            }

            known++;
            if (name is "labels" or "annotations" or "ownerReferences" or "finalizers" or "managedFields"
                && value is null or JsonObject { Count: 0 } or JsonArray { Count: 0 })
            {
                // omitempty maps and slices: kube-apiserver stores an emptied label or annotation map (kubectl label/annotate key-) as absent.
                continue;
            }

            writer.WritePropertyName(MetadataOrderNames[i]);
            WriteValue(writer, value);
        }

        // Members ObjectMeta does not have, in their own order (there are none in what kube sends).
        for (var i = 0; i < metadata.Count && known < metadata.Count; i++)
        {
            var (key, value) = metadata.GetAt(i);
            if (Array.IndexOf(MetadataOrder, key) < 0)
            {
                writer.WritePropertyName(key);
                WriteValue(writer, value);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteMember(Utf8JsonWriter writer, JsonObject obj, string name)
    {
        if (obj.TryGetPropertyValue(name, out var value))
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonNode? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }

    /// <summary>
    /// The UTF-8 of a parsed string value as it lies in the request body, when it has no escapes;
    /// false for anything else (absent, not a string, escaped, or set by code rather than parsed).
    /// Reading a parsed value as a string decodes it into a new string on every read.
    /// </summary>
    internal static bool TryGetUtf8(JsonNode? node, out ReadOnlySpan<byte> utf8)
    {
        if (node is JsonValue value && value.TryGetValue(out JsonElement element) && element.ValueKind == JsonValueKind.String)
        {
            // The raw value is the quoted string; without a backslash the quoted bytes are the text.
            var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element);
            utf8 = raw[1..^1];
            return utf8.IndexOf((byte)'\\') < 0;
        }

        utf8 = default;
        return false;
    }

    /// <summary>
    /// The text of a string value, widened into <paramref name="buffer"/> when it is a parsed ASCII
    /// string that fits (names, keys, images, quantities: what defaulting and validation read, mostly
    /// to find them valid), else the value's string; false when the node is not a string (as
    /// <c>TryGetValue&lt;string&gt;</c> sees it).
    /// </summary>
    internal static bool TryGetChars(JsonNode? node, Span<char> buffer, out ReadOnlySpan<char> text)
    {
        if (node is not JsonValue value)
        {
            text = default;
            return false;
        }

        if (value.TryGetValue(out JsonElement element))
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                text = default;
                return false;
            }

            var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element)[1..^1];
            if (raw.Length <= buffer.Length && raw.IndexOf((byte)'\\') < 0
                && System.Text.Ascii.ToUtf16(raw, buffer, out var written) == System.Buffers.OperationStatus.Done)
            {
                text = buffer[..written];
                return true;
            }

            text = element.GetString();
            return true;
        }

        // A value set by code holds its string.
        var isString = value.TryGetValue(out string? s);
        text = s;
        return isString;
    }

    /// <summary>A string member of an object, or null when absent or not a string.</summary>
    public static string? GetString(JsonObject? obj, string name) =>
        obj is not null && obj.TryGetPropertyValue(name, out var node) && node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The value at a dotted path as a field selector sees it ("" when absent; booleans and numbers in their JSON form).</summary>
    public static string FieldValue(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in FieldPathSegments.GetValue(path, static path => path.Split('.')))
        {
            node = node is JsonObject o && o.TryGetPropertyValue(part, out var child) ? child : null;
            if (node is null)
            {
                return "";
            }
        }

        return node switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v => v.ToJsonString(),
            _ => "",
        };
    }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTimestamp(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>Structural equality of two JSON trees (member order ignored).</summary>
    public static bool DeepEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);
}
