using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nautilus.Scheduler.Internal.Model;

/// <summary>
/// Kubernetes resource quantities (<c>100m</c>, <c>1.5Gi</c>, <c>2e3</c>, <c>1k</c>) read exactly:
/// <see cref="ToMilli"/> is <c>Quantity.MilliValue()</c> and <see cref="ToUnits"/> is
/// <c>Quantity.Value()</c>, both rounded up as Kubernetes rounds them and clamped to the int64 range.
/// </summary>
internal static class Quantity
{
    /// <summary>Parses a quantity to its exact decimal value; false if it is not a quantity.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out decimal value)
    {
        value = 0;
        s = s.Trim();
        if (s.IsEmpty)
        {
            return false;
        }

        var i = 0;
        var negative = false;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            i++;
        }

        var numberStart = i;
        var sawDigit = false;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
            sawDigit = true;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                sawDigit = true;
            }
        }

        if (!sawDigit)
        {
            return false;
        }

        decimal number;
        try
        {
            number = decimal.Parse(s[numberStart..i], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            value = negative ? decimal.MinValue : decimal.MaxValue;
            return true;
        }

        var suffix = s[i..];
        if (!TryScale(number, suffix, out value))
        {
            return false;
        }

        if (negative)
        {
            value = -value;
        }

        return true;
    }

    private static bool TryScale(decimal number, ReadOnlySpan<char> suffix, out decimal value)
    {
        value = 0;
        try
        {
            switch (suffix)
            {
                case "": value = number; return true;
                case "n": value = number / 1_000_000_000m; return true;
                case "u": value = number / 1_000_000m; return true;
                case "m": value = number / 1000m; return true;
                case "k": value = number * 1000m; return true;
                case "M": value = number * 1_000_000m; return true;
                case "G": value = number * 1_000_000_000m; return true;
                case "T": value = number * 1_000_000_000_000m; return true;
                case "P": value = number * 1_000_000_000_000_000m; return true;
                case "E": value = number * 1_000_000_000_000_000_000m; return true;
                case "Ki": value = number * (1L << 10); return true;
                case "Mi": value = number * (1L << 20); return true;
                case "Gi": value = number * (1L << 30); return true;
                case "Ti": value = number * (1L << 40); return true;
                case "Pi": value = number * (1L << 50); return true;
                case "Ei": value = number * (1L << 60); return true;
            }

            if (suffix.Length > 1 && suffix[0] is 'e' or 'E' && int.TryParse(suffix[1..], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var exponent))
            {
                value = number;
                if (exponent > 40)
                {
                    value = number == 0 ? 0 : decimal.MaxValue;
                    return true;
                }

                for (var k = 0; k < exponent; k++)
                {
                    value *= 10;
                }

                for (var k = 0; k > exponent && value != 0; k--)
                {
                    value /= 10;
                }

                return true;
            }

            return false;
        }
        catch (OverflowException)
        {
            value = decimal.MaxValue;
            return true;
        }
    }

    /// <summary>The value in thousandths, rounded up (cpu).</summary>
    public static long ToMilli(string? s) => s is not null && TryParse(s, out var v) ? Clamp(v, 1000m) : 0;

    /// <summary>The value in whole units, rounded up (memory, storage, counts).</summary>
    public static long ToUnits(string? s) => s is not null && TryParse(s, out var v) ? Clamp(v, 1m) : 0;

    /// <summary>A quantity from a JSON value: Kubernetes writes strings, but a number is accepted too.</summary>
    public static string? Text(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.ToJsonString(),
            _ => null,
        };
    }

    private static long Clamp(decimal value, decimal scale)
    {
        try
        {
            var scaled = decimal.Ceiling(value * scale);
            return scaled >= long.MaxValue ? long.MaxValue : scaled <= long.MinValue ? long.MinValue : (long)scaled;
        }
        catch (OverflowException)
        {
            return value > 0 ? long.MaxValue : long.MinValue;
        }
    }
}
