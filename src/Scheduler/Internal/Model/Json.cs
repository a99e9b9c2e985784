using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nautilus.Scheduler.Internal.Model;

/// <summary>Tolerant readers over Kubernetes JSON: a missing or mistyped field reads as absent.</summary>
internal static class Json
{
    public static JsonObject? Obj(JsonObject? o, string name) => o?[name] as JsonObject;

    public static JsonArray? Arr(JsonObject? o, string name) => o?[name] as JsonArray;

    public static string? Str(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>
    /// <see cref="Str"/> for a value that repeats across pods (namespace, node, image, phase,
    /// owner, taint and toleration fields): one shared copy, so 150,000 cached pods do not hold
    /// 150,000 copies of "Running".
    /// </summary>
    public static string? Token(JsonObject? o, string name) => Str(o, name) is { } s ? Intern(s) : null;

    /// <summary>One copy of each repeated string (<see cref="Nautilus.Store.SharedStrings"/>).</summary>
    public static string Intern(string value) => Nautilus.Store.SharedStrings.Intern(value);

    public static long? Long(JsonObject? o, string name)
    {
        if (o?[name] is not JsonValue v)
        {
            return null;
        }

        return v.GetValueKind() switch
        {
            JsonValueKind.Number => v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i : long.TryParse(v.ToJsonString(), out var t) ? t : (long)double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
            JsonValueKind.String => long.TryParse(v.GetValue<string>(), out var s) ? s : null,
            _ => null,
        };
    }

    public static bool Bool(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    /// <summary>A string map (labels, nodeSelector), keys and values shared (<see cref="Intern"/>); empty when absent.</summary>
    public static Dictionary<string, string> StringMap(JsonObject? o)
    {
        var map = new Dictionary<string, string>(o?.Count ?? 0, StringComparer.Ordinal);
        if (o is null)
        {
            return map;
        }

        foreach (var (k, v) in o)
        {
            if (v is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                map[Intern(k)] = Intern(value.GetValue<string>());
            }
        }

        return map;
    }

    public static string[] Strings(JsonArray? a)
    {
        if (a is null || a.Count == 0)
        {
            return [];
        }

        var result = new List<string>(a.Count);
        foreach (var item in a)
        {
            if (item is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                result.Add(v.GetValue<string>());
            }
        }

        return [.. result];
    }

    public static IEnumerable<JsonObject> Objects(JsonArray? a)
    {
        if (a is null)
        {
            yield break;
        }

        foreach (var item in a)
        {
            if (item is JsonObject o)
            {
                yield return o;
            }
        }
    }
}
