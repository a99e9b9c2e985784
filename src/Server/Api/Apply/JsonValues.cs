using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Apply;

/// <summary>Ordering and equality of JSON values as structured-merge-diff's value package defines them.</summary>
internal static class JsonValues
{
    /// <summary>value.Compare: numbers (compared numerically) &lt; strings &lt; booleans &lt; lists &lt; maps &lt; null.</summary>
    public static int Compare(JsonNode? left, JsonNode? right)
    {
        var (lr, rr) = (Rank(left), Rank(right));
        if (lr != rr)
        {
            return lr.CompareTo(rr);
        }

        switch (lr)
        {
            case 0:
                return AsDouble(left!).CompareTo(AsDouble(right!));
            case 1:
                return string.CompareOrdinal(left!.GetValue<string>(), right!.GetValue<string>());
            case 2:
                return left!.GetValue<bool>().CompareTo(right!.GetValue<bool>());
            case 3:
                var (a, b) = ((JsonArray)left!, (JsonArray)right!);
                for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
                {
                    var c = Compare(a[i], b[i]);
                    if (c != 0)
                    {
                        return c;
                    }
                }

                return a.Count.CompareTo(b.Count);
            case 4:
                return string.CompareOrdinal(left!.ToJsonString(), right!.ToJsonString());
            default:
                return 0;
        }
    }

    /// <summary>Deep equality where 1 and 1.0 are the same number.</summary>
    public static bool Equal(JsonNode? left, JsonNode? right)
    {
        switch (left)
        {
            case null:
                return right is null;
            case JsonObject lo:
                if (right is not JsonObject ro || lo.Count != ro.Count)
                {
                    return false;
                }

                for (var i = 0; i < lo.Count; i++)
                {
                    var (key, value) = lo.GetAt(i);
                    if (!ro.TryGetPropertyValue(key, out var other) || !Equal(value, other))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray la:
                if (right is not JsonArray ra || la.Count != ra.Count)
                {
                    return false;
                }

                for (var i = 0; i < la.Count; i++)
                {
                    if (!Equal(la[i], ra[i]))
                    {
                        return false;
                    }
                }

                return true;
            default:
                if (right is not JsonValue)
                {
                    return false;
                }

                var (lr, rr) = (Rank(left), Rank(right));
                return lr == rr && (lr == 0 ? AsDouble(left) == AsDouble(right) : JsonNode.DeepEquals(left, right));
        }
    }

    private static int Rank(JsonNode? node) => node switch
    {
        null => 5,
        JsonArray => 3,
        JsonObject => 4,
        _ => node.GetValueKind() switch
        {
            JsonValueKind.Number => 0,
            JsonValueKind.String => 1,
            JsonValueKind.True or JsonValueKind.False => 2,
            _ => 5,
        },
    };

    private static double AsDouble(JsonNode node) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) ? d
        : node is JsonValue i && i.TryGetValue<long>(out var l) ? l
        : double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);
}
