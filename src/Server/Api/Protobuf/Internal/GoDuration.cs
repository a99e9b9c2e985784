namespace Nautilus.Server.Api.Protobuf.Internal;

/// <summary>Go's <c>time.Duration.String()</c>, which metav1.Duration writes to JSON.</summary>
internal static class GoDuration
{
    /// <summary>Formats nanoseconds as Go does: "0s", "1.5s", "1h0m0s", "250ms", "1µs", "-2m3s".</summary>
    public static string Format(long nanoseconds)
    {
        Span<char> buffer = stackalloc char[32];
        var w = buffer.Length;
        var u = unchecked((ulong)nanoseconds);
        var negative = nanoseconds < 0;
        if (negative)
        {
            u = unchecked(0 - u);
        }

        if (u < 1_000_000_000UL)
        {
            // Less than a second: ns, µs or ms with a fraction.
            int precision;
            buffer[--w] = 's';
            w--;
            if (u == 0)
            {
                buffer[w] = '0';
                return new string(buffer[w..]);
            }
            else if (u < 1_000UL)
            {
                precision = 0;
                buffer[w] = 'n';
            }
            else if (u < 1_000_000UL)
            {
                precision = 3;
                buffer[w] = 'µ';
            }
            else
            {
                precision = 6;
                buffer[w] = 'm';
            }

            u = FormatFraction(buffer, ref w, u, precision);
            FormatInteger(buffer, ref w, u);
        }
        else
        {
            buffer[--w] = 's';
            u = FormatFraction(buffer, ref w, u, 9);
            FormatInteger(buffer, ref w, u % 60);
            u /= 60;
            if (u > 0)
            {
                buffer[--w] = 'm';
                FormatInteger(buffer, ref w, u % 60);
                u /= 60;
                if (u > 0)
                {
                    buffer[--w] = 'h';
                    FormatInteger(buffer, ref w, u);
                }
            }
        }

        if (negative)
        {
            buffer[--w] = '-';
        }

        return new string(buffer[w..]);
    }

    /// <summary>Writes the fraction v/10^precision without trailing zeros (and no dot when it is zero).</summary>
    private static ulong FormatFraction(Span<char> buffer, ref int w, ulong v, int precision)
    {
        var print = false;
        for (var i = 0; i < precision; i++)
        {
            var digit = v % 10;
            print = print || digit != 0;
            if (print)
            {
                buffer[--w] = (char)('0' + (int)digit);
            }

            v /= 10;
        }

        if (print)
        {
            buffer[--w] = '.';
        }

        return v;
    }

    private static void FormatInteger(Span<char> buffer, ref int w, ulong v)
    {
        if (v == 0)
        {
            buffer[--w] = '0';
            return;
        }

        while (v > 0)
        {
            buffer[--w] = (char)('0' + (int)(v % 10));
            v /= 10;
        }
    }
}
