using static Nautilus.Store.Tests.TestSupport;

namespace Nautilus.Store.Tests;

public sealed class WatchTests
{
    private EmbeddedStore _store = null!;

    [SetUp]
    public void SetUp() => _store = new EmbeddedStore();

    [TearDown]
    public async Task TearDown() => await _store.DisposeAsync();

    [Test]
    public async Task Watch_FromRevision_DeliversExactlyTheLaterEventsInOrder()
    {
        // Arrange
        var a = await _store.CreateAsync(Pods, Pod("ns", "a"));
        var from = _store.CurrentRevision;
        var b = await _store.CreateAsync(Pods, Pod("ns", "b"));
        var a2 = await _store.GuaranteedUpdateAsync(Pods, a.Key, (_, _) => ValueTask.FromResult(Pod("ns", "a", extra: "2")));

        // Act
        using var watch = await _store.WatchAsync(Pods, new WatchOptions { ResourceVersion = from.ToString() });
        var gone = await _store.DeleteAsync(Pods, b.Key);
        var events = await TakeAsync(watch, 3);

        // Assert
        Assert.That(events[0], Is.EqualTo(new WatchEvent(WatchEventType.Added, b, b.ResourceVersion)));
        Assert.That(events[1], Is.EqualTo(new WatchEvent(WatchEventType.Modified, a2, a2.ResourceVersion)));
        Assert.That(events[2], Is.EqualTo(new WatchEvent(WatchEventType.Deleted, gone, gone.ResourceVersion)));
        Assert.That(watch.Events.TryRead(out _), Is.False);
    }

    [Test]
    public async Task Watch_FromZero_SendsAddedForExistingThenLiveChanges()
    {
        // Arrange
        var a = await _store.CreateAsync(Pods, Pod("ns", "a"));
        var b = await _store.CreateAsync(Pods, Pod("ns", "b"));
        await _store.CreateAsync(Pods, Pod("other", "c"));

        // Act
        using var watch = await _store.WatchAsync(Pods, new WatchOptions { ResourceVersion = "0", Namespace = "ns" });
        var d = await _store.CreateAsync(Pods, Pod("ns", "d"));
        await _store.CreateAsync(Pods, Pod("other", "e"));
        var events = await TakeAsync(watch, 3);

        // Assert
        Assert.That(events[0], Is.EqualTo(new WatchEvent(WatchEventType.Added, a, a.ResourceVersion)));
        Assert.That(events[1], Is.EqualTo(new WatchEvent(WatchEventType.Added, b, b.ResourceVersion)));
        Assert.That(events[2], Is.EqualTo(new WatchEvent(WatchEventType.Added, d, d.ResourceVersion)));
        Assert.That(watch.Events.TryRead(out _), Is.False);
    }

    [Test]
    public async Task Watch_SendInitialEvents_EndsInitialStateWithMarkedBookmark()
    {
        // Arrange
        var a = await _store.CreateAsync(Pods, Pod("ns", "a"));
        var revision = _store.CurrentRevision;

        // Act
        using var watch = await _store.WatchAsync(Pods, new WatchOptions { SendInitialEvents = true, AllowBookmarks = true });
        var events = await TakeAsync(watch, 2);

        // Assert
        Assert.That(events[0].Object, Is.SameAs(a));
        Assert.That(events[1], Is.EqualTo(new WatchEvent(WatchEventType.Bookmark, null, revision, InitialEventsEnd: true)));
    }

    [Test]
    public async Task Watch_LabelSelector_TurnsStopMatchingIntoDeletedAndStartMatchingIntoAdded()
    {
        // Arrange
        var pod = await _store.CreateAsync(Pods, Pod("ns", "a", Labels("app=web")));
        using var watch = await _store.WatchAsync(Pods, new WatchOptions { ResourceVersion = _store.CurrentRevision.ToString(), Labels = LabelSelector.Parse("app=web") });

        // Act
        var away = await _store.GuaranteedUpdateAsync(Pods, pod.Key, (_, _) => ValueTask.FromResult(Pod("ns", "a", Labels("app=db"))));
        await _store.GuaranteedUpdateAsync(Pods, pod.Key, (_, _) => ValueTask.FromResult(Pod("ns", "a", Labels("app=db"), extra: "unseen")));
        var back = await _store.GuaranteedUpdateAsync(Pods, pod.Key, (_, _) => ValueTask.FromResult(Pod("ns", "a", Labels("app=web"))));
        var events = await TakeAsync(watch, 2);

        // Assert
        Assert.That(events[0].Type, Is.EqualTo(WatchEventType.Deleted));
        Assert.That(events[0].ResourceVersion, Is.EqualTo(away.ResourceVersion));
        Assert.That(events[0].Object!.Labels["app"], Is.EqualTo("web"), "kube sends the last matching state");
        Assert.That(ResourceVersionInJson(events[0].Object!), Is.EqualTo(away.ResourceVersion.ToString()));
        Assert.That(events[1], Is.EqualTo(new WatchEvent(WatchEventType.Added, back, back.ResourceVersion)));
        Assert.That(watch.Events.TryRead(out _), Is.False);
    }

    [Test]
    public async Task Watch_NodeNameFieldSelector_SeesBindingAsAddedAndOnlyItsNode()
    {
        // Arrange
        var pending = await _store.CreateAsync(Pods, Pod("ns", "a"));
        using var node1 = await _store.WatchAsync(Pods, new WatchOptions { ResourceVersion = _store.CurrentRevision.ToString(), Fields = FieldSelector.Parse("spec.nodeName=node-1") });
        using var unscheduled = await _store.WatchAsync(Pods, new WatchOptions { ResourceVersion = _store.CurrentRevision.ToString(), Fields = FieldSelector.Parse("spec.nodeName=") });

        // Act
        var bound = await _store.GuaranteedUpdateAsync(Pods, pending.Key, (_, _) => ValueTask.FromResult(Pod("ns", "a", nodeName: "node-1")));
        await _store.CreateAsync(Pods, Pod("ns", "b", nodeName: "node-2"));
        var node1Event = await NextAsync(node1);
        var unscheduledEvent = await NextAsync(unscheduled);

        // Assert
        Assert.That(node1Event, Is.EqualTo(new WatchEvent(WatchEventType.Added, bound, bound.ResourceVersion)));
        Assert.That(unscheduledEvent.Type, Is.EqualTo(WatchEventType.Deleted));
        Assert.That(node1.Events.TryRead(out _), Is.False);
        Assert.That(unscheduled.Events.TryRead(out _), Is.False);
    }

    [Test]
    public async Task Watch_RevisionOlderThanWindow_ThrowsExpiredWithKubeMessage()
    {
        // Arrange
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions { EventWindow = 3 });
        var first = await store.CreateAsync(Pods, Pod("ns", "p0"));
        for (var i = 1; i < 6; i++)
        {
            await store.CreateAsync(Pods, Pod("ns", "p" + i));
        }

        // Act
        var error = Assert.ThrowsAsync<StorageException>(async () => await store.WatchAsync(Pods, new WatchOptions { ResourceVersion = first.ResourceVersion.ToString() }));
        using var recent = await store.WatchAsync(Pods, new WatchOptions { ResourceVersion = (store.CurrentRevision - 3).ToString() });

        // Assert
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.Expired));
        Assert.That(error.Message, Does.Match(@"^too old resource version: \d+ \(\d+\)$"));
        Assert.That((await TakeAsync(recent, 3))[2].ResourceVersion, Is.EqualTo(store.CurrentRevision));
    }

    [Test]
    public void Watch_MalformedResourceVersion_ThrowsInvalidArgument()
    {
        var error = Assert.ThrowsAsync<StorageException>(async () => await _store.WatchAsync(Pods, new WatchOptions { ResourceVersion = "x1" }));
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.InvalidArgument));
    }

    [Test]
    public async Task Watch_SlowWatcher_IsCutOffWithoutBlockingWriters()
    {
        // Arrange
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions { WatchBufferSize = 5 });
        using var slow = await store.WatchAsync(Pods, new WatchOptions { ResourceVersion = "0" });
        using var fast = await store.WatchAsync(Pods, new WatchOptions { ResourceVersion = "0" });

        // Act: 50 writes while the slow watcher reads nothing; every write must complete.
        var received = 0;
        for (var i = 0; i < 50; i++)
        {
            var write = store.CreateAsync(Pods, Pod("ns", "p" + i)).AsTask();
            Assert.That(write.IsCompleted, Is.True, "writers never wait for watchers");
            await write;
            await NextAsync(fast);
            received++;
        }

        var drained = new List<WatchEvent>();
        var error = Assert.ThrowsAsync<StorageException>(async () =>
        {
            await foreach (var e in slow.Events.ReadAllAsync())
            {
                drained.Add(e);
            }
        });

        // Assert
        Assert.That(received, Is.EqualTo(50));
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.WatcherTooSlow));
        Assert.That(drained, Has.Count.EqualTo(5), "what was buffered before the cut is still readable, in order");
        Assert.That(drained[4].Object!.Name, Is.EqualTo("p4"));
    }

    [Test]
    public async Task Watch_Bookmarks_ArriveAtTheIntervalWithTheCurrentRevision()
    {
        // Arrange
        var clock = new ManualTimeProvider();
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions { TimeProvider = clock, BookmarkInterval = TimeSpan.FromSeconds(60) });
        using var withBookmarks = await store.WatchAsync(Pods, new WatchOptions { ResourceVersion = "0", AllowBookmarks = true });
        using var without = await store.WatchAsync(Pods, new WatchOptions { ResourceVersion = "0" });
        var pod = await store.CreateAsync(Pods, Pod("ns", "a"));
        await NextAsync(withBookmarks);

        // Act
        clock.Advance(TimeSpan.FromSeconds(59));
        var early = withBookmarks.Events.TryRead(out _);
        clock.Advance(TimeSpan.FromSeconds(1));
        var bookmark = await NextAsync(withBookmarks);

        // Assert
        Assert.That(early, Is.False);
        Assert.That(bookmark, Is.EqualTo(new WatchEvent(WatchEventType.Bookmark, null, pod.ResourceVersion)));
        Assert.That((await NextAsync(without)).Type, Is.EqualTo(WatchEventType.Added));
        Assert.That(without.Events.TryRead(out _), Is.False);
    }

    [Test]
    public async Task Watch_Dispose_CompletesTheChannelAndStopsDelivery()
    {
        // Arrange
        var watch = await _store.WatchAsync(Pods, new WatchOptions());

        // Act
        watch.Dispose();
        await _store.CreateAsync(Pods, Pod("ns", "a"));

        // Assert
        Assert.That(watch.Events.Completion.IsCompleted, Is.True);
        Assert.That(watch.Events.TryRead(out _), Is.False);
    }

    [Test]
    public async Task Watch_ManyConcurrentWriters_DeliverStrictlyIncreasingRevisions()
    {
        // Arrange
        using var watch = await _store.WatchAsync(Pods, new WatchOptions { ResourceVersion = _store.CurrentRevision.ToString() });
        const int count = 200;

        // Act
        var writes = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var name = "p" + i;
            writes[i] = Task.Run(async () => await _store.CreateAsync(Pods, Pod("ns", name)));
        }

        await Task.WhenAll(writes);
        var events = await TakeAsync(watch, count);

        // Assert
        var revisions = new List<long>();
        foreach (var e in events)
        {
            revisions.Add(e.ResourceVersion);
        }

        Assert.That(revisions, Is.Ordered.Ascending.And.Unique);
    }
}
