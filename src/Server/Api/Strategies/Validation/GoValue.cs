using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Strategies.Validation;

/// <summary>
/// Bad values written as kube's field errors print them with Go's fmt verbs: strings with
/// <c>%q</c>, numbers with <c>%v</c>, and the few structs users see (label maps, selectors,
/// IntOrString) with <c>%#v</c>, which sorts map keys.
/// </summary>
public static class GoValue
{
    /// <summary>Go's <c>strconv.Quote</c> for the printable text validation messages carry.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\a': builder.Append("\\a"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\v': builder.Append("\\v"); break;
                default:
                    if (rune.Value < 0x20 || rune.Value == 0x7f)
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
                    }
                    else if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate)
                    {
                        builder.Append(rune.Value > 0xffff ? $"\\U{rune.Value:x8}" : $"\\u{rune.Value:x4}");
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary><c>%#v</c> of a map[string]string (labels, selectors): <c>map[string]string{"a":"1", "b":"2"}</c>, or <c>(nil)</c> when absent.</summary>
    public static string StringMap(JsonObject? map)
    {
        if (map is null)
        {
            return "map[string]string(nil)";
        }

        var entries = map.Select(p => (p.Key, Value: StringOf(p.Value))).OrderBy(p => p.Key, StringComparer.Ordinal);
        return "map[string]string{" + string.Join(", ", entries.Select(e => $"{Quote(e.Key)}:{Quote(e.Value)}")) + "}";
    }

    /// <summary><c>%#v</c> of an intstr.IntOrString: <c>intstr.IntOrString{Type:0, IntVal:1, StrVal:""}</c>.</summary>
    public static string IntOrString(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.String
        ? $"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{Quote(v.GetValue<string>())}}}"
        : $"intstr.IntOrString{{Type:0, IntVal:{Number(value)}, StrVal:\"\"}}";

    /// <summary><c>%#v</c> of a metav1.LabelSelector.</summary>
    public static string LabelSelector(JsonObject? selector, string package = "v1")
    {
        var expressions = selector?["matchExpressions"] as JsonArray;
        var rendered = expressions is null
            ? $"[]{package}.LabelSelectorRequirement(nil)"
            : $"[]{package}.LabelSelectorRequirement{{" + string.Join(", ", expressions.Select(e => e is JsonObject o ? SelectorRequirement(o, package) : "")) + "}";
        return $"{package}.LabelSelector{{MatchLabels:{StringMap(selector?["matchLabels"] as JsonObject)}, MatchExpressions:{rendered}}}";
    }

    private static string SelectorRequirement(JsonObject requirement, string package)
    {
        var values = requirement["values"] is JsonArray array
            ? "[]string{" + string.Join(", ", array.Select(v => Quote(StringOf(v)))) + "}"
            : "[]string(nil)";
        return $"{package}.LabelSelectorRequirement{{Key:{Quote(StringOf(requirement["key"]))}, Operator:{Quote(StringOf(requirement["operator"]))}, Values:{values}}}";
    }

    /// <summary>An integer member as Go prints it (0 when absent).</summary>
    public static string Number(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.ToJsonString() : "0";

    /// <summary>A string member ("" when absent or not a string).</summary>
    public static string StringOf(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
}
