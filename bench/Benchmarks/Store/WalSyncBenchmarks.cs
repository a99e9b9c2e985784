using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Nautilus.Store;
using Nautilus.Store.Internal;

namespace Nautilus.Benchmarks.Store;

/// <summary>
/// One durable write through the write-ahead log on a real file in a temp directory: a 24 KB pod
/// record written and synced, with the log appending to the file's end and fsyncing (the former
/// log) or writing into zero-filled space preallocated ahead and syncing with fdatasync.
/// <see cref="Writers"/> concurrent writers make group-committed batches. The kernel CPU per write
/// (the sync's cost the wall time hides while the disk works) is printed at the end of each case
/// as "// sys-cpu-per-write": the process's kernel time over every write it made, warm-up included.
/// </summary>
[Config(typeof(QuickConfig))]
public class WalSyncBenchmarks
{
    private string _directory = null!;
    private WriteAheadLog _log = null!;
    private StoredObject _pod = null!;
    private long _revision = 1;
    private long _writes;
    private TimeSpan _kernelTimeAtStart;

    [Params(false, true)]
    public bool Preallocate { get; set; }

    [Params(1, 8)]
    public int Writers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "nautilus-wal-bench", Guid.NewGuid().ToString("N"));
        var recovery = WriteAheadLog.Recover(_directory, sealer: null);
        _log = new WriteAheadLog(
            _directory,
            sealer: null,
            snapshotThreshold: long.MaxValue,
            recovery.LogSequence,
            () => (0, []),
            _ => { },
            Preallocate ? WalPreallocation.Default : WalPreallocation.Disabled);
        var stored = Pods.Stored(1);
        var json = new byte[24 * 1024];
        stored.Json.CopyTo(json, 0);
        Array.Fill(json, (byte)' ', stored.Json.Length, json.Length - stored.Json.Length);
        _pod = new StoredObject(stored.Key, stored.Uid, json, stored.Labels, stored.Fields);
        _kernelTimeAtStart = Process.GetCurrentProcess().PrivilegedProcessorTime;
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        var kernel = Process.GetCurrentProcess().PrivilegedProcessorTime - _kernelTimeAtStart;
        Console.WriteLine($"// sys-cpu-per-write {kernel.TotalMicroseconds / _writes:F1} us over {_writes} writes, {_log.DataSyncedBatches} batches synced with fdatasync");
        await _log.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary><see cref="Writers"/> writes enqueued together, awaited until durable.</summary>
    [Benchmark]
    public async Task DurableWrites()
    {
        var writes = new Task<StoredObject>[Writers];
        for (var i = 0; i < writes.Length; i++)
        {
            var revision = ++_revision;
            var write = new PendingWrite(new WalRecord(revision, WalOp.Create, Pods.Type, _pod), table: null!, new ChangeEvent(WatchEventType.Added, revision, _pod, null), _pod);
            _log.Enqueue(write);
            writes[i] = write.Completion.Task;
        }

        await Task.WhenAll(writes);
        _writes += writes.Length;
    }
}
