using k8s;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>
/// The scheduler's writes to pod status merge by condition type, as kube-scheduler's strategic
/// merge patches do: its PodScheduled condition changes, conditions other writers set stay.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class SchedulerStatusTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private ServerFixture _server = null!;

    private IKubernetes Client => _server.Client;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task UnschedulablePod_NewReason_KeepsConditionsOthersSet()
    {
        // Arrange: a pod no node can take, marked unschedulable by the scheduler.
        string ns = await _server.CreateNamespaceAsync();
        await CreateNodeAsync("one-cpu-a");
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "big" },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "main", Image = "nginx", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2") } } }],
            },
        };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        await WaitForScheduledMessageAsync(ns, "0/1 nodes are available: 1 Insufficient cpu.");

        // Another writer adds a condition of its own.
        var custom = new V1Patch(
            """{"status":{"conditions":[{"type":"example.com/Audited","status":"True","reason":"Checked","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""",
            V1Patch.PatchType.StrategicMergePatch);
        await Client.CoreV1.PatchNamespacedPodStatusAsync(custom, "big", ns);

        // Act: a second node changes the scheduler's reason.
        await CreateNodeAsync("one-cpu-b");

        // Assert
        var current = await WaitForScheduledMessageAsync(ns, "0/2 nodes are available: 2 Insufficient cpu.");
        var audited = current.Status.Conditions.SingleOrDefault(c => c.Type == "example.com/Audited");
        Assert.That(audited, Is.Not.Null, "the other writer's condition is kept");
        Assert.That(audited!.Reason, Is.EqualTo("Checked"));
        Assert.That(current.Status.Conditions.Count(c => c.Type == "PodScheduled"), Is.EqualTo(1));
    }

    private async Task<V1Pod> WaitForScheduledMessageAsync(string ns, string messagePrefix)
    {
        V1Pod? current = null;
        await ServerFixture.WaitUntilAsync(async () =>
        {
            current = await Client.CoreV1.ReadNamespacedPodAsync("big", ns);
            var condition = current.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
            return condition is { Status: "False", Reason: "Unschedulable" } && condition.Message.StartsWith(messagePrefix, StringComparison.Ordinal);
        }, Deadline, "PodScheduled=False: " + messagePrefix);
        return current!;
    }

    private async Task CreateNodeAsync(string name)
    {
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1"), ["memory"] = new("8Gi"), ["pods"] = new("110") };
        var created = await Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } } });
        created.Status = new V1NodeStatus { Capacity = resources, Allocatable = resources, Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] };
        created.Metadata.ResourceVersion = null;
        await Client.CoreV1.ReplaceNodeStatusAsync(created, name);
    }
}
