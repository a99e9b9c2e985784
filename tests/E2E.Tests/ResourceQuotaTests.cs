using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>
/// ResourceQuotas as kube-apiserver and kube-controller-manager enforce them: the quota controller
/// keeps status.used, ResourceQuota admission denies creates beyond status.hard with kube's 403
/// messages and charges admitted ones at once, and kubectl prints kube's REQUEST/LIMIT columns.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class ResourceQuotaTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private ServerFixture _server = null!;

    private IKubernetes Client => _server.Client;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync(scheduler: false);

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task GetQuota_ShowsUsedOverHardInKubesColumns()
    {
        string ns = await _server.CreateNamespaceAsync("quota");
        await CreateQuotaAsync(ns, "compute", new() { ["pods"] = "10", ["requests.cpu"] = "1", ["limits.memory"] = "1Gi" });
        await WaitForUsedAsync(ns, "compute", "pods", "0");

        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web", cpu: "100m", memoryLimit: "128Mi"), ns);
        await WaitForUsedAsync(ns, "compute", "requests.cpu", "100m");

        var result = await _server.Kubectl("get", "quota", "-n", ns);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "NAME", "AGE", "REQUEST", "LIMIT" }));
        Assert.That(lines[1], Does.StartWith("compute "));
        Assert.That(lines[1], Does.Contain("   pods: 1/10, requests.cpu: 100m/1   limits.memory: 128Mi/1Gi"));
    }

    [Test]
    public async Task StatusUsed_FollowsPodCreatesCompletionAndDeletes()
    {
        string ns = await _server.CreateNamespaceAsync("quota");
        await CreateQuotaAsync(ns, "counts", new() { ["pods"] = "10", ["count/pods"] = "10" });
        await WaitForUsedAsync(ns, "counts", "pods", "0");

        await Client.CoreV1.CreateNamespacedPodAsync(Pod("one"), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("two"), ns);
        await WaitForUsedAsync(ns, "counts", "pods", "2");

        // A pod that succeeded no longer counts against pods, but still against count/pods.
        var succeeded = new V1Patch("{\"status\":{\"phase\":\"Succeeded\"}}", V1Patch.PatchType.MergePatch);
        await Client.CoreV1.PatchNamespacedPodStatusAsync(succeeded, "one", ns);
        await WaitForUsedAsync(ns, "counts", "pods", "1");
        Assert.That((await ReadQuotaAsync(ns, "counts")).Status.Used["count/pods"].ToString(), Is.EqualTo("2"));

        await Client.CoreV1.DeleteNamespacedPodAsync("two", ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        await WaitForUsedAsync(ns, "counts", "pods", "0");
        await WaitForUsedAsync(ns, "counts", "count/pods", "1");
    }

    [Test]
    public async Task PodBeyondQuota_IsForbiddenWithKubesMessage_AndIsNotCreated()
    {
        string ns = await _server.CreateNamespaceAsync("quota");
        await CreateQuotaAsync(ns, "one-pod", new() { ["pods"] = "1" });
        await WaitForUsedAsync(ns, "one-pod", "pods", "0");
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("first"), ns);

        var run = await _server.Kubectl("run", "second", "--image=nginx", "-n", ns);
        Assert.That(run.ExitCode, Is.Not.Zero, run.ToString());
        Assert.That(run.Stderr.Trim(), Is.EqualTo(
            "Error from server (Forbidden): pods \"second\" is forbidden: exceeded quota: one-pod, requested: pods=1, used: pods=1, limited: pods=1"));

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedPodAsync(Pod("third"), ns));
        var status = error!.Status();
        Assert.That((status.Code, status.Reason), Is.EqualTo((403, "Forbidden")));
        Assert.That(status.Message, Is.EqualTo("pods \"third\" is forbidden: exceeded quota: one-pod, requested: pods=1, used: pods=1, limited: pods=1"));

        var pods = await Client.CoreV1.ListNamespacedPodAsync(ns);
        Assert.That(pods.Items.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "first" }));
        Assert.That((await ReadQuotaAsync(ns, "one-pod")).Status.Used["pods"].ToString(), Is.EqualTo("1"));
    }

    [Test]
    public async Task PodWithoutCpuRequest_WhereQuotaLimitsRequestsCpu_IsForbiddenMustSpecify()
    {
        string ns = await _server.CreateNamespaceAsync("quota");
        await CreateQuotaAsync(ns, "cpu", new() { ["requests.cpu"] = "2" });
        await WaitForUsedAsync(ns, "cpu", "requests.cpu", "0");

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedPodAsync(Pod("bare"), ns));

        var status = error!.Status();
        Assert.That((status.Code, status.Reason), Is.EqualTo((403, "Forbidden")));
        Assert.That(status.Message, Is.EqualTo("pods \"bare\" is forbidden: failed quota: cpu: must specify requests.cpu for: main"));
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("sized", cpu: "500m"), ns);
        await WaitForUsedAsync(ns, "cpu", "requests.cpu", "500m");
    }

    [Test]
    public async Task ConfigMapsBeyondCountQuota_AreForbidden()
    {
        string ns = await _server.CreateNamespaceAsync("quota");
        await CreateQuotaAsync(ns, "objects", new() { ["count/configmaps"] = "3" });
        await WaitUntilUsedKnownAsync(ns, "objects", "count/configmaps");

        // The namespace may hold configmaps of its own (kube-root-ca.crt): fill up what is left.
        var used = int.Parse((await ReadQuotaAsync(ns, "objects")).Status.Used["count/configmaps"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        for (var i = used; i < 3; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm-" + i } }, ns);
        }

        var result = await _server.Kubectl("create", "configmap", "extra", "-n", ns);

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr, Does.Contain(
            "configmaps \"extra\" is forbidden: exceeded quota: objects, requested: count/configmaps=1, used: count/configmaps=3, limited: count/configmaps=3"));
        await WaitForUsedAsync(ns, "objects", "count/configmaps", "3");
    }

    [Test]
    public async Task ConcurrentCreates_AdmitExactlyTheLimit()
    {
        string ns = await _server.CreateNamespaceAsync("quota");
        await CreateQuotaAsync(ns, "five", new() { ["pods"] = "5" });
        await WaitForUsedAsync(ns, "five", "pods", "0");

        // Twenty at once, so that admission's charges, the pods' watch events and the controller all race.
        var attempts = Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                await Client.CoreV1.CreateNamespacedPodAsync(Pod("p" + i), ns);
                return 201;
            }
            catch (HttpOperationException e)
            {
                return (int)e.Response.StatusCode;
            }
        });
        var codes = await Task.WhenAll(attempts);

        Assert.That(codes.Count(c => c == 201), Is.EqualTo(5), string.Join(",", codes));
        Assert.That(codes.Count(c => c == 403), Is.EqualTo(15), string.Join(",", codes));
        Assert.That((await Client.CoreV1.ListNamespacedPodAsync(ns)).Items, Has.Count.EqualTo(5));
        await WaitForUsedAsync(ns, "five", "pods", "5");
    }

    [TestCase("pods", "-1", "spec.hard[pods]: Invalid value: \"-1\": must be greater than or equal to 0")]
    [TestCase("pods", "1500m", "spec.hard[pods]: Invalid value: \"1500m\": must be an integer")]
    [TestCase("count/configmaps", "2500m", "spec.hard[count/configmaps]: Invalid value: \"2500m\": must be an integer")]
    [TestCase("widgets", "1", "spec.hard[widgets]: Invalid value: \"widgets\": must be a standard resource for quota")]
    public async Task Create_InvalidHard_Is422WithKubesMessage_AndStoresNothing(string resource, string value, string detail)
    {
        string ns = await _server.CreateNamespaceAsync("quota");

        var error = Assert.ThrowsAsync<HttpOperationException>(() => CreateQuotaAsync(ns, "bad", new() { [resource] = value }));

        Assert.That((int)error!.Response.StatusCode, Is.EqualTo(422), error.Response.Content);
        using var status = System.Text.Json.JsonDocument.Parse(error.Response.Content);
        Assert.That(status.RootElement.GetProperty("reason").GetString(), Is.EqualTo("Invalid"));
        Assert.That(status.RootElement.GetProperty("message").GetString(), Is.EqualTo($"ResourceQuota \"bad\" is invalid: {detail}"));
        Assert.That((await Client.CoreV1.ListNamespacedResourceQuotaAsync(ns)).Items, Is.Empty);
    }

    private async Task CreateQuotaAsync(string ns, string name, Dictionary<string, string> hard) =>
        await Client.CoreV1.CreateNamespacedResourceQuotaAsync(new V1ResourceQuota
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ResourceQuotaSpec { Hard = hard.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value)) },
        }, ns);

    private Task<V1ResourceQuota> ReadQuotaAsync(string ns, string name) => Client.CoreV1.ReadNamespacedResourceQuotaAsync(name, ns);

    /// <summary>Waits until the quota controller reports <paramref name="expected"/> used of <paramref name="resource"/>.</summary>
    private async Task WaitForUsedAsync(string ns, string name, string resource, string expected)
    {
        string? last = null;
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var quota = await ReadQuotaAsync(ns, name);
            last = quota.Status?.Used is { } used && used.TryGetValue(resource, out var value) ? value.ToString() : null;
            return last == expected;
        }, Deadline, $"{ns}/{name} status.used[{resource}] = {expected}");
    }

    private async Task WaitUntilUsedKnownAsync(string ns, string name, string resource) =>
        await ServerFixture.WaitUntilAsync(
            async () => (await ReadQuotaAsync(ns, name)).Status?.Used?.ContainsKey(resource) == true, Deadline, $"{ns}/{name} status.used[{resource}] known");

    private static V1Pod Pod(string name, string? cpu = null, string? memoryLimit = null)
    {
        var resources = new V1ResourceRequirements();
        if (cpu is not null)
        {
            resources.Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) };
        }

        if (memoryLimit is not null)
        {
            resources.Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new(memoryLimit) };
        }

        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "nginx", Resources = resources }] },
        };
    }
}
