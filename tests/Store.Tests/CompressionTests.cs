using static Nautilus.Store.Tests.TestSupport;

namespace Nautilus.Store.Tests;

/// <summary>The store keeps committed objects compressed against a sibling, and every read gives back the exact bytes.</summary>
public sealed class CompressionTests : DataDirectoryTests
{
    // Long enough to be worth compressing; what pods really repeat (defaults, managedFields) is longer still.
    private static readonly string Padding = string.Concat(Enumerable.Repeat("terminationMessagePath=/dev/termination-log;imagePullPolicy=IfNotPresent;", 8));

    private static StoredObject BigPod(int i, string extra = "") => Pod("ns-" + (i % 3), "web-" + i, Labels("app=web", "shard=" + (i % 5)), nodeName: "node-" + (i % 7), extra: Padding + extra);

    [Test]
    public async Task HasContent_ComparesWithTheStoredBytesWhetherCompressedOrNot()
    {
        // Arrange
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions());
        var first = await store.CreateAsync(Pods, BigPod(0));
        var second = await store.CreateAsync(Pods, BigPod(1));
        var stored = (await store.GetAsync(Pods, second.Key))!;
        Assert.That(stored.IsCompressed, Is.True, "the second pod compresses against the first");

        // Act and assert: the object as written (placeholder revision) matches; a change does not.
        Assert.That(stored.HasContent(BigPod(1).Json), Is.True);
        Assert.That(stored.HasContent(BigPod(1, "changed").Json), Is.False);
        Assert.That((await store.GetAsync(Pods, first.Key))!.HasContent(BigPod(0).Json), Is.True);
        Assert.That((await store.GetAsync(Pods, first.Key))!.HasContent(BigPod(2).Json), Is.False);
    }

    [Test]
    public async Task JsonContains_FindsBytesWhetherCompressedOrNot()
    {
        // Arrange
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions());
        var first = await store.CreateAsync(Pods, BigPod(0, "marker-0"));
        var second = await store.CreateAsync(Pods, BigPod(1, "marker-1"));
        var plain = (await store.GetAsync(Pods, first.Key))!;
        var compressed = (await store.GetAsync(Pods, second.Key))!;
        Assert.That(compressed.IsCompressed, Is.True, "the second pod compresses against the first");

        // Act and assert: bytes of its own, bytes it shares with its sibling, bytes it lacks.
        Assert.That(compressed.JsonContains("marker-1"u8), Is.True);
        Assert.That(compressed.JsonContains("terminationMessagePath"u8), Is.True);
        Assert.That(compressed.JsonContains("marker-0"u8), Is.False);
        Assert.That(plain.JsonContains("marker-0"u8), Is.True);
        Assert.That(plain.JsonContains("marker-1"u8), Is.False);
    }

    [Test]
    public async Task Create_SimilarObjects_AreKeptCompressedAndReadBackExactly()
    {
        // Arrange
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions());
        var sent = new Dictionary<ObjectKey, StoredObject>();

        // Act
        for (var i = 0; i < 50; i++)
        {
            var pod = BigPod(i);
            sent[pod.Key] = pod;
            await store.CreateAsync(Pods, pod);
        }

        // Assert
        var listed = (await store.ListAsync(Pods, new ListOptions())).Items;
        Assert.That(listed, Has.Count.EqualTo(50));
        foreach (var obj in listed)
        {
            Assert.That(obj.IsCompressed, Is.True, obj.Key.ToString());
            Assert.That(obj.StoredLength * 4, Is.LessThan(obj.JsonLength), obj.Key.ToString());
            var expected = sent[obj.Key].WithResourceVersion(obj.ResourceVersion).Json;
            Assert.That(obj.Json, Is.EqualTo(expected), obj.Key.ToString());
            var copy = new byte[obj.JsonLength];
            obj.CopyJsonTo(copy);
            Assert.That(copy, Is.EqualTo(expected));
        }
    }

    [Test]
    public async Task Watch_CompressedObjects_DeliverTheCommittedBytes()
    {
        // Arrange
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions());
        await store.CreateAsync(Pods, BigPod(0));
        using var watch = await store.WatchAsync(Pods, new WatchOptions { ResourceVersion = store.CurrentRevision.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        // Act
        var created = await store.CreateAsync(Pods, BigPod(1));
        var updated = await store.GuaranteedUpdateAsync(Pods, created.Key, (_, _) => ValueTask.FromResult(BigPod(1, "changed")));
        var deleted = await store.DeleteAsync(Pods, created.Key);
        var events = await TakeAsync(watch, 3);

        // Assert
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted }));
        Assert.That(events[0].Object!.Json, Is.EqualTo(created.Json));
        Assert.That(events[1].Object!.Json, Is.EqualTo(updated.Json));
        Assert.That(Extra(events[1].Object!), Does.EndWith("changed"));
        Assert.That(events[2].Object!.Json, Is.EqualTo(deleted.Json));
        Assert.That(ResourceVersionInJson(events[2].Object!), Is.EqualTo(deleted.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task Reopen_CompressedObjects_ReadBackExactly()
    {
        // Arrange
        Dictionary<ObjectKey, byte[]> before;
        await using (var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory }))
        {
            for (var i = 0; i < 30; i++)
            {
                await store.CreateAsync(Pods, BigPod(i));
            }

            await store.GuaranteedUpdateAsync(Pods, BigPod(3).Key, (_, _) => ValueTask.FromResult(BigPod(3, "updated")));
            await store.DeleteAsync(Pods, BigPod(4).Key);
            before = (await store.ListAsync(Pods, new ListOptions())).Items.ToDictionary(o => o.Key, o => o.Json);
        }

        // Act
        await using var reopened = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory });

        // Assert
        var after = (await reopened.ListAsync(Pods, new ListOptions())).Items;
        Assert.That(after, Has.Count.EqualTo(29));
        foreach (var obj in after)
        {
            Assert.That(obj.IsCompressed, Is.True, obj.Key.ToString());
            Assert.That(obj.Json, Is.EqualTo(before[obj.Key]), obj.Key.ToString());
        }
    }

    [Test]
    public async Task Create_LargeFirstObject_IsNotTheDictionary_AndEverythingReadsBack()
    {
        // Arrange: a 200 KB object first, then ordinary ones.
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions());
        var large = BigPod(0, string.Concat(Enumerable.Repeat("x0123456789", 20_000)));

        // Act
        var created = new List<StoredObject> { await store.CreateAsync(Pods, large) };
        for (var i = 1; i < 10; i++)
        {
            created.Add(await store.CreateAsync(Pods, BigPod(i)));
        }

        // Assert: the large one is compressed on its own, the small ones against each other.
        foreach (var obj in created)
        {
            var listed = await store.GetAsync(Pods, obj.Key);
            Assert.That(listed!.Json, Is.EqualTo(obj.Json), obj.Key.ToString());
            Assert.That(listed.IsCompressed, Is.True, obj.Key.ToString());
        }

        var first = (await store.GetAsync(Pods, created[0].Key))!;
        var last = (await store.GetAsync(Pods, created[^1].Key))!;
        Assert.That(first.StoredLength * 20, Is.LessThan(first.JsonLength), "a repetitive object compresses alone");
        Assert.That(last.StoredLength * 4, Is.LessThan(last.JsonLength), "siblings compress against the first of them");
    }
}
