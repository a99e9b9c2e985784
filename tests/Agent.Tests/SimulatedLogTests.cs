using Nautilus.Agent.Internal;

namespace Nautilus.Agent.Tests;

public class SimulatedLogTests
{
    private static readonly DateTimeOffset Started = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly SimulatedLog _log = new("web", "nginx", "docker.io/library/nginx:latest", Started, finishedAt: null, TimeSpan.FromSeconds(1));

    [Test]
    public void History_HasOneLinePerIntervalSinceStart()
    {
        var (first, end) = _log.History(Started.AddSeconds(4.5), tailLines: null, sinceSeconds: null);

        Assert.That((first, end), Is.EqualTo((0L, 5L)));
        Assert.That(System.Text.Encoding.UTF8.GetString(_log.Render(first, end, timestamps: false)).Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(5));
    }

    [Test]
    public void TailLinesAndSinceSeconds_CutTheHistory()
    {
        var now = Started.AddSeconds(9);

        Assert.Multiple(() =>
        {
            Assert.That(_log.History(now, tailLines: 2, sinceSeconds: null), Is.EqualTo((8L, 10L)));
            Assert.That(_log.History(now, tailLines: null, sinceSeconds: 3), Is.EqualTo((6L, 10L)));
        });
    }

    [Test]
    public void Timestamps_PrefixEachLineWithRfc3339Nano()
    {
        var line = _log.Line(2, timestamps: true);

        Assert.That(line, Is.EqualTo("2025-01-01T12:00:02.000000000Z nginx: simulated log line 2\n"));
    }

    [Test]
    public void FinishedContainer_WritesNoMoreLines()
    {
        var finished = new SimulatedLog("web", "nginx", "nginx", Started, Started.AddSeconds(3), TimeSpan.FromSeconds(1));

        Assert.That(finished.LinesAt(Started.AddHours(1)), Is.EqualTo(4));
    }
}
