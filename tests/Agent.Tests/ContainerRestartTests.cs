using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Nautilus.Agent.Tests;

/// <summary>Containers that exit, seen through kubectl and the Kubernetes client: kubelet's restarts, CrashLoopBackOff and logs --previous.</summary>
[Parallelizable(ParallelScope.All)]
public class ContainerRestartTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // The back-off starts at 1 s (kubelet: 10 s) so the test sees several restarts quickly.
    private static AgentOptions Fast(string prefix) => new()
    {
        Nodes = 1,
        NamePrefix = prefix,
        PodStartDelay = TimeSpan.FromMilliseconds(100),
        LogInterval = TimeSpan.FromMilliseconds(100),
        LeaseRenewInterval = TimeSpan.FromMilliseconds(500),
        RestartBackOff = TimeSpan.FromSeconds(1),
        MaxRestartBackOff = TimeSpan.FromSeconds(4),
    };

    [Test]
    public async Task CrashingContainer_ShowsCrashLoopBackOffWithRestartsAndLastState()
    {
        await using var cluster = await TestCluster.StartAsync();
        var agent = cluster.StartAgent(Fast("crash"));
        await agent.Registered.WaitAsync(Deadline);

        var created = await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("crash", "crash-0", "Always", exitCode: 1), "default");

        // kubectl get pods: STATUS from the waiting reason, RESTARTS with the last exit.
        KubectlResult listed = default;
        await TestCluster.WaitUntilAsync(async () =>
        {
            listed = await cluster.Kubectl("get", "pod", "crash", "--no-headers");
            return listed.ExitCode == 0 && Regex.IsMatch(listed.Stdout, @"^crash\s+0/1\s+CrashLoopBackOff\s+[1-9]\d* \(\d+s ago\)\s+\d+s\s*$");
        }, Deadline, $"kubectl shows the pod in CrashLoopBackOff with restarts (last: {listed.Stdout})");

        V1Pod? pod = null;
        V1ContainerStatus? waiting = null;
        await TestCluster.WaitUntilAsync(async () =>
        {
            pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("crash", "default");
            waiting = pod.Status?.ContainerStatuses?.SingleOrDefault();
            return waiting?.State?.Waiting?.Reason == "CrashLoopBackOff";
        }, Deadline, "the container status is waiting in CrashLoopBackOff");

        var last = waiting!.LastState.Terminated;
        Assert.Multiple(() =>
        {
            Assert.That(pod!.Status.Phase, Is.EqualTo("Running"), "a restarting pod stays Running");
            Assert.That(pod.Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("False"));
            Assert.That(waiting.Ready, Is.False);
            Assert.That(waiting.RestartCount, Is.GreaterThanOrEqualTo(1));
            Assert.That(waiting.State.Waiting.Message, Does.Match($@"^back-off (1s|2s|4s) restarting failed container=app pod=crash_default\({created.Metadata.Uid}\)$"));
            Assert.That(last.ExitCode, Is.EqualTo(1));
            Assert.That(last.Reason, Is.EqualTo("Error"));
            Assert.That(last.FinishedAt, Is.GreaterThanOrEqualTo(last.StartedAt!.Value));
            Assert.That(last.ContainerID, Does.StartWith("nautilus://"));
        });

        // It keeps going: each restart is a new container, and the count goes up.
        var before = waiting.RestartCount;
        await TestCluster.WaitUntilAsync(async () =>
        {
            var now = await cluster.Client.CoreV1.ReadNamespacedPodAsync("crash", "default");
            return now.Status.ContainerStatuses.Single().RestartCount > before;
        }, Deadline, "the container is restarted again after the back-off");
    }

    [Test]
    public async Task KubectlLogsPrevious_ReturnsTheExitedInstanceOrKubeletsError()
    {
        await using var cluster = await TestCluster.StartAsync();
        var agent = cluster.StartAgent(Fast("prev"));
        await agent.Registered.WaitAsync(Deadline);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("crash", "prev-0", "Always", exitCode: 2), "default");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("steady", "prev-0", "Always", exitCode: null), "default");

        await TestCluster.WaitUntilAsync(async () =>
        {
            var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("crash", "default");
            return pod.Status?.ContainerStatuses?.SingleOrDefault()?.RestartCount >= 1;
        }, Deadline, "the crashing container has been restarted");

        var previous = await cluster.Kubectl("logs", "crash", "--previous");
        Assert.That(previous.ExitCode, Is.Zero, previous.ToString());
        var lines = previous.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo("nautilus-agent: container app of pod crash started from image docker.io/library/nginx:latest"));
        Assert.That(lines.Length, Is.InRange(2, 1 + 10), "the previous instance ran 500 ms writing a line every 100 ms");
        for (var i = 1; i < lines.Length; i++)
        {
            Assert.That(lines[i], Is.EqualTo($"app: simulated log line {i}"));
        }

        await TestCluster.WaitUntilAsync(async () =>
        {
            var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("steady", "default");
            return pod.Status?.Phase == "Running";
        }, Deadline, "the steady pod runs");
        var none = await cluster.Kubectl("logs", "steady", "-p");
        Assert.That(none.ExitCode, Is.Not.Zero, none.ToString());
        Assert.That(none.Stderr.Trim(), Is.EqualTo("Error from server (BadRequest): previous terminated container \"app\" in pod \"steady\" not found"));
    }

    [Test]
    public async Task FailedContainerWithRestartPolicyNever_ShowsErrorWithoutRestarts()
    {
        await using var cluster = await TestCluster.StartAsync();
        var agent = cluster.StartAgent(Fast("never"));
        await agent.Registered.WaitAsync(Deadline);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("once", "never-0", "Never", exitCode: 3), "default");

        KubectlResult listed = default;
        await TestCluster.WaitUntilAsync(async () =>
        {
            listed = await cluster.Kubectl("get", "pod", "once", "--no-headers");
            return listed.ExitCode == 0 && Regex.IsMatch(listed.Stdout, @"^once\s+0/1\s+Error\s+0\s+\d+s\s*$");
        }, Deadline, $"kubectl shows the failed pod as Error with no restarts (last: {listed.Stdout})");
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("once", "default");
        Assert.That(pod.Status.Phase, Is.EqualTo("Failed"));
    }

    /// <summary>A pod whose container exits with <paramref name="exitCode"/> after 500 ms of running (null: runs forever).</summary>
    private static V1Pod Pod(string name, string node, string restartPolicy, int? exitCode) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = exitCode is { } code
                ? new Dictionary<string, string> { ["nautilus.io/run-duration"] = "500ms", ["nautilus.io/exit-code"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                : null,
        },
        Spec = new V1PodSpec
        {
            NodeName = node,
            RestartPolicy = restartPolicy,
            Containers = [new V1Container { Name = "app", Image = "nginx" }],
        },
    };
}
