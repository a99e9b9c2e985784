using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.GarbageCollection;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests.GarbageCollection;

/// <summary>
/// The garbage collector against a real server, with ConfigMaps and Nodes as owners and
/// dependents (any resource works the same) and, through kubectl, Deployments with the
/// workload controllers' ReplicaSets and pods.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class GarbageCollectorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly ApiResource ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true);
    private static readonly ApiResource Nodes = new("", "v1", "nodes", "Node", false);

    private ServerFixture _server = null!;
    private CancellationTokenSource _stop = null!;
    private Task _collector = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await ServerFixture.StartAsync();
        _stop = new CancellationTokenSource();
        var informers = new InformerFactory(_server.Api, NullLoggerFactory.Instance);
        var collector = new GarbageCollector(informers, NullLogger<GarbageCollector>.Instance);
        _collector = Task.WhenAll(informers.RunAsync(_stop.Token), collector.RunAsync(_stop.Token));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _collector;
        _stop.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task OwnerDeletedInBackground_DependentsAreDeleted()
    {
        var ns = await _server.CreateNamespaceAsync("gc");
        var owner = await CreateConfigMapAsync(ns, "owner");
        await CreateConfigMapAsync(ns, "dependent-1", Reference(owner));
        await CreateConfigMapAsync(ns, "dependent-2", Reference(owner));
        var bystander = await CreateConfigMapAsync(ns, "bystander");

        await _server.Api.DeleteAsync(ConfigMaps, ns, "owner");

        await WaitGoneAsync(ConfigMaps, ns, "dependent-1");
        await WaitGoneAsync(ConfigMaps, ns, "dependent-2");
        Assert.That(await ExistsAsync(ConfigMaps, ns, KubeFields.Name(bystander)), Is.True, "an object without owners is never garbage");
    }

    [Test]
    public async Task CascadeThroughGenerations_GrandchildrenAreDeleted()
    {
        var ns = await _server.CreateNamespaceAsync("gc");
        var owner = await CreateConfigMapAsync(ns, "grandparent");
        var child = await CreateConfigMapAsync(ns, "parent", Reference(owner));
        await CreateConfigMapAsync(ns, "child", Reference(child));

        await _server.Api.DeleteAsync(ConfigMaps, ns, "grandparent");

        await WaitGoneAsync(ConfigMaps, ns, "parent");
        await WaitGoneAsync(ConfigMaps, ns, "child");
    }

    [Test]
    public async Task OwnerDeletedWithOrphanPolicy_DependentsKeptWithoutItsReference()
    {
        var ns = await _server.CreateNamespaceAsync("gc");
        var owner = await CreateConfigMapAsync(ns, "owner");
        var other = await CreateConfigMapAsync(ns, "other-owner");
        await CreateConfigMapAsync(ns, "dependent", Reference(owner), Reference(other));

        await _server.Api.DeleteAsync(ConfigMaps, ns, "owner", "Orphan");

        await WaitGoneAsync(ConfigMaps, ns, "owner");
        var dependent = await _server.Api.GetAsync(ConfigMaps, ns, "dependent");
        Assert.That(OwnerUids(dependent), Is.EqualTo(new[] { KubeFields.Uid(other) }));
    }

    [Test]
    public async Task OwnerDeletedWithForegroundPolicy_WaitsForBlockingDependents()
    {
        var ns = await _server.CreateNamespaceAsync("gc");
        var owner = await CreateConfigMapAsync(ns, "owner");
        var held = ConfigMap("held", Reference(owner, blockOwnerDeletion: true));
        ((JsonObject)held["metadata"]!)["finalizers"] = new JsonArray("example.com/hold");
        await _server.Api.CreateAsync(ConfigMaps, ns, held);
        await CreateConfigMapAsync(ns, "free", Reference(owner, blockOwnerDeletion: true));

        await _server.Api.DeleteAsync(ConfigMaps, ns, "owner", "Foreground");

        // The dependents are deleted; the one held by its own finalizer keeps the owner waiting.
        await WaitGoneAsync(ConfigMaps, ns, "free");
        await ServerFixture.WaitUntilAsync(async () => KubeFields.IsBeingDeleted(await _server.Api.GetAsync(ConfigMaps, ns, "held")), Deadline, () => "held dependent being deleted");
        var waiting = await _server.Api.GetAsync(ConfigMaps, ns, "owner");
        Assert.Multiple(() =>
        {
            Assert.That(KubeFields.IsBeingDeleted(waiting), Is.True);
            Assert.That(KubeFields.HasFinalizer(waiting, "foregroundDeletion"), Is.True);
        });

        await _server.Api.PatchAsync(ConfigMaps, ns, "held", "application/merge-patch+json", new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = null } });

        await WaitGoneAsync(ConfigMaps, ns, "held");
        await WaitGoneAsync(ConfigMaps, ns, "owner");
    }

    [Test]
    public async Task OneOfTwoOwnersDeleted_DependentKeptAndDanglingReferenceRemoved()
    {
        var ns = await _server.CreateNamespaceAsync("gc");
        var gone = await CreateConfigMapAsync(ns, "gone");
        var staying = await CreateConfigMapAsync(ns, "staying");
        await CreateConfigMapAsync(ns, "dependent", Reference(gone), Reference(staying));

        await _server.Api.DeleteAsync(ConfigMaps, ns, "gone");

        await ServerFixture.WaitUntilAsync(
            async () => OwnerUids(await _server.Api.GetAsync(ConfigMaps, ns, "dependent")).SequenceEqual([KubeFields.Uid(staying)]),
            Deadline,
            () => "only the remaining owner referenced");
    }

    [Test]
    public async Task OwnerNeverExisted_DependentIsDeleted()
    {
        var ns = await _server.CreateNamespaceAsync("gc");
        var namesake = await CreateConfigMapAsync(ns, "namesake");
        var ghost = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["name"] = "ghost", ["uid"] = Guid.NewGuid().ToString() };
        var impostor = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["name"] = "namesake", ["uid"] = Guid.NewGuid().ToString() };

        await CreateConfigMapAsync(ns, "orphan-of-ghost", ghost);
        await CreateConfigMapAsync(ns, "orphan-of-impostor", impostor);

        await WaitGoneAsync(ConfigMaps, ns, "orphan-of-ghost");
        await WaitGoneAsync(ConfigMaps, ns, "orphan-of-impostor");
        Assert.That(await ExistsAsync(ConfigMaps, ns, KubeFields.Name(namesake)), Is.True, "an owner with the same name but another uid is not the owner");
    }

    [Test]
    public async Task ClusterScopedOwnerDeleted_NamespacedDependentIsDeleted()
    {
        var ns = await _server.CreateNamespaceAsync("gc");
        var nodeName = "gc-owner-" + Guid.NewGuid().ToString("N")[..8];
        var node = await _server.Api.CreateAsync(Nodes, "", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = nodeName } });
        await CreateConfigMapAsync(ns, "node-config", Reference(node, "v1", "Node"));

        await _server.Api.DeleteAsync(Nodes, "", nodeName);

        await WaitGoneAsync(ConfigMaps, ns, "node-config");
    }

    [Test]
    public async Task KubectlDeleteDeployment_RemovesItsReplicaSetsAndPods()
    {
        var ns = await _server.CreateNamespaceAsync("gc");
        await CreateDeploymentWithPodsAsync(ns, "web", 2);

        var result = await _server.Kubectl("delete", "deployment", "web", "-n", ns);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        await ServerFixture.WaitUntilAsync(async () => (await _server.ReplicaSetsAsync(ns)).Count == 0, Deadline, () => "replica sets deleted");
        await ServerFixture.WaitUntilAsync(async () => (await _server.PodsAsync(ns)).Count == 0, Deadline, () => "pods deleted");
    }

    [Test]
    public async Task KubectlDeleteDeploymentCascadeOrphan_KeepsReplicaSetsAndPods()
    {
        var ns = await _server.CreateNamespaceAsync("gc");
        await CreateDeploymentWithPodsAsync(ns, "web", 2);

        var result = await _server.Kubectl("delete", "deployment", "web", "-n", ns, "--cascade=orphan");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        await WaitGoneAsync(WorkloadResources.Deployments, ns, "web");
        var replicaSets = await _server.ReplicaSetsAsync(ns);
        Assert.That(replicaSets, Has.Count.EqualTo(1));
        Assert.That(OwnerUids(replicaSets[0]), Is.Empty, "the deployment's reference is removed");
        Assert.That((await _server.PodsAsync(ns)).Active(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task KubectlDeleteDeploymentCascadeForeground_ReturnsOnceDependentsAreGone()
    {
        var ns = await _server.CreateNamespaceAsync("gc");
        await CreateDeploymentWithPodsAsync(ns, "web", 2);

        // kubectl waits for the deployment itself, which waits for its blocking dependents.
        var result = await _server.Kubectl("delete", "deployment", "web", "-n", ns, "--cascade=foreground");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(await ExistsAsync(WorkloadResources.Deployments, ns, "web"), Is.False);
        Assert.That(await _server.ReplicaSetsAsync(ns), Is.Empty);
        Assert.That(await _server.PodsAsync(ns), Is.Empty);
    }

    private async Task CreateDeploymentWithPodsAsync(string ns, string name, int replicas)
    {
        await _server.Api.CreateAsync(WorkloadResources.Deployments, ns, Workloads.Deployment(name, replicas, name));
        await ServerFixture.WaitUntilAsync(async () => (await _server.ReplicaSetsAsync(ns)).Count == 1, Deadline, () => "a replica set");
        await ServerFixture.WaitUntilAsync(async () => (await _server.PodsAsync(ns)).Count == replicas, Deadline, () => $"{replicas} pods");
    }

    private async Task<JsonObject> CreateConfigMapAsync(string ns, string name, params JsonObject[] owners) =>
        await _server.Api.CreateAsync(ConfigMaps, ns, ConfigMap(name, owners));

    private static JsonObject ConfigMap(string name, params JsonObject[] owners)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (owners.Length > 0)
        {
            metadata["ownerReferences"] = new JsonArray(owners.Select(o => (JsonNode?)o).ToArray());
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = metadata, ["data"] = new JsonObject { ["k"] = "v" } };
    }

    private static JsonObject Reference(JsonObject owner, string apiVersion = "v1", string kind = "ConfigMap", bool blockOwnerDeletion = false)
    {
        var reference = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["name"] = KubeFields.Name(owner), ["uid"] = KubeFields.Uid(owner) };
        if (blockOwnerDeletion)
        {
            reference["blockOwnerDeletion"] = true;
        }

        return reference;
    }

    private static string[] OwnerUids(JsonObject obj) =>
        KubeFields.Objects(KubeFields.Metadata(obj), "ownerReferences").Select(r => KubeFields.String(r, "uid") ?? "").ToArray();

    private async Task<bool> ExistsAsync(ApiResource resource, string ns, string name)
    {
        try
        {
            await _server.Api.GetAsync(resource, ns, name);
            return true;
        }
        catch (ApiStatusException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    private Task WaitGoneAsync(ApiResource resource, string ns, string name) =>
        ServerFixture.WaitUntilAsync(async () => !await ExistsAsync(resource, ns, name), Deadline, () => $"{resource} {ns}/{name} deleted");
}
