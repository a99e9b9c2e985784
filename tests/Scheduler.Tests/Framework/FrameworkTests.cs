using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Tests.Framework;

public class FrameworkTests
{
    private sealed class Recorder(string name, List<string> log) : IReservePlugin, IPermitPlugin
    {
        public string Name => name;

        public Status Reserve(CycleState state, PodInfo pod, string nodeName)
        {
            log.Add("reserve " + name);
            return name == "fails" ? Status.Unschedulable("no") : default;
        }

        public void Unreserve(CycleState state, PodInfo pod, string nodeName) => log.Add("unreserve " + name);

        public Status Permit(CycleState state, PodInfo pod, string nodeName, out TimeSpan timeout)
        {
            timeout = TimeSpan.FromSeconds(5);
            return Status.New(StatusCode.Wait);
        }
    }

    [Test]
    public void Registry_DuplicateName_Rejected()
    {
        var registry = new Registry();
        registry.Register("X", _ => new Recorder("X", []));

        Assert.Throws<ArgumentException>(() => registry.Register("X", _ => new Recorder("X", [])));
    }

    [Test]
    public void Status_Default_IsSuccess()
    {
        Status status = default;

        Assert.Multiple(() =>
        {
            Assert.That(status.IsSuccess, Is.True);
            Assert.That(status.Reasons, Is.Empty);
        });
    }

    [Test]
    public void Reserve_FailureStopsChain_UnreserveRunsAllInReverse()
    {
        var log = new List<string>();
        var registry = new Registry();
        registry.Register("first", _ => new Recorder("first", log));
        registry.Register("fails", _ => new Recorder("fails", log));
        registry.Register("never", _ => new Recorder("never", log));
        var framework = new SchedulingFramework(new ProfileConfig { SchedulerName = "s", Plugins = [new("first"), new("fails"), new("never")] }, registry, new FrameworkHandle());
        var pod = T.Pod().Build();

        var status = framework.RunReserve(new CycleState(), pod, "n");
        framework.RunUnreserve(new CycleState(), pod, "n");

        Assert.Multiple(() =>
        {
            Assert.That(status.Plugin, Is.EqualTo("fails"));
            Assert.That(log, Is.EqualTo(new[] { "reserve first", "reserve fails", "unreserve never", "unreserve fails", "unreserve first" }));
        });
    }

    [Test]
    public async Task Permit_Wait_AllowedByEveryWaitingPlugin()
    {
        var registry = new Registry();
        registry.Register("gate", _ => new Recorder("gate", []));
        var time = new ManualTime();
        var framework = new SchedulingFramework(new ProfileConfig { SchedulerName = "s", Plugins = [new("gate")] }, registry, new FrameworkHandle { Time = time });
        var pod = T.Pod().Build();

        var permit = framework.RunPermit(new CycleState(), pod, "n");
        var wait = framework.WaitOnPermitAsync(pod, CancellationToken.None).AsTask();
        var waitingBeforeAllow = wait.IsCompleted;
        framework.GetWaitingPod(pod.Uid)!.Allow("gate");

        Assert.Multiple(async () =>
        {
            Assert.That(permit.IsWait, Is.True);
            Assert.That(waitingBeforeAllow, Is.False);
            Assert.That((await wait.WaitAsync(TimeSpan.FromSeconds(10))).IsSuccess, Is.True);
        });
    }

    [Test]
    public void FitError_SortsHistogramAsStrings()
    {
        var statuses = new Dictionary<string, Status>
        {
            ["a"] = Status.Unschedulable("Insufficient cpu"),
            ["b"] = Status.Unschedulable("Insufficient cpu", "Insufficient memory"),
            ["c"] = Status.Unresolvable("node(s) were unschedulable"),
        };
        for (var i = 0; i < 10; i++)
        {
            statuses["t" + i] = Status.Unresolvable("node(s) had untolerated taint {k: v}");
        }

        var message = FitError.Message(13, null, statuses, "preemption: x.");

        Assert.That(message, Is.EqualTo("0/13 nodes are available: 1 Insufficient memory, 1 node(s) were unschedulable, 10 node(s) had untolerated taint {k: v}, 2 Insufficient cpu. preemption: x."));
    }

    [Test]
    public void FullCycle_FilterAndScoreOverInMemoryNodes_PicksLeastAllocated()
    {
        var framework = new SchedulingFramework(ProfileConfig.DefaultScheduler(), Registry.InTree(), new FrameworkHandle());
        var busy = T.Node("busy").Capacity(("cpu", "4"), ("memory", "8Gi"), ("pods", "110")).Info(T.Pod("x").Req(("cpu", "3"), ("memory", "6Gi")).Build());
        var idle = T.Node("idle").Capacity(("cpu", "4"), ("memory", "8Gi"), ("pods", "110")).Info();
        var snapshot = Snapshot.From([busy, idle]);
        var pod = T.Pod().Req(("cpu", "500m"), ("memory", "512Mi")).Build();
        var state = new CycleState();

        var pre = framework.RunPreFilter(state, pod, snapshot, out _, out _);
        var feasible = snapshot.Nodes.Where(n => framework.RunFilter(state, pod, n).IsSuccess).ToList();
        framework.RunPreScore(state, pod, snapshot, feasible);
        var totals = new long[feasible.Count];
        var perPlugin = new List<PluginScores>();
        var score = framework.RunScore(state, pod, feasible, totals, perPlugin);

        Assert.Multiple(() =>
        {
            Assert.That(pre.IsSuccess && score.IsSuccess, Is.True);
            Assert.That(feasible, Has.Count.EqualTo(2));
            Assert.That(totals[1], Is.GreaterThan(totals[0]), "the idle node wins");
            Assert.That(perPlugin.Select(p => p.Plugin), Does.Contain("NodeResourcesFit"));
        });
    }
}
