using Nautilus.Server.Api.Printing;

namespace Nautilus.Server.Tests.Printing;

/// <summary>The cases of k8s.io/apimachinery/pkg/util/duration's duration_test.go.</summary>
public sealed class HumanDurationTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan M = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan H = TimeSpan.FromHours(1);

    private static IEnumerable<TestCaseData> Cases()
    {
        (TimeSpan, string)[] cases =
        [
            (S, "1s"), (70 * S, "70s"), (190 * S, "3m10s"), (70 * M, "70m"), (47 * H, "47h"), (49 * H, "2d1h"),
            ((8 * 24 + 2) * H, "8d"), (367 * 24 * H, "367d"), ((365 * 2 * 24 + 25) * H, "2y1d"), ((365 * 8 * 24 + 2) * H, "8y"),
            (-2 * S, "<invalid>"), (-2 * S + TimeSpan.FromTicks(1), "0s"), (TimeSpan.Zero, "0s"), (S - Ms, "0s"),
            (2 * M - Ms, "119s"), (2 * M, "2m"), (2 * M + S, "2m1s"), (10 * M - Ms, "9m59s"), (10 * M, "10m"), (10 * M + S, "10m"),
            (3 * H - Ms, "179m"), (3 * H, "3h"), (3 * H + M, "3h1m"), (8 * H - Ms, "7h59m"), (8 * H, "8h"), (8 * H + 59 * M, "8h"),
            (2 * 24 * H - Ms, "47h"), (2 * 24 * H, "2d"), (2 * 24 * H + H, "2d1h"), (8 * 24 * H - Ms, "7d23h"), (8 * 24 * H, "8d"),
            (8 * 24 * H + 23 * H, "8d"), (2 * 365 * 24 * H - Ms, "729d"), (2 * 365 * 24 * H, "2y"), (2 * 365 * 24 * H + 23 * H, "2y"),
            (2 * 365 * 24 * H + 24 * H - Ms, "2y"), (2 * 365 * 24 * H + 24 * H, "2y1d"), (3 * 365 * 24 * H, "3y"),
            (8 * 365 * 24 * H - Ms, "7y364d"), (8 * 365 * 24 * H, "8y"), (8 * 365 * 24 * H + 364 * 24 * H, "8y"), (9 * 365 * 24 * H, "9y"),
        ];
        return cases.Select(c => new TestCaseData(c.Item1).Returns(c.Item2).SetArgDisplayNames(c.Item1.ToString()));
    }

    [TestCaseSource(nameof(Cases))]
    public string Format_MatchesKubernetesHumanDuration(TimeSpan duration) => HumanDuration.Format(duration);

    [Test]
    public void Since_AbsentTimestamp_IsUnknown() =>
        Assert.That(HumanDuration.Since(null, DateTimeOffset.UnixEpoch), Is.EqualTo("<unknown>"));
}
