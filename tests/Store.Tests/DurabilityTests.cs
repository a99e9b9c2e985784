using System.Text;
using static Nautilus.Store.Tests.TestSupport;

namespace Nautilus.Store.Tests;

public sealed class DurabilityTests : DataDirectoryTests
{
    private static async Task<List<StoredObject>> ListAllAsync(EmbeddedStore store, ResourceType type) =>
        [.. (await store.ListAsync(type, new ListOptions())).Items];

    private static void AssertSameObjects(List<StoredObject> expected, List<StoredObject> actual)
    {
        Assert.That(actual, Has.Count.EqualTo(expected.Count));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.That(actual[i].Key, Is.EqualTo(expected[i].Key));
            Assert.That(actual[i].Uid, Is.EqualTo(expected[i].Uid));
            Assert.That(actual[i].ResourceVersion, Is.EqualTo(expected[i].ResourceVersion));
            Assert.That(actual[i].Json, Is.EqualTo(expected[i].Json));
            Assert.That(actual[i].Labels, Is.EquivalentTo(expected[i].Labels));
            Assert.That(actual[i].Fields, Is.EquivalentTo(expected[i].Fields));
        }
    }

    [Test]
    public async Task Reopen_RestoresObjectsRevisionAndIndexes()
    {
        // Arrange
        List<StoredObject> before;
        long revision;
        await using (var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory }))
        {
            for (var i = 0; i < 20; i++)
            {
                await store.CreateAsync(Pods, Pod("ns", "p" + i.ToString("D2"), Labels("app=" + (i % 2 == 0 ? "even" : "odd")), nodeName: "n" + (i % 3)));
            }

            await store.GuaranteedUpdateAsync(Pods, new ObjectKey("ns", "p03"), (_, _) => ValueTask.FromResult(Pod("ns", "p03", Labels("app=even"), extra: "updated")));
            await store.DeleteAsync(Pods, new ObjectKey("ns", "p04"));
            await store.CreateAsync(Deployments, Pod("ns", "d"));
            before = await ListAllAsync(store, Pods);
            revision = store.CurrentRevision;
        }

        // Act
        await using var reopened = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory });

        // Assert
        Assert.That(reopened.CurrentRevision, Is.EqualTo(revision));
        AssertSameObjects(before, await ListAllAsync(reopened, Pods));
        Assert.That(reopened.Count(Deployments), Is.EqualTo(1));
        var even = await reopened.ListAsync(Pods, new ListOptions { Labels = LabelSelector.Parse("app=even") });
        Assert.That(even.Items, Has.Count.EqualTo(10)); // 10 even - p04 + p03
        var onNode = await reopened.ListAsync(Pods, new ListOptions { Fields = FieldSelector.Parse("spec.nodeName=n0") });
        Assert.That(onNode.Items, Has.Count.EqualTo(6)); // p00..p18 step 3, p03 lost its node on update
        var next = await reopened.CreateAsync(Pods, Pod("ns", "after"));
        Assert.That(next.ResourceVersion, Is.EqualTo(revision + 1));
    }

    [Test]
    public async Task Reopen_WatchCanResumeFromARevisionInTheReplayedLog()
    {
        // Arrange
        long from;
        await using (var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory }))
        {
            await store.CreateAsync(Pods, Pod("ns", "a"));
            from = store.CurrentRevision;
            await store.CreateAsync(Pods, Pod("ns", "b"));
            await store.DeleteAsync(Pods, new ObjectKey("ns", "a"));
        }

        // Act
        await using var reopened = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory });
        using var watch = await reopened.WatchAsync(Pods, new WatchOptions { ResourceVersion = from.ToString() });
        var events = await TakeAsync(watch, 2);

        // Assert
        Assert.That(events[0].Type, Is.EqualTo(WatchEventType.Added));
        Assert.That(events[0].Object!.Name, Is.EqualTo("b"));
        Assert.That(events[1].Type, Is.EqualTo(WatchEventType.Deleted));
        Assert.That(events[1].ResourceVersion, Is.EqualTo(reopened.CurrentRevision));
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(100)]
    public async Task TornTail_IsCutOffAndTheStoreKeepsWorking(int garbageBytes)
    {
        // Arrange
        long revision;
        await using (var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory }))
        {
            await store.CreateAsync(Pods, Pod("ns", "a"));
            await store.CreateAsync(Pods, Pod("ns", "b"));
            revision = store.CurrentRevision;
        }

        var log = Directory.GetFiles(DataDirectory, "wal-*.log").Single();
        await using (var file = new FileStream(log, FileMode.Append))
        {
            // A record header promising more bytes than follow, as a crash mid-write leaves it.
            var torn = new byte[garbageBytes];
            Array.Fill(torn, (byte)0x5A);
            file.Write(torn);
        }

        var lengthWithGarbage = new FileInfo(log).Length;

        // Act
        await using (var reopened = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory }))
        {
            // Assert
            Assert.That(reopened.CurrentRevision, Is.EqualTo(revision));
            Assert.That(reopened.RecoveredTruncatedBytes, Is.EqualTo(garbageBytes));
            Assert.That(new FileInfo(log).Length, Is.EqualTo(lengthWithGarbage - garbageBytes));
            await reopened.CreateAsync(Pods, Pod("ns", "c"));
        }

        await using var again = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory });
        Assert.That(again.Count(Pods), Is.EqualTo(3));
        Assert.That(again.CurrentRevision, Is.EqualTo(revision + 1));
    }

    [Test]
    public async Task CorruptLastRecord_IsDroppedAsUnacknowledged()
    {
        // Arrange
        await using (var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory }))
        {
            await store.CreateAsync(Pods, Pod("ns", "a"));
            await store.CreateAsync(Pods, Pod("ns", "b"));
        }

        var log = Directory.GetFiles(DataDirectory, "wal-*.log").Single();
        var bytes = await File.ReadAllBytesAsync(log);
        bytes[^3] ^= 0xFF; // flip bits inside the last record's body: its CRC no longer matches
        await File.WriteAllBytesAsync(log, bytes);

        // Act
        await using var reopened = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory });

        // Assert
        Assert.That(reopened.Count(Pods), Is.EqualTo(1));
        Assert.That(await reopened.GetAsync(Pods, new ObjectKey("ns", "a")), Is.Not.Null);
    }

    [Test]
    public async Task Snapshot_ThenMoreLog_ReplaysToTheSameState()
    {
        // Arrange
        var options = new EmbeddedStoreOptions { DataDirectory = DataDirectory, SnapshotThresholdBytes = 2 * 1024 };
        List<StoredObject> before;
        long revision;
        await using (var store = new EmbeddedStore(options))
        {
            for (var i = 0; i < 60; i++)
            {
                await store.CreateAsync(Pods, Pod("ns", "p" + i.ToString("D3"), Labels("i=" + i), extra: new string('x', 200)));
            }

            await store.Log!.WaitForSnapshotAsync();
            Assert.That(store.Log.SnapshotsWritten, Is.GreaterThanOrEqualTo(1));
            for (var i = 0; i < 10; i++)
            {
                var name = "p" + i.ToString("D3");
                await store.GuaranteedUpdateAsync(Pods, new ObjectKey("ns", name), (_, _) => ValueTask.FromResult(Pod("ns", name, extra: "after-snapshot")));
            }

            await store.DeleteAsync(Pods, new ObjectKey("ns", "p059"));
            await store.Log.WaitForSnapshotAsync();
            before = await ListAllAsync(store, Pods);
            revision = store.CurrentRevision;
        }

        // Act
        await using var reopened = new EmbeddedStore(options);

        // Assert
        Assert.That(Directory.GetFiles(DataDirectory, "snapshot-*.snap"), Is.Not.Empty);
        Assert.That(reopened.CurrentRevision, Is.EqualTo(revision));
        AssertSameObjects(before, await ListAllAsync(reopened, Pods));
    }

    [Test]
    public async Task Snapshot_KeepsObjectsAsTheTableKeepsThem_AndReadsThemBackExactly()
    {
        // Arrange: alike pods (kept and logged compressed against each other), sealed, past the snapshot threshold.
        var options = new EmbeddedStoreOptions { DataDirectory = DataDirectory, SnapshotThresholdBytes = 8 * 1024, Sealer = new XorSealer(0x5A) };
        var padding = string.Concat(Enumerable.Repeat("terminationMessagePath=/dev/termination-log;imagePullPolicy=IfNotPresent;", 12));
        List<StoredObject> before;
        await using (var store = new EmbeddedStore(options))
        {
            for (var i = 0; i < 200; i++)
            {
                await store.CreateAsync(Pods, Pod("ns-" + (i % 3), "p" + i.ToString("D3"), Labels("app=web", "i=" + i), nodeName: "node-" + (i % 5), extra: padding + i));
            }

            await store.Log!.WaitForSnapshotAsync();
            Assert.That(store.Log.SnapshotsWritten, Is.GreaterThanOrEqualTo(1));
            before = await ListAllAsync(store, Pods);
        }

        // Act
        var snapshot = Directory.GetFiles(DataDirectory, "snapshot-*.snap").Single();
        await using var reopened = new EmbeddedStore(options);

        // Assert: the snapshot holds compressed entries (a fraction of the JSON), and they read back exactly.
        var after = await ListAllAsync(reopened, Pods);
        var snapshotEntries = new FileInfo(snapshot).Length;
        var json = before.Sum(o => (long)o.JsonLength);
        Assert.That(snapshotEntries * 3, Is.LessThan(json), $"snapshot {snapshotEntries} B for {json} B of JSON");
        AssertSameObjects(before, after);
        Assert.That(after.Count(o => o.IsCompressed), Is.GreaterThan(150));

        // The next snapshot waits for as much log (compressed too) as this one occupies.
        Assert.That(reopened.Log!.RolloverBytes, Is.EqualTo(Math.Max(options.SnapshotThresholdBytes, snapshotEntries)));
    }

    [Test]
    public async Task Log_KeepsObjectsAsTheTableKeepsThem_AcrossRestartsAndDictionaryChanges()
    {
        // Arrange: sealed, no snapshot; alike pods, then pods unlike them (the compressor takes a
        // new dictionary mid-log), updates and deletes; then a restart that appends to the same
        // log, whose dictionary ids start again.
        var options = new EmbeddedStoreOptions { DataDirectory = DataDirectory, Sealer = new XorSealer(0x5A) };
        var padding = string.Concat(Enumerable.Repeat("terminationMessagePath=/dev/termination-log;imagePullPolicy=IfNotPresent;", 12));
        var other = string.Concat(Enumerable.Range(0, 200).Select(i => (char)('a' + ((i * 7919) % 26))));
        List<StoredObject> before;
        await using (var store = new EmbeddedStore(options))
        {
            for (var i = 0; i < 100; i++)
            {
                await store.CreateAsync(Pods, Pod("ns-" + (i % 3), "p" + i.ToString("D3"), Labels("app=web", "i=" + i), nodeName: "node-" + (i % 5), extra: padding + i));
            }

            for (var i = 0; i < 100; i++)
            {
                await store.CreateAsync(Pods, Pod("other", "q" + i.ToString("D3"), extra: string.Concat(Enumerable.Repeat(other + i, 4))));
            }

            await store.GuaranteedUpdateAsync(Pods, new ObjectKey("ns-0", "p000"), (_, _) => ValueTask.FromResult(Pod("ns-0", "p000", Labels("app=db"), extra: padding + "updated")));
            await store.DeleteAsync(Pods, new ObjectKey("ns-1", "p001"));
            Assert.That(store.Log!.SnapshotsWritten, Is.Zero);
            before = await ListAllAsync(store, Pods);
        }

        var log = Directory.GetFiles(DataDirectory, "wal-*.log").Single();
        var logBytes = new FileInfo(log).Length;
        List<StoredObject> reread;
        await using (var reopened = new EmbeddedStore(options))
        {
            reread = await ListAllAsync(reopened, Pods);
            await reopened.CreateAsync(Pods, Pod("ns-0", "after-restart", extra: padding + "after"));
            await reopened.GuaranteedUpdateAsync(Pods, new ObjectKey("other", "q007"), (_, _) => ValueTask.FromResult(Pod("other", "q007", extra: string.Concat(Enumerable.Repeat(other + "x", 4)))));
            before = await ListAllAsync(reopened, Pods);
        }

        // Act
        await using var again = new EmbeddedStore(options);

        // Assert: the log holds compressed objects (a fraction of their JSON), read back exactly both times.
        var json = reread.Sum(o => (long)o.JsonLength);
        Assert.That(logBytes * 3, Is.LessThan(json), $"log {logBytes} B for {json} B of JSON");
        Assert.That(reread.Count(o => o.IsCompressed), Is.GreaterThan(150));
        AssertSameObjects(before, await ListAllAsync(again, Pods));
        Assert.That(Directory.GetFiles(DataDirectory, "wal-*.log").Single(), Is.EqualTo(log));
        var db = await again.ListAsync(Pods, new ListOptions { Labels = LabelSelector.Parse("app=db") });
        Assert.That(db.Items.Select(o => o.Name), Is.EqualTo(new[] { "p000" }));
    }

    [Test]
    public async Task Snapshot_WrittenAsLogRecords_ByAnEarlierVersion_StillReads()
    {
        // Arrange: a version 1 snapshot (entries encoded as log records) and nothing else.
        var objects = new[] { Pod("ns", "a", Labels("app=web")), Pod("ns", "b", nodeName: "node-1") };
        var codec = new Internal.WalRecordCodec(null);
        await using (var file = File.Create(Path.Combine(DataDirectory, "snapshot-00000000000000000007.snap")))
        {
            var header = new byte[32];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header, 0x504E534E);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 1);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), 7);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), 1);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(24), objects.Length);
            Internal.WalRecordCodec.WriteRawFrame(file, header);
            for (var i = 0; i < objects.Length; i++)
            {
                codec.WriteFrame(file, new Internal.WalRecord(5 + i, Internal.WalOp.Create, Pods, objects[i].WithResourceVersion(5 + i)), []);
            }
        }

        // Act
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory });

        // Assert
        Assert.That(store.CurrentRevision, Is.EqualTo(7));
        var a = await store.GetAsync(Pods, new ObjectKey("ns", "a"));
        var b = await store.GetAsync(Pods, new ObjectKey("ns", "b"));
        Assert.That(a!.ResourceVersion, Is.EqualTo(5));
        Assert.That(a.Json, Is.EqualTo(objects[0].WithResourceVersion(5).Json));
        Assert.That(a.Labels["app"], Is.EqualTo("web"));
        Assert.That(b!.GetField("spec.nodeName"), Is.EqualTo("node-1"));
    }

    [Test]
    public async Task Sealer_WrapsEveryRecord_AndReopensWithTheSameKey()
    {
        // Arrange
        var options = new EmbeddedStoreOptions { DataDirectory = DataDirectory, Sealer = new XorSealer(0x3C) };
        await using (var store = new EmbeddedStore(options))
        {
            await store.CreateAsync(Pods, Pod("secret-namespace", "secret-pod"));
        }

        // Act
        var onDisk = await File.ReadAllBytesAsync(Directory.GetFiles(DataDirectory, "wal-*.log").Single());
        await using var reopened = new EmbeddedStore(options);

        // Assert
        Assert.That(Encoding.UTF8.GetString(onDisk), Does.Not.Contain("secret-pod"));
        Assert.That(await reopened.GetAsync(Pods, new ObjectKey("secret-namespace", "secret-pod")), Is.Not.Null);
    }

    [Test]
    public async Task DurableWrites_ConcurrentWritersAreGroupCommitted_AndWatchersSeeRevisionOrder()
    {
        // Arrange
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory });
        using var watch = await store.WatchAsync(Pods, new WatchOptions { ResourceVersion = store.CurrentRevision.ToString() });
        const int count = 100;

        // Act
        var writes = new Task<StoredObject>[count];
        for (var i = 0; i < count; i++)
        {
            var name = "p" + i;
            writes[i] = Task.Run(async () => await store.CreateAsync(Pods, Pod("ns", name)));
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
        Assert.That(store.Count(Pods), Is.EqualTo(count));
    }

    private sealed class XorSealer(byte key) : IStorageSealer
    {
        public byte[] Seal(ReadOnlySpan<byte> plaintext) => Xor(plaintext);

        public byte[] Unseal(ReadOnlySpan<byte> sealedData) => Xor(sealedData);

        private byte[] Xor(ReadOnlySpan<byte> data)
        {
            var result = data.ToArray();
            for (var i = 0; i < result.Length; i++)
            {
                result[i] ^= key;
            }

            return result;
        }
    }
}
