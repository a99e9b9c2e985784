using Nautilus.Controllers.NodeIpam.Internal;

namespace Nautilus.Controllers.Tests.NodeIpam;

public class CidrSetTests
{
    [Test]
    public void AllocateNext_HandsOutEverySubnetOnceThenFails()
    {
        var set = new CidrSet("10.244.0.0/16", 24);
        var seen = new HashSet<string>();
        for (var i = 0; i < 256; i++)
        {
            Assert.That(seen.Add(set.AllocateNext()), Is.True);
        }

        Assert.Multiple(() =>
        {
            Assert.That(seen, Does.Contain("10.244.0.0/24").And.Contain("10.244.255.0/24"));
            Assert.That(() => set.AllocateNext(), Throws.InvalidOperationException.With.Message.EqualTo(
                "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range"));
        });
    }

    [Test]
    public void Occupy_SkipsSubnetsNodesAlreadyHave()
    {
        var set = new CidrSet("10.244.0.0/16", 24);

        Assert.Multiple(() =>
        {
            Assert.That(set.Occupy("10.244.0.0/24"), Is.True);
            Assert.That(set.Occupy("10.244.1.0/24"), Is.True);
            Assert.That(set.Occupy("10.128.0.0/24"), Is.False, "outside the cluster CIDR");
            Assert.That(set.Occupy("10.244.2.0/25"), Is.False, "another mask size");
            Assert.That(set.AllocateNext(), Is.EqualTo("10.244.2.0/24"));
            Assert.That(set.Allocated, Is.EqualTo(3));
        });
    }

    [Test]
    public void Release_FreesTheSubnetButAllocationMovesOnRoundRobin()
    {
        var set = new CidrSet("10.0.0.0/22", 24);
        var first = set.AllocateNext();
        set.AllocateNext();
        set.Release(first);

        Assert.Multiple(() =>
        {
            Assert.That(set.AllocateNext(), Is.EqualTo("10.0.2.0/24"));
            Assert.That(set.AllocateNext(), Is.EqualTo("10.0.3.0/24"));
            Assert.That(set.AllocateNext(), Is.EqualTo(first), "the released subnet once the others are taken");
        });
    }

    [TestCase("10.244.0.0/16", 8)]
    [TestCase("10.244.0.0", 24)]
    [TestCase("fd00::/64", 80)]
    public void InvalidRanges_AreRejected(string cidr, int mask) =>
        Assert.That(() => new CidrSet(cidr, mask), Throws.ArgumentException);
}
