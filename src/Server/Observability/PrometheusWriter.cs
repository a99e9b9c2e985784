using System.Buffers;
using System.Globalization;
using System.Text;

namespace Nautilus.Server.Observability;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: <c># HELP</c> and <c># TYPE</c>
/// lines, then one line per sample, label values escaped as the format requires.
/// </summary>
public sealed class PrometheusWriter(IBufferWriter<byte> output)
{
    /// <summary>The content type of the format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes <c># HELP</c> and <c># TYPE</c> for a family.</summary>
    public void WriteHeader(string name, string help, string type)
    {
        Ascii("# HELP ");
        Ascii(name);
        Ascii(" ");
        Escaped(help, quotes: false);
        Ascii("\n# TYPE ");
        Ascii(name);
        Ascii(" ");
        Ascii(type);
        Ascii("\n");
    }

    public void WriteSample(string name, string? suffix, ReadOnlySpan<string> labelNames, ReadOnlySpan<string> labelValues, long value)
    {
        Start(name, suffix, labelNames, labelValues, null, null);
        Span<byte> digits = output.GetSpan(24);
        value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
        Ascii("\n");
    }

    public void WriteSample(string name, string? suffix, ReadOnlySpan<string> labelNames, ReadOnlySpan<string> labelValues, double value)
    {
        Start(name, suffix, labelNames, labelValues, null, null);
        Number(value);
        Ascii("\n");
    }

    /// <summary>A sample without labels.</summary>
    public void WriteSample(string name, double value) => WriteSample(name, null, [], [], value);

    /// <summary>One cumulative histogram bucket: <c>name_bucket{...,le="bound"} count</c>.</summary>
    public void WriteBucket(string name, ReadOnlySpan<string> labelNames, ReadOnlySpan<string> labelValues, double upperBound, long cumulativeCount)
    {
        Start(name, "_bucket", labelNames, labelValues, "le", FormatNumber(upperBound));
        Span<byte> digits = output.GetSpan(24);
        cumulativeCount.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
        Ascii("\n");
    }

    /// <summary>A number as Prometheus writes it: shortest round-trip form, +Inf, -Inf, NaN.</summary>
    public static string FormatNumber(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Metric and label names: [a-zA-Z_:][a-zA-Z0-9_:]*.</summary>
    public static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                throw new ArgumentException($"invalid metric or label name: {name}", nameof(name));
            }
        }
    }

    private void Start(string name, string? suffix, ReadOnlySpan<string> labelNames, ReadOnlySpan<string> labelValues, string? extraName, string? extraValue)
    {
        Ascii(name);
        if (suffix is not null)
        {
            Ascii(suffix);
        }

        if (labelNames.Length > 0 || extraName is not null)
        {
            Ascii("{");
            for (var i = 0; i < labelNames.Length; i++)
            {
                if (i > 0)
                {
                    Ascii(",");
                }

                Label(labelNames[i], labelValues[i]);
            }

            if (extraName is not null)
            {
                if (labelNames.Length > 0)
                {
                    Ascii(",");
                }

                Label(extraName, extraValue ?? "");
            }

            Ascii("}");
        }

        Ascii(" ");
    }

    private void Label(string name, string value)
    {
        Ascii(name);
        Ascii("=\"");
        Escaped(value, quotes: true);
        Ascii("\"");
    }

    private void Number(double value)
    {
        switch (value)
        {
            case double.PositiveInfinity:
                Ascii("+Inf");
                return;
            case double.NegativeInfinity:
                Ascii("-Inf");
                return;
            case var _ when double.IsNaN(value):
                Ascii("NaN");
                return;
        }

        var span = output.GetSpan(32);
        value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    private void Ascii(string text)
    {
        var span = output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        output.Advance(text.Length);
    }

    /// <summary>UTF-8 with backslash and newline escaped, and double quotes in label values.</summary>
    private void Escaped(string text, bool quotes)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            string? escape = c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '"' when quotes => "\\\"",
                _ => null,
            };
            if (escape is null)
            {
                continue;
            }

            Utf8(text.AsSpan(start, i - start));
            Ascii(escape);
            start = i + 1;
        }

        Utf8(text.AsSpan(start));
    }

    private void Utf8(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
