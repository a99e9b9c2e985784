using System.Text;
using System.Text.Json;

namespace Nautilus.Server.Api.Printing;

/// <summary>How kube's printers render label maps and label selectors in cells.</summary>
internal static class LabelFormat
{
    /// <summary>labels.FormatLabels: "k=v,k2=v2" in key order, "&lt;none&gt;" when empty.</summary>
    public static string FormatLabels(JsonElement labels)
    {
        if (labels.ValueKind != JsonValueKind.Object)
        {
            return "<none>";
        }

        var pairs = new List<(string Key, string Value)>();
        foreach (var p in labels.EnumerateObject())
        {
            pairs.Add((p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : ""));
        }

        if (pairs.Count == 0)
        {
            return "<none>";
        }

        pairs.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(key).Append('=').Append(value);
        }

        return text.ToString();
    }

    /// <summary>
    /// metav1.LabelSelectorAsSelector(selector).String(): requirements sorted by key, set values
    /// sorted; "" for a nil or empty selector; null when the selector cannot be converted.
    /// </summary>
    public static string? SelectorString(JsonElement selector)
    {
        if (selector.ValueKind != JsonValueKind.Object)
        {
            return "";
        }

        var requirements = new List<(string Key, string Text)>();
        var matchLabels = selector.Get("matchLabels");
        if (matchLabels.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in matchLabels.EnumerateObject())
            {
                requirements.Add((p.Name, p.Name + "=" + (p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : "")));
            }
        }

        foreach (var expression in selector.Items("matchExpressions"))
        {
            var key = expression.Str("key");
            var values = new List<string>();
            foreach (var v in expression.Items("values"))
            {
                values.Add(v.ValueKind == JsonValueKind.String ? v.GetString()! : "");
            }

            values.Sort(string.CompareOrdinal);
            string text;
            switch (expression.Str("operator"))
            {
                case "In" when values.Count > 0:
                    text = key + " in (" + string.Join(',', values) + ")";
                    break;
                case "NotIn" when values.Count > 0:
                    text = key + " notin (" + string.Join(',', values) + ")";
                    break;
                case "Exists" when values.Count == 0:
                    text = key;
                    break;
                case "DoesNotExist" when values.Count == 0:
                    text = "!" + key;
                    break;
                default:
                    return null;
            }

            requirements.Add((key, text));
        }

        requirements.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var result = new StringBuilder();
        foreach (var (_, text) in requirements)
        {
            if (result.Length > 0)
            {
                result.Append(',');
            }

            result.Append(text);
        }

        return result.ToString();
    }

    /// <summary>metav1.FormatLabelSelector: the selector string, "&lt;none&gt;" when empty, "&lt;error&gt;" when invalid.</summary>
    public static string FormatLabelSelector(JsonElement selector) =>
        SelectorString(selector) switch
        {
            null => "<error>",
            "" => "<none>",
            var s => s,
        };
}
