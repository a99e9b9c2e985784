using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.ReplicaSets;

namespace Nautilus.Controllers.Tests.ReplicaSets;

public sealed class PodDeletionOrderTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static JsonObject Pod(string uid, string node = "n1", string phase = "Running", bool ready = true, TimeSpan? readyAgo = null, TimeSpan? createdAgo = null, int restarts = 0, int? cost = null)
    {
        var meta = new JsonObject
        {
            ["name"] = "pod-" + uid,
            ["namespace"] = "ns",
            ["uid"] = uid,
            ["creationTimestamp"] = KubeObject.FormatTime(Now - (createdAgo ?? TimeSpan.FromHours(1))),
        };
        if (cost is { } c)
        {
            meta["annotations"] = new JsonObject { ["controller.kubernetes.io/pod-deletion-cost"] = c.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }

        return new JsonObject
        {
            ["metadata"] = meta,
            ["spec"] = new JsonObject { ["nodeName"] = node },
            ["status"] = new JsonObject
            {
                ["phase"] = phase,
                ["conditions"] = new JsonArray
                {
                    new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False", ["lastTransitionTime"] = KubeObject.FormatTime(Now - (readyAgo ?? TimeSpan.FromMinutes(30))) },
                },
                ["containerStatuses"] = new JsonArray { new JsonObject { ["name"] = "app", ["restartCount"] = restarts } },
            },
        };
    }

    /// <summary>Pairs (deleted first, deleted later): kube's ActivePodsWithRanks rules in order.</summary>
    private static IEnumerable<TestCaseData> Pairs()
    {
        yield return new TestCaseData(new RankedPod(Pod("a", node: ""), 0), new RankedPod(Pod("b"), 0)).SetName("Unassigned_BeforeAssigned");
        yield return new TestCaseData(new RankedPod(Pod("a", phase: "Pending"), 0), new RankedPod(Pod("b", phase: "Unknown"), 0)).SetName("Pending_BeforeUnknown");
        yield return new TestCaseData(new RankedPod(Pod("a", phase: "Unknown"), 0), new RankedPod(Pod("b", phase: "Running"), 0)).SetName("Unknown_BeforeRunning");
        yield return new TestCaseData(new RankedPod(Pod("a", ready: false), 0), new RankedPod(Pod("b"), 0)).SetName("NotReady_BeforeReady");
        yield return new TestCaseData(new RankedPod(Pod("a", cost: -5), 0), new RankedPod(Pod("b"), 0)).SetName("LowerDeletionCost_First");
        yield return new TestCaseData(new RankedPod(Pod("b", cost: 10), 3), new RankedPod(Pod("a", cost: 100), 0)).SetName("DeletionCost_BeforeRank");
        yield return new TestCaseData(new RankedPod(Pod("b"), 3), new RankedPod(Pod("a"), 1)).SetName("DoubledUp_First");
        yield return new TestCaseData(new RankedPod(Pod("b", readyAgo: TimeSpan.FromMinutes(1)), 0), new RankedPod(Pod("a", readyAgo: TimeSpan.FromHours(5)), 0)).SetName("ReadyMoreRecently_First");
        yield return new TestCaseData(new RankedPod(Pod("b", restarts: 4), 0), new RankedPod(Pod("a", restarts: 1), 0)).SetName("MoreRestarts_First");
        yield return new TestCaseData(new RankedPod(Pod("b", createdAgo: TimeSpan.FromMinutes(1)), 0), new RankedPod(Pod("a", createdAgo: TimeSpan.FromDays(2)), 0)).SetName("Newer_First");
        yield return new TestCaseData(new RankedPod(Pod("a", createdAgo: TimeSpan.FromSeconds(70)), 0), new RankedPod(Pod("b", createdAgo: TimeSpan.FromSeconds(80)), 0)).SetName("SameLogBucket_ByUid");
        yield return new TestCaseData(new RankedPod(Pod("b", node: "", phase: "Running", ready: true), 0), new RankedPod(Pod("a", node: "n1", phase: "Pending", ready: false), 0)).SetName("Assignment_OutranksPhaseAndReadiness");
    }

    [TestCaseSource(nameof(Pairs))]
    public void DeletedFirst_SortsFirst(RankedPod first, RankedPod later)
    {
        var order = new PodDeletionOrder(Now);

        Assert.That(order.Compare(first, later), Is.Negative);
        Assert.That(order.Compare(later, first), Is.Positive);
    }

    [Test]
    public void PodsToDelete_RanksByPodsOnTheSameNode()
    {
        var alone = Pod("a", node: "n1");
        var crowded1 = Pod("b", node: "n2");
        var crowded2 = Pod("c", node: "n2");
        var related = new[] { alone, crowded1, crowded2, Pod("x", node: "n2") };

        var victims = PodDeletionOrder.PodsToDelete([alone, crowded1, crowded2], related, 2, Now);

        Assert.That(victims.Select(KubeObject.Uid), Is.EquivalentTo(new[] { "b", "c" }));
    }
}
