using Nautilus.Server.Hosting;

namespace Nautilus.Server.Tests.Hosting;

public sealed class IdleMemoryTrimmerTests
{
    private const long Mb = 1 << 20;

    [Test]
    public void TrimPolicy_QuietAfterABurst_TrimsOnce()
    {
        // Arrange
        var policy = new IdleMemoryTrimmer.TrimPolicy();
        long total = 500 * Mb;

        // Act / Assert: the first reading is a baseline; 100 MB in one interval is busy.
        Assert.That(policy.ShouldTrim(total), Is.False);
        Assert.That(policy.ShouldTrim(total += 100 * Mb), Is.False, "busy");
        Assert.That(policy.ShouldTrim(total += 1 * Mb), Is.True, "quiet after the burst");
        Assert.That(policy.ShouldTrim(total += 1 * Mb), Is.False, "already trimmed");
    }

    [Test]
    public void TrimPolicy_SteadyTrickle_NeverTrims()
    {
        // Arrange
        var policy = new IdleMemoryTrimmer.TrimPolicy();
        long total = 0;
        policy.ShouldTrim(total);

        // Act / Assert: 4 MB an interval is quiet, but 64 intervals of it is a burst spread out.
        for (var i = 0; i < 15; i++)
        {
            Assert.That(policy.ShouldTrim(total += 4 * Mb), Is.False, $"interval {i}");
        }

        Assert.That(policy.ShouldTrim(total += 4 * Mb), Is.True, "64 MB allocated since the last trim, and quiet now");
    }

    [Test]
    public void TrimPolicy_BusyAllTheTime_NeverTrims()
    {
        var policy = new IdleMemoryTrimmer.TrimPolicy();
        long total = 0;
        policy.ShouldTrim(total);
        for (var i = 0; i < 20; i++)
        {
            Assert.That(policy.ShouldTrim(total += 50 * Mb), Is.False, $"interval {i}");
        }
    }
}
