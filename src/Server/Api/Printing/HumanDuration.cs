using System.Globalization;

namespace Nautilus.Server.Api.Printing;

/// <summary>
/// k8s.io/apimachinery/pkg/util/duration.HumanDuration: the AGE kubectl users read ("5s",
/// "3m12s", "2d3h"), ~2-3 significant figures. Integer division truncates toward zero as Go's does.
/// </summary>
internal static class HumanDuration
{
    public static string Format(TimeSpan d)
    {
        var ticks = d.Ticks;

        // A deviation below 2 seconds is tolerated as clock skew: "almost now".
        var seconds = ticks / TimeSpan.TicksPerSecond;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return Text(seconds, "s");
        }

        var minutes = ticks / TimeSpan.TicksPerMinute;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? Text(minutes, "m") : Text(minutes, "m", s, "s");
        }

        if (minutes < 60 * 3)
        {
            return Text(minutes, "m");
        }

        var hours = ticks / TimeSpan.TicksPerHour;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? Text(hours, "h") : Text(hours, "h", m, "m");
        }

        if (hours < 48)
        {
            return Text(hours, "h");
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? Text(hours / 24, "d") : Text(hours / 24, "d", h, "h");
        }

        if (hours < 24 * 365 * 2)
        {
            return Text(hours / 24, "d");
        }

        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? Text(hours / 24 / 365, "y") : Text(hours / 24 / 365, "y", dy, "d");
        }

        return Text(hours / 24 / 365, "y");
    }

    /// <summary>translateTimestampSince: "&lt;unknown&gt;" for an absent (zero) timestamp.</summary>
    public static string Since(DateTimeOffset? timestamp, DateTimeOffset now) =>
        timestamp is { } t ? Format(now - t) : "<unknown>";

    private static string Text(long value, string unit) => value.ToString(CultureInfo.InvariantCulture) + unit;

    private static string Text(long value, string unit, long value2, string unit2) =>
        string.Concat(value.ToString(CultureInfo.InvariantCulture), unit, value2.ToString(CultureInfo.InvariantCulture), unit2);
}
