using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>
/// Pod priority and preemption end to end, on a server with its scheduler and two simulated nodes:
/// a pod of a higher PriorityClass that fits nowhere evicts lower-priority pods as kube-scheduler's
/// DefaultPreemption does, is nominated to the node it freed and then bound there.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class PreemptionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private ServerFixture _server = null!;

    private IKubernetes Client => _server.Client;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await ServerFixture.StartAsync(nodes: 2);
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var nodes = await Client.CoreV1.ListNodeAsync();
            return nodes.Items.Count == 2 && nodes.Items.All(n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        }, Deadline, "the two simulated nodes register Ready");
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task HighPriorityPodOnFullNodes_EvictsALowerPriorityPodAndIsBoundToItsNode()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "low-" + ns }, Value = 10 });
        await Client.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "high-" + ns }, Value = 1000 });

        // Each simulated node has 8 cpus: two 3-cpu pods per node leave 2 free, too few for 4.
        for (var i = 0; i < 4; i++)
        {
            await Client.CoreV1.CreateNamespacedPodAsync(Pod($"low-{i}", "low-" + ns, cpu: "3"), ns);
        }

        await ServerFixture.WaitUntilAsync(async () =>
        {
            var pods = await Client.CoreV1.ListNamespacedPodAsync(ns);
            return pods.Items.Count == 4 && pods.Items.All(p => p.Status?.Phase == "Running");
        }, Deadline, "the four low-priority pods run, two on each node");

        var seen = new ConcurrentQueue<(WatchEventType Type, V1Pod Pod)>();
        var initial = await Client.CoreV1.ListNamespacedPodAsync(ns);
        var watchCall = Client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(ns, watch: true, resourceVersion: initial.Metadata.ResourceVersion);

        var preemptor = await Client.CoreV1.CreateNamespacedPodAsync(Pod("high", "high-" + ns, cpu: "4"), ns);

#pragma warning disable CS0618 // the list-with-watch=true form is obsolete in the client but still widely used
        using var watcher = (await watchCall).Watch<V1Pod, V1PodList>((type, pod) => seen.Enqueue((type, pod)));
#pragma warning restore CS0618

        V1Pod bound = null!;
        await ServerFixture.WaitUntilAsync(async () =>
        {
            bound = await Client.CoreV1.ReadNamespacedPodAsync("high", ns);
            return bound.Status?.Phase == "Running";
        }, Deadline, "the high-priority pod is bound and runs");
        Assert.That(preemptor.Spec.Priority, Is.EqualTo(1000), "Priority admission resolved the class");

        var victims = seen.Where(e => e.Pod.Metadata.Name.StartsWith("low-", StringComparison.Ordinal) && e.Type == WatchEventType.Deleted)
            .Select(e => e.Pod).ToList();
        Assert.That(victims, Has.Count.EqualTo(1), "one 3-cpu victim frees enough of one node");
        var victim = victims[0];
        Assert.That(victim.Spec.NodeName, Is.EqualTo(bound.Spec.NodeName), "the preemptor lands where its victim ran");
        var marked = seen.Select(e => e.Pod).Where(p => p.Metadata.Name == victim.Metadata.Name)
            .SelectMany(p => p.Status?.Conditions ?? []).FirstOrDefault(c => c.Type == "DisruptionTarget");
        Assert.That(marked, Is.Not.Null, "the victim is marked before it is deleted");
        Assert.That((marked!.Status, marked.Reason, marked.Message), Is.EqualTo(("True", "PreemptionByScheduler", "default-scheduler: preempting to accommodate a higher priority pod")));
        Assert.That(seen.Where(e => e.Pod.Metadata.Name == "high").Select(e => e.Pod.Status?.NominatedNodeName), Does.Contain(bound.Spec.NodeName),
            "the preemptor is nominated to the node before it is bound");

        var remaining = await Client.CoreV1.ListNamespacedPodAsync(ns);
        Assert.That(remaining.Items.Count(p => p.Metadata.Name.StartsWith("low-", StringComparison.Ordinal)), Is.EqualTo(3));
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var events = await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=" + victim.Metadata.Name);
            return events.Items.Any(e => e.Reason == "Preempted" && e.Message == $"Preempted by pod {preemptor.Metadata.Uid} on node {bound.Spec.NodeName}");
        }, Deadline, "the victim has kube-scheduler's Preempted event");
    }

    [Test]
    public async Task NeverPreemptingClass_StaysPendingWithoutVictims()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass
        {
            Metadata = new V1ObjectMeta { Name = "polite-" + ns }, Value = 1_000_000, PreemptionPolicy = "Never",
        });

        await Client.CoreV1.CreateNamespacedPodAsync(Pod("polite", "polite-" + ns, cpu: "9"), ns);

        V1PodCondition? condition = null;
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var pod = await Client.CoreV1.ReadNamespacedPodAsync("polite", ns);
            condition = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
            return condition is { Status: "False" };
        }, Deadline, "the pod is marked unschedulable");
        Assert.That(condition!.Message, Does.EndWith("preemption: not eligible due to preemptionPolicy=Never."));
    }

    private static V1Pod Pod(string name, string priorityClass, string cpu) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            PriorityClassName = priorityClass,
            Containers = [new V1Container { Name = "main", Image = "nginx", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } } }],
        },
    };
}
