using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests.Machinery;

/// <summary>The shared informer against a real server: paged lists, the namespace index, then the watch.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class InformerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly ApiResource ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true);
    private static readonly ApiResource Pods = new("", "v1", "pods", "Pod", true);

    private ServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task ListInPagesOfTwo_CachesEveryObject_IndexedByNamespace_ThenFollowsTheWatch()
    {
        var ns = await _server.CreateNamespaceAsync("informer");
        var other = await _server.CreateNamespaceAsync("informer");
        for (var i = 0; i < 5; i++)
        {
            await _server.Api.CreateAsync(ConfigMaps, ns, ConfigMap("cm-" + i));
        }

        await _server.Api.CreateAsync(ConfigMaps, other, ConfigMap("elsewhere"));
        var informer = new Informer(_server.Api, ConfigMaps, NullLogger.Instance, listPageSize: 2);
        await RunningAsync(informer, async () =>
        {
            await informer.Synced.WaitAsync(Deadline);

            Assert.That(informer.ByNamespace(ns).Select(o => o.Name), Is.EquivalentTo(Enumerable.Range(0, 5).Select(i => "cm-" + i)));
            Assert.That(informer.ByNamespace(other).Select(o => o.Key), Is.EqualTo(new[] { other + "/elsewhere" }));
            Assert.That(informer.TryGet(ns + "/cm-3", out var cm3) && cm3["data"]?["k"]?.GetValue<string>() == "v", Is.True);

            await _server.Api.DeleteAsync(ConfigMaps, ns, "cm-0");
            await _server.Api.CreateAsync(ConfigMaps, ns, ConfigMap("cm-5"));
            await ServerFixture.WaitUntilAsync(
                () => Task.FromResult(informer.ByNamespace(ns).Select(o => o.Name).Order().SequenceEqual(["cm-1", "cm-2", "cm-3", "cm-4", "cm-5"])),
                Deadline,
                () => "the watch's delete and create in the namespace index: " + string.Join(",", informer.ByNamespace(ns).Select(o => o.Name)));
        });
    }

    [Test]
    public async Task Pods_IndexedByNodeName_FollowCreatesAndDeletes()
    {
        var ns = await _server.CreateNamespaceAsync("informer");
        await _server.Api.CreateAsync(Pods, ns, Pod("a", "node-1"));
        await _server.Api.CreateAsync(Pods, ns, Pod("b", "node-2"));
        var informer = new Informer(_server.Api, Pods, NullLogger.Instance);
        await RunningAsync(informer, async () =>
        {
            await informer.Synced.WaitAsync(Deadline);
            Assert.That(informer.ByNodeName("node-1").Where(p => p.Namespace == ns).Select(p => p.Name), Is.EqualTo(new[] { "a" }));

            await _server.Api.CreateAsync(Pods, ns, Pod("c", "node-1"));
            await _server.Api.CreateAsync(Pods, ns, Pod("unbound", null));
            await _server.Api.DeleteAsync(Pods, ns, "a", gracePeriodSeconds: 0); // no kubelet runs node-1 to end a graceful deletion
            await ServerFixture.WaitUntilAsync(
                () => Task.FromResult(informer.ByNodeName("node-1").Where(p => p.Namespace == ns).Select(p => p.Name).SequenceEqual(["c"]) && informer.TryGetCached(ns + "/unbound", out _)),
                Deadline,
                () => "node-1 holds c only: " + string.Join(",", informer.ByNodeName("node-1").Select(o => o.Key)));
            Assert.That(informer.ByNodeName("node-2").Where(p => p.Namespace == ns).Select(p => p.Name), Is.EqualTo(new[] { "b" }));
        });
    }

    [Test]
    public async Task KeysOnly_CachesNothing_HandsSubscribersTheObjects_AndSeesDeletions()
    {
        var ns = await _server.CreateNamespaceAsync("informer");
        await _server.Api.CreateAsync(ConfigMaps, ns, ConfigMap("kept"));
        var informer = new Informer(_server.Api, ConfigMaps, NullLogger.Instance, cacheObjects: false);
        var received = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        informer.Subscribe((key, obj) => received[key] = obj is null ? "deleted" : obj.ToJsonObject()["data"]?["k"]?.GetValue<string>() ?? "");
        await RunningAsync(informer, async () =>
        {
            await informer.Synced.WaitAsync(Deadline);
            Assert.That(received.GetValueOrDefault(ns + "/kept"), Is.EqualTo("v"), "the listed object reaches the subscriber");
            Assert.That(informer.TryGetCached(ns + "/kept", out _), Is.False, "nothing is cached");
            Assert.That(informer.ByNamespace(ns), Is.Empty);
            var count = informer.Count;

            await _server.Api.DeleteAsync(ConfigMaps, ns, "kept");
            await ServerFixture.WaitUntilAsync(() => Task.FromResult(received.GetValueOrDefault(ns + "/kept") == "deleted"), Deadline, () => "the deletion reaches the subscriber");
            Assert.That(informer.Count, Is.EqualTo(count - 1), "the key is forgotten");
        });
    }

    [Test]
    public async Task EventHandler_SubscribedToARunningInformer_AddsWhatIsCached_ThenTellsItsUpdateAndDeletion()
    {
        var ns = await _server.CreateNamespaceAsync("informer");
        await _server.Api.CreateAsync(ConfigMaps, ns, ConfigMap("early"));
        var informer = new Informer(_server.Api, ConfigMaps, NullLogger.Instance);
        await RunningAsync(informer, async () =>
        {
            await informer.Synced.WaitAsync(Deadline);
            var told = new System.Collections.Concurrent.ConcurrentQueue<string>();
            ResourceEventHandler.Subscribe(
                informer,
                onAdd: o => told.Enqueue("add " + KubeObject.Namespace(o) + "/" + KubeObject.Name(o)),
                onUpdate: (old, current) => told.Enqueue("update " + KubeObject.Name(current) + " " + old["data"]?["k"] + "->" + current["data"]?["k"]),
                onDelete: o => told.Enqueue("delete " + KubeObject.Name(o) + " " + o["data"]?["k"]));
            Assert.That(told, Does.Contain("add " + ns + "/early"), "an object cached before subscribing is added");

            var changed = ConfigMap("early");
            changed["data"] = new JsonObject { ["k"] = "w" };
            await _server.Api.UpdateAsync(ConfigMaps, ns, "early", changed);
            await _server.Api.DeleteAsync(ConfigMaps, ns, "early");
            await ServerFixture.WaitUntilAsync(
                () => Task.FromResult(told.Contains("delete early w")),
                Deadline,
                () => "the update and the deletion, with the object seen before: " + string.Join(" | ", told));
            Assert.That(told, Does.Contain("update early v->w"));
        });
    }

    /// <summary>Runs <paramref name="informer"/> while <paramref name="body"/> runs, then stops it.</summary>
    private static async Task RunningAsync(Informer informer, Func<Task> body)
    {
        using var stop = new CancellationTokenSource();
        var running = informer.RunAsync(stop.Token);
        try
        {
            await body();
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    private static JsonObject Pod(string name, string? node)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "nginx" }) };
        if (node is not null)
        {
            spec["nodeName"] = node;
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec };
    }

    private static JsonObject ConfigMap(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["data"] = new JsonObject { ["k"] = "v" },
    };
}
