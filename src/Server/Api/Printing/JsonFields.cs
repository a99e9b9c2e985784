using System.Text.Json;

namespace Nautilus.Server.Api.Printing;

/// <summary>
/// Reading fields of a stored object the way Go reads a decoded struct: an absent or null member
/// is the zero value ("" / 0 / false / empty list), never an error.
/// </summary>
internal static class JsonFields
{
    private static readonly JsonElement EmptyArray = JsonDocument.Parse("[]").RootElement.Clone();

    private static readonly DateTimeOffset GoZeroTime = new(1, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static JsonElement Get(this JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) ? value : default;

    public static bool IsObject(this JsonElement e) => e.ValueKind == JsonValueKind.Object;

    public static string Str(this JsonElement obj, string name)
    {
        var value = obj.Get(name);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
    }

    public static long Int(this JsonElement obj, string name, long absent = 0)
    {
        var value = obj.Get(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : absent;
    }

    public static bool Bool(this JsonElement obj, string name) => obj.Get(name).ValueKind == JsonValueKind.True;

    /// <summary>The members of an array member; an empty sequence when absent.</summary>
    public static JsonElement.ArrayEnumerator Items(this JsonElement obj, string name)
    {
        var value = obj.Get(name);
        return (value.ValueKind == JsonValueKind.Array ? value : EmptyArray).EnumerateArray();
    }

    /// <summary>len() of a Go slice or map member.</summary>
    public static int Count(this JsonElement obj, string name)
    {
        var value = obj.Get(name);
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                return value.GetArrayLength();
            case JsonValueKind.Object:
                var n = 0;
                foreach (var unused in value.EnumerateObject())
                {
                    n++;
                }

                return n;
            default:
                return 0;
        }
    }

    /// <summary>A metav1.Time or MicroTime member; null for absent, null or Go's zero time (IsZero).</summary>
    public static DateTimeOffset? Time(this JsonElement obj, string name)
    {
        var value = obj.Get(name);
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        if (!value.TryGetDateTimeOffset(out var t) &&
            !DateTimeOffset.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out t))
        {
            return null;
        }

        return t == GoZeroTime ? null : t;
    }

    /// <summary>The first of several member names present: the same field under its core/v1 and events.k8s.io/v1 names.</summary>
    public static JsonElement Get(this JsonElement obj, string name, string alternative)
    {
        var value = obj.Get(name);
        return value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? obj.Get(alternative) : value;
    }
}
