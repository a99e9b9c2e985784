using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests.ReplicaSets;

/// <summary>The ReplicaSet controller against a real server: what a user sees through the API.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class ReplicaSetControllerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private ServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task ReplicaSetOfThree_GetsThreeOwnedPods()
    {
        var ns = await _server.CreateNamespaceAsync("rs");

        var rs = await _server.Api.CreateAsync(WorkloadResources.ReplicaSets, ns, Workloads.ReplicaSet("web", 3, "web"));

        await ServerFixture.WaitUntilAsync(async () => (await _server.PodsAsync(ns)).Count == 3, Deadline, () => "3 pods");
        var pods = await _server.PodsAsync(ns);
        foreach (var pod in pods)
        {
            Assert.That(KubeObject.Name(pod), Does.Match("^web-[a-z0-9]{5}$"));
            Assert.That(KubeObject.Labels(pod)?["app"]?.GetValue<string>(), Is.EqualTo("web"));
            var owner = KubeObject.ControllerOf(pod);
            Assert.That(owner, Is.EqualTo(new ControllerReference("apps/v1", "ReplicaSet", "web", KubeObject.Uid(rs), true, true)));
        }

        await ServerFixture.WaitUntilAsync(
            async () =>
            {
                var current = await _server.Api.GetAsync(WorkloadResources.ReplicaSets, ns, "web");
                var status = current["status"] as JsonObject;
                return KubeObject.Int(status, "replicas") == 3 && KubeObject.Int(status, "fullyLabeledReplicas") == 3 && KubeObject.Int(status, "observedGeneration") == 1;
            },
            Deadline,
            () => "status.replicas 3, fullyLabeledReplicas 3, observedGeneration 1");
        await ServerFixture.WaitUntilAsync(async () => (await _server.EventsAsync(ns, "SuccessfulCreate")).Count == 3, Deadline, () => "3 SuccessfulCreate events");
        var events = await _server.EventsAsync(ns, "SuccessfulCreate");
        Assert.That(events.Select(e => KubeObject.String(e, "message")), Is.EquivalentTo(pods.Select(p => "Created pod: " + KubeObject.Name(p))));
        var first = events[0];
        Assert.Multiple(() =>
        {
            Assert.That(KubeObject.Name(first), Does.Match("^web\\.[0-9a-f]+$"));
            Assert.That(KubeObject.String(first, "type"), Is.EqualTo("Normal"));
            Assert.That(KubeObject.String(first["source"] as JsonObject, "component"), Is.EqualTo("replicaset-controller"));
            Assert.That(KubeObject.String(first, "reportingComponent"), Is.EqualTo("replicaset-controller"));
            Assert.That(KubeObject.String(first["involvedObject"] as JsonObject, "kind"), Is.EqualTo("ReplicaSet"));
            Assert.That(KubeObject.String(first["involvedObject"] as JsonObject, "uid"), Is.EqualTo(KubeObject.Uid(rs)));
            Assert.That(KubeObject.Int(first, "count"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task DeletedPod_IsReplaced()
    {
        var ns = await _server.CreateNamespaceAsync("rs");
        await _server.Api.CreateAsync(WorkloadResources.ReplicaSets, ns, Workloads.ReplicaSet("web", 3, "web"));
        await ServerFixture.WaitUntilAsync(async () => (await _server.PodsAsync(ns)).Count == 3, Deadline, () => "3 pods");
        var victim = KubeObject.Name((await _server.PodsAsync(ns))[0]);

        await _server.Api.DeleteAsync(WorkloadResources.Pods, ns, victim);

        await ServerFixture.WaitUntilAsync(
            async () =>
            {
                var names = (await _server.PodsAsync(ns)).Active().Select(KubeObject.Name).ToList();
                return names.Count == 3 && !names.Contains(victim);
            },
            Deadline,
            () => "a replacement for " + victim);
    }

    [Test]
    public async Task ScaleToOne_DeletesTwoPods_NotReadyFirst()
    {
        var ns = await _server.CreateNamespaceAsync("rs");
        await _server.Api.CreateAsync(WorkloadResources.ReplicaSets, ns, Workloads.ReplicaSet("web", 3, "web"));
        await ServerFixture.WaitUntilAsync(async () => (await _server.PodsAsync(ns)).Count == 3, Deadline, () => "3 pods");
        var ready = (await _server.PodsAsync(ns))[1];
        await _server.MakeReadyAsync(ready);
        await ServerFixture.WaitUntilAsync(
            async () => KubeObject.Int((await _server.Api.GetAsync(WorkloadResources.ReplicaSets, ns, "web"))["status"] as JsonObject, "readyReplicas") == 1,
            Deadline,
            () => "readyReplicas 1");

        await _server.Api.PatchAsync(WorkloadResources.ReplicaSets, ns, "web", "application/merge-patch+json", new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 1 } });

        await ServerFixture.WaitUntilAsync(async () => (await _server.PodsAsync(ns)).Active().Count == 1, Deadline, () => "1 pod left");
        var left = (await _server.PodsAsync(ns)).Active();
        Assert.That(KubeObject.Name(left[0]), Is.EqualTo(KubeObject.Name(ready)), "the ready pod is kept, the not-ready ones go first");
        await ServerFixture.WaitUntilAsync(async () => (await _server.EventsAsync(ns, "SuccessfulDelete")).Count == 2, Deadline, () => "2 SuccessfulDelete events");
        await ServerFixture.WaitUntilAsync(
            async () =>
            {
                var status = (await _server.Api.GetAsync(WorkloadResources.ReplicaSets, ns, "web"))["status"] as JsonObject;
                return KubeObject.Int(status, "replicas") == 1 && KubeObject.Int(status, "observedGeneration") == 2;
            },
            Deadline,
            () => "status.replicas 1 at generation 2");
    }

    [Test]
    public async Task ScaleToTwenty_CreatesExactlyTwenty()
    {
        var ns = await _server.CreateNamespaceAsync("rs");

        await _server.Api.CreateAsync(WorkloadResources.ReplicaSets, ns, Workloads.ReplicaSet("big", 20, "big"));

        await ServerFixture.WaitUntilAsync(async () => (await _server.EventsAsync(ns, "SuccessfulCreate")).Count >= 20, Deadline, () => "20 SuccessfulCreate events");
        await ServerFixture.WaitUntilAsync(
            async () => KubeObject.Int((await _server.Api.GetAsync(WorkloadResources.ReplicaSets, ns, "big"))["status"] as JsonObject, "replicas") == 20,
            Deadline,
            () => "status.replicas 20");
        Assert.That(await _server.PodsAsync(ns), Has.Count.EqualTo(20));
        Assert.That(await _server.EventsAsync(ns, "SuccessfulCreate"), Has.Count.EqualTo(20), "never more creates than replicas");
        Assert.That(await _server.EventsAsync(ns, "SuccessfulDelete"), Is.Empty);
    }

    [Test]
    public async Task MatchingOrphan_IsAdopted_AndRelabelledPod_IsReleased()
    {
        var ns = await _server.CreateNamespaceAsync("rs");
        var orphan = Workloads.Template("web", "nginx:1.25");
        orphan["apiVersion"] = "v1";
        orphan["kind"] = "Pod";
        ((JsonObject)orphan["metadata"]!)["name"] = "orphan";
        await _server.Api.CreateAsync(WorkloadResources.Pods, ns, orphan);

        var rs = await _server.Api.CreateAsync(WorkloadResources.ReplicaSets, ns, Workloads.ReplicaSet("web", 2, "web"));

        await ServerFixture.WaitUntilAsync(
            async () => KubeObject.ControllerOf(await _server.Api.GetAsync(WorkloadResources.Pods, ns, "orphan"))?.Uid == KubeObject.Uid(rs),
            Deadline,
            () => "the orphan adopted");
        await ServerFixture.WaitUntilAsync(
            async () => KubeObject.Int((await _server.Api.GetAsync(WorkloadResources.ReplicaSets, ns, "web"))["status"] as JsonObject, "replicas") == 2,
            Deadline,
            () => "status.replicas 2");
        Assert.That(await _server.PodsAsync(ns), Has.Count.EqualTo(2), "one pod created, the orphan counted");

        await _server.Api.PatchAsync(WorkloadResources.Pods, ns, "orphan", "application/merge-patch+json", new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "other" } } });

        await ServerFixture.WaitUntilAsync(
            async () => KubeObject.ControllerOf(await _server.Api.GetAsync(WorkloadResources.Pods, ns, "orphan")) is null,
            Deadline,
            () => "the relabelled pod released");
        await ServerFixture.WaitUntilAsync(async () => (await _server.PodsAsync(ns, "app=web")).Count == 2, Deadline, () => "a replacement for the released pod");
    }

    [Test]
    public async Task ReadyPods_AreAvailableAfterMinReadySeconds()
    {
        var ns = await _server.CreateNamespaceAsync("rs");
        await _server.Api.CreateAsync(WorkloadResources.ReplicaSets, ns, Workloads.ReplicaSet("web", 2, "web", minReadySeconds: 5));
        await ServerFixture.WaitUntilAsync(async () => (await _server.PodsAsync(ns)).Count == 2, Deadline, () => "2 pods");

        foreach (var pod in await _server.PodsAsync(ns))
        {
            await _server.MakeReadyAsync(pod);
        }

        await ServerFixture.WaitUntilAsync(
            async () => KubeObject.Int((await _server.Api.GetAsync(WorkloadResources.ReplicaSets, ns, "web"))["status"] as JsonObject, "readyReplicas") == 2,
            Deadline,
            () => "readyReplicas 2");
        var status = (await _server.Api.GetAsync(WorkloadResources.ReplicaSets, ns, "web"))["status"] as JsonObject;
        Assert.That(KubeObject.Int(status, "availableReplicas"), Is.LessThan(2), "not available before minReadySeconds");
        await ServerFixture.WaitUntilAsync(
            async () => KubeObject.Int((await _server.Api.GetAsync(WorkloadResources.ReplicaSets, ns, "web"))["status"] as JsonObject, "availableReplicas") == 2,
            Deadline,
            () => "availableReplicas 2 once minReadySeconds passed");
    }
}
