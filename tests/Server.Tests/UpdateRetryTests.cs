using System.Text;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;
using Nautilus.Store;

namespace Nautilus.Server.Tests;

/// <summary>
/// An update whose first attempt loses the race (the object changed between the read and the
/// write) is produced again from the body as it was sent, merged into the newer object.
/// </summary>
public sealed class UpdateRetryTests
{
    private static readonly ResourceRegistry Registry = BuiltInResources.CreateRegistry();

    [Test]
    public async Task StatusUpdate_RetriedAfterAConcurrentWrite_KeepsItsStatusAndTheOtherWrite()
    {
        await using var inner = new EmbeddedStore();
        var (store, handler) = await StartAsync(inner);
        Registry.TryGet("", "v1", "pods", out var pods);
        await handler.CreateAsync(pods!, "ns", Encoding.UTF8.GetBytes("""{"metadata":{"name":"p","annotations":{"a":"1"}},"spec":{"containers":[{"name":"c","image":"app:1"}]}}"""), new WriteOptions(), CancellationToken.None);

        // Between the status update's first attempt and its write, another client changes the spec's image.
        store.BeforeNextWrite = async () =>
        {
            await handler.PatchAsync(pods!, "ns", "p", "", "application/merge-patch+json",
                Encoding.UTF8.GetBytes("""{"spec":{"containers":[{"name":"c","image":"app:2"}]}}"""), new WriteOptions(), CancellationToken.None);
        };
        var status = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"a":"2"}},"status":{"phase":"Running","message":"up"}}""";
        var result = await handler.UpdateAsync(pods!, "ns", "p", "status", Encoding.UTF8.GetBytes(status), new WriteOptions { FieldManager = "kubelet" }, CancellationToken.None);

        Assert.That(store.Attempts, Is.EqualTo(2), "the first attempt lost the race");
        var stored = ObjectCodec.ToTree((await inner.GetAsync(pods!.StorageType, new ObjectKey("ns", "p")))!);
        Assert.That(stored["status"]?["phase"]?.GetValue<string>(), Is.EqualTo("Running"));
        Assert.That(stored["status"]?["message"]?.GetValue<string>(), Is.EqualTo("up"));
        Assert.That(stored["metadata"]?["annotations"]?["a"]?.GetValue<string>(), Is.EqualTo("2"));
        Assert.That(stored["spec"]?["containers"]?[0]?["image"]?.GetValue<string>(), Is.EqualTo("app:2"), "the concurrent spec change stays");
        Assert.That(KubeJson.ParseObject(result.Json)["status"]?["message"]?.GetValue<string>(), Is.EqualTo("up"));
    }

    [Test]
    public async Task Update_RetriedAfterAConcurrentWrite_WritesTheBodyAsSent()
    {
        await using var inner = new EmbeddedStore();
        var (store, handler) = await StartAsync(inner);
        Registry.TryGet("", "v1", "configmaps", out var configMaps);
        await handler.CreateAsync(configMaps!, "ns", Encoding.UTF8.GetBytes("""{"metadata":{"name":"c"},"data":{"k":"1"}}"""), new WriteOptions(), CancellationToken.None);

        store.BeforeNextWrite = async () =>
        {
            await handler.PatchAsync(configMaps!, "ns", "c", "", "application/merge-patch+json",
                Encoding.UTF8.GetBytes("""{"metadata":{"labels":{"other":"x"}}}"""), new WriteOptions(), CancellationToken.None);
        };
        var body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"mine":"y"}},"data":{"k":"2"}}""";
        await handler.UpdateAsync(configMaps!, "ns", "c", "", Encoding.UTF8.GetBytes(body), new WriteOptions { FieldManager = "editor" }, CancellationToken.None);

        Assert.That(store.Attempts, Is.EqualTo(2), "the first attempt lost the race");
        var stored = ObjectCodec.ToTree((await inner.GetAsync(configMaps!.StorageType, new ObjectKey("ns", "c")))!);
        Assert.That(stored["data"]?.ToJsonString(), Is.EqualTo("""{"k":"2"}"""));
        Assert.That(stored["metadata"]?["labels"]?.ToJsonString(), Is.EqualTo("""{"mine":"y"}"""), "an update replaces the labels with the body's");
        var managers = stored["metadata"]?["managedFields"]?.AsArray().Select(m => m?["manager"]?.GetValue<string>()).ToList();
        Assert.That(managers, Does.Contain("editor"));
    }

    /// <summary>A handler over <paramref name="inner"/> through a <see cref="RacingStore"/>, with the namespace "ns".</summary>
    private static async Task<(RacingStore Store, ResourceHandler Handler)> StartAsync(EmbeddedStore inner)
    {
        var store = new RacingStore(inner);
        var handler = new ResourceHandler(store, Registry, TimeProvider.System, new GracefulDeletion(store, TimeProvider.System, Registry));
        Registry.TryGet("", "v1", "namespaces", out var namespaces);
        await handler.CreateAsync(namespaces!, "", Encoding.UTF8.GetBytes("""{"metadata":{"name":"ns"}}"""), new WriteOptions(), CancellationToken.None);
        return (store, handler);
    }

    /// <summary>
    /// The embedded store, except that the next guaranteed update runs its function once on the
    /// object as read, then lets <see cref="BeforeNextWrite"/> change the object, then updates
    /// for real: as when another client writes between an update's read and its write.
    /// </summary>
    private sealed class RacingStore(EmbeddedStore inner) : IObjectStore
    {
        public Func<Task>? BeforeNextWrite { get; set; }

        public int Attempts { get; private set; }

        public long CurrentRevision => inner.CurrentRevision;

        public long Count(ResourceType type) => inner.Count(type);

        public ValueTask<StoredObject?> GetAsync(ResourceType type, ObjectKey key, CancellationToken cancellationToken = default) =>
            inner.GetAsync(type, key, cancellationToken);

        public ValueTask<ListResult> ListAsync(ResourceType type, ListOptions options, CancellationToken cancellationToken = default) =>
            inner.ListAsync(type, options, cancellationToken);

        public ValueTask<IObjectWatch> WatchAsync(ResourceType type, WatchOptions options, CancellationToken cancellationToken = default) =>
            inner.WatchAsync(type, options, cancellationToken);

        public ValueTask<StoredObject> CreateAsync(ResourceType type, StoredObject obj, CancellationToken cancellationToken = default) =>
            inner.CreateAsync(type, obj, cancellationToken);

        public ValueTask<StoredObject> DeleteAsync(ResourceType type, ObjectKey key, Preconditions? preconditions = null, CancellationToken cancellationToken = default) =>
            inner.DeleteAsync(type, key, preconditions, cancellationToken);

        public async ValueTask<StoredObject> GuaranteedUpdateAsync(ResourceType type, ObjectKey key, UpdateFunction tryUpdate, Preconditions? preconditions = null, bool ignoreNotFound = false, CancellationToken cancellationToken = default)
        {
            if (BeforeNextWrite is not { } race)
            {
                return await inner.GuaranteedUpdateAsync(type, key, tryUpdate, preconditions, ignoreNotFound, cancellationToken);
            }

            BeforeNextWrite = null;
            Attempts = 0;
            await tryUpdate(await inner.GetAsync(type, key, cancellationToken), cancellationToken);
            Attempts++;
            await race();
            return await inner.GuaranteedUpdateAsync(type, key, (current, ct) =>
            {
                Attempts++;
                return tryUpdate(current, ct);
            }, preconditions, ignoreNotFound, cancellationToken);
        }
    }
}
