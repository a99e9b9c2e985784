using Nautilus.Controllers.NodeLifecycle.Internal;

namespace Nautilus.Controllers.Tests.NodeLifecycle;

/// <summary>The per-zone NoExecute tainting rate: a token bucket with a burst of one.</summary>
public sealed class EvictionRateLimiterTests
{
    [Test]
    public void DefaultRate_OneNodeThenOnePerTenSeconds()
    {
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var limiter = new EvictionRateLimiter(0.1, time);

        Assert.That(limiter.TryAccept(), Is.True, "the burst");
        Assert.That(limiter.TryAccept(), Is.False);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.That(limiter.TryAccept(), Is.False);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(limiter.TryAccept(), Is.True);
    }

    [Test]
    public void ZeroRate_NeverAdmits()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var limiter = new EvictionRateLimiter(0, time);
        time.Advance(TimeSpan.FromHours(1));

        Assert.That(limiter.TryAccept(), Is.False);
    }
}
