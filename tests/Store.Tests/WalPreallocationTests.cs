using Nautilus.Store.Internal;
using static Nautilus.Store.Tests.TestSupport;

namespace Nautilus.Store.Tests;

/// <summary>
/// The write-ahead log keeps zero-filled, fsynced space ahead of its records (so that a batch is
/// synced with fdatasync): these tests pin down that the zeros are the clean end of the records,
/// that appends continue right after the last record, and that torn records are still cut off.
/// A crash is simulated by copying the data directory while the store is open: the copy holds
/// what the page cache holds, the preallocated zero tail included.
/// </summary>
public sealed class WalPreallocationTests : DataDirectoryTests
{
    private static readonly string Padding = new('x', 2000);

    private string Live => Path.Combine(DataDirectory, "live");

    private static string CrashCopy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var path in Directory.GetFiles(from))
        {
            File.Copy(path, Path.Combine(to, Path.GetFileName(path)));
        }

        return to;
    }

    private static async Task CreatePodsAsync(EmbeddedStore store, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await store.CreateAsync(Pods, Pod("ns", "p" + i.ToString("D4"), extra: Padding));
        }
    }

    /// <summary>Waits for the zero fill in flight and checks there is preallocated space after the records.</summary>
    private static async Task<long> WaitForZeroTailAsync(EmbeddedStore store)
    {
        var log = store.Log!;
        await log.WaitForPreallocationAsync();
        Assert.That(new FileInfo(log.CurrentLogPath).Length, Is.GreaterThan(log.LogicalBytes), "no zeros preallocated after the records");
        return log.LogicalBytes;
    }

    private static async Task AssertPodsAsync(EmbeddedStore store, int count)
    {
        Assert.That(store.Count(Pods), Is.EqualTo(count));
        Assert.That(store.CurrentRevision, Is.EqualTo(count + 1));
        for (var i = 0; i < count; i++)
        {
            var pod = await store.GetAsync(Pods, new ObjectKey("ns", "p" + i.ToString("D4")));
            Assert.That(pod, Is.Not.Null, "p" + i);
            Assert.That(pod!.ResourceVersion, Is.EqualTo(i + 2));
        }
    }

    [Test]
    public async Task CleanClose_LeavesOnlyRecords_AndReopenedStoresAppendAfterTheLastOne()
    {
        // Arrange
        await using (var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = Live }))
        {
            await CreatePodsAsync(store, 0, 10);
            await WaitForZeroTailAsync(store);
        }

        var log = Directory.GetFiles(Live, "wal-*.log").Single();
        var closedLength = new FileInfo(log).Length;

        // Act
        await using (var reopened = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = Live }))
        {
            Assert.That(reopened.Log!.LogicalBytes, Is.EqualTo(closedLength));
            await CreatePodsAsync(reopened, 10, 10);
            await WaitForZeroTailAsync(reopened);
        }

        // Assert
        await using var again = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = Live });
        Assert.That(again.RecoveredTruncatedBytes, Is.Zero);
        Assert.That(new FileInfo(log).Length, Is.EqualTo(again.Log!.LogicalBytes));
        await AssertPodsAsync(again, 20);
    }

    [Test]
    public async Task Crash_ZeroTailIsTheCleanEnd_AndAppendsFollowTheLastRecord()
    {
        // Arrange: a crash leaves the records followed by preallocated zeros.
        long logicalBytes;
        string crash1;
        await using (var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = Live }))
        {
            await CreatePodsAsync(store, 0, 10);
            logicalBytes = await WaitForZeroTailAsync(store);
            crash1 = CrashCopy(Live, Path.Combine(DataDirectory, "crash1"));
        }

        // Act: recover the crashed copy, append, crash again.
        string crash2;
        await using (var recovered = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = crash1 }))
        {
            // Assert: the zeros are not a torn tail, and appending starts right after the records.
            Assert.That(recovered.RecoveredTruncatedBytes, Is.Zero);
            Assert.That(recovered.Log!.LogicalBytes, Is.EqualTo(logicalBytes));
            Assert.That(new FileInfo(recovered.Log.CurrentLogPath).Length, Is.EqualTo(logicalBytes), "the zero tail was not cut off");
            await AssertPodsAsync(recovered, 10);
            await CreatePodsAsync(recovered, 10, 5);
            await WaitForZeroTailAsync(recovered);
            crash2 = CrashCopy(crash1, Path.Combine(DataDirectory, "crash2"));
        }

        // Assert: the records written after recovery are read back (they follow the first ten, no zero gap).
        await using var again = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = crash2 });
        Assert.That(again.RecoveredTruncatedBytes, Is.Zero);
        await AssertPodsAsync(again, 15);
    }

    [Test]
    public async Task TornRecordInsidePreallocatedSpace_IsCutOff_AndTheRecordsBeforeItRecover()
    {
        // Arrange
        string crash;
        long logicalBytes;
        await using (var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = Live }))
        {
            await CreatePodsAsync(store, 0, 10);
            logicalBytes = await WaitForZeroTailAsync(store);
            crash = CrashCopy(Live, Path.Combine(DataDirectory, "crash"));
        }

        var log = Directory.GetFiles(crash, "wal-*.log").Single();
        var bytes = await File.ReadAllBytesAsync(log);
        Assert.That(bytes.AsSpan((int)logicalBytes).ContainsAnyExcept((byte)0), Is.False);
        bytes[logicalBytes - 3] ^= 0xFF; // inside the last record's body, zeros after it
        bytes[logicalBytes - 2] ^= 0xFF;
        await File.WriteAllBytesAsync(log, bytes);

        // Act
        await using (var recovered = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = crash }))
        {
            // Assert: the last record is torn (it was never acknowledged); the ones before it are there.
            Assert.That(recovered.RecoveredTruncatedBytes, Is.GreaterThan(0).And.LessThan(3000));
            Assert.That(new FileInfo(log).Length, Is.EqualTo(recovered.Log!.LogicalBytes));
            Assert.That(recovered.Log.LogicalBytes, Is.EqualTo(logicalBytes - recovered.RecoveredTruncatedBytes));
            await AssertPodsAsync(recovered, 9);
            await CreatePodsAsync(recovered, 9, 3);
        }

        await using var again = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = crash });
        await AssertPodsAsync(again, 12);
    }

    [Test]
    public async Task WritesAcrossManySmallFills_RecoverCompletely_AndAreSyncedInPreallocatedSpace()
    {
        // Arrange: 4 KiB fills growing to 16 KiB, records from 100 bytes to 40 KB (larger than any fill).
        var onDurable = 0;
        Directory.CreateDirectory(Live);
        var log = new WriteAheadLog(Live, sealer: null, snapshotThreshold: long.MaxValue, logSequence: 0, () => (0, []), batch => onDurable += batch.Count, new WalPreallocation(4096, 16384));
        const int count = 300;
        var expected = new List<StoredObject>();
        try
        {
            // Act: single records and concurrent groups, so batches of one and of many.
            for (var i = 0; i < count;)
            {
                var group = i % 7 == 0 ? 5 : 1;
                var writes = new List<Task<StoredObject>>();
                for (var j = 0; j < group && i < count; j++, i++)
                {
                    var size = i % 50 == 49 ? 40_000 : 100 + (i * 37 % 3000);
                    var pod = Pod("ns", "p" + i.ToString("D4"), extra: new string((char)('a' + (i % 26)), size));
                    var record = new WalRecord(i + 2, WalOp.Create, Pods, pod);
                    var write = new PendingWrite(record, table: null!, new ChangeEvent(WatchEventType.Added, i + 2, pod, null), pod);
                    log.Enqueue(write);
                    writes.Add(write.Completion.Task);
                    expected.Add(pod);
                }

                await Task.WhenAll(writes);
                if (i % 40 == 0)
                {
                    await log.WaitForPreallocationAsync();
                }
            }

            await log.WaitForPreallocationAsync();
            Assert.That(log.Fault, Is.Null);
            Assert.That(new FileInfo(log.CurrentLogPath).Length, Is.GreaterThan(log.LogicalBytes));
            if (OperatingSystem.IsLinux())
            {
                Assert.That(log.DataSyncedBatches, Is.GreaterThan(count / 4), "batches synced with fdatasync in preallocated space");
            }

            var crash = CrashCopy(Live, Path.Combine(DataDirectory, "crash"));
            var crashed = WriteAheadLog.Recover(crash, sealer: null);
            Assert.That(crashed.TruncatedBytes, Is.Zero);
            AssertRecords(expected, crashed.Records);
        }
        finally
        {
            await log.DisposeAsync();
        }

        // Assert
        Assert.That(onDurable, Is.EqualTo(count));
        var recovery = WriteAheadLog.Recover(Live, sealer: null);
        Assert.That(recovery.TruncatedBytes, Is.Zero);
        AssertRecords(expected, recovery.Records);
    }

    [Test]
    public async Task AWriterThatFails_FailsEveryWriteItHolds_AndTakesNoMore()
    {
        // Arrange: offering a durable batch to the watchers throws, which stops the writer.
        Directory.CreateDirectory(Live);
        var log = new WriteAheadLog(Live, sealer: null, snapshotThreshold: long.MaxValue, logSequence: 0, () => (0, []), _ => throw new InvalidOperationException("the watchers broke"));
        var writes = new List<Task<StoredObject>>();
        try
        {
            // Act
            for (var i = 0; i < 20; i++)
            {
                writes.Add(Enqueue(log, i));
            }

            var all = Task.WhenAll(writes);
            var finished = await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30)));

            // Assert: no write waits for a writer that is gone; later writes fail at once.
            Assert.That(finished, Is.SameAs(all), "every write completes");
            Assert.That(writes.All(w => w.IsFaulted), Is.True);
            Assert.That(log.Fault, Is.InstanceOf<InvalidOperationException>());
            Assert.That(Enqueue(log, 20).IsFaulted, Is.True);
        }
        finally
        {
            await log.DisposeAsync();
        }
    }

    private static Task<StoredObject> Enqueue(WriteAheadLog log, int i)
    {
        var pod = Pod("ns", "p" + i.ToString("D4"));
        var write = new PendingWrite(new WalRecord(i + 2, WalOp.Create, Pods, pod), table: null!, new ChangeEvent(WatchEventType.Added, i + 2, pod, null), pod);
        log.Enqueue(write);
        return write.Completion.Task;
    }

    private static void AssertRecords(List<StoredObject> expected, List<WalRecord> records)
    {
        Assert.That(records, Has.Count.EqualTo(expected.Count));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.That(records[i].Revision, Is.EqualTo(i + 2));
            Assert.That(records[i].Object.Key, Is.EqualTo(expected[i].Key));
            Assert.That(records[i].Object.Json, Is.EqualTo(expected[i].Json));
        }
    }

    [Test]
    public async Task Rollover_WithPreallocatedLogs_ReplaysToTheSameState_AndKeepsZerosBelowTheThreshold()
    {
        // Arrange: 2 KiB threshold, about a hundred bytes per (compressed) record: several snapshots.
        var options = new EmbeddedStoreOptions { DataDirectory = Live, SnapshotThresholdBytes = 2 * 1024 };
        string crash;
        await using (var store = new EmbeddedStore(options))
        {
            for (var i = 0; i < 100; i++)
            {
                await CreatePodsAsync(store, i, 1);

                // The log rolls over after acknowledging the write that crossed the threshold, so
                // the figures are read again when a rollover switched the file between the reads.
                string path;
                long bound;
                do
                {
                    path = store.Log!.CurrentLogPath;
                    bound = Math.Max((store.Log.RolloverBytes + 4095) / 4096 * 4096, store.Log.LogicalBytes);
                }
                while (path != store.Log.CurrentLogPath);

                Assert.That(new FileInfo(path).Length, Is.LessThanOrEqualTo(bound));
            }

            await store.Log!.WaitForSnapshotAsync();
            Assert.That(store.Log.SnapshotsWritten, Is.GreaterThanOrEqualTo(2));
            await CreatePodsAsync(store, 100, 5);
            await WaitForZeroTailAsync(store);
            crash = CrashCopy(Live, Path.Combine(DataDirectory, "crash"));
        }

        // Act
        await using (var reopened = new EmbeddedStore(options))
        {
            // Assert
            await AssertPodsAsync(reopened, 105);
        }

        await using var recovered = new EmbeddedStore(options with { DataDirectory = crash });
        Assert.That(recovered.RecoveredTruncatedBytes, Is.Zero);
        await AssertPodsAsync(recovered, 105);
    }

    [Test]
    public void EarlierLogWithZeroTail_EndsAtItsLastRecord_AndTheNextLogIsReplayed()
    {
        // Arrange: a log left with preallocated zeros by a rollover whose snapshot never completed.
        Directory.CreateDirectory(Live);
        var codec = new WalRecordCodec(null);
        WriteLog(Path.Combine(Live, "wal-0000000000.log"), codec, 2, 5, zeros: 8192);
        WriteLog(Path.Combine(Live, "wal-0000000001.log"), codec, 7, 5, zeros: 4096);

        // Act
        var recovery = WriteAheadLog.Recover(Live, sealer: null);

        // Assert
        Assert.That(recovery.Records, Has.Count.EqualTo(10));
        Assert.That(recovery.Records[^1].Revision, Is.EqualTo(11));
        Assert.That(recovery.TruncatedBytes, Is.Zero);
        Assert.That(recovery.LogSequence, Is.EqualTo(1));
        Assert.That(new FileInfo(Path.Combine(Live, "wal-0000000000.log")).Length % 4096, Is.Not.Zero, "an earlier log is left as it is");
    }

    [Test]
    public void EarlierLogWithDataAfterItsZeros_FailsRecovery()
    {
        // Arrange: non-zero bytes after the zero header of a log that is not the last: acknowledged data lost.
        Directory.CreateDirectory(Live);
        var codec = new WalRecordCodec(null);
        var first = Path.Combine(Live, "wal-0000000000.log");
        WriteLog(first, codec, 2, 5, zeros: 8192);
        using (var file = new FileStream(first, FileMode.Append))
        {
            file.Write([1, 2, 3]);
        }

        WriteLog(Path.Combine(Live, "wal-0000000001.log"), codec, 7, 5, zeros: 0);

        // Act + Assert
        Assert.Throws<InvalidDataException>(() => WriteAheadLog.Recover(Live, sealer: null));
    }

    [Test]
    public async Task SmallStores_StaySmall()
    {
        // Arrange + Act
        await using var empty = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = Path.Combine(DataDirectory, "empty") });
        await using var one = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = Live });
        await one.CreateAsync(Pods, Pod("ns", "a"));
        await one.Log!.WaitForPreallocationAsync();

        // Assert
        Assert.That(new FileInfo(empty.Log!.CurrentLogPath).Length, Is.Zero);
        Assert.That(new FileInfo(one.Log.CurrentLogPath).Length, Is.LessThanOrEqualTo(WalPreallocation.Default.InitialChunkBytes + 4096));
    }

    private static void WriteLog(string path, WalRecordCodec codec, long firstRevision, int count, int zeros)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        for (var i = 0; i < count; i++)
        {
            var revision = firstRevision + i;
            codec.WriteFrame(file, new WalRecord(revision, WalOp.Create, Pods, Pod("ns", "r" + revision)), []);
        }

        file.Write(new byte[zeros]);
    }
}
