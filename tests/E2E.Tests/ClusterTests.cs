using k8s;

namespace Nautilus.E2E.Tests;

/// <summary>
/// The whole control plane as a user meets it on a fresh machine: the server with its in-process
/// simulated nodes, scheduler and controllers, driven by kubectl alone.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class ClusterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private ServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await ServerFixture.StartAsync(nodes: 3);
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var nodes = await _server.Client.CoreV1.ListNodeAsync();
            return nodes.Items.Count == 3 && nodes.Items.All(n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        }, Deadline, "the three simulated nodes register Ready");
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task CreateDeploymentAndExpose_RunsThreePodsBehindTheService()
    {
        string ns = await _server.CreateNamespaceAsync();

        await Ok(_server.Kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3", "--port=80", "-n", ns));
        await Ok(_server.Kubectl("expose", "deployment", "web", "--port=80", "-n", ns));
        var rollout = await Ok(_server.Kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s"));

        Assert.That(rollout.Stdout, Does.Contain("successfully rolled out"));
        var pods = await _server.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=web");
        Assert.That(pods.Items, Has.Count.EqualTo(3));
        Assert.That(pods.Items.Select(p => p.Status.Phase), Is.All.EqualTo("Running"));
        Assert.That(pods.Items.Select(p => p.Spec.NodeName).Distinct().Count(), Is.GreaterThan(1), "the scheduler spreads replicas over nodes");
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var endpoints = await _server.Client.CoreV1.ReadNamespacedEndpointsAsync("web", ns);
            return endpoints.Subsets?.Sum(s => s.Addresses?.Count ?? 0) == 3;
        }, Deadline, "the service's endpoints list the three ready pods");
        var logs = await Ok(_server.Kubectl("logs", "deployment/web", "-n", ns));
        Assert.That(logs.Stdout, Is.Not.Empty);
    }

    [Test]
    public async Task DeleteDeployment_RemovesItsReplicaSetsAndPods()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("create", "deployment", "doomed", "--image=nginx", "--replicas=2", "-n", ns));
        await Ok(_server.Kubectl("rollout", "status", "deployment/doomed", "-n", ns, "--timeout=60s"));

        await Ok(_server.Kubectl("delete", "deployment", "doomed", "-n", ns));

        await ServerFixture.WaitUntilAsync(async () =>
        {
            var replicaSets = await _server.Client.AppsV1.ListNamespacedReplicaSetAsync(ns);
            var pods = await _server.Client.CoreV1.ListNamespacedPodAsync(ns);
            return replicaSets.Items.Count == 0 && pods.Items.Count == 0;
        }, Deadline, "the garbage collector removes the replica set and its pods");
    }

    private static async Task<KubectlResult> Ok(Task<KubectlResult> run)
    {
        var result = await run;
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        return result;
    }
}
