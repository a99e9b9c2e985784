using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;
using Nautilus.Scheduler.Internal.Plugins;

namespace Nautilus.Scheduler.Tests.Plugins;

/// <summary>Cases after kube's fit_test.go TestEnoughRequests: a node of 10m cpu, 20 bytes memory, 32 pods, 20 bytes ephemeral storage, 5 example.com/foo.</summary>
public class NodeResourcesFitTests
{
    private static NodeBuilder Node() => T.Node("n").Capacity(("cpu", "10m"), ("memory", "20"), ("pods", "32"), ("ephemeral-storage", "20"), ("example.com/foo", "5"));

    private static PodBuilder Used(string cpu, string memory) => T.Pod("used").Req(("cpu", cpu), ("memory", memory));

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(T.Pod(), Used("10m", "20"), "Success").SetName("NoResourcesRequested_AlwaysFits");
        yield return new TestCaseData(T.Pod().Req(("cpu", "1m"), ("memory", "1")), Used("10m", "20"), "Unschedulable: Insufficient cpu, Insufficient memory").SetName("TooManyResources_Fails");
        yield return new TestCaseData(T.Pod().Req(("cpu", "1m"), ("memory", "1")), Used("5m", "5"), "Success").SetName("BothResourcesFit_Fits");
        yield return new TestCaseData(T.Pod().Req(("cpu", "2m"), ("memory", "1")), Used("9m", "5"), "Unschedulable: Insufficient cpu").SetName("OneResourceMemoryFitsCpuDoesNot_Fails");
        yield return new TestCaseData(T.Pod().Req(("cpu", "1m"), ("memory", "2")), Used("5m", "19"), "Unschedulable: Insufficient memory").SetName("OneResourceCpuFitsMemoryDoesNot_Fails");
        yield return new TestCaseData(T.Pod().Req(("cpu", "5m"), ("memory", "1")), Used("5m", "19"), "Success").SetName("EqualEdgeCase_Fits");
        yield return new TestCaseData(T.Pod().Req(("cpu", "11m")), Used("0", "0"), "UnschedulableAndUnresolvable: Insufficient cpu").SetName("RequestOverAllocatable_Unresolvable");
        yield return new TestCaseData(T.Pod().Req(("example.com/foo", "3")), T.Pod("used").Req(("example.com/foo", "3")), "Unschedulable: Insufficient example.com/foo").SetName("ExtendedResourceInsufficient_Fails");
        yield return new TestCaseData(T.Pod().Req(("example.com/foo", "2")), T.Pod("used").Req(("example.com/foo", "3")), "Success").SetName("ExtendedResourceFits_Fits");
        yield return new TestCaseData(T.Pod().Req(("example.com/bar", "1")), Used("0", "0"), "UnschedulableAndUnresolvable: Insufficient example.com/bar").SetName("ExtendedResourceUnknownToNode_Unresolvable");
        yield return new TestCaseData(T.Pod().Req(("ephemeral-storage", "10")), T.Pod("used").Req(("ephemeral-storage", "15")), "Unschedulable: Insufficient ephemeral-storage").SetName("EphemeralStorageInsufficient_Fails");
    }

    [TestCaseSource(nameof(Cases))]
    public void Filter_MatchesKubeFitsRequest(PodBuilder pod, PodBuilder existing, string expected)
    {
        var node = Node().Info(existing.Build());

        var status = T.Filter(new NodeResourcesFit(), pod.Build(), node);

        Assert.That(T.Describe(status), Is.EqualTo(expected));
    }

    [Test]
    public void Filter_PodCountFull_TooManyPods()
    {
        var node = T.Node("n").Capacity(("cpu", "1"), ("pods", "1")).Info(T.Pod("a").Build());

        var status = T.Filter(new NodeResourcesFit(), T.Pod().Build(), node);

        Assert.That(T.Describe(status), Is.EqualTo("Unschedulable: Too many pods"));
    }

    private static IEnumerable<TestCaseData> LeastAllocatedCases()
    {
        // kube least_allocated_test.go TestLeastAllocatedScoringStrategy (cpu quantities in cores).
        yield return new TestCaseData(T.Pod(), new[] { ("4000", "10000"), ("4000", "10000") }, Array.Empty<(int, string, string)>(), new long[] { 100, 100 })
            .SetName("LeastAllocated_NothingScheduledNothingRequested");
        yield return new TestCaseData(T.Pod().Req(("cpu", "1000"), ("memory", "2000")).Req(("cpu", "2000"), ("memory", "3000")), new[] { ("4000", "10000"), ("6000", "10000") }, Array.Empty<(int, string, string)>(), new long[] { 37, 50 })
            .SetName("LeastAllocated_DifferentlySizedNodes");
        yield return new TestCaseData(T.Pod(), new[] { ("10000", "20000"), ("10000", "20000") }, new[] { (0, "3000", "0"), (0, "3000", "0"), (1, "3000", "0"), (1, "3000", "5000") }, new long[] { 70, 57 })
            .SetName("LeastAllocated_NoRequestPodsScheduledWithResources");
        yield return new TestCaseData(T.Pod().Req(("cpu", "1000"), ("memory", "2000")).Req(("cpu", "2000"), ("memory", "3000")), new[] { ("10000", "20000"), ("10000", "50000") }, new[] { (0, "3000", "0"), (1, "3000", "5000") }, new long[] { 57, 60 })
            .SetName("LeastAllocated_PodsScheduledDifferentlySizedNodes");
        yield return new TestCaseData(T.Pod().Req(("cpu", "3000"), ("memory", "0")), new[] { ("4000", "10000"), ("4000", "10000") }, new[] { (0, "3000", "0"), (1, "3000", "5000") }, new long[] { 50, 25 })
            .SetName("LeastAllocated_RequestExceedsCapacity");
    }

    [TestCaseSource(nameof(LeastAllocatedCases))]
    public void Score_LeastAllocated_MatchesKube(PodBuilder pod, (string Cpu, string Memory)[] nodes, (int Node, string Cpu, string Memory)[] existing, long[] expected)
    {
        var infos = new List<NodeInfo>();
        for (var i = 0; i < nodes.Length; i++)
        {
            var node = T.Node("node" + (i + 1)).Capacity(("cpu", nodes[i].Cpu), ("memory", nodes[i].Memory)).Info();
            foreach (var e in existing)
            {
                if (e.Node == i)
                {
                    node.AddPod(T.Pod("e").Req(("cpu", e.Cpu), ("memory", e.Memory)).Node(node.Name).Build());
                }
            }

            infos.Add(node);
        }

        Assert.That(T.Score(new NodeResourcesFit(), pod.Build(), infos), Is.EqualTo(expected));
    }

    private static IEnumerable<TestCaseData> BalancedCases()
    {
        // kube balanced_allocation_test.go: cpu 3000m+0 of 4000, memory 5000 of 10000 -> |0.75-0.5|/2 = 0.125 -> 87.
        yield return new TestCaseData(("4000m", "10000"), ("3000m", "5000"), 87L).SetName("Balanced_CpuHeavierThanMemory");
        // 3000/6000 and 5000/10000: equal fractions -> 100.
        yield return new TestCaseData(("6000m", "10000"), ("3000m", "5000"), 100L).SetName("Balanced_EqualFractions");
        // Over capacity fractions cap at 1: 6000/4000 -> 1, 5000/10000 -> 0.5 -> 75.
        yield return new TestCaseData(("4000m", "10000"), ("6000m", "5000"), 75L).SetName("Balanced_FractionCapsAtOne");
    }

    [TestCaseSource(nameof(BalancedCases))]
    public void Score_BalancedAllocation_MatchesKube((string Cpu, string Memory) capacity, (string Cpu, string Memory) request, long expected)
    {
        var node = T.Node("n").Capacity(("cpu", capacity.Cpu), ("memory", capacity.Memory)).Info();
        var pod = T.Pod().Req(("cpu", request.Cpu), ("memory", request.Memory)).Build();

        Assert.That(T.Score(new NodeResourcesBalancedAllocation(), pod, [node])[0], Is.EqualTo(expected));
    }

    [Test]
    public void PreScore_BestEffortPod_SkipsBalancedAllocation()
    {
        var status = new NodeResourcesBalancedAllocation().PreScore(new CycleState(), T.Pod().Req(("cpu", "0")).Build(), Internal.Cache.Snapshot.From([]), []);

        Assert.That(status.IsSkip, Is.True);
    }

    [Test]
    public void ResourceAccounting_AddThenRemove_RestoresRequested()
    {
        var node = T.Node("n").Capacity(("cpu", "4"), ("memory", "8Gi")).Info();
        var pod = T.Pod().Req(("cpu", "1"), ("memory", "1Gi")).Node("n").Build();

        node.AddPod(pod);
        var afterAdd = node.Requested.Clone();
        node.RemovePod(pod);

        Assert.Multiple(() =>
        {
            Assert.That(afterAdd.MilliCpu, Is.EqualTo(1000));
            Assert.That(node.Requested.SameAs(new Resource()), Is.True);
            Assert.That(node.Pods, Is.Empty);
        });
    }
}
