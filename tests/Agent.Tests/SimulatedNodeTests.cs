using Nautilus.Agent.Internal;

namespace Nautilus.Agent.Tests;

public class SimulatedNodeTests
{
    [Test]
    public void Nodes_GetDisjointHostIpsAndSpreadOverZonesAndWaitForAPodCidr()
    {
        var nodes = SimulatedNode.Create(new AgentOptions { Nodes = 300, NamePrefix = "n", Zones = ["a", "b", "c"] });

        Assert.Multiple(() =>
        {
            Assert.That(nodes.All(n => n.PodCidr is null), Is.True, "pod CIDRs come from the control plane");
            Assert.That(nodes[0].AllocateIp(), Is.Null, "no pod IPs before the pod CIDR is known");
            Assert.That(nodes.Select(n => n.HostIp).Distinct().Count(), Is.EqualTo(300));
            Assert.That(nodes[257].HostIp, Is.EqualTo("172.16.1.3"));
            Assert.That(nodes.Take(3).Select(n => n.Zone), Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(nodes[299].Name, Is.EqualTo("n-299"));
        });
    }

    [Test]
    public void IpAllocator_HandsOutEachAddressOnceUntilReleased()
    {
        var node = SimulatedNode.Create(new AgentOptions { Nodes = 1 })[0];
        node.AssignPodCidr("10.128.0.0/24");
        var ips = new HashSet<string>();
        while (node.AllocateIp() is { } ip)
        {
            Assert.That(ips.Add(ip), Is.True, ip);
        }

        Assert.That(ips, Has.Count.EqualTo(253));
        node.Release("10.128.0.7");
        Assert.That(node.AllocateIp(), Is.EqualTo("10.128.0.7"));
    }

    [Test]
    public void Reserve_RejectsAnAddressOutsideTheNodesRange()
    {
        var node = SimulatedNode.Create(new AgentOptions { Nodes = 1 })[0];
        node.AssignPodCidr("10.128.0.0/24");

        Assert.Multiple(() =>
        {
            Assert.That(node.Reserve("10.128.0.9"), Is.True);
            Assert.That(node.Reserve("10.128.5.9"), Is.False);
            Assert.That(node.AllocatedIps, Is.EqualTo(1));
        });
    }

    [Test]
    public void Reserve_BeforeThePodCidrIsKnown_CountsOnceItIs()
    {
        var node = SimulatedNode.Create(new AgentOptions { Nodes = 1 })[0];

        Assert.That(node.Reserve("10.244.3.2"), Is.True);
        Assert.That(node.AssignPodCidr("10.244.3.0/24"), Is.True);
        Assert.That(node.AssignPodCidr("10.244.9.0/24"), Is.False, "the first pod CIDR stays");

        Assert.Multiple(() =>
        {
            Assert.That(node.AllocatedIps, Is.EqualTo(1));
            Assert.That(node.AllocateIp(), Is.EqualTo("10.244.3.3"), "the adopted pod keeps .2");
        });
    }

    [Test]
    public void LargerPodCidr_HandsOutItsWholeRange()
    {
        var node = SimulatedNode.Create(new AgentOptions { Nodes = 1 })[0];
        node.AssignPodCidr("10.0.0.0/23");
        var count = 0;
        string? last = null;
        while (node.AllocateIp() is { } ip)
        {
            last = ip;
            count++;
        }

        Assert.That(count, Is.EqualTo(509));
        Assert.That(last, Is.EqualTo("10.0.1.254"));
    }

    [TestCase("500ms", 500)]
    [TestCase("2s", 2_000)]
    [TestCase("1m30s", 90_000)]
    [TestCase("1.5s", 1_500)]
    [TestCase("0", 0)]
    public void Durations_ParseGoSyntax(string text, int milliseconds)
    {
        Assert.That(Durations.TryParse(text, out var value), Is.True);
        Assert.That(value, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
