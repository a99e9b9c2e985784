using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// Reads the fields every controller needs from Kubernetes JSON objects. Objects handed out by an
/// <see cref="Informer"/> are shared with its cache: read them, and clone before changing them.
/// </summary>
public static class KubeObject
{
    public static JsonObject? Metadata(JsonObject obj) => obj["metadata"] as JsonObject;

    public static string Name(JsonObject obj) => String(Metadata(obj), "name") ?? "";

    public static string Namespace(JsonObject obj) => String(Metadata(obj), "namespace") ?? "";

    public static string Uid(JsonObject obj) => String(Metadata(obj), "uid") ?? "";

    public static string ResourceVersion(JsonObject obj) => String(Metadata(obj), "resourceVersion") ?? "";

    public static long Generation(JsonObject obj) => Int(Metadata(obj), "generation");

    public static JsonObject? Labels(JsonObject obj) => Metadata(obj)?["labels"] as JsonObject;

    public static JsonObject? Annotations(JsonObject obj) => Metadata(obj)?["annotations"] as JsonObject;

    public static string? Annotation(JsonObject obj, string key) => String(Annotations(obj), key);

    public static DateTimeOffset? CreationTimestamp(JsonObject obj) => Time(Metadata(obj), "creationTimestamp");

    /// <summary>Set once a delete was accepted for an object that still has finalizers or a grace period.</summary>
    public static bool IsBeingDeleted(JsonObject obj) => Metadata(obj)?["deletionTimestamp"] is JsonValue;

    /// <summary>The namespace/name key informers and work queues use.</summary>
    public static string Key(JsonObject obj) => Informer.KeyOf(obj);

    /// <summary>The owner reference with <c>controller: true</c>, if any (metav1.GetControllerOf).</summary>
    public static ControllerReference? ControllerOf(JsonObject obj)
    {
        if (Metadata(obj)?["ownerReferences"] is not JsonArray refs)
        {
            return null;
        }

        foreach (var node in refs)
        {
            if (node is JsonObject r && Bool(r, "controller"))
            {
                return ControllerReference.FromJson(r);
            }
        }

        return null;
    }

    public static string? String(JsonObject? obj, string field) =>
        obj?[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static bool Bool(JsonObject? obj, string field) =>
        obj?[field] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    /// <summary>An integer field, or <paramref name="missing"/> when absent or not a number.</summary>
    public static long Int(JsonObject? obj, string field, long missing = 0) => AsInt(obj?[field]) ?? missing;

    public static long? AsInt(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }

        if (v.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (v.TryGetValue<int>(out var i))
        {
            return i;
        }

        return long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out l) ? l
            : double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (long)d : null;
    }

    public static DateTimeOffset? Time(JsonObject? obj, string field) =>
        String(obj, field) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    /// <summary>metav1.Time's wire form: RFC 3339 in UTC, whole seconds.</summary>
    public static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The object's labels as a dictionary (empty when it has none).</summary>
    public static Dictionary<string, string> LabelMap(JsonObject obj) => StringMap(Labels(obj));

    public static Dictionary<string, string> StringMap(JsonObject? map)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (map is null)
        {
            return result;
        }

        foreach (var (k, v) in map)
        {
            if (v is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                result[k] = value.GetValue<string>();
            }
        }

        return result;
    }

    /// <summary>
    /// Semantic equality of two JSON values as Go's apiequality.Semantic.DeepEqual sees the decoded
    /// structs: member order is irrelevant, and null, empty objects and empty arrays equal absence.
    /// </summary>
    public static bool SemanticEquals(JsonNode? a, JsonNode? b)
    {
        if (IsEmpty(a) || IsEmpty(b))
        {
            return IsEmpty(a) && IsEmpty(b);
        }

        switch (a)
        {
            case JsonObject oa when b is JsonObject ob:
                foreach (var (k, va) in oa)
                {
                    if (!SemanticEquals(va, ob[k]))
                    {
                        return false;
                    }
                }

                foreach (var (k, vb) in ob)
                {
                    if (!oa.ContainsKey(k) && !IsEmpty(vb))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray aa when b is JsonArray ab:
                if (aa.Count != ab.Count)
                {
                    return false;
                }

                for (var i = 0; i < aa.Count; i++)
                {
                    if (!SemanticEquals(aa[i], ab[i]))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValue:
                return b is JsonValue && JsonNode.DeepEquals(a, b);
            default:
                return false;
        }
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonObject o => o.Count == 0 || o.All(p => IsEmpty(p.Value)),
        JsonArray a => a.Count == 0,
        JsonValue v => v.GetValueKind() == JsonValueKind.Null,
        _ => false,
    };

    /// <summary>
    /// The canonical text of a JSON value: members sorted by name, nulls and empty collections
    /// dropped, so semantically equal values (<see cref="SemanticEquals"/>) print the same.
    /// </summary>
    public static string Canonical(JsonNode? node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteCanonical(writer, node);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                writer.WriteStartObject();
                foreach (var (k, v) in o.Where(p => !IsEmpty(p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(k);
                    WriteCanonical(writer, v);
                }

                writer.WriteEndObject();
                break;
            case JsonArray a:
                writer.WriteStartArray();
                foreach (var item in a)
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}

/// <summary>A metav1.OwnerReference as controllers write and read them (the one with <c>controller: true</c>).</summary>
public sealed record ControllerReference(string ApiVersion, string Kind, string Name, string Uid, bool Controller, bool BlockOwnerDeletion)
{
    /// <summary>metav1.NewControllerRef: the reference a controller puts on what it creates.</summary>
    public static ControllerReference ControllerRefFor(JsonObject owner, string apiVersion, string kind) =>
        new(apiVersion, kind, KubeObject.Name(owner), KubeObject.Uid(owner), Controller: true, BlockOwnerDeletion: true);

    public static ControllerReference FromJson(JsonObject r) => new(
        KubeObject.String(r, "apiVersion") ?? "",
        KubeObject.String(r, "kind") ?? "",
        KubeObject.String(r, "name") ?? "",
        KubeObject.String(r, "uid") ?? "",
        KubeObject.Bool(r, "controller"),
        KubeObject.Bool(r, "blockOwnerDeletion"));

    public JsonObject ToJson() => new()
    {
        ["apiVersion"] = ApiVersion,
        ["kind"] = Kind,
        ["name"] = Name,
        ["uid"] = Uid,
        ["controller"] = Controller,
        ["blockOwnerDeletion"] = BlockOwnerDeletion,
    };
}
