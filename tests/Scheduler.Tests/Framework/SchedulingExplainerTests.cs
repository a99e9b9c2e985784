using System.Text.Json.Nodes;
using Nautilus.Scheduler.Internal;
using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;

namespace Nautilus.Scheduler.Tests.Framework;

/// <summary>Explanations over in-memory nodes: verdicts, per-plugin scores, the selected node, side-effect free.</summary>
public class SchedulingExplainerTests
{
    private static readonly SchedulingFramework Default = new(ProfileConfig.DefaultScheduler(), Registry.InTree(), new FrameworkHandle());

    private static Dictionary<string, JsonObject> Nodes(JsonObject explanation) =>
        explanation["nodes"]!.AsArray().Select(n => n!.AsObject()).ToDictionary(n => n["name"]!.GetValue<string>());

    [Test]
    public void Explain_FeasibleNodesScoredPerPlugin_RejectedNodesNamePluginAndReason()
    {
        var busy = T.Node("busy").Capacity(("cpu", "4"), ("memory", "8Gi"), ("pods", "110")).Info(T.Pod("x").Req(("cpu", "3"), ("memory", "6Gi")).Build());
        var idle = T.Node("idle").Capacity(("cpu", "4"), ("memory", "8Gi"), ("pods", "110")).Info();
        var small = T.Node("small").Capacity(("cpu", "100m"), ("memory", "8Gi"), ("pods", "110")).Info();
        var snapshot = Snapshot.From([busy, idle, small]);

        var explanation = SchedulingExplainer.Explain(Default, T.Pod("p").Req(("cpu", "500m"), ("memory", "512Mi")).Build(), snapshot);

        var nodes = Nodes(explanation);
        var idleScores = nodes["idle"]["scores"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(explanation["selectedNode"]!.GetValue<string>(), Is.EqualTo("idle"));
            Assert.That(explanation["feasibleNodes"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(explanation["nodes"]![0]!["name"]!.GetValue<string>(), Is.EqualTo("idle"), "best total first");
            Assert.That(nodes["small"]["feasible"]!.GetValue<bool>(), Is.False);
            Assert.That(nodes["small"]["plugin"]!.GetValue<string>(), Is.EqualTo("NodeResourcesFit"));
            Assert.That(nodes["small"]["reasons"]![0]!.GetValue<string>(), Is.EqualTo("Insufficient cpu"));
            Assert.That(nodes["idle"]["totalScore"]!.GetValue<long>(), Is.EqualTo(idleScores.Sum(s => s["normalized"]!.GetValue<long>() * s["weight"]!.GetValue<int>())));
            Assert.That(nodes["idle"]["totalScore"]!.GetValue<long>(), Is.GreaterThan(nodes["busy"]["totalScore"]!.GetValue<long>()));
            Assert.That(explanation["message"], Is.Null);
        });
    }

    [Test]
    public void Explain_NothingFits_FitErrorMessageAndPreemptionDryRunWithoutSideEffects()
    {
        var node = T.Node("n1").Capacity(("cpu", "2"), ("pods", "110")).Info(T.Pod("victim").Req(("cpu", "2")).Priority(0).Build());
        var snapshot = Snapshot.From([node]);

        var explanation = SchedulingExplainer.Explain(Default, T.Pod("p").Req(("cpu", "1")).Priority(100).Build(), snapshot);

        Assert.Multiple(() =>
        {
            Assert.That(explanation["selectedNode"], Is.Null);
            Assert.That(explanation["message"]!.GetValue<string>(), Is.EqualTo("0/1 nodes are available: 1 Insufficient cpu."));
            Assert.That(explanation["preemption"]!["nominatedNodeName"]!.GetValue<string>(), Is.EqualTo("n1"));
            Assert.That(explanation["preemption"]!["victims"]![0]!["name"]!.GetValue<string>(), Is.EqualTo("victim"));
            Assert.That(snapshot.Get("n1")!.Pods, Has.Count.EqualTo(1), "a dry run evicts nothing");
        });
    }

    [Test]
    public void Explain_LeavesTheLoopSnapshotsChangeTrackingAlone()
    {
        var cache = new SchedulerCache(new ManualTime(), TimeSpan.Zero);
        cache.AddOrUpdateNode(T.Node("n1").Capacity(("cpu", "2"), ("pods", "110")).Build());
        var loop = new Snapshot();
        cache.UpdateSnapshot(loop);
        cache.AssumePod(T.Pod("a").Req(("cpu", "1")).Build().WithNodeName("n1"));
        var explainer = new SchedulingExplainer(cache, new Dictionary<string, SchedulingFramework> { ["default-scheduler"] = Default });

        var explanation = explainer.Explain(T.Pod("p").Req(("cpu", "1")).Build());
        cache.UpdateSnapshot(loop);

        Assert.Multiple(() =>
        {
            Assert.That(explanation["selectedNode"]!.GetValue<string>(), Is.EqualTo("n1"));
            Assert.That(loop.Get("n1")!.Pods, Has.Count.EqualTo(1), "the loop's next update still sees the assumed pod");
        });
    }

    [Test]
    public void Explain_BoundPod_ExplainedAsIfPending()
    {
        var pod = T.Pod("p").Req(("cpu", "2")).Build();
        var node = T.Node("n1").Capacity(("cpu", "2"), ("pods", "110")).Info(pod);
        var snapshot = Snapshot.From([node]);

        var explanation = SchedulingExplainer.Explain(Default, pod.WithNodeName("n1"), snapshot);

        Assert.Multiple(() =>
        {
            Assert.That(explanation["boundNode"]!.GetValue<string>(), Is.EqualTo("n1"));
            Assert.That(explanation["selectedNode"]!.GetValue<string>(), Is.EqualTo("n1"), "the pod does not compete with itself");
        });
    }
}
