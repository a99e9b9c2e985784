using System.Text.Json.Nodes;
using Nautilus.Controllers.Deployments;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests.Deployments;

/// <summary>
/// The Deployment controller (with the ReplicaSet controller under it) against a real server,
/// driven the way users drive it: kubectl create, set image, rollout status/history/undo/pause/
/// resume/restart, scale. A stand-in kubelet makes pods Ready, since no node agent runs here.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class DeploymentControllerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    private ServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Deployment_CreatesReplicaSetNamedByTemplateHash_AndPods()
    {
        var ns = await _server.CreateNamespaceAsync("deploy");

        var d = await _server.Api.CreateAsync(WorkloadResources.Deployments, ns, Workloads.Deployment("web", 3, "web"));

        await ServerFixture.WaitUntilAsync(async () => (await _server.ReplicaSetsAsync(ns)).Count == 1, Deadline, () => "a ReplicaSet");
        var rs = (await _server.ReplicaSetsAsync(ns))[0];
        var hash = KubeObject.Labels(rs)?[PodTemplateHash.Label]?.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(hash, Does.Match("^[bcdfghjklmnpqrstvwxz2456789]{6,10}$"));
            Assert.That(KubeObject.Name(rs), Is.EqualTo("web-" + hash));
            Assert.That(KubeObject.ControllerOf(rs), Is.EqualTo(new ControllerReference("apps/v1", "Deployment", "web", KubeObject.Uid(d), true, true)));
            Assert.That(KubeObject.Annotation(rs, DeploymentController.RevisionAnnotation), Is.EqualTo("1"));
            Assert.That(KubeObject.Annotation(rs, DeploymentController.DesiredReplicasAnnotation), Is.EqualTo("3"));
            Assert.That(KubeObject.Annotation(rs, DeploymentController.MaxReplicasAnnotation), Is.EqualTo("4"));
            Assert.That(rs["spec"]?["selector"]?["matchLabels"]?[PodTemplateHash.Label]?.GetValue<string>(), Is.EqualTo(hash));
        });
        await ServerFixture.WaitUntilAsync(async () => (await _server.PodsAsync(ns)).Count == 3, Deadline, () => "3 pods");
        Assert.That((await _server.PodsAsync(ns)).Select(p => KubeObject.Labels(p)?[PodTemplateHash.Label]?.GetValue<string>()), Is.All.EqualTo(hash));

        await ServerFixture.WaitUntilAsync(async () => (await _server.EventsAsync(ns, "ScalingReplicaSet")).Count == 1, Deadline, () => "a ScalingReplicaSet event");
        var scaling = (await _server.EventsAsync(ns, "ScalingReplicaSet"))[0];
        Assert.That(KubeObject.String(scaling, "message"), Is.EqualTo($"Scaled up replica set web-{hash} from 0 to 3"));
        Assert.That(KubeObject.String(scaling["source"] as JsonObject, "component"), Is.EqualTo("deployment-controller"));

        await ServerFixture.WaitUntilAsync(
            async () => KubeObject.Annotation(await _server.Api.GetAsync(WorkloadResources.Deployments, ns, "web"), DeploymentController.RevisionAnnotation) == "1",
            Deadline,
            () => "the Deployment's revision annotation");
    }

    [Test]
    public async Task SetImage_RollsToNewReplicaSet_AndRolloutStatusCompletes()
    {
        var ns = await _server.CreateNamespaceAsync("deploy");
        await using var kubelet = _server.StartKubelet(ns);
        await _server.Api.CreateAsync(WorkloadResources.Deployments, ns, Workloads.Deployment("web", 3, "web"));
        var first = await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        Assert.That(first.Stdout, Does.Contain("deployment \"web\" successfully rolled out"));

        var set = await _server.Kubectl("-n", ns, "set", "image", "deployment/web", "app=nginx:1.27");
        Assert.That(set.ExitCode, Is.Zero, set.ToString());
        var status = await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");

        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        Assert.That(status.Stdout, Does.Contain("deployment \"web\" successfully rolled out"));
        var rss = await _server.ReplicaSetsAsync(ns);
        Assert.That(rss, Has.Count.EqualTo(2));
        var newRs = rss.Single(rs => KubeObject.Annotation(rs, DeploymentController.RevisionAnnotation) == "2");
        var oldRs = rss.Single(rs => KubeObject.Annotation(rs, DeploymentController.RevisionAnnotation) == "1");
        Assert.Multiple(() =>
        {
            Assert.That(KubeObject.Int(newRs["spec"] as JsonObject, "replicas"), Is.EqualTo(3));
            Assert.That(KubeObject.Int(oldRs["spec"] as JsonObject, "replicas"), Is.Zero);
            Assert.That(newRs["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]?.GetValue<string>(), Is.EqualTo("nginx:1.27"));
        });
        var pods = (await _server.PodsAsync(ns)).Active();
        Assert.That(pods.Select(p => p["spec"]?["containers"]?[0]?["image"]?.GetValue<string>()), Is.All.EqualTo("nginx:1.27"));
        var d = await _server.Api.GetAsync(WorkloadResources.Deployments, ns, "web");
        var conditions = d["status"]?["conditions"] as JsonArray;
        Assert.That(conditions?.Select(c => $"{c?["type"]}={c?["status"]}/{c?["reason"]}"), Is.EquivalentTo(new[]
        {
            "Available=True/MinimumReplicasAvailable",
            "Progressing=True/NewReplicaSetAvailable",
        }));
        var messages = (await _server.EventsAsync(ns, "ScalingReplicaSet")).Select(e => KubeObject.String(e, "message")).ToList();
        Assert.That(messages, Has.Some.Match($"^Scaled up replica set {KubeObject.Name(newRs)} from 0 to 1$"));
        Assert.That(messages, Has.Some.Match($"^Scaled down replica set {KubeObject.Name(oldRs)} from \\d to 0$"));
    }

    [Test]
    public async Task RolloutUndo_ReturnsToThePreviousTemplate_AsANewRevision()
    {
        var ns = await _server.CreateNamespaceAsync("deploy");
        await using var kubelet = _server.StartKubelet(ns);
        await _server.Api.CreateAsync(WorkloadResources.Deployments, ns, Workloads.Deployment("web", 2, "web"));
        Assert.That((await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s")).ExitCode, Is.Zero);
        Assert.That((await _server.Kubectl("-n", ns, "set", "image", "deployment/web", "app=nginx:1.27")).ExitCode, Is.Zero);
        Assert.That((await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s")).ExitCode, Is.Zero);
        var history = await _server.Kubectl("-n", ns, "rollout", "history", "deployment/web");
        Assert.That(history.ExitCode, Is.Zero, history.ToString());
        Assert.That(history.Stdout, Does.Match("(?m)^1 ").And.Match("(?m)^2 "), history.ToString());

        var undo = await _server.Kubectl("-n", ns, "rollout", "undo", "deployment/web");
        Assert.That(undo.ExitCode, Is.Zero, undo.ToString());
        var status = await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");

        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        var d = await _server.Api.GetAsync(WorkloadResources.Deployments, ns, "web");
        Assert.That(d["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]?.GetValue<string>(), Is.EqualTo("nginx:1.25"));
        var rss = await _server.ReplicaSetsAsync(ns);
        Assert.That(rss, Has.Count.EqualTo(2), "the old ReplicaSet comes back; no third one");
        var current = rss.Single(rs => KubeObject.Int(rs["spec"] as JsonObject, "replicas") == 2);
        Assert.Multiple(() =>
        {
            Assert.That(current["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]?.GetValue<string>(), Is.EqualTo("nginx:1.25"));
            Assert.That(KubeObject.Annotation(current, DeploymentController.RevisionAnnotation), Is.EqualTo("3"));
            Assert.That(KubeObject.Annotation(current, DeploymentController.RevisionHistoryAnnotation), Is.EqualTo("1"));
        });
        await ServerFixture.WaitUntilAsync(
            async () => KubeObject.Annotation(await _server.Api.GetAsync(WorkloadResources.Deployments, ns, "web"), DeploymentController.RevisionAnnotation) == "3",
            Deadline,
            () => "the Deployment at revision 3");
        var after = await _server.Kubectl("-n", ns, "rollout", "history", "deployment/web");
        Assert.That(after.Stdout, Does.Match("(?m)^2 ").And.Match("(?m)^3 ").And.Not.Match("(?m)^1 "), after.ToString());
    }

    [Test]
    public async Task PausedDeployment_DoesNotRoll_UntilResumed()
    {
        var ns = await _server.CreateNamespaceAsync("deploy");
        await using var kubelet = _server.StartKubelet(ns);
        await _server.Api.CreateAsync(WorkloadResources.Deployments, ns, Workloads.Deployment("web", 2, "web"));
        Assert.That((await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s")).ExitCode, Is.Zero);

        var pause = await _server.Kubectl("-n", ns, "rollout", "pause", "deployment/web");
        Assert.That(pause.ExitCode, Is.Zero, pause.ToString());
        Assert.That((await _server.Kubectl("-n", ns, "set", "image", "deployment/web", "app=nginx:1.27")).ExitCode, Is.Zero);

        await ServerFixture.WaitUntilAsync(
            async () =>
            {
                var d = await _server.Api.GetAsync(WorkloadResources.Deployments, ns, "web");
                return KubeObject.Int(d["status"] as JsonObject, "observedGeneration") >= KubeObject.Generation(d)
                    && (d["status"]?["conditions"] as JsonArray)?.Any(c => c?["reason"]?.GetValue<string>() == DeploymentController.PausedReason) == true;
            },
            Deadline,
            () => "the pause observed (Progressing Unknown/DeploymentPaused)");
        Assert.That(await _server.ReplicaSetsAsync(ns), Has.Count.EqualTo(1), "no new ReplicaSet while paused");

        var resume = await _server.Kubectl("-n", ns, "rollout", "resume", "deployment/web");
        Assert.That(resume.ExitCode, Is.Zero, resume.ToString());
        var status = await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");

        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        Assert.That(await _server.ReplicaSetsAsync(ns), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task HashCollision_BumpsCollisionCount_AndNamesTheNewReplicaSetByTheNextHash()
    {
        var ns = await _server.CreateNamespaceAsync("deploy");
        var deployment = Workloads.Deployment("web", 1, "web");
        ((JsonObject)deployment["spec"]!)["paused"] = true;
        var created = await _server.Api.CreateAsync(WorkloadResources.Deployments, ns, deployment);
        var template = (JsonObject)created["spec"]!["template"]!;
        var squatterName = "web-" + PodTemplateHash.Compute(template, null);
        await _server.Api.CreateAsync(WorkloadResources.ReplicaSets, ns, Workloads.ReplicaSet(squatterName, 0, "other"));

        var resume = await _server.Kubectl("-n", ns, "rollout", "resume", "deployment/web");

        Assert.That(resume.ExitCode, Is.Zero, resume.ToString());
        var expectedName = "web-" + PodTemplateHash.Compute(template, 1);
        await ServerFixture.WaitUntilAsync(
            async () => (await _server.ReplicaSetsAsync(ns)).Any(rs => KubeObject.Name(rs) == expectedName),
            Deadline,
            () => "a ReplicaSet named " + expectedName);
        var d = await _server.Api.GetAsync(WorkloadResources.Deployments, ns, "web");
        var replicaSets = await _server.ReplicaSetsAsync(ns);
        var squatter = replicaSets.Single(rs => KubeObject.Name(rs) == squatterName);
        var newRs = replicaSets.Single(rs => KubeObject.Name(rs) == expectedName);
        Assert.Multiple(() =>
        {
            Assert.That(KubeObject.Int(d["status"] as JsonObject, "collisionCount"), Is.EqualTo(1));
            Assert.That(KubeObject.ControllerOf(squatter), Is.Null, "the colliding ReplicaSet is left alone");
            Assert.That(KubeObject.ControllerOf(newRs)?.Uid, Is.EqualTo(KubeObject.Uid(d)));
            Assert.That(KubeObject.Labels(newRs)?[PodTemplateHash.Label]?.GetValue<string>(), Is.EqualTo(PodTemplateHash.Compute(template, 1)));
        });
    }

    [Test]
    public async Task RolloutRestart_CreatesANewReplicaSet()
    {
        var ns = await _server.CreateNamespaceAsync("deploy");
        await using var kubelet = _server.StartKubelet(ns);
        await _server.Api.CreateAsync(WorkloadResources.Deployments, ns, Workloads.Deployment("web", 2, "web"));
        Assert.That((await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s")).ExitCode, Is.Zero);

        var restart = await _server.Kubectl("-n", ns, "rollout", "restart", "deployment/web");
        Assert.That(restart.ExitCode, Is.Zero, restart.ToString());
        var status = await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");

        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        var rss = await _server.ReplicaSetsAsync(ns);
        Assert.That(rss, Has.Count.EqualTo(2));
        var newRs = rss.Single(rs => KubeObject.Int(rs["spec"] as JsonObject, "replicas") == 2);
        Assert.That(newRs["spec"]?["template"]?["metadata"]?["annotations"]?["kubectl.kubernetes.io/restartedAt"], Is.Not.Null);
    }

    [Test]
    public async Task Recreate_ScalesTheOldReplicaSetDownBeforeTheNewOneUp()
    {
        var ns = await _server.CreateNamespaceAsync("deploy");
        await using var kubelet = _server.StartKubelet(ns);
        await _server.Api.CreateAsync(WorkloadResources.Deployments, ns, Workloads.Deployment("web", 2, "web", strategy: "Recreate"));
        Assert.That((await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s")).ExitCode, Is.Zero);

        Assert.That((await _server.Kubectl("-n", ns, "set", "image", "deployment/web", "app=nginx:1.27")).ExitCode, Is.Zero);
        var status = await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");

        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        var messages = (await _server.EventsAsync(ns, "ScalingReplicaSet"))
            .OrderBy(e => KubeObject.String(e, "firstTimestamp"), StringComparer.Ordinal).ThenBy(e => KubeObject.Name(e), StringComparer.Ordinal)
            .Select(e => KubeObject.String(e, "message")).ToList();
        Assert.That(messages, Has.Count.EqualTo(3), string.Join("\n", messages));
        Assert.That(messages[1], Does.StartWith("Scaled down replica set").And.EndWith("from 2 to 0"));
        Assert.That(messages[2], Does.StartWith("Scaled up replica set").And.EndWith("from 0 to 2"));
    }

    [Test]
    public async Task KubectlScale_ResizesTheReplicaSet()
    {
        var ns = await _server.CreateNamespaceAsync("deploy");
        await using var kubelet = _server.StartKubelet(ns);
        await _server.Api.CreateAsync(WorkloadResources.Deployments, ns, Workloads.Deployment("web", 2, "web"));
        Assert.That((await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s")).ExitCode, Is.Zero);

        var scale = await _server.Kubectl("-n", ns, "scale", "deployment/web", "--replicas=5");
        Assert.That(scale.ExitCode, Is.Zero, scale.ToString());
        var status = await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");

        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        var rs = (await _server.ReplicaSetsAsync(ns)).Single();
        Assert.That(KubeObject.Int(rs["spec"] as JsonObject, "replicas"), Is.EqualTo(5));
        Assert.That(KubeObject.Annotation(rs, DeploymentController.DesiredReplicasAnnotation), Is.EqualTo("5"));
        Assert.That((await _server.PodsAsync(ns)).Active(), Has.Count.EqualTo(5));
    }
    [Test]
    public async Task NoProgress_PastTheDeadline_FailsTheRollout()
    {
        var ns = await _server.CreateNamespaceAsync("deploy");
        var d = Workloads.Deployment("web", 2, "web");
        ((JsonObject)d["spec"]!)["progressDeadlineSeconds"] = 2;

        await _server.Api.CreateAsync(WorkloadResources.Deployments, ns, d);
        var status = await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");

        Assert.That(status.ExitCode, Is.Not.Zero, status.ToString());
        Assert.That(status.Stderr, Does.Contain("exceeded its progress deadline"));
        var stored = await _server.Api.GetAsync(WorkloadResources.Deployments, ns, "web");
        var progressing = (stored["status"]?["conditions"] as JsonArray)?.Single(c => c?["type"]?.GetValue<string>() == "Progressing");
        Assert.That(progressing?["status"]?.GetValue<string>(), Is.EqualTo("False"));
        Assert.That(progressing?["reason"]?.GetValue<string>(), Is.EqualTo(DeploymentController.TimedOutReason));
    }

    [Test]
    public async Task RevisionHistoryLimit_DeletesTheOldestReplicaSets()
    {
        var ns = await _server.CreateNamespaceAsync("deploy");
        await using var kubelet = _server.StartKubelet(ns);
        var d = Workloads.Deployment("web", 1, "web");
        ((JsonObject)d["spec"]!)["revisionHistoryLimit"] = 1;
        await _server.Api.CreateAsync(WorkloadResources.Deployments, ns, d);
        Assert.That((await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s")).ExitCode, Is.Zero);

        foreach (var image in new[] { "nginx:1.26", "nginx:1.27" })
        {
            Assert.That((await _server.Kubectl("-n", ns, "set", "image", "deployment/web", "app=" + image)).ExitCode, Is.Zero);
            Assert.That((await _server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s")).ExitCode, Is.Zero);
        }

        await ServerFixture.WaitUntilAsync(async () => (await _server.ReplicaSetsAsync(ns)).Count == 2, Deadline, () => "the current and one old ReplicaSet");
        var revisions = (await _server.ReplicaSetsAsync(ns)).Select(rs => KubeObject.Annotation(rs, DeploymentController.RevisionAnnotation));
        Assert.That(revisions, Is.EquivalentTo(new[] { "2", "3" }));
    }
}
