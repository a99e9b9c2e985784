using k8s;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>
/// The in-process scheduler as a user sees it: pods without spec.nodeName land on a node that
/// satisfies their constraints, or stay Pending with kube-scheduler's reason and events.
/// Nodes are plain Node objects here (no node agent), each test class on its own server.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class SchedulerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private ServerFixture _server = null!;

    private IKubernetes Client => _server.Client;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await ServerFixture.StartAsync();
        await CreateNodeAsync("small-a", cpu: "2", zone: "zone-a", labels: new() { ["disk"] = "hdd" });
        await CreateNodeAsync("small-b", cpu: "2", zone: "zone-b", labels: new() { ["disk"] = "hdd" });
        await CreateNodeAsync("fast", cpu: "4", zone: "zone-c", labels: new() { ["disk"] = "ssd" }, taint: new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" });
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task PodWithoutNodeName_IsBoundToAReadyNode_WithScheduledEvent()
    {
        string ns = await _server.CreateNamespaceAsync();

        await Client.CoreV1.CreateNamespacedPodAsync(Pod("plain"), ns);

        var pod = await WaitForNodeAsync(ns, "plain");
        Assert.That(pod.Spec.NodeName, Is.AnyOf("small-a", "small-b"), "the tainted node is not tolerated");
        Assert.That(pod.Status.Conditions.Single(c => c.Type == "PodScheduled").Status, Is.EqualTo("True"));
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var events = await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=plain");
            return events.Items.Any(e => e.Reason == "Scheduled" && e.Message == $"Successfully assigned {ns}/plain to {pod.Spec.NodeName}");
        }, Deadline, "a Scheduled event is recorded");
    }

    [Test]
    public async Task NodeSelectorAndToleration_LandOnTheMatchingTaintedNode()
    {
        string ns = await _server.CreateNamespaceAsync();
        var pod = Pod("gpu");
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" };
        pod.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "gpu", Effect = "NoSchedule" }];

        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);

        Assert.That((await WaitForNodeAsync(ns, "gpu")).Spec.NodeName, Is.EqualTo("fast"));
    }

    [Test]
    public async Task TooLargeRequest_StaysPendingWithKubeSchedulerMessage()
    {
        string ns = await _server.CreateNamespaceAsync();
        var pod = Pod("huge");
        pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("64") } };

        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);

        V1PodCondition? condition = null;
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var current = await Client.CoreV1.ReadNamespacedPodAsync("huge", ns);
            condition = current.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
            return condition is { Status: "False" };
        }, Deadline, "the pod is marked unschedulable");
        Assert.That(condition!.Reason, Is.EqualTo("Unschedulable"));
        Assert.That(condition.Message, Is.EqualTo(
            "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."));
        var described = await _server.Kubectl("describe", "pod", "huge", "-n", ns);
        Assert.That(described.Stdout, Does.Contain("FailedScheduling").And.Contain("default-scheduler"), described.ToString());
    }

    [Test]
    public async Task RequiredAntiAffinity_SpreadsReplicasOverHosts()
    {
        string ns = await _server.CreateNamespaceAsync();
        for (var i = 0; i < 2; i++)
        {
            var pod = Pod($"spread-{i}");
            pod.Metadata.Labels = new Dictionary<string, string> { ["app"] = "spread" };
            pod.Spec.Affinity = new V1Affinity
            {
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PodAffinityTerm
                        {
                            TopologyKey = "kubernetes.io/hostname",
                            LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "spread" } },
                        },
                    ],
                },
            };
            await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        }

        var first = await WaitForNodeAsync(ns, "spread-0");
        var second = await WaitForNodeAsync(ns, "spread-1");

        Assert.That(first.Spec.NodeName, Is.Not.EqualTo(second.Spec.NodeName));
    }

    private async Task<V1Pod> WaitForNodeAsync(string ns, string name)
    {
        V1Pod? pod = null;
        await ServerFixture.WaitUntilAsync(async () =>
        {
            pod = await Client.CoreV1.ReadNamespacedPodAsync(name, ns);
            return !string.IsNullOrEmpty(pod.Spec.NodeName);
        }, Deadline, $"pod {name} is bound to a node");
        return pod!;
    }

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "main", Image = "nginx", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") } } }],
        },
    };

    private async Task CreateNodeAsync(string name, string cpu, string zone, Dictionary<string, string> labels, V1Taint? taint = null)
    {
        labels["kubernetes.io/hostname"] = name;
        labels["topology.kubernetes.io/zone"] = zone;
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new("8Gi"), ["pods"] = new("110") };
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
            Spec = new V1NodeSpec { Taints = taint is null ? null : [taint] },
        };
        var created = await Client.CoreV1.CreateNodeAsync(node);
        created.Status = new V1NodeStatus
        {
            Capacity = resources,
            Allocatable = resources,
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
        };
        // Unconditional, as kubelet's status writes: the node IPAM controller may have set spec.podCIDR meanwhile.
        created.Metadata.ResourceVersion = null;
        await Client.CoreV1.ReplaceNodeStatusAsync(created, name);
    }
}
