using System.Globalization;
using System.Text.Json.Nodes;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// Reads the Kubernetes fields controllers look at (metadata, labels, conditions, timestamps)
/// from the JSON objects informers cache. Informer objects are shared: these helpers only read.
/// </summary>
internal static class KubeFields
{
    public static JsonObject? Metadata(JsonObject obj) => obj["metadata"] as JsonObject;

    public static string? String(JsonNode? parent, string name) =>
        parent is JsonObject o && o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static bool? Bool(JsonNode? parent, string name) =>
        parent is JsonObject o && o[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    /// <summary>An integer field, whether parsed (any width) or built in memory as an int.</summary>
    public static long? Long(JsonNode? parent, string name)
    {
        if (parent is not JsonObject o || o[name] is not JsonValue v)
        {
            return null;
        }

        return v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i : null;
    }

    public static string Name(JsonObject obj) => String(Metadata(obj), "name") ?? "";

    public static string Namespace(JsonObject obj) => String(Metadata(obj), "namespace") ?? "";

    public static string Uid(JsonObject obj) => String(Metadata(obj), "uid") ?? "";

    public static string ResourceVersion(JsonObject obj) => String(Metadata(obj), "resourceVersion") ?? "";

    public static bool IsBeingDeleted(JsonObject obj) => String(Metadata(obj), "deletionTimestamp") is not null;

    public static bool HasFinalizer(JsonObject obj, string finalizer)
    {
        if (Metadata(obj)?["finalizers"] is not JsonArray finalizers)
        {
            return false;
        }

        foreach (var f in finalizers)
        {
            if (f is JsonValue v && v.TryGetValue<string>(out var s) && s == finalizer)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The items of an array field that are objects (none when the field is absent).</summary>
    public static IEnumerable<JsonObject> Objects(JsonNode? parent, string name)
    {
        if (parent is JsonObject o && o[name] is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is JsonObject itemObject)
                {
                    yield return itemObject;
                }
            }
        }
    }

    public static JsonObject? Labels(JsonObject obj) => Metadata(obj)?["labels"] as JsonObject;

    /// <summary>status.conditions[type == <paramref name="type"/>], or null.</summary>
    public static JsonObject? Condition(JsonObject obj, string type)
    {
        foreach (var condition in Objects(obj["status"], "conditions"))
        {
            if (String(condition, "type") == type)
            {
                return condition;
            }
        }

        return null;
    }

    /// <summary>Whether every key/value of an equality selector (a Service's spec.selector) is among the labels.</summary>
    public static bool SelectorMatches(JsonObject selector, JsonObject? labels)
    {
        foreach (var (key, value) in selector)
        {
            if (labels is null || String(labels, key) is not { } actual || value is not JsonValue v || !v.TryGetValue<string>(out var wanted) || actual != wanted)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><see cref="SelectorMatches(JsonObject, JsonObject?)"/> over an informer's cached labels.</summary>
    public static bool SelectorMatches(JsonObject selector, ObjectLabels labels)
    {
        foreach (var (key, value) in selector)
        {
            if (labels[key] is not { } actual || value is not JsonValue v || !v.TryGetValue<string>(out var wanted) || actual != wanted)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A metav1.Time or MicroTime (RFC 3339), or null when absent or malformed.</summary>
    public static DateTimeOffset? Time(JsonNode? parent, string name) =>
        String(parent, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    /// <summary>metav1.Time as Kubernetes writes it: UTC, whole seconds.</summary>
    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros.</summary>
    public static string FormatRfc3339Nano(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        return text.TrimEnd('.') + "Z";
    }
}
