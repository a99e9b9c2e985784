using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests.Machinery;

public sealed class ControllerExpectationsTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Test]
    public void NothingExpected_IsSatisfied() => Assert.That(new ControllerExpectations(_time).Satisfied("ns/rs"), Is.True);

    [Test]
    public void ExpectedCreations_SatisfiedOnlyWhenAllObserved()
    {
        var expectations = new ControllerExpectations(_time);
        expectations.ExpectCreations("ns/rs", 3);

        expectations.CreationObserved("ns/rs");
        expectations.CreationObserved("ns/rs");
        var beforeLast = expectations.Satisfied("ns/rs");
        expectations.CreationObserved("ns/rs");

        Assert.That(beforeLast, Is.False);
        Assert.That(expectations.Satisfied("ns/rs"), Is.True);
    }

    [Test]
    public void ExpectedDeletions_CountEachPodOnce()
    {
        var expectations = new ControllerExpectations(_time);
        expectations.ExpectDeletions("ns/rs", ["ns/a", "ns/b"]);

        expectations.DeletionObserved("ns/rs", "ns/a");
        expectations.DeletionObserved("ns/rs", "ns/a"); // deletionTimestamp, then the delete itself
        expectations.DeletionObserved("ns/rs", "ns/other");
        var afterA = expectations.Satisfied("ns/rs");
        expectations.DeletionObserved("ns/rs", "ns/b");

        Assert.That(afterA, Is.False);
        Assert.That(expectations.Satisfied("ns/rs"), Is.True);
    }

    [Test]
    public void UnobservedExpectation_ExpiresAfterTtl()
    {
        var expectations = new ControllerExpectations(_time);
        expectations.ExpectCreations("ns/rs", 1);

        _time.Advance(ControllerExpectations.Ttl);
        var atTtl = expectations.Satisfied("ns/rs");
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(atTtl, Is.False);
        Assert.That(expectations.Satisfied("ns/rs"), Is.True);
    }

    [Test]
    public void Delete_ForgetsTheController()
    {
        var expectations = new ControllerExpectations(_time);
        expectations.ExpectCreations("ns/rs", 5);

        expectations.Delete("ns/rs");

        Assert.That(expectations.Satisfied("ns/rs"), Is.True);
        Assert.That(expectations.Pending("ns/rs"), Is.Null);
    }
}
