using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Events;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.NodeLifecycle;

namespace Nautilus.Controllers.Tests.NodeLifecycle;

/// <summary>
/// The node lifecycle and taint eviction controllers against a real server, with a 2 s grace
/// period. Nodes are plain Node objects whose Lease and status the tests write as a node agent
/// would; one healthy node keeps renewing its Lease throughout, so the zone is never fully
/// disrupted (when every node is down, kube — and Nautilus — evicts nothing).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class NodeLifecycleControllerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly ApiResource Nodes = ClusterResources.Nodes;
    private static readonly ApiResource Leases = ClusterResources.Leases;

    private static readonly NodeLifecycleOptions Options = new()
    {
        NodeMonitorGracePeriod = TimeSpan.FromSeconds(2),
        NodeStartupGracePeriod = TimeSpan.FromSeconds(2),
        NodeMonitorPeriod = TimeSpan.FromMilliseconds(100),
        NodeEvictionRate = 100,
    };

    private ServerFixture _server = null!;
    private CancellationTokenSource _stop = null!;
    private Task _running = null!;
    private readonly List<Task> _keepAlives = [];
    private readonly List<string> _testNodes = [];
    private string _healthyNode = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await ServerFixture.StartAsync();
        _stop = new CancellationTokenSource();
        _healthyNode = await CreateNodeAsync("healthy");
        _testNodes.Clear();
        var informers = new InformerFactory(_server.Api, NullLoggerFactory.Instance);
        var nodes = informers.For(Nodes);
        var pods = informers.For(WorkloadResources.Pods);
        var events = new EventBroadcaster(_server.Api, NullLogger<EventBroadcaster>.Instance);
        var lifecycle = new NodeLifecycleController(_server.Api, nodes, informers.For(Leases), pods, NullLogger<NodeLifecycleController>.Instance, Options, events.NewRecorder("node-controller"));
        var eviction = new TaintEvictionController(_server.Api, nodes, pods, NullLogger<TaintEvictionController>.Instance, events.NewRecorder("taint-eviction-controller"));
        lifecycle.Start();
        eviction.Start();
        var ct = _stop.Token;
        _running = Task.WhenAll(informers.RunAsync(ct), events.RunAsync(ct), lifecycle.RunAsync(ct), eviction.RunAsync(ct));
        KeepAlive(_healthyNode);
    }

    /// <summary>Deletes the test's nodes (and leases), so down nodes of earlier tests never make the zone look disrupted.</summary>
    [TearDown]
    public async Task DeleteTestNodesAsync()
    {
        foreach (var name in _testNodes)
        {
            foreach (var (resource, ns) in new[] { (Leases, NodeLifecycleController.LeaseNamespace), (Nodes, "") })
            {
                try
                {
                    await _server.Api.DeleteAsync(resource, ns, name);
                }
                catch (ApiStatusException e) when (e.IsNotFound)
                {
                }
            }
        }

        _testNodes.Clear();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
        await Task.WhenAll(_keepAlives);
        _stop.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task LeaseNotRenewed_NodeUnknownTaintedAndIntolerantPodsEvicted()
    {
        var ns = await _server.CreateNamespaceAsync("nl");
        var node = await CreateNodeAsync("lost");
        await CreatePodAsync(ns, "short", node, new JsonObject { ["key"] = "node.kubernetes.io/unreachable", ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 1 });
        await CreatePodAsync(ns, "forever", node, new JsonObject { ["key"] = "node.kubernetes.io/unreachable", ["operator"] = "Exists", ["effect"] = "NoExecute" });
        await CreatePodAsync(ns, "default", node);

        // Nothing renews the lease any more.
        await ServerFixture.WaitUntilAsync(async () => ReadyStatus(await GetNodeAsync(node)) == "Unknown", Deadline, () => "Ready Unknown");
        var lost = await GetNodeAsync(node);
        var ready = KubeFields.Condition(lost, "Ready")!;
        Assert.Multiple(() =>
        {
            Assert.That(KubeFields.String(ready, "reason"), Is.EqualTo("NodeStatusUnknown"));
            Assert.That(KubeFields.String(ready, "message"), Is.EqualTo("Kubelet stopped posting node status."));
            foreach (var type in new[] { "MemoryPressure", "DiskPressure", "PIDPressure" })
            {
                Assert.That(KubeFields.String(KubeFields.Condition(lost, type), "status"), Is.EqualTo("Unknown"), type);
                Assert.That(KubeFields.String(KubeFields.Condition(lost, type), "reason"), Is.EqualTo("NodeStatusNeverUpdated"), type);
            }
        });
        await ServerFixture.WaitUntilAsync(
            async () => Taints(await GetNodeAsync(node)).SetEquals(["node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute"]),
            Deadline,
            () => "the unreachable taints");

        await ServerFixture.WaitUntilAsync(async () => KubeFields.IsBeingDeleted(await GetPodAsync(ns, "short")), Deadline, () => "the pod tolerating 1 s evicted");
        var evicted = await GetPodAsync(ns, "short");
        Assert.Multiple(async () =>
        {
            Assert.That(KubeFields.String(KubeFields.Condition(evicted, "DisruptionTarget"), "reason"), Is.EqualTo("DeletionByTaintManager"));
            Assert.That(KubeFields.IsBeingDeleted(await GetPodAsync(ns, "forever")), Is.False, "tolerates forever");
            Assert.That(KubeFields.IsBeingDeleted(await GetPodAsync(ns, "default")), Is.False, "tolerates the default 300 s");
            Assert.That(KubeFields.String(KubeFields.Condition(await GetPodAsync(ns, "forever"), "Ready"), "status"), Is.EqualTo("False"), "pods of a lost node are not ready");
            Assert.That(ReadyStatus(await GetNodeAsync(_healthyNode)), Is.EqualTo("True"));
            Assert.That(Taints(await GetNodeAsync(_healthyNode)), Is.Empty);
        });

        // What kubectl describe shows: the node's status change and the eviction.
        await ServerFixture.WaitUntilAsync(
            async () => (await _server.EventsAsync(ns, "TaintManagerEviction")).Any(e => KubeFields.String(e, "message") == $"Marking for deletion Pod {ns}/short"),
            Deadline,
            () => "a TaintManagerEviction event");
        await ServerFixture.WaitUntilAsync(
            async () => (await _server.EventsAsync("default", "NodeNotReady")).Any(e => KubeFields.String(e["involvedObject"], "name") == node && KubeFields.String(e, "message") == $"Node {node} status is now: NodeNotReady"),
            Deadline,
            () => "a NodeNotReady event on the node");
    }

    [Test]
    public async Task NodeComesBack_TaintsRemovedAndReady()
    {
        var node = await CreateNodeAsync("flaky");
        await ServerFixture.WaitUntilAsync(async () => Taints(await GetNodeAsync(node)).Contains("node.kubernetes.io/unreachable:NoExecute"), Deadline, () => "tainted unreachable");

        await RenewLeaseAsync(node);
        await PostReadyAsync(node);

        await ServerFixture.WaitUntilAsync(async () => Taints(await GetNodeAsync(node)).Count == 0, Deadline, () => "taints removed");
        Assert.That(ReadyStatus(await GetNodeAsync(node)), Is.EqualTo("True"));
    }

    [Test]
    public async Task NodeNeverPostedStatus_UnknownAfterStartupGracePeriod()
    {
        var name = "silent-" + Guid.NewGuid().ToString("N")[..8];
        await _server.Api.CreateAsync(Nodes, "", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = name } });
        _testNodes.Add(name);

        await ServerFixture.WaitUntilAsync(async () => ReadyStatus(await GetNodeAsync(name)) == "Unknown", Deadline, () => "Ready Unknown");
        var ready = KubeFields.Condition(await GetNodeAsync(name), "Ready")!;
        Assert.That(KubeFields.String(ready, "reason"), Is.EqualTo("NodeStatusNeverUpdated"));
        Assert.That(KubeFields.String(ready, "message"), Is.EqualTo("Kubelet never posted node status."));
    }

    [Test]
    public async Task NoExecuteTaintNotTolerated_PodEvictedAtOnce()
    {
        var ns = await _server.CreateNamespaceAsync("nl");
        var node = await CreateNodeAsync("dedicated");
        KeepAlive(node);
        await CreatePodAsync(ns, "intolerant", node);
        await CreatePodAsync(ns, "tolerant", node, new JsonObject { ["key"] = "dedicated", ["operator"] = "Equal", ["value"] = "db", ["effect"] = "NoExecute" });

        var result = await _server.Kubectl("taint", "node", node, "dedicated=db:NoExecute");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        await ServerFixture.WaitUntilAsync(async () => KubeFields.IsBeingDeleted(await GetPodAsync(ns, "intolerant")), Deadline, () => "the intolerant pod evicted");
        Assert.That(KubeFields.IsBeingDeleted(await GetPodAsync(ns, "tolerant")), Is.False);
    }

    [Test]
    public async Task KubectlCordon_UnschedulableTaintFollows()
    {
        var node = await CreateNodeAsync("cordoned");
        KeepAlive(node);

        var cordon = await _server.Kubectl("cordon", node);

        Assert.That(cordon.ExitCode, Is.Zero, cordon.ToString());
        await ServerFixture.WaitUntilAsync(async () => Taints(await GetNodeAsync(node)).Contains("node.kubernetes.io/unschedulable:NoSchedule"), Deadline, () => "the unschedulable taint");

        var uncordon = await _server.Kubectl("uncordon", node);

        Assert.That(uncordon.ExitCode, Is.Zero, uncordon.ToString());
        await ServerFixture.WaitUntilAsync(async () => !Taints(await GetNodeAsync(node)).Contains("node.kubernetes.io/unschedulable:NoSchedule"), Deadline, () => "the taint removed");
    }

    /// <summary>A node with Ready=True posted now and a Lease renewed now; nothing renews either afterwards.</summary>
    private async Task<string> CreateNodeAsync(string prefix)
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        await _server.Api.CreateAsync(Nodes, "", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = name } });
        _testNodes.Add(name);
        await PostReadyAsync(name);
        await _server.Api.CreateAsync(Leases, NodeLifecycleController.LeaseNamespace, new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["holderIdentity"] = name, ["leaseDurationSeconds"] = 40, ["renewTime"] = MicroTime(DateTimeOffset.UtcNow) },
        });
        return name;
    }

    private async Task PostReadyAsync(string node)
    {
        var now = KubeFields.FormatTime(DateTimeOffset.UtcNow);
        for (var attempt = 0; ; attempt++)
        {
            var current = await GetNodeAsync(node);
            current["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray
                {
                    new JsonObject { ["type"] = "Ready", ["status"] = "True", ["lastHeartbeatTime"] = now, ["lastTransitionTime"] = now, ["reason"] = "KubeletReady", ["message"] = "kubelet is posting ready status" },
                },
            };
            try
            {
                await _server.Api.UpdateAsync(Nodes, "", node, current, "status");
                return;
            }
            catch (ApiStatusException e) when (e.IsConflict && attempt < 5)
            {
            }
        }
    }

    private async Task RenewLeaseAsync(string node)
    {
        var lease = await _server.Api.GetAsync(Leases, NodeLifecycleController.LeaseNamespace, node);
        ((JsonObject)lease["spec"]!)["renewTime"] = MicroTime(DateTimeOffset.UtcNow);
        await _server.Api.UpdateAsync(Leases, NodeLifecycleController.LeaseNamespace, node, lease);
    }

    /// <summary>Renews the node's lease until the fixture stops, as a healthy node agent does.</summary>
    private async Task KeepAliveAsync(string node, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RenewLeaseAsync(node);
                await Task.Delay(TimeSpan.FromMilliseconds(300), ct);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (ApiStatusException e) when (e.IsConflict)
            {
                // A conflicting renewal: the next one wins.
            }
            catch (ApiStatusException e) when (e.IsNotFound)
            {
                // The test deleted the node.
                return;
            }
        }
    }

    /// <summary>Renews the node's lease until the fixture stops or the lease is gone, as a healthy node agent does.</summary>
    private void KeepAlive(string node)
    {
        lock (_keepAlives)
        {
            _keepAlives.Add(KeepAliveAsync(node, _stop.Token));
        }
    }


    private async Task CreatePodAsync(string ns, string name, string node, params JsonObject[] tolerations)
    {
        var spec = new JsonObject
        {
            ["nodeName"] = node,
            ["containers"] = new JsonArray { new JsonObject { ["name"] = "app", ["image"] = "nginx:1.25" } },
        };
        if (tolerations.Length > 0)
        {
            spec["tolerations"] = new JsonArray(tolerations.Select(t => (JsonNode?)t).ToArray());
        }

        var pod = await _server.Api.CreateAsync(WorkloadResources.Pods, ns, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec });
        var now = KubeFields.FormatTime(DateTimeOffset.UtcNow);
        pod["status"] = new JsonObject
        {
            ["phase"] = "Running",
            ["conditions"] = new JsonArray { new JsonObject { ["type"] = "Ready", ["status"] = "True", ["lastTransitionTime"] = now } },
            ["podIP"] = "10.9.0.1",
        };
        await _server.Api.UpdateAsync(WorkloadResources.Pods, ns, name, pod, "status");
    }

    private Task<JsonObject> GetNodeAsync(string name) => _server.Api.GetAsync(Nodes, "", name);

    private Task<JsonObject> GetPodAsync(string ns, string name) => _server.Api.GetAsync(WorkloadResources.Pods, ns, name);

    private static string? ReadyStatus(JsonObject node) => KubeFields.String(KubeFields.Condition(node, "Ready"), "status");

    private static HashSet<string> Taints(JsonObject node) =>
        KubeFields.Objects(node["spec"], "taints").Select(t => KubeFields.String(t, "key") + ":" + KubeFields.String(t, "effect")).ToHashSet();

    private static string MicroTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
