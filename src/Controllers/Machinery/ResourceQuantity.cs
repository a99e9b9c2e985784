using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// Kubernetes resource quantities (apimachinery <c>resource.Quantity</c>) as kube-apiserver stores
/// them: parsed, rounded up to milli scale where <c>SetDefaults_ResourceList</c> applies, and
/// written in canonical form (<c>0.1</c> → <c>100m</c>, <c>1024Mi</c> → <c>1Gi</c>, <c>1000</c> → <c>1k</c>).
/// </summary>
public static class ResourceQuantity
{
    /// <summary>resource.Format: how a quantity is written.</summary>
    public enum QuantityFormat
    {
        DecimalSI,
        BinarySI,
        DecimalExponent,
    }

    private static readonly string[] BinarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

    /// <summary>The canonical form of <paramref name="text"/>, rounded up to milli scale when <paramref name="roundToMilli"/>; null when it is not a quantity.</summary>
    public static string? Canonicalize(string text, bool roundToMilli)
    {
        if (IsCanonical(text, roundToMilli))
        {
            return text;
        }

        if (!TryParseExact(text, out var mantissa, out var scale, out var format))
        {
            return null;
        }

        // Parsing keeps at most nano precision (rounding up, as ParseQuantity does); defaulting rounds to milli.
        var minimumScale = roundToMilli ? -3 : -9;
        if (scale < minimumScale)
        {
            mantissa = DivideAwayFromZero(mantissa, BigInteger.Pow(10, minimumScale - scale));
            scale = minimumScale;
        }

        var (digits, suffix) = Canonical(mantissa, scale, format);

        // Most quantities are written canonically already: compare before building a new string.
        Span<char> buffer = stackalloc char[64];
        if (digits.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture)
            && text.AsSpan().StartsWith(buffer[..written]) && text.AsSpan(written).SequenceEqual(suffix))
        {
            return text;
        }

        return digits.ToString(CultureInfo.InvariantCulture) + suffix;
    }

    /// <summary>
    /// Whether <paramref name="text"/> is canonical already, decided without BigInteger for the way
    /// quantities are mostly written: up to 18 digits without a leading zero and a decimal or binary
    /// suffix ("100m", "128Mi", "2"). False means "not known here": the exact path decides.
    /// </summary>
    private static bool IsCanonical(ReadOnlySpan<char> text, bool roundToMilli)
    {
        var unsigned = text.Length > 0 && text[0] == '-' ? text[1..] : text;
        var digits = unsigned.IndexOfAnyExceptInRange('0', '9');
        if (digits < 0)
        {
            digits = unsigned.Length;
        }

        if (digits is 0 or > 18)
        {
            return false;
        }

        var number = unsigned[..digits];
        var suffix = unsigned[digits..];
        if (number[0] == '0')
        {
            // Zero is written "0"; other digits never start with a zero.
            return text is "0";
        }

        switch (suffix)
        {
            case "Ki" or "Mi" or "Gi" or "Ti" or "Pi":
                // A binary quantity is written with the largest suffix that leaves a whole number.
                return long.Parse(number, CultureInfo.InvariantCulture) % 1024 != 0;
            case "Ei" or "E":
                // The largest suffixes take any number of digits.
                return true;
            case "n" or "u" when roundToMilli:
                // Rounded up to milli scale in resource lists.
                return false;
            case "" or "n" or "u" or "m" or "k" or "M" or "G" or "T" or "P":
                // A decimal quantity is written with the largest suffix that leaves a whole number:
                // three trailing zeros would make it the next suffix up.
                return !number.EndsWith("000");
            default:
                return false;
        }
    }

    /// <summary>Canonicalizes a quantity member in place (JSON numbers become strings, as the Go decoder accepts them); leaves anything unparsable.</summary>
    public static void CanonicalizeMember(JsonObject obj, string name, bool roundToMilli)
    {
        if (Replacement(obj[name], roundToMilli) is { } canonical)
        {
            obj[name] = canonical;
        }
    }

    /// <summary>SetDefaults_ResourceList: every quantity of a resource list rounded up to milli scale, in canonical form.</summary>
    public static void DefaultResourceList(JsonObject? list)
    {
        if (list is null)
        {
            return;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (Replacement(list.GetAt(i).Value, roundToMilli: true) is { } canonical)
            {
                list.SetAt(i, canonical);
            }
        }
    }

    /// <summary>The text of a quantity value as the Go decoder reads it: a string, or a JSON number's digits; null for anything else.</summary>
    public static string? Text(JsonNode? node) => node is JsonValue value
        ? value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.ToJsonString(),
            _ => null,
        }
        : null;

    /// <summary>
    /// <see cref="Text"/> without a string: a parsed value's ASCII widened into <paramref name="buffer"/>
    /// when it fits (a parsed value decodes into a new string on every read), else its text.
    /// </summary>
    public static bool TryGetText(JsonNode? node, Span<char> buffer, out ReadOnlySpan<char> text)
    {
        if (node is JsonValue value && value.TryGetValue(out JsonElement element))
        {
            if (element.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                // A string's raw value is quoted; a number's raw value is its digits, as ToJsonString writes them.
                var raw = JsonMarshal.GetRawUtf8Value(element);
                if (element.ValueKind == JsonValueKind.String)
                {
                    raw = raw[1..^1];
                }

                if (raw.Length <= buffer.Length && raw.IndexOf((byte)'\\') < 0 && Ascii.ToUtf16(raw, buffer, out var written) == OperationStatus.Done)
                {
                    text = buffer[..written];
                    return true;
                }
            }
        }

        var read = Text(node);
        text = read;
        return read is not null;
    }

    /// <summary>The canonical string to write in place of a quantity value; null when it is one already or not a quantity.</summary>
    private static string? Replacement(JsonNode? node, bool roundToMilli)
    {
        // Most quantities are canonical strings already: that is decided on the parsed value's own
        // characters, without reading it into a string (which a parsed value allocates on every read).
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            && TryGetText(value, stackalloc char[32], out var chars) && IsCanonical(chars, roundToMilli))
        {
            return null;
        }

        return Text(node) is { } text && Canonicalize(text, roundToMilli) is { } canonical && (canonical != text || node!.GetValueKind() != JsonValueKind.String) ? canonical : null;
    }

    /// <summary>
    /// ParseQuantity for arithmetic: the value as mantissa × 10^scale, rounded up to nano precision
    /// as kube's parser rounds it, and the format its suffix implies (kept by sums, as Quantity.Add keeps it).
    /// </summary>
    public static bool TryParse(string text, out BigInteger mantissa, out int scale, out QuantityFormat format)
    {
        if (!TryParseExact(text, out mantissa, out scale, out format))
        {
            return false;
        }

        if (scale < -9)
        {
            mantissa = DivideAwayFromZero(mantissa, BigInteger.Pow(10, -9 - scale));
            scale = -9;
        }

        return true;
    }

    /// <summary>Quantity.String: the canonical text of mantissa × 10^scale (scale at least -9) in <paramref name="format"/>.</summary>
    public static string Format(BigInteger mantissa, int scale, QuantityFormat format)
    {
        var (digits, suffix) = Canonical(mantissa, scale, format);
        return digits.ToString(CultureInfo.InvariantCulture) + suffix;
    }

    /// <summary>The value of a quantity as mantissa × 10^scale; false when <paramref name="text"/> is not a quantity.</summary>
    public static bool TryGetValue(string text, out BigInteger mantissa, out int scale) => TryParseExact(text, out mantissa, out scale, out _);

    private static bool TryGetValue(ReadOnlySpan<char> text, out BigInteger mantissa, out int scale) => TryParseExact(text, out mantissa, out scale, out _);

    /// <summary>Quantity.Cmp: the sign of <paramref name="a"/> − <paramref name="b"/>; null when either is not a quantity.</summary>
    public static int? Compare(string a, string b) => Compare(a.AsSpan(), b.AsSpan());

    /// <inheritdoc cref="Compare(string, string)"/>
    public static int? Compare(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (!TryGetValue(a, out var ma, out var sa) || !TryGetValue(b, out var mb, out var sb))
        {
            return null;
        }

        var scale = Math.Min(sa, sb);
        return (ma * BigInteger.Pow(10, sa - scale)).CompareTo(mb * BigInteger.Pow(10, sb - scale));
    }

    private static bool TryParseExact(ReadOnlySpan<char> s, out BigInteger mantissa, out int scale, out QuantityFormat format)
    {
        mantissa = BigInteger.Zero;
        scale = 0;
        format = QuantityFormat.DecimalSI;
        if (s.Length == 0)
        {
            return false;
        }

        var negative = false;
        var i = 0;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            i++;
        }

        var integerStart = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        var integer = s[integerStart..i];
        var fraction = ReadOnlySpan<char>.Empty;
        if (i < s.Length && s[i] == '.')
        {
            var fractionStart = ++i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            fraction = s[fractionStart..i];
            scale = -fraction.Length;
        }

        if (integer.Length + fraction.Length == 0)
        {
            return false;
        }

        mantissa = Digits(integer, fraction);
        var suffix = s[i..];
        switch (suffix)
        {
            case "":
                break;
            case "n": scale -= 9; break;
            case "u": scale -= 6; break;
            case "m": scale -= 3; break;
            case "k": scale += 3; break;
            case "M": scale += 6; break;
            case "G": scale += 9; break;
            case "T": scale += 12; break;
            case "P": scale += 15; break;
            case "E": scale += 18; break;
            default:
                var binary = BinaryPower(suffix);
                if (binary > 0)
                {
                    format = QuantityFormat.BinarySI;
                    mantissa *= BigInteger.Pow(1024, binary);
                }
                else if (suffix.Length > 1 && suffix[0] is 'e' or 'E' && int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent))
                {
                    format = QuantityFormat.DecimalExponent;
                    scale += exponent;
                }
                else
                {
                    return false;
                }

                break;
        }

        if (negative)
        {
            mantissa = -mantissa;
        }

        return true;
    }

    /// <summary>The digits of the canonical form of mantissa × 10^scale and the suffix written after them.</summary>
    private static (BigInteger Digits, string Suffix) Canonical(BigInteger mantissa, int scale, QuantityFormat format)
    {
        if (mantissa.IsZero)
        {
            return (BigInteger.Zero, "");
        }

        if (format == QuantityFormat.BinarySI)
        {
            // Below 1024 in magnitude, or not a whole number, a binary quantity is written as decimal.
            if (BigInteger.Abs(mantissa) * Pow10(scale) < 1024 * Pow10Denominator(scale) || !IsInteger(mantissa, scale))
            {
                format = QuantityFormat.DecimalSI;
            }
            else
            {
                var value = scale >= 0 ? mantissa * BigInteger.Pow(10, scale) : mantissa / BigInteger.Pow(10, -scale);
                var power = 0;
                while (power < BinarySuffixes.Length - 1 && value % 1024 == 0)
                {
                    value /= 1024;
                    power++;
                }

                return (value, BinarySuffixes[power]);
            }
        }

        // AsCanonicalBytes: strip factors of ten, then lower the exponent to a multiple of three.
        while (mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale++;
        }

        switch (scale % 3)
        {
            case 1 or -2:
                mantissa *= 10;
                scale -= 1;
                break;
            case 2 or -1:
                mantissa *= 100;
                scale -= 2;
                break;
        }

        if (format == QuantityFormat.DecimalExponent)
        {
            return (mantissa, scale == 0 ? "" : "e" + scale.ToString(CultureInfo.InvariantCulture));
        }

        if (scale > 18)
        {
            mantissa *= BigInteger.Pow(10, scale - 18);
            scale = 18;
        }

        var decimalSuffix = scale switch
        {
            -9 => "n",
            -6 => "u",
            -3 => "m",
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            18 => "E",
            _ => "",
        };
        return (mantissa, decimalSuffix);
    }

    /// <summary>The value of a quantity's digits with the decimal point removed; up to 18 digits fit a long, which spares BigInteger's parsing.</summary>
    private static BigInteger Digits(ReadOnlySpan<char> integer, ReadOnlySpan<char> fraction)
    {
        if (integer.Length + fraction.Length > 18)
        {
            return BigInteger.Parse(string.Concat(integer, fraction), CultureInfo.InvariantCulture);
        }

        var value = 0L;
        foreach (var c in integer)
        {
            value = (value * 10) + (c - '0');
        }

        foreach (var c in fraction)
        {
            value = (value * 10) + (c - '0');
        }

        return value;
    }

    /// <summary>The power of 1024 a binary suffix stands for (Ki = 1 … Ei = 6); 0 when it is none.</summary>
    private static int BinaryPower(ReadOnlySpan<char> suffix)
    {
        for (var power = 1; power < BinarySuffixes.Length; power++)
        {
            if (suffix.SequenceEqual(BinarySuffixes[power]))
            {
                return power;
            }
        }

        return 0;
    }

    private static BigInteger Pow10(int scale) => scale >= 0 ? BigInteger.Pow(10, scale) : BigInteger.One;

    private static BigInteger Pow10Denominator(int scale) => scale < 0 ? BigInteger.Pow(10, -scale) : BigInteger.One;

    private static bool IsInteger(BigInteger mantissa, int scale) => scale >= 0 || mantissa % BigInteger.Pow(10, -scale) == 0;

    private static BigInteger DivideAwayFromZero(BigInteger value, BigInteger divisor)
    {
        var quotient = BigInteger.DivRem(value, divisor, out var remainder);
        return remainder.IsZero ? quotient : quotient + value.Sign;
    }
}
