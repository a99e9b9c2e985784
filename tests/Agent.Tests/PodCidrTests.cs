using System.Net;
using k8s;
using k8s.Models;
using Nautilus.Controllers.NodeIpam;

namespace Nautilus.Agent.Tests;

/// <summary>Pod CIDRs from the control plane's node IPAM controller, seen by agents and users.</summary>
[Parallelizable(ParallelScope.All)]
public class PodCidrTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static AgentOptions Fast(string prefix, int nodes, int firstIndex) => new()
    {
        Nodes = nodes,
        NamePrefix = prefix,
        FirstIndex = firstIndex,
        PodStartDelay = TimeSpan.FromMilliseconds(100),
        LeaseRenewInterval = TimeSpan.FromMilliseconds(500),
    };

    [Test]
    public async Task TwoAgents_GetDisjointPodCidrsWithPodIpsInside_AndKeepThemAcrossARestart()
    {
        await using var cluster = await TestCluster.StartAsync();
        var first = cluster.StartAgent(Fast("left", nodes: 3, firstIndex: 0));
        var second = cluster.StartAgent(Fast("right", nodes: 3, firstIndex: 3));
        await Task.WhenAll(first.Registered, second.Registered).WaitAsync(Deadline);

        var cidrs = await WaitForPodCidrsAsync(cluster, 6);
        Assert.Multiple(() =>
        {
            Assert.That(cidrs.Values.Distinct().Count(), Is.EqualTo(6), string.Join(", ", cidrs));
            foreach (var (node, cidr) in cidrs)
            {
                Assert.That(cidr, Does.Match(@"^10\.244\.\d{1,3}\.0/24$"), node);
            }
        });
        var listed = await cluster.Client.CoreV1.ListNodeAsync();
        Assert.That(listed.Items.All(n => n.Spec.PodCIDRs.SequenceEqual([n.Spec.PodCIDR])), Is.True, "podCIDRs holds the one podCIDR");

        // A pod on every node gets an IP from its node's subnet.
        foreach (var node in cidrs.Keys)
        {
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("p-" + node, node), "default");
        }

        var ips = new List<string>();
        foreach (var (node, cidr) in cidrs)
        {
            var pod = await WaitForRunningAsync(cluster, "p-" + node);
            Assert.That(InCidr(pod.Status.PodIP, cidr), Is.True, $"{pod.Status.PodIP} of a pod on {node} is in {cidr}");
            ips.Add(pod.Status.PodIP);
        }

        Assert.That(ips.Distinct().Count(), Is.EqualTo(6));

        // After a restart the controller re-learns the subnets in use: new nodes get other ones.
        await cluster.RestartServerAsync();
        var third = cluster.StartAgent(Fast("late", nodes: 2, firstIndex: 6));
        await third.Registered.WaitAsync(Deadline);
        var after = await WaitForPodCidrsAsync(cluster, 8);
        Assert.Multiple(() =>
        {
            foreach (var (node, cidr) in cidrs)
            {
                Assert.That(after[node], Is.EqualTo(cidr), $"{node} keeps its subnet");
            }

            Assert.That(after.Values.Distinct().Count(), Is.EqualTo(8), string.Join(", ", after));
        });
    }

    [Test]
    public async Task FullClusterCidr_LeavesANodeWithoutUntilADeletedNodeFreesOne()
    {
        // Four /24 subnets in all.
        await using var cluster = await TestCluster.StartAsync(configure: o => o with { NodeIpam = new NodeIpamOptions { ClusterCidr = "10.99.0.0/22" } });
        var agent = cluster.StartAgent(Fast("full", nodes: 4, firstIndex: 0));
        await agent.Registered.WaitAsync(Deadline);
        var cidrs = await WaitForPodCidrsAsync(cluster, 4);
        Assert.That(cidrs.Values.Order(), Is.EqualTo(new[] { "10.99.0.0/24", "10.99.1.0/24", "10.99.2.0/24", "10.99.3.0/24" }));

        var extra = cluster.StartAgent(Fast("extra", nodes: 1, firstIndex: 4));
        await extra.Registered.WaitAsync(Deadline);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("waiting", "extra-4"), "default");
        await TestCluster.WaitUntilAsync(async () =>
        {
            var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=extra-4");
            return events.Items.Any(e => e.Reason == "CIDRNotAvailable");
        }, Deadline, "the controller reports CIDRNotAvailable on the node it cannot serve");
        var waiting = await cluster.Client.CoreV1.ReadNamespacedPodAsync("waiting", "default");
        Assert.Multiple(() =>
        {
            Assert.That(waiting.Status?.Phase ?? "Pending", Is.EqualTo("Pending"));
            Assert.That(waiting.Status?.PodIP, Is.Null, "no subnet, no pod IP");
        });

        var freed = cidrs["full-2"];
        await cluster.Client.CoreV1.DeleteNodeAsync("full-2");

        var pod = await WaitForRunningAsync(cluster, "waiting");
        var node = await cluster.Client.CoreV1.ReadNodeAsync("extra-4");
        Assert.Multiple(() =>
        {
            Assert.That(node.Spec.PodCIDR, Is.EqualTo(freed), "the deleted node's subnet went to the waiting node");
            Assert.That(InCidr(pod.Status.PodIP, freed), Is.True, pod.Status.PodIP);
        });
    }

    private static async Task<Dictionary<string, string>> WaitForPodCidrsAsync(TestCluster cluster, int count)
    {
        var cidrs = new Dictionary<string, string>();
        await TestCluster.WaitUntilAsync(async () =>
        {
            var nodes = await cluster.Client.CoreV1.ListNodeAsync();
            cidrs = nodes.Items.Where(n => n.Spec?.PodCIDR is not null).ToDictionary(n => n.Metadata.Name, n => n.Spec.PodCIDR);
            return cidrs.Count == count && nodes.Items.Count == count;
        }, Deadline, $"{count} nodes with a pod CIDR");
        return cidrs;
    }

    private static async Task<V1Pod> WaitForRunningAsync(TestCluster cluster, string name)
    {
        V1Pod? pod = null;
        await TestCluster.WaitUntilAsync(async () =>
        {
            pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(name, "default");
            return pod.Status?.Phase == "Running" && pod.Status.PodIP is not null;
        }, Deadline, $"pod {name} runs with an IP (last: {pod?.Status?.Phase})");
        return pod!;
    }

    private static bool InCidr(string ip, string cidr) => IPAddress.TryParse(ip, out var address) && IPNetwork.Parse(cidr).Contains(address);

    private static V1Pod Pod(string name, string node) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "app", Image = "nginx" }] },
    };
}
