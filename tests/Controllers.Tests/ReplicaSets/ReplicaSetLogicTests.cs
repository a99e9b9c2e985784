using System.Text.Json.Nodes;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.ReplicaSets;

namespace Nautilus.Controllers.Tests.ReplicaSets;

public sealed class ReplicaSetLogicTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyList<JsonObject> NoPods = [];

    [TestCase(0, new int[0])]
    [TestCase(1, new[] { 1 })]
    [TestCase(7, new[] { 1, 2, 4 })]
    [TestCase(10, new[] { 1, 2, 4, 3 })]
    public async Task SlowStartBatch_DoublesTheBatch(int count, int[] expectedBatches)
    {
        // Calls of one batch all start before any of them completes: group them by how many
        // calls had completed when they started.
        var completed = 0;
        var startedAfter = new List<int>();

        var (successes, error) = await ReplicaSetController.SlowStartBatchAsync(count, 1, async () =>
        {
            lock (startedAfter)
            {
                startedAfter.Add(Volatile.Read(ref completed));
            }

            await Task.Delay(5);
            Interlocked.Increment(ref completed);
        });

        Assert.That(successes, Is.EqualTo(count));
        Assert.That(error, Is.Null);
        Assert.That(startedAfter.GroupBy(n => n).OrderBy(g => g.Key).Select(g => g.Count()), Is.EqualTo(expectedBatches));
    }

    [Test]
    public async Task SlowStartBatch_StopsAfterTheFirstFailingBatch()
    {
        var calls = 0;

        var (successes, error) = await ReplicaSetController.SlowStartBatchAsync(100, 1, () =>
        {
            var n = Interlocked.Increment(ref calls);
            return n == 3 ? throw new ApiStatusException(403, "Forbidden", "exceeded quota") : Task.CompletedTask;
        });

        // Batches of 1 and 2 ran; the third call failed inside the batch of 2; nothing after.
        Assert.That(calls, Is.EqualTo(3));
        Assert.That(successes, Is.EqualTo(2));
        Assert.That(error?.Message, Is.EqualTo("exceeded quota"));
    }

    [Test]
    public void CalculateStatus_CountsLabelledReadyAndAvailablePods()
    {
        var rs = JsonNode.Parse("""
            {"metadata":{"name":"web","generation":2},
             "spec":{"replicas":3,"minReadySeconds":10,"template":{"metadata":{"labels":{"app":"web","tier":"front"}}}},
             "status":{"replicas":1,"observedGeneration":1}}
            """)!.AsObject();
        JsonObject Pod(string labels, bool ready, TimeSpan readyFor)
        {
            var pod = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = JsonNode.Parse(labels) } };
            pod["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray
                {
                    new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False", ["lastTransitionTime"] = KubeObject.FormatTime(Now - readyFor) },
                },
            };
            return pod;
        }

        var pods = new[]
        {
            Pod("""{"app":"web","tier":"front"}""", ready: true, TimeSpan.FromMinutes(1)),
            Pod("""{"app":"web","tier":"front"}""", ready: true, TimeSpan.FromSeconds(3)),
            Pod("""{"app":"web"}""", ready: false, TimeSpan.Zero),
        };

        var status = ReplicaSetController.CalculateStatus(rs, pods, manageError: null, Now);

        Assert.That(status.ToJsonString(), Is.EqualTo("""{"replicas":3,"fullyLabeledReplicas":2,"readyReplicas":2,"availableReplicas":1,"observedGeneration":1}"""));
    }

    [Test]
    public void CalculateStatus_ReportsAndClearsReplicaFailure()
    {
        var rs = JsonNode.Parse("""{"metadata":{"name":"web"},"spec":{"replicas":2,"template":{}},"status":{"replicas":0}}""")!.AsObject();

        var failed = ReplicaSetController.CalculateStatus(rs, NoPods, new ApiStatusException(403, "Forbidden", "pods \"web-x\" is forbidden: exceeded quota"), Now);
        rs["status"] = failed;
        var recovered = ReplicaSetController.CalculateStatus(rs, NoPods, manageError: null, Now);

        var condition = failed["conditions"]![0]!;
        Assert.That(condition["type"]!.GetValue<string>(), Is.EqualTo("ReplicaFailure"));
        Assert.That(condition["reason"]!.GetValue<string>(), Is.EqualTo("FailedCreate"));
        Assert.That(condition["message"]!.GetValue<string>(), Does.Contain("exceeded quota"));
        Assert.That(recovered["conditions"], Is.Null);
    }
}
