using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>
/// kube-scheduler's metrics at the server's /metrics once the in-process scheduler has worked.
/// The meter listener is process-wide, so counts are compared before and after, never absolutely.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class SchedulerMetricsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private ServerFixture _server = null!;

    private IKubernetes Client => _server.Client;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await ServerFixture.StartAsync();
        var node = await Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "metrics-node", Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "metrics-node" } } });
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("8Gi"), ["pods"] = new("110") };
        node.Status = new V1NodeStatus { Capacity = resources, Allocatable = resources, Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] };
        // Unconditional, as kubelet's status writes: the node IPAM controller may have set spec.podCIDR meanwhile.
        node.Metadata.ResourceVersion = null;
        await Client.CoreV1.ReplaceNodeStatusAsync(node, "metrics-node");
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task ScheduledAndUnschedulablePods_AreCountedUnderKubeSchedulerNames()
    {
        string ns = await _server.CreateNamespaceAsync();
        const string scheduled = "scheduler_schedule_attempts_total{profile=\"default-scheduler\",result=\"scheduled\"}";
        const string unschedulable = "scheduler_schedule_attempts_total{profile=\"default-scheduler\",result=\"unschedulable\"}";
        const string sli = "scheduler_pod_scheduling_sli_duration_seconds_count{attempts=\"1\"}";
        var before = await ScrapeAsync();

        await Client.CoreV1.CreateNamespacedPodAsync(Pod("fits", "100m"), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("too-big", "64"), ns);
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var fits = await Client.CoreV1.ReadNamespacedPodAsync("fits", ns);
            var big = await Client.CoreV1.ReadNamespacedPodAsync("too-big", ns);
            return !string.IsNullOrEmpty(fits.Spec.NodeName) && big.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true;
        }, Deadline, "one pod is bound, the other marked unschedulable");
        var after = await ScrapeAsync();

        Assert.That(Value(after, scheduled), Is.GreaterThan(Value(before, scheduled)));
        Assert.That(Value(after, unschedulable), Is.GreaterThan(Value(before, unschedulable)));
        Assert.That(Value(after, sli), Is.GreaterThan(Value(before, sli)));
        Assert.That(after, Does.Contain("# TYPE scheduler_scheduling_attempt_duration_seconds histogram\n"));
        Assert.That(after, Does.Contain("scheduler_scheduling_attempt_duration_seconds_bucket{profile=\"default-scheduler\",result=\"scheduled\",le=\"0.001\"}"));
        Assert.That(after, Does.Contain("# TYPE scheduler_pending_pods gauge\n"));
        Assert.That(after, Does.Contain("scheduler_pending_pods{queue=\"unschedulable\"}"));
        Assert.That(after, Does.Contain("scheduler_pending_pods{queue=\"gated\"}"));
        Assert.That(after, Does.Contain("# TYPE scheduler_preemption_attempts_total counter\n"));
    }

    private async Task<string> ScrapeAsync()
    {
        using var response = await _server.HttpClient.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The value of the sample whose name and labels are exactly <paramref name="series"/>; 0 when absent.</summary>
    private static double Value(string exposition, string series)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(series.Length + 1), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static V1Pod Pod(string name, string cpu) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "main", Image = "nginx", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } } }],
        },
    };
}
