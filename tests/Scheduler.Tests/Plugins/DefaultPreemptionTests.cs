using System.Text.Json.Nodes;
using Nautilus.Scheduler.Internal;
using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;
using Nautilus.Scheduler.Internal.Plugins;

namespace Nautilus.Scheduler.Tests.Plugins;

/// <summary>
/// DefaultPreemption as kube's default_preemption_test.go tests it: nodes with running pods, a
/// preemptor, and the node and victims it picks (or kube's "preemption: ..." message).
/// </summary>
public class DefaultPreemptionTests
{
    /// <summary>A node of 4 cpu / 110 pods with the given pods (name, cpu, priority, start time).</summary>
    public sealed record NodeCase(string Name, (string Pod, string Cpu, int Priority, string Started)[] Pods, bool Tainted = false);

    private static PodInfo Running(string node, string name, string cpu, int priority, string started) =>
        T.Pod(name).Req(("cpu", cpu)).Priority(priority).Started(started).Node(node).Build();

    private static IEnumerable<TestCaseData> Cases()
    {
        const string Early = "2025-01-01T00:00:00Z";
        const string Late = "2025-01-01T01:00:00Z";
        yield return new TestCaseData(
            new[] { new NodeCase("n1", [("low-early", "1", 0, Early), ("low-late", "2", 0, Late), ("high", "1", 100, Early)]) },
            T.Pod("p").Req(("cpu", "2")).Priority(50),
            "n1", new[] { "low-late" }, "")
            .SetName("OneNode_ReprievesMostImportantFirst_EvictsTheRest");
        yield return new TestCaseData(
            new[] { new NodeCase("n1", [("a", "2", 0, Early), ("b", "2", 0, Late)]) },
            T.Pod("p").Req(("cpu", "4")).Priority(50),
            "n1", new[] { "a", "b" }, "")
            .SetName("OneNode_AllLowerPriorityPodsNeeded");
        yield return new TestCaseData(
            new[] { new NodeCase("n1", [("high", "4", 100, Early)]) },
            T.Pod("p").Req(("cpu", "1")).Priority(50),
            null, Array.Empty<string>(), "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.")
            .SetName("OnlyHigherPriorityPods_NoVictims");
        yield return new TestCaseData(
            new[] { new NodeCase("n1", [("low", "1", 0, Early), ("high", "3", 100, Early)]) },
            T.Pod("p").Req(("cpu", "2")).Priority(50),
            null, Array.Empty<string>(), "preemption: 0/1 nodes are available: 1 Insufficient cpu.")
            .SetName("DoesNotFitEvenWithoutLowerPriorityPods_FilterReason");
        yield return new TestCaseData(
            new[] { new NodeCase("n1", [("low", "4", 0, Early)]) },
            T.Pod("p").Req(("cpu", "1")).Priority(50).Spec("""{"preemptionPolicy":"Never"}"""),
            null, Array.Empty<string>(), "preemption: not eligible due to preemptionPolicy=Never.")
            .SetName("PreemptionPolicyNever_NotEligible");
        yield return new TestCaseData(
            new[] { new NodeCase("n1", [("low", "4", 0, Early)], Tainted: true) },
            T.Pod("p").Req(("cpu", "1")).Priority(50),
            null, Array.Empty<string>(), "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.")
            .SetName("UnresolvableFilter_NotHelpful");
        yield return new TestCaseData(
            new[]
            {
                new NodeCase("n1", [("mid", "4", 10, Early)]),
                new NodeCase("n2", [("low", "4", 5, Early)]),
            },
            T.Pod("p").Req(("cpu", "1")).Priority(50),
            "n2", new[] { "low" }, "")
            .SetName("TwoNodes_LowestHighestVictimPriorityWins");
        yield return new TestCaseData(
            new[]
            {
                new NodeCase("n1", [("a", "2", 5, Early), ("b", "2", 5, Early)]),
                new NodeCase("n2", [("c", "4", 5, Early)]),
            },
            T.Pod("p").Req(("cpu", "4")).Priority(50),
            "n2", new[] { "c" }, "")
            .SetName("TwoNodes_EqualPriority_LowerPrioritySumWins");
        yield return new TestCaseData(
            new[]
            {
                new NodeCase("n1", [("a", "1", 5, Early), ("big", "3", 100, Early)]),
                new NodeCase("n2", [("b", "1", 5, Early), ("c", "1", 5, Early), ("big2", "2", 100, Early)]),
            },
            T.Pod("p").Req(("cpu", "1")).Priority(50),
            null, new[] { "a|b|c" }, "")
            .SetName("TwoNodes_SameVictimCost_EitherOneVictim");
        yield return new TestCaseData(
            new[]
            {
                new NodeCase("n1", [("started-early", "4", 5, Early)]),
                new NodeCase("n2", [("started-late", "4", 5, Late)]),
            },
            T.Pod("p").Req(("cpu", "1")).Priority(50),
            "n2", new[] { "started-late" }, "")
            .SetName("TwoNodes_AllElseEqual_LatestStartedVictimsWin");
    }

    [TestCaseSource(nameof(Cases))]
    public void Preempt_PicksNodeAndVictimsAsKube(NodeCase[] nodes, PodBuilder preemptor, string? expectedNode, string[] expectedVictims, string expectedMessage)
    {
        var handle = new FrameworkHandle();
        var framework = new SchedulingFramework(ProfileConfig.DefaultScheduler(), Registry.InTree(), handle);
        var infos = new List<NodeInfo>();
        foreach (var n in nodes)
        {
            var builder = T.Node(n.Name).Capacity(("cpu", "4"), ("pods", "110"));
            if (n.Tainted)
            {
                builder = builder.Taint("dedicated", "gpu", "NoSchedule");
            }

            infos.Add(builder.Info([.. n.Pods.Select(p => Running(n.Name, p.Pod, p.Cpu, p.Priority, p.Started))]));
        }

        var snapshot = Snapshot.From(infos);
        var pod = preemptor.Build();
        var state = new CycleState();
        Assert.That(framework.RunPreFilter(state, pod, snapshot, out _, out _).IsSuccess, Is.True);
        var statuses = new Dictionary<string, Status>();
        foreach (var n in snapshot.Nodes)
        {
            var s = framework.RunFilter(state, pod, n);
            Assert.That(s.IsSuccess, Is.False, "the case must start with no node fitting");
            statuses[n.Name] = s;
        }

        var status = new DefaultPreemption(handle).Preempt(state, pod, snapshot, statuses, out var candidate);

        Assert.Multiple(() =>
        {
            Assert.That(status.IsSuccess ? "" : status.Message, Is.EqualTo(expectedMessage));
            if (expectedVictims.Length == 0)
            {
                Assert.That(candidate, Is.Null);
                return;
            }

            Assert.That(candidate, Is.Not.Null);
            if (expectedNode is not null)
            {
                Assert.That(candidate!.Node, Is.EqualTo(expectedNode));
            }

            if (expectedVictims[0].Contains('|'))
            {
                Assert.That(candidate!.Victims.Select(v => v.Name).Single(), Is.AnyOf(expectedVictims[0].Split('|')));
            }
            else
            {
                Assert.That(candidate!.Victims.Select(v => v.Name), Is.EqualTo(expectedVictims));
            }
        });
    }

    private static IEnumerable<TestCaseData> CandidateCounts()
    {
        yield return new TestCaseData(50, 50).SetName("NumCandidates_FewNodes_All");
        yield return new TestCaseData(500, 100).SetName("NumCandidates_500Nodes_AtLeast100");
        yield return new TestCaseData(5000, 500).SetName("NumCandidates_5000Nodes_10Percent");
    }

    [TestCaseSource(nameof(CandidateCounts))]
    public void NumCandidates_MatchesKube(int potentialNodes, int expected) =>
        Assert.That(DefaultPreemption.NumCandidates(potentialNodes), Is.EqualTo(expected));

    [Test]
    public void NominatedPod_HoldsItsRoomAgainstLowerPriorityPods()
    {
        var nominator = new Nominator();
        var framework = new SchedulingFramework(ProfileConfig.DefaultScheduler(), Registry.InTree(), new FrameworkHandle { Nominator = nominator });
        var node = T.Node("n1").Capacity(("cpu", "4"), ("pods", "110")).Info(Running("n1", "existing", "2", 0, "2025-01-01T00:00:00Z"));
        nominator.Add(T.Pod("preemptor").Req(("cpu", "2")).Priority(100).Build(), "n1");
        var low = T.Pod("low").Req(("cpu", "1")).Priority(10).Build();
        var higher = T.Pod("higher").Req(("cpu", "1")).Priority(200).Build();

        var lowStatus = Filter(framework, low, node);
        var higherStatus = Filter(framework, higher, node);

        Assert.Multiple(() =>
        {
            Assert.That(T.Describe(lowStatus), Is.EqualTo("Unschedulable: Insufficient cpu"));
            Assert.That(higherStatus.IsSuccess, Is.True, "a pod of higher priority than the nominated one ignores it");
        });
    }

    [Test]
    public void VictimsStillTerminatingOnNominatedNode_NotEligible_NominationKept()
    {
        var framework = new SchedulingFramework(ProfileConfig.DefaultScheduler(), Registry.InTree(), new FrameworkHandle());
        var terminating = T.Pod("victim").Req(("cpu", "4")).Priority(0).Terminating().Node("n1").Json();
        terminating["status"] = JsonNode.Parse("""{"conditions":[{"type":"DisruptionTarget","status":"True","reason":"PreemptionByScheduler"}]}""");
        var node = T.Node("n1").Capacity(("cpu", "4"), ("pods", "110")).Info(PodInfo.Parse(terminating));
        var pod = T.Pod("p").Req(("cpu", "1")).Priority(100).Build() with { NominatedNodeName = "n1" };
        var snapshot = Snapshot.From([node]);
        var state = new CycleState();
        framework.RunPreFilter(state, pod, snapshot, out _, out _);
        var statuses = new Dictionary<string, Status> { ["n1"] = framework.RunFilter(state, pod, node) };

        var status = new DefaultPreemption(new FrameworkHandle()).PostFilter(state, pod, snapshot, statuses, out var nominated);

        Assert.Multiple(() =>
        {
            Assert.That(status.Message, Is.EqualTo("preemption: not eligible due to a terminating pod on the nominated node."));
            Assert.That(nominated, Is.Null, "the nomination stays while the victims terminate");
        });
    }

    [Test]
    public void NothingHelps_NominationCleared()
    {
        var framework = new SchedulingFramework(ProfileConfig.DefaultScheduler(), Registry.InTree(), new FrameworkHandle());
        var node = T.Node("n1").Capacity(("cpu", "4"), ("pods", "110")).Info(Running("n1", "high", "4", 1000, "2025-01-01T00:00:00Z"));
        var pod = T.Pod("p").Req(("cpu", "1")).Priority(100).Build() with { NominatedNodeName = "n1" };
        var snapshot = Snapshot.From([node]);
        var state = new CycleState();
        framework.RunPreFilter(state, pod, snapshot, out _, out _);
        var statuses = new Dictionary<string, Status> { ["n1"] = framework.RunFilter(state, pod, node) };

        new DefaultPreemption(new FrameworkHandle()).PostFilter(state, pod, snapshot, statuses, out var nominated);

        Assert.That(nominated, Is.EqualTo(""));
    }

    private static Status Filter(SchedulingFramework framework, PodInfo pod, NodeInfo node)
    {
        var state = new CycleState();
        Assert.That(framework.RunPreFilter(state, pod, Snapshot.From([node]), out _, out _).IsSuccess, Is.True);
        return framework.RunFilterWithNominatedPods(state, pod, node);
    }
}
