using System.Text.Json.Nodes;
using Nautilus.Agent.Internal;

namespace Nautilus.Agent.Tests;

public class PodLifecycleTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private ManualTimeProvider _time = null!;
    private SimulatedNode _node = null!;
    private PodLifecycle _lifecycle = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTimeProvider(Start);
        _node = SimulatedNode.Create(new AgentOptions { Nodes = 2, NamePrefix = "n" })[1];
        _node.AssignPodCidr("10.128.1.0/24");
        var nodes = new Dictionary<string, SimulatedNode> { [_node.Name] = _node };
        _lifecycle = new PodLifecycle(nodes, new PodTimings(TimeSpan.FromSeconds(2), RunDuration: null, StopDelay: TimeSpan.FromSeconds(1)), _time);
    }

    [Test]
    public void NewPod_ReportsPendingWithIpThenRunningAfterStartDelay()
    {
        _lifecycle.Upsert(Pod("web", "uid-1"));
        var pending = _lifecycle.Advance();

        Assert.That(pending, Has.Count.EqualTo(1));
        var status = pending[0].Status!;
        Assert.Multiple(() =>
        {
            Assert.That(Str(status, "phase"), Is.EqualTo("Pending"));
            Assert.That(Str(status, "podIP"), Does.StartWith("10.128.1."));
            Assert.That(Str(status, "hostIP"), Is.EqualTo(_node.HostIp));
            Assert.That(Condition(status, "Ready"), Is.EqualTo("False"));
            Assert.That(status["containerStatuses"]![0]!["state"]!["waiting"]!["reason"]!.GetValue<string>(), Is.EqualTo("ContainerCreating"));
        });

        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.That(_lifecycle.Advance(), Is.Empty, "still creating containers");

        _time.Advance(TimeSpan.FromSeconds(0.1));
        var running = _lifecycle.Advance();
        Assert.That(running, Has.Count.EqualTo(1));
        var runningStatus = running[0].Status!;
        var container = (JsonObject)runningStatus["containerStatuses"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(Str(runningStatus, "phase"), Is.EqualTo("Running"));
            Assert.That(Str(runningStatus, "podIP"), Is.EqualTo(Str(status, "podIP")));
            Assert.That(Str(runningStatus, "startTime"), Is.EqualTo("2025-01-01T12:00:00Z"));
            foreach (var type in (string[])["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"])
            {
                Assert.That(Condition(runningStatus, type), Is.EqualTo("True"), type);
            }

            Assert.That(container["ready"]!.GetValue<bool>(), Is.True);
            Assert.That(container["started"]!.GetValue<bool>(), Is.True);
            Assert.That(container["restartCount"]!.GetValue<int>(), Is.Zero);
            Assert.That(Str(container, "image"), Is.EqualTo("docker.io/library/nginx:latest"));
            Assert.That(Str(container, "imageID"), Does.StartWith("docker.io/library/nginx@sha256:"));
            Assert.That(Str(container, "containerID"), Does.StartWith("nautilus://"));
            Assert.That(container["state"]!["running"]!["startedAt"]!.GetValue<string>(), Is.EqualTo("2025-01-01T12:00:02Z"));
        });
    }

    [Test]
    public void PodOnANodeWithoutPodCidr_WaitsWithoutIpUntilTheNetworkIsReady()
    {
        var node = SimulatedNode.Create(new AgentOptions { Nodes = 1, NamePrefix = "bare" })[0];
        var lifecycle = new PodLifecycle(new Dictionary<string, SimulatedNode> { [node.Name] = node }, new PodTimings(TimeSpan.FromSeconds(2), null, TimeSpan.Zero), _time);
        lifecycle.Upsert(Pod("web", "uid-1", node: node.Name));
        lifecycle.Advance();
        _time.Advance(TimeSpan.FromSeconds(5));

        var waiting = lifecycle.Advance().Single().Status!;
        Assert.Multiple(() =>
        {
            Assert.That(Str(waiting, "phase"), Is.EqualTo("Pending"));
            Assert.That(waiting["podIP"], Is.Null);
            Assert.That(lifecycle.NextDue, Is.Null, "nothing to do until the pod CIDR arrives");
        });

        node.AssignPodCidr("10.244.7.0/24");
        lifecycle.NetworkReady(node);
        var running = lifecycle.Advance().Single().Status!;

        Assert.Multiple(() =>
        {
            Assert.That(Str(running, "phase"), Is.EqualTo("Running"));
            Assert.That(Str(running, "podIP"), Is.EqualTo("10.244.7.2"));
        });
    }

    [Test]
    public void ZeroStartDelay_GoesStraightToRunning()
    {
        _lifecycle.Upsert(Pod("web", "uid-1", annotations: new() { ["nautilus.io/start-delay"] = "0s" }));

        var actions = _lifecycle.Advance();

        Assert.That(actions, Has.Count.EqualTo(1));
        Assert.That(Str(actions[0].Status!, "phase"), Is.EqualTo("Running"));
    }

    [TestCase("Never", "0", "Succeeded", "Completed")]
    [TestCase("Never", "3", "Failed", "Error")]
    [TestCase("OnFailure", "0", "Succeeded", "Completed")]
    public void RunToCompletionPod_TerminatesAfterRunDuration(string restartPolicy, string exitCode, string phase, string reason)
    {
        _lifecycle.Upsert(Pod("job", "uid-1", restartPolicy: restartPolicy, annotations: new() { ["nautilus.io/run-duration"] = "5s", ["nautilus.io/exit-code"] = exitCode }));
        _lifecycle.Advance();
        _time.Advance(TimeSpan.FromSeconds(2));
        _lifecycle.Advance();

        _time.Advance(TimeSpan.FromSeconds(5));
        var actions = _lifecycle.Advance();

        Assert.That(actions, Has.Count.EqualTo(1));
        var status = actions[0].Status!;
        var terminated = status["containerStatuses"]![0]!["state"]!["terminated"]!;
        Assert.Multiple(() =>
        {
            Assert.That(Str(status, "phase"), Is.EqualTo(phase));
            Assert.That(Condition(status, "Ready"), Is.EqualTo("False"));
            Assert.That(terminated["exitCode"]!.GetValue<int>(), Is.EqualTo(int.Parse(exitCode, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(terminated["reason"]!.GetValue<string>(), Is.EqualTo(reason));
            Assert.That(_node.AllocatedIps, Is.Zero, "a finished pod's sandbox gives its IP back");
        });
    }

    [Test]
    public void RestartPolicyAlways_WithoutRunDurationAnnotation_RunsForeverEvenWithDefaultRunDuration()
    {
        var lifecycle = new PodLifecycle(new Dictionary<string, SimulatedNode> { [_node.Name] = _node }, new PodTimings(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.Zero), _time);
        lifecycle.Upsert(Pod("web", "uid-1"));
        lifecycle.Advance();
        _time.Advance(TimeSpan.FromSeconds(2));
        lifecycle.Advance();

        _time.Advance(TimeSpan.FromHours(1));

        Assert.Multiple(() =>
        {
            Assert.That(lifecycle.Advance(), Is.Empty);
            Assert.That(lifecycle.NextDue, Is.Null);
        });
    }

    [TestCase("Always", "0", "Completed")]
    [TestCase("Always", "1", "Error")]
    [TestCase("OnFailure", "137", "Error")]
    public void ExitingContainer_RestartsAtOnceThenWithDoublingBackOffInCrashLoopBackOff(string restartPolicy, string exitCode, string reason)
    {
        // Starts at 12:00:02 and exits every 5 s of running.
        _lifecycle.Upsert(Pod("web", "uid-1", restartPolicy: restartPolicy, annotations: new() { ["nautilus.io/run-duration"] = "5s", ["nautilus.io/exit-code"] = exitCode }));
        _lifecycle.Advance();
        _time.Advance(TimeSpan.FromSeconds(2));
        var first = Container(_lifecycle.Advance().Single().Status!);

        _time.Advance(TimeSpan.FromSeconds(5));
        var restarted = _lifecycle.Advance().Single().Status!;
        var container = Container(restarted);
        var last = container["lastState"]!["terminated"]!;
        Assert.Multiple(() =>
        {
            Assert.That(Str(restarted, "phase"), Is.EqualTo("Running"));
            Assert.That(Condition(restarted, "Ready"), Is.EqualTo("True"), "the first exit restarts at once");
            Assert.That(container["restartCount"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(container["state"]!["running"]!["startedAt"]!.GetValue<string>(), Is.EqualTo("2025-01-01T12:00:07Z"));
            Assert.That(last["exitCode"]!.GetValue<int>(), Is.EqualTo(int.Parse(exitCode, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(Str(last, "reason"), Is.EqualTo(reason));
            Assert.That(Str(last, "startedAt"), Is.EqualTo("2025-01-01T12:00:02Z"));
            Assert.That(Str(last, "finishedAt"), Is.EqualTo("2025-01-01T12:00:07Z"));
            Assert.That(Str(last, "containerID"), Is.EqualTo(Str(first, "containerID")), "lastState is the exited instance");
            Assert.That(Str(container, "containerID"), Is.Not.EqualTo(Str(first, "containerID")), "a restart is a new container");
        });

        // Later exits wait out kubelet's back-off: 10 s, 20 s, 40 s, ... capped at 5 min.
        var restarts = 1;
        foreach (var backOff in (string[])["10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s"])
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            var waiting = _lifecycle.Advance().Single().Status!;
            var crashed = Container(waiting);
            Assert.Multiple(() =>
            {
                Assert.That(Str(waiting, "phase"), Is.EqualTo("Running"));
                Assert.That(Condition(waiting, "Ready"), Is.EqualTo("False"));
                Assert.That(crashed["ready"]!.GetValue<bool>(), Is.False);
                Assert.That(crashed["restartCount"]!.GetValue<int>(), Is.EqualTo(restarts));
                Assert.That(Str(crashed["state"]!["waiting"]!, "reason"), Is.EqualTo("CrashLoopBackOff"));
                Assert.That(Str(crashed["state"]!["waiting"]!, "message"), Is.EqualTo($"back-off {backOff} restarting failed container=web pod=web_default(uid-1)"));
                Assert.That(Str(crashed["lastState"]!["terminated"]!, "reason"), Is.EqualTo(reason));
                Assert.That(_node.AllocatedIps, Is.EqualTo(1), "the sandbox keeps its IP while the containers restart");
            });

            var wait = Durations.TryParse(backOff, out var parsed) ? parsed : throw new FormatException(backOff);
            _time.Advance(wait - TimeSpan.FromMilliseconds(1));
            Assert.That(_lifecycle.Advance(), Is.Empty, "still backing off");
            _time.Advance(TimeSpan.FromMilliseconds(1));
            restarts++;
            Assert.That(Container(_lifecycle.Advance().Single().Status!)["restartCount"]!.GetValue<int>(), Is.EqualTo(restarts));
        }
    }

    [Test]
    public void ContainerThatRanLongerThanTwiceTheMaxBackOff_RestartsAtOnce()
    {
        _lifecycle.Upsert(Pod("web", "uid-1", annotations: new() { ["nautilus.io/run-duration"] = "11m", ["nautilus.io/exit-code"] = "1" }));
        _lifecycle.Advance();
        _time.Advance(TimeSpan.FromSeconds(2));
        _lifecycle.Advance();

        for (var restarts = 1; restarts <= 3; restarts++)
        {
            _time.Advance(TimeSpan.FromMinutes(11));
            var container = Container(_lifecycle.Advance().Single().Status!);
            Assert.That(container["state"]!["running"], Is.Not.Null, $"exit {restarts}: the back-off was reset by 11 min of running");
            Assert.That(container["restartCount"]!.GetValue<int>(), Is.EqualTo(restarts));
        }
    }

    [Test]
    public void CrashLoopingPodFoundByARestartedAgent_RestartsAtOnceKeepingItsCount()
    {
        var node = SimulatedNode.Create(new AgentOptions { Nodes = 2, NamePrefix = "n" })[1];
        node.AssignPodCidr("10.128.1.0/24");
        var status = new JsonObject
        {
            ["phase"] = "Running",
            ["podIP"] = "10.128.1.9",
            ["startTime"] = "2025-01-01T11:00:00Z",
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "web",
                ["restartCount"] = 4,
                ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "CrashLoopBackOff" } },
                ["lastState"] = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 2, ["startedAt"] = "2025-01-01T11:58:00Z", ["finishedAt"] = "2025-01-01T11:59:00Z" } },
            }),
        };
        var restarted = new PodLifecycle(new Dictionary<string, SimulatedNode> { [node.Name] = node }, new PodTimings(TimeSpan.FromSeconds(2), null, TimeSpan.Zero), _time);

        restarted.Upsert(Pod("web", "uid-1", node: node.Name, status: status));
        var container = Container(restarted.Advance().Single().Status!);

        Assert.Multiple(() =>
        {
            Assert.That(container["state"]!["running"], Is.Not.Null);
            Assert.That(container["restartCount"]!.GetValue<int>(), Is.EqualTo(5));
            Assert.That(container["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(Str(container["lastState"]!["terminated"]!, "finishedAt"), Is.EqualTo("2025-01-01T11:59:00Z"));
        });
    }

    [TestCase(0.5, "500ms")]
    [TestCase(10, "10s")]
    [TestCase(80, "1m20s")]
    [TestCase(300, "5m0s")]
    [TestCase(1.5, "1.5s")]
    [TestCase(3600, "1h0m0s")]
    public void BackOff_IsPrintedAsGoPrintsADuration(double seconds, string expected) =>
        Assert.That(PodStatuses.GoDuration(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));

    [Test]
    public void DeletedPod_ConfirmsAfterStopDelayCappedByGrace()
    {
        _lifecycle.Upsert(Pod("web", "uid-1"));
        _lifecycle.Advance();
        _time.Advance(TimeSpan.FromSeconds(2));
        _lifecycle.Advance();

        _lifecycle.Upsert(Pod("web", "uid-1", deletionGraceSeconds: 30));
        Assert.That(_lifecycle.Advance(), Is.Empty, "containers still stopping");
        _time.Advance(TimeSpan.FromSeconds(1));
        var actions = _lifecycle.Advance();

        Assert.That(actions, Is.EqualTo(new[] { new PodAction(PodActionKind.ConfirmDeletion, "default", "web", "uid-1") }));
        Assert.That(_node.AllocatedIps, Is.Zero);
    }

    [Test]
    public void DeletedPodWithZeroGrace_ConfirmsAtOnce()
    {
        _lifecycle.Upsert(Pod("web", "uid-1"));
        _lifecycle.Advance();

        _lifecycle.Upsert(Pod("web", "uid-1", deletionGraceSeconds: 0));
        var actions = _lifecycle.Advance();

        Assert.That(actions.Select(a => a.Kind), Is.EqualTo(new[] { PodActionKind.ConfirmDeletion }));
    }

    [Test]
    public void RunningPodFoundAfterRestart_IsAdoptedWithoutWritesAndKeepsItsIp()
    {
        _lifecycle.Upsert(Pod("web", "uid-1"));
        _lifecycle.Advance();
        _time.Advance(TimeSpan.FromSeconds(2));
        var running = _lifecycle.Advance()[0].Status!;

        // A new agent process: same node, empty state, the pod as the server holds it.
        var node = SimulatedNode.Create(new AgentOptions { Nodes = 2, NamePrefix = "n" })[1];
        node.AssignPodCidr("10.128.1.0/24");
        var restarted = new PodLifecycle(new Dictionary<string, SimulatedNode> { [node.Name] = node }, new PodTimings(TimeSpan.FromSeconds(2), null, TimeSpan.Zero), _time);
        restarted.BeginInitialSet();
        restarted.Upsert(Pod("web", "uid-1", status: running));
        restarted.EndInitialSet();
        restarted.Upsert(Pod("other", "uid-2"));
        var actions = restarted.Advance();

        Assert.Multiple(() =>
        {
            Assert.That(actions.Select(a => a.Name), Is.EqualTo(new[] { "other" }), "the running pod needs no write");
            Assert.That(node.AllocatedIps, Is.EqualTo(2));
            Assert.That(Str(actions[0].Status!, "podIP"), Is.Not.EqualTo(Str(running, "podIP")), "the adopted pod's IP is taken");
        });
    }

    [Test]
    public void InitialSet_ForgetsPodsThatAreGoneAndFreesTheirIps()
    {
        _lifecycle.Upsert(Pod("kept", "uid-1"));
        _lifecycle.Upsert(Pod("gone", "uid-2"));
        _lifecycle.Advance();
        Assert.That(_node.AllocatedIps, Is.EqualTo(2));

        _lifecycle.BeginInitialSet();
        _lifecycle.Upsert(Pod("kept", "uid-1"));
        _lifecycle.EndInitialSet();

        Assert.Multiple(() =>
        {
            Assert.That(_lifecycle.Count, Is.EqualTo(1));
            Assert.That(_lifecycle.TryGet("default", "gone", out _), Is.False);
            Assert.That(_node.AllocatedIps, Is.EqualTo(1));
        });
    }

    [Test]
    public void SameEventTwice_WritesOnce()
    {
        var pod = Pod("web", "uid-1");
        _lifecycle.Upsert(pod);
        _lifecycle.Upsert(pod);

        Assert.That(_lifecycle.Advance(), Has.Count.EqualTo(1));
    }

    [Test]
    public void PodOnAnotherNode_IsIgnored()
    {
        _lifecycle.Upsert(Pod("web", "uid-1", node: "elsewhere"));

        Assert.Multiple(() =>
        {
            Assert.That(_lifecycle.Advance(), Is.Empty);
            Assert.That(_lifecycle.Count, Is.Zero);
        });
    }

    [Test]
    public void DeletedEvent_FreesTheIp()
    {
        _lifecycle.Upsert(Pod("web", "uid-1"));
        _lifecycle.Advance();

        _lifecycle.Delete(Pod("web", "uid-1"));

        Assert.Multiple(() =>
        {
            Assert.That(_node.AllocatedIps, Is.Zero);
            Assert.That(_lifecycle.Count, Is.Zero);
        });
    }

    private JsonObject Pod(string name, string uid, string? node = null, string restartPolicy = "Always", Dictionary<string, string>? annotations = null, long? deletionGraceSeconds = null, JsonObject? status = null)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = "default", ["uid"] = uid };
        if (annotations is not null)
        {
            var a = new JsonObject();
            foreach (var (k, v) in annotations)
            {
                a[k] = v;
            }

            metadata["annotations"] = a;
        }

        if (deletionGraceSeconds is { } grace)
        {
            metadata["deletionTimestamp"] = "2025-01-01T12:01:00Z";
            metadata["deletionGracePeriodSeconds"] = grace;
        }

        return new JsonObject
        {
            ["kind"] = "Pod",
            ["apiVersion"] = "v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["nodeName"] = node ?? _node.Name,
                ["restartPolicy"] = restartPolicy,
                ["containers"] = new JsonArray(new JsonObject { ["name"] = name, ["image"] = "nginx" }),
            },
            ["status"] = status?.DeepClone() ?? new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" },
        };
    }

    private static string? Str(JsonNode node, string name) => node[name]?.GetValue<string>();

    private static JsonObject Container(JsonObject status) => (JsonObject)status["containerStatuses"]![0]!;

    private static string? Condition(JsonObject status, string type) =>
        (status["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => Str(c, "type") == type) is { } c ? Str(c, "status") : null;
}
