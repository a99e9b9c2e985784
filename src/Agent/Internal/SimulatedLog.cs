using System.Globalization;
using System.Text;

namespace Nautilus.Agent.Internal;

/// <summary>
/// The output of a simulated container: line 0 when it starts, then one line per interval while
/// it runs. Lines are a pure function of the container and the time, so a restarted agent serves
/// the same log, and tests know what to expect. Like a rotated container log, only the last
/// <see cref="MaxLines"/> lines are kept.
/// </summary>
internal sealed class SimulatedLog(string pod, string container, string image, DateTimeOffset startedAt, DateTimeOffset? finishedAt, TimeSpan interval)
{
    public const int MaxLines = 1_000;

    public DateTimeOffset StartedAt => startedAt;

    /// <summary>The number of lines written by <paramref name="now"/>.</summary>
    public long LinesAt(DateTimeOffset now)
    {
        var end = finishedAt is { } f && f < now ? f : now;
        if (end < startedAt)
        {
            return 0;
        }

        return 1 + (long)((end - startedAt).Ticks / Math.Max(interval.Ticks, 1));
    }

    public DateTimeOffset TimeOf(long line) => startedAt + TimeSpan.FromTicks(interval.Ticks * line);

    public string Line(long line, bool timestamps)
    {
        var text = line == 0
            ? $"nautilus-agent: container {container} of pod {pod} started from image {image}"
            : string.Create(CultureInfo.InvariantCulture, $"{container}: simulated log line {line}");
        return timestamps
            ? TimeOf(line).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture) + " " + text + "\n"
            : text + "\n";
    }

    /// <summary>The lines written up to now, after tailLines and sinceSeconds (null: unset).</summary>
    public (long First, long End) History(DateTimeOffset now, long? tailLines, long? sinceSeconds)
    {
        var end = LinesAt(now);
        var first = Math.Max(0, end - MaxLines);
        if (sinceSeconds is { } since)
        {
            var from = now - TimeSpan.FromSeconds(since);
            while (first < end && TimeOf(first) < from)
            {
                first++;
            }
        }

        if (tailLines is { } tail)
        {
            first = Math.Max(first, end - tail);
        }

        return (first, end);
    }

    public byte[] Render(long first, long end, bool timestamps)
    {
        var text = new StringBuilder();
        for (var i = first; i < end; i++)
        {
            text.Append(Line(i, timestamps));
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
