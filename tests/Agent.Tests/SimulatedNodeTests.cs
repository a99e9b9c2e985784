using Nautilus.Agent.Internal;

namespace Nautilus.Agent.Tests;

public class SimulatedNodeTests
{
    [Test]
    public void Nodes_GetDisjointPodCidrsAndHostIpsAndSpreadOverZones()
    {
        var nodes = SimulatedNode.Create(new AgentOptions { Nodes = 300, NamePrefix = "n", Zones = ["a", "b", "c"] });

        Assert.Multiple(() =>
        {
            Assert.That(nodes.Select(n => n.PodCidr).Distinct().Count(), Is.EqualTo(300));
            Assert.That(nodes.Select(n => n.HostIp).Distinct().Count(), Is.EqualTo(300));
            Assert.That(nodes[0].PodCidr, Is.EqualTo("10.128.0.0/24"));
            Assert.That(nodes[257].PodCidr, Is.EqualTo("10.129.1.0/24"));
            Assert.That(nodes[257].HostIp, Is.EqualTo("172.16.1.3"));
            Assert.That(nodes.Take(3).Select(n => n.Zone), Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(nodes[299].Name, Is.EqualTo("n-299"));
        });
    }

    [Test]
    public void IpAllocator_HandsOutEachAddressOnceUntilReleased()
    {
        var node = SimulatedNode.Create(new AgentOptions { Nodes = 1 })[0];
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

        Assert.Multiple(() =>
        {
            Assert.That(node.Reserve("10.128.0.9"), Is.True);
            Assert.That(node.Reserve("10.128.5.9"), Is.False);
            Assert.That(node.AllocatedIps, Is.EqualTo(1));
        });
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
