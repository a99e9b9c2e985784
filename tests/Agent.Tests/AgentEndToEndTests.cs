using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Nautilus.Agent.Tests;

/// <summary>Whole agents against a real server, seen as a user sees them: kubectl and the Kubernetes client.</summary>
[Parallelizable(ParallelScope.All)]
public class AgentEndToEndTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static AgentOptions Fast(string prefix, int nodes = 3) => new()
    {
        Nodes = nodes,
        NamePrefix = prefix,
        PodStartDelay = TimeSpan.FromMilliseconds(200),
        LogInterval = TimeSpan.FromMilliseconds(100),
        LeaseRenewInterval = TimeSpan.FromMilliseconds(500),
    };

    [Test]
    public async Task Agent_RegistersReadyNodesWithLeases()
    {
        await using var cluster = await TestCluster.StartAsync();
        var agent = cluster.StartAgent(Fast("sim") with { Zones = ["z1", "z2"] });
        await agent.Registered.WaitAsync(Deadline);

        var result = await cluster.Kubectl("get", "nodes", "--no-headers");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(3), result.Stdout);
        foreach (var line in lines)
        {
            Assert.That(line.Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.SupersetOf(new[] { "Ready", "worker", "v1.32.0" }), line);
        }

        V1Node node = null!;
        await TestCluster.WaitUntilAsync(async () =>
        {
            node = await cluster.Client.CoreV1.ReadNodeAsync("sim-1");
            return node.Spec?.PodCIDR is not null;
        }, Deadline, "the node IPAM controller gives the node a pod CIDR");
        Assert.Multiple(() =>
        {
            Assert.That(node.Metadata.Labels["kubernetes.io/hostname"], Is.EqualTo("sim-1"));
            Assert.That(node.Metadata.Labels["topology.kubernetes.io/zone"], Is.EqualTo("z2"));
            Assert.That(node.Metadata.Labels, Does.ContainKey("node.kubernetes.io/instance-type"));
            Assert.That(node.Spec.PodCIDR, Does.Match(@"^10\.244\.\d{1,3}\.0/24$"), "assigned by the node IPAM controller");
            Assert.That(node.Status.Capacity["pods"].ToString(), Is.EqualTo("110"));
            Assert.That(node.Status.Allocatable["cpu"].ToString(), Is.EqualTo("8"));
            Assert.That(node.Status.Addresses.Single(a => a.Type == "InternalIP").Address, Is.EqualTo("172.16.0.3"));
            Assert.That(node.Status.NodeInfo.KubeletVersion, Is.EqualTo("v1.32.0"));
        });

        await TestCluster.WaitUntilAsync(async () =>
        {
            var leases = await cluster.Client.CoordinationV1.ListNamespacedLeaseAsync("kube-node-lease");
            return leases.Items.Count == 3 && leases.Items.All(l => l.Spec.RenewTime is not null && l.Spec.HolderIdentity == l.Metadata.Name);
        }, Deadline, "every node holds a renewed Lease");
        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("sim-0", "kube-node-lease");
        Assert.That(lease.Metadata.OwnerReferences.Single().Kind, Is.EqualTo("Node"));
    }

    [Test]
    public async Task PodBoundToNode_BecomesRunningAndReadyWithIpsFromTheNode()
    {
        await using var cluster = await TestCluster.StartAsync();
        var agent = cluster.StartAgent(Fast("run"));
        await agent.Registered.WaitAsync(Deadline);

        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("web", "run-2"), "default");

        var pod = await WaitForPhaseAsync(cluster, "web", "Running");
        var container = pod.Status.ContainerStatuses.Single();
        var cidr = (await cluster.Client.CoreV1.ReadNodeAsync("run-2")).Spec.PodCIDR;
        Assert.Multiple(() =>
        {
            Assert.That(pod.Status.PodIP, Does.StartWith(cidr[..cidr.LastIndexOf(".0/24", StringComparison.Ordinal)] + "."), $"in the node's {cidr}");
            Assert.That(pod.Status.HostIP, Is.EqualTo("172.16.0.4"));
            Assert.That(pod.Status.StartTime, Is.Not.Null);
            Assert.That(pod.Status.Conditions.Select(c => (c.Type, c.Status)), Is.SupersetOf(new[]
            {
                ("PodScheduled", "True"), ("Initialized", "True"), ("ContainersReady", "True"), ("Ready", "True"),
            }));
            Assert.That(container.Ready, Is.True);
            Assert.That(container.Started, Is.True);
            Assert.That(container.RestartCount, Is.Zero);
            Assert.That(container.State.Running, Is.Not.Null);
            Assert.That(container.Image, Is.EqualTo("docker.io/library/nginx:latest"));
            Assert.That(container.ImageID, Is.Not.Empty);
            Assert.That(container.ContainerID, Is.Not.Empty);
            Assert.That(pod.Status.QosClass, Is.EqualTo("BestEffort"));
        });

        var get = await cluster.Kubectl("get", "pod", "web", "--no-headers", "-o", "wide");
        Assert.That(get.Stdout, Does.Contain("1/1").And.Contain("Running").And.Contain(pod.Status.PodIP), get.ToString());
    }

    [Test]
    public async Task PodWithRunDuration_Succeeds()
    {
        await using var cluster = await TestCluster.StartAsync();
        var agent = cluster.StartAgent(Fast("job") with { PodRunDuration = TimeSpan.FromMilliseconds(300) });
        await agent.Registered.WaitAsync(Deadline);

        var pod = Pod("task", "job-0");
        pod.Spec.RestartPolicy = "Never";
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        var done = await WaitForPhaseAsync(cluster, "task", "Succeeded");
        Assert.That(done.Status.ContainerStatuses.Single().State.Terminated.Reason, Is.EqualTo("Completed"));
    }

    [Test]
    public async Task DeletedPod_GoesAwayPromptly()
    {
        await using var cluster = await TestCluster.StartAsync();
        var agent = cluster.StartAgent(Fast("del"));
        await agent.Registered.WaitAsync(Deadline);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("web", "del-0"), "default");
        await WaitForPhaseAsync(cluster, "web", "Running");

        // kubectl waits for the object to be gone: the default 30 s grace period must not be waited out.
        var stopwatch = Stopwatch.StartNew();
        var result = await cluster.Kubectl("delete", "pod", "web");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), "the agent confirmed the deletion instead of the grace period running out");
        Assert.That(await ExistsAsync(cluster, "web"), Is.False);
        await TestCluster.WaitUntilAsync(() => Task.FromResult(agent.PodCount == 0), Deadline, "the agent forgets the pod");
    }

    [Test]
    public async Task KubectlLogs_ReturnsSimulatedLines()
    {
        await using var cluster = await TestCluster.StartAsync();
        var agent = cluster.StartAgent(Fast("log"));
        await agent.Registered.WaitAsync(Deadline);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("web", "log-0"), "default");
        await WaitForPhaseAsync(cluster, "web", "Running");

        await TestCluster.WaitUntilAsync(async () =>
        {
            var logs = await cluster.Kubectl("logs", "web", "--tail", "2");
            return logs.ExitCode == 0 && logs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 2;
        }, Deadline, "kubectl logs --tail 2 prints two lines once the container has written them");

        var all = await cluster.Kubectl("logs", "web", "-c", "web", "--timestamps");
        Assert.That(all.ExitCode, Is.Zero, all.ToString());
        var first = all.Stdout.Split('\n')[0];
        Assert.That(first, Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z nautilus-agent: container web of pod web started"));

        var wrong = await cluster.Kubectl("logs", "web", "-c", "nope");
        Assert.That(wrong.ExitCode, Is.Not.Zero);
        Assert.That(wrong.Stderr, Does.Contain("container nope is not valid for pod web"));
    }

    [Test]
    public async Task KubectlLogsFollow_StreamsNewLines()
    {
        await using var cluster = await TestCluster.StartAsync();
        var agent = cluster.StartAgent(Fast("follow"));
        await agent.Registered.WaitAsync(Deadline);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("web", "follow-0"), "default");
        await WaitForPhaseAsync(cluster, "web", "Running");

        var startInfo = new ProcessStartInfo("kubectl", ["--kubeconfig", cluster.KubeconfigPath, "logs", "-f", "web", "--tail", "1"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(startInfo)!;
        try
        {
            // Lines written after kubectl started can only have come through the open stream.
            // The container's start line (naming its image) may come first; the numbered lines follow.
            var numbers = new List<long>();
            using var deadline = new CancellationTokenSource(Deadline);
            while (numbers.Count < 5 && await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                if (long.TryParse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
                {
                    numbers.Add(number);
                }
            }

            Assert.That(numbers, Has.Count.EqualTo(5), "kubectl logs -f printed too few numbered lines");
            Assert.That(numbers, Is.Ordered.Ascending.And.Unique);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Test]
    public async Task AgentRestart_ResumesWithoutLosingOrDuplicatingPods()
    {
        await using var cluster = await TestCluster.StartAsync();
        var agent = cluster.StartAgent(Fast("rs", nodes: 2));
        await agent.Registered.WaitAsync(Deadline);
        foreach (var name in (string[])["a", "b", "c"])
        {
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod(name, "rs-0"), "default");
        }

        var before = new Dictionary<string, V1Pod>();
        foreach (var name in (string[])["a", "b", "c"])
        {
            before[name] = await WaitForPhaseAsync(cluster, name, "Running");
        }

        await cluster.StopAgentAsync(agent);

        // While no agent runs: one pod is deleted (it waits for its node), one is created.
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("c", "default", new V1DeleteOptions { GracePeriodSeconds = 120 });
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("d", "rs-0"), "default");

        var restarted = cluster.StartAgent(Fast("rs", nodes: 2));
        var d = await WaitForPhaseAsync(cluster, "d", "Running");
        await TestCluster.WaitUntilAsync(async () => !await ExistsAsync(cluster, "c"), Deadline, "the restarted agent confirms the deletion made while it was away");

        foreach (var name in (string[])["a", "b"])
        {
            var now = await cluster.Client.CoreV1.ReadNamespacedPodAsync(name, "default");
            Assert.Multiple(() =>
            {
                Assert.That(now.Metadata.ResourceVersion, Is.EqualTo(before[name].Metadata.ResourceVersion), $"{name} was adopted, not written again");
                Assert.That(now.Status.PodIP, Is.EqualTo(before[name].Status.PodIP));
                Assert.That(now.Status.ContainerStatuses.Single().ContainerID, Is.EqualTo(before[name].Status.ContainerStatuses.Single().ContainerID));
            });
        }

        Assert.That(new[] { before["a"].Status.PodIP, before["b"].Status.PodIP, d.Status.PodIP }, Is.Unique, "no IP is handed out twice");
        Assert.That(restarted.PodCount, Is.EqualTo(3));
    }

    [Test]
    public async Task ServerRestart_AgentReconnectsAndResumes()
    {
        await using var cluster = await TestCluster.StartAsync();
        var agent = cluster.StartAgent(Fast("srv", nodes: 2));
        await agent.Registered.WaitAsync(Deadline);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("before", "srv-1"), "default");
        var before = await WaitForPhaseAsync(cluster, "before", "Running");

        await cluster.RestartServerAsync();
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("after", "srv-1"), "default");

        var after = await WaitForPhaseAsync(cluster, "after", "Running");
        var kept = await cluster.Client.CoreV1.ReadNamespacedPodAsync("before", "default");
        Assert.Multiple(() =>
        {
            Assert.That(kept.Metadata.ResourceVersion, Is.EqualTo(before.Metadata.ResourceVersion), "the running pod was not written again");
            Assert.That(after.Status.PodIP, Is.Not.EqualTo(before.Status.PodIP));
        });

        var renewed = (await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("srv-0", "kube-node-lease")).Spec.RenewTime;
        await TestCluster.WaitUntilAsync(async () =>
            (await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("srv-0", "kube-node-lease")).Spec.RenewTime > renewed,
            Deadline, "the Lease is renewed again after the restart");
    }

    [Test]
    public async Task StoppedAgent_RenewsNoLease()
    {
        await using var cluster = await TestCluster.StartAsync();
        var stopped = cluster.StartAgent(Fast("gone", nodes: 1));
        var alive = cluster.StartAgent(Fast("alive", nodes: 1) with { FirstIndex = 1 });
        await Task.WhenAll(stopped.Registered, alive.Registered).WaitAsync(Deadline);
        await TestCluster.WaitUntilAsync(() => Task.FromResult(stopped.LeaseRenewals > 0), Deadline, "the first agent renewed its Lease");

        await cluster.StopAgentAsync(stopped);
        var last = (await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("gone-0", "kube-node-lease")).Spec.RenewTime;

        // The other agent's renewals are the clock: three of them take longer than three periods.
        var target = alive.LeaseRenewals + 3;
        await TestCluster.WaitUntilAsync(() => Task.FromResult(alive.LeaseRenewals >= target), Deadline, "the running agent keeps renewing");
        var now = (await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("gone-0", "kube-node-lease")).Spec.RenewTime;
        Assert.That(now, Is.EqualTo(last));
    }

    [Test]
    public async Task ServerWithNodesOption_RunsSimulatedNodesInProcess()
    {
        await using var cluster = await TestCluster.StartAsync(inProcessNodes: 2);

        await TestCluster.WaitUntilAsync(async () =>
        {
            var nodes = await cluster.Client.CoreV1.ListNodeAsync();
            return nodes.Items.Count == 2 && nodes.Items.All(n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        }, Deadline, "the server's --nodes 2 registers two Ready nodes");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("web", "nautilus-node-1"), "default");
        await WaitForPhaseAsync(cluster, "web", "Running");
    }

    private static V1Pod Pod(string name, string node) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Containers = [new V1Container { Name = name == "web" ? "web" : "main", Image = "nginx" }],
        },
    };

    private static async Task<V1Pod> WaitForPhaseAsync(TestCluster cluster, string name, string phase)
    {
        V1Pod? pod = null;
        await TestCluster.WaitUntilAsync(async () =>
        {
            pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync(name, "default");
            return pod.Status?.Phase == phase;
        }, Deadline, $"pod {name} reaches {phase} (last: {pod?.Status?.Phase})");
        return pod!;
    }

    private static async Task<bool> ExistsAsync(TestCluster cluster, string name)
    {
        try
        {
            await cluster.Client.CoreV1.ReadNamespacedPodAsync(name, "default");
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
