using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace Nautilus.Store.Internal;

/// <summary>A committed change waiting for its log record to be durable.</summary>
internal sealed class PendingWrite(WalRecord record, ResourceTable table, ChangeEvent change, StoredObject result)
{
    public WalRecord Record { get; } = record;

    public ResourceTable Table { get; } = table;

    public ChangeEvent Change { get; } = change;

    public StoredObject Result { get; } = result;

    /// <summary>Completes once the record is fsynced and its watch event dispatched.</summary>
    public TaskCompletionSource<StoredObject> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What recovery found on disk: the newest readable snapshot and the log records after it.</summary>
internal sealed class Recovery
{
    public long SnapshotRevision { get; init; }

    public List<(ResourceType Type, StoredObject Object)> SnapshotObjects { get; init; } = [];

    public List<WalRecord> Records { get; init; } = [];

    /// <summary>Sequence number of the log file to append to.</summary>
    public long LogSequence { get; init; }

    /// <summary>Bytes of a torn or corrupt tail that recovery cut off the last log.</summary>
    public long TruncatedBytes { get; init; }
}

/// <summary>
/// How far ahead of its writer the log zero-fills space: the first fill of a log is
/// <see cref="InitialChunkBytes"/>, each next one twice the last, up to <see cref="MaxChunkBytes"/>.
/// Small stores stay small (an empty log holds nothing; a log with a few records about one
/// initial chunk), while a busy log extends rarely. Zero chunk bytes turns preallocation off.
/// </summary>
internal readonly record struct WalPreallocation(long InitialChunkBytes, long MaxChunkBytes)
{
    /// <summary>1 MiB growing to 4 MiB: about 40 creates of 24 KB per first fill, a few ms of zero writes per fill.</summary>
    public static WalPreallocation Default { get; } = new(1L << 20, 4L << 20);

    public static WalPreallocation Disabled { get; } = new(0, 0);

    public bool Enabled => InitialChunkBytes > 0;
}

/// <summary>
/// The write-ahead log of the embedded store: files <c>wal-NNNNNNNNNN.log</c> of frames (see
/// <see cref="WalRecordCodec"/>) and snapshots <c>snapshot-RRRRRRRRRRRRRRRRRRRR.snap</c> holding
/// every object at revision R plus the sequence number of the first log to replay after it.
/// <para>
/// Group commit: writers enqueue in revision order (under the store lock); one loop writes every
/// pending record, calls Flush(true) (fsync) once, then hands the batch back to the store, which
/// dispatches watch events and completes the writers' tasks. A write is acknowledged only after
/// its record is on disk. Records hold objects as the table keeps them (compressed, each
/// dictionary written once per log before its first use).
/// </para>
/// <para>
/// Preallocation (Linux): appending to a file changes its size, so every sync must journal the
/// inode (fsync and fdatasync cost the same). Like etcd's preallocated WAL segments, the log
/// instead keeps zero-filled space ahead of its records: a background fill writes real zeros
/// past the durable end through its own file handle (so a write-back error it reports is still
/// reported to the writer's handle too) and fsyncs them, and only then publishes the new durable
/// end. A batch that lands wholly below the durable end overwrites blocks whose size and
/// allocation are already on disk and is synced with fdatasync, which then writes only data;
/// a batch that reaches past it (the fill is behind, or a record larger than the space) is
/// written and fsynced as before. A new log file's directory is fsynced before the first record
/// in it is acknowledged. The records end at the first all-zero frame header; recovery cuts the
/// zero tail off the last log and a clean close truncates it, so appending always continues right
/// after the last record, and the snapshot trigger counts record bytes, not preallocated ones.
/// </para>
/// <para>
/// Once the current log passes the snapshot threshold (or the size of the last snapshot, if more:
/// snapshots then cost a bounded multiple of the bytes written, not of the state times the number
/// of thresholds crossed) the loop captures all objects (under the
/// store lock, references only), switches to a new log, and writes the snapshot in the
/// background (temp file, fsync, rename); only then are older logs and snapshots deleted.
/// Records at or below a snapshot's revision that land in the new log are skipped on replay.
/// </para>
/// </summary>
internal sealed class WriteAheadLog : IAsyncDisposable
{
    private const uint SnapshotMagic = 0x504E534E; // "NSNP"
    // 1: entries written as log records (JSON); 2: entries as the table keeps them, with their
    // dictionaries, and the header also gives the bytes of JSON the snapshot holds (informative).
    private const int SnapshotVersion = 2;
    private const int SnapshotHeaderLength = 40;

    private readonly string _directory;
    private readonly IStorageSealer? _sealer;
    private readonly WalRecordCodec _codec;

    /// <summary>The compression dictionaries the current log has written, by their ids in it.</summary>
    private readonly Dictionary<Compression.CompressionDictionary, int> _logDictionaries = [];
    private readonly long _snapshotThreshold;
    private readonly Func<(long Revision, List<(ResourceType, StoredObject)> Objects)> _captureState;
    private readonly Action<List<PendingWrite>> _onDurable;
    private readonly WalPreallocation _preallocation;
    private readonly StoreMetrics? _metrics;
    private readonly WalBatchBuffer _frames = new();
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    /// <summary>The writes the writer is making durable (the writer thread's own).</summary>
    private readonly List<PendingWrite> _batch = [];

    /// <summary>Completed when the writer thread has drained the closed queue and stopped.</summary>
    private readonly TaskCompletionSource _writerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FileStream _file;

    /// <summary>
    /// The current log's handle, taken once per log: each read of <see cref="FileStream.SafeFileHandle"/>
    /// seeks the file (an lseek system call), and the writer only uses explicit offsets.
    /// </summary>
    private SafeFileHandle _handle;
    private long _sequence;
    private Task _snapshotTask = Task.CompletedTask;
    private volatile Exception? _fault;
    private long _lastSnapshotBytes;

    /// <summary>Bytes of records in the current log: where the next batch is written.</summary>
    private long _logicalEnd;

    /// <summary>The current log is written (records or zeros) and fsynced, size included, up to here.</summary>
    private long _durableEnd;

    /// <summary>Size of the next zero fill and of the last one (the low-water mark is half of it).</summary>
    private long _nextFill;
    private long _lastFill;

    /// <summary>The zero fill in flight, if any; its result is the new durable end.</summary>
    private Task<long>? _fill;

    /// <summary>False when preallocation is off, unsupported (fdatasync missing) or a fill failed on this log.</summary>
    private bool _preallocating;

    /// <summary>False until the directory is fsynced after the current log was opened.</summary>
    private bool _nameDurable;

    /// <summary>Opens log <paramref name="logSequence"/> for appending (after <see cref="Recover"/>) and starts the writer loop.</summary>
    public WriteAheadLog(
        string directory,
        IStorageSealer? sealer,
        long snapshotThreshold,
        long logSequence,
        Func<(long Revision, List<(ResourceType, StoredObject)> Objects)> captureState,
        Action<List<PendingWrite>> onDurable,
        WalPreallocation? preallocation = null,
        StoreMetrics? metrics = null)
    {
        _preallocation = preallocation ?? WalPreallocation.Default;
        _metrics = metrics;
        _directory = directory;
        _sealer = sealer;
        _codec = new WalRecordCodec(sealer);
        _snapshotThreshold = snapshotThreshold;
        _captureState = captureState;
        _onDurable = onDurable;
        _sequence = logSequence;
        foreach (var path in Directory.GetFiles(directory, "snapshot-*.snap"))
        {
            _lastSnapshotBytes = Math.Max(_lastSnapshotBytes, SnapshotBytes(path));
        }

        _file = OpenLog(logSequence);
        _handle = _file.SafeFileHandle;
        var writer = new Thread(Run) { IsBackground = true, Name = "Nautilus WAL writer" };
        writer.Start();
    }

    /// <summary>The failure that stopped the log; the store refuses writes once set.</summary>
    public Exception? Fault => _fault;

    /// <summary>Number of snapshots written since open (for tests and metrics).</summary>
    public int SnapshotsWritten { get; private set; }

    /// <summary>Batches made durable with fdatasync inside preallocated space, since open (tests and metrics).</summary>
    public int DataSyncedBatches { get; private set; }

    /// <summary>Queues a committed record. Must be called in revision order.</summary>
    public void Enqueue(PendingWrite write)
    {
        Interlocked.Increment(ref _enqueued);
        if (!_queue.Writer.TryWrite(write))
        {
            write.Completion.TrySetException(new ObjectDisposedException(nameof(EmbeddedStore)));
        }
    }

    /// <summary>Waits for the snapshot in progress, if any (tests).</summary>
    public Task WaitForSnapshotAsync() => Volatile.Read(ref _snapshotTask);

    /// <summary>Bytes of records in the current log (tests): the preallocated zeros after them not included.</summary>
    internal long LogicalBytes => Volatile.Read(ref _logicalEnd);

    /// <summary>Bytes of the current log known written and fsynced (tests): records and preallocated zeros.</summary>
    internal long DurableBytes => Volatile.Read(ref _durableEnd);

    /// <summary>Path of the current log file (tests).</summary>
    internal string CurrentLogPath => Volatile.Read(ref _file).Name;

    /// <summary>Waits for the zero fill in flight, if any (a clean close, tests); it ends even if the fill fails.</summary>
    internal Task WaitForPreallocationAsync() => Volatile.Read(ref _fill) is { } fill ? fill.ContinueWith(_ => { }, TaskScheduler.Default) : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // A writer that failed has failed its writes and set the fault; the close still closes the file.
        await ((Task)_writerStopped.Task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Volatile.Read(ref _snapshotTask).ConfigureAwait(false);
        await WaitForPreallocationAsync().ConfigureAwait(false);
        CollectFill();
        if (_fault is null && new FileInfo(_file.Name).Length > _logicalEnd)
        {
            // A clean close leaves only records: the zeros would be cut at recovery anyway, and a
            // closed store should not hold space it is not using.
            try
            {
                _file.SetLength(_logicalEnd);
                _file.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
                // Recovery cuts the zero tail as well.
            }
        }

        await _file.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Writes after which the writer stops waiting for more to join a batch.</summary>
    private const int MaxGroupedWrites = 256;

    /// <summary>Writes queued since open (the writer watches it grow) and taken into batches (the writer's own).</summary>
    private long _enqueued;
    private long _drained;

    /// <summary>
    /// The writer loop, on a thread of its own as etcd's WAL has its own goroutine: it spends most
    /// of its time blocked in write and fdatasync, which on the thread pool would take one of the
    /// few workers (two on two cores) away from the requests for every sync.
    /// </summary>
    private void Run()
    {
        try
        {
            WriteBatches();
            _writerStopped.TrySetResult();
        }
        catch (Exception e)
        {
            // Nothing may wait for a writer that is gone: the batch in hand and every queued write
            // fail, and the queue takes no more.
            _fault = e;
            _queue.Writer.TryComplete(e);
            while (_queue.Reader.TryRead(out var queued))
            {
                _batch.Add(queued);
            }

            FailAll(_batch, e);
            _writerStopped.TrySetException(e);
        }
    }

    private void WriteBatches()
    {
        var batch = _batch;
        var reader = _queue.Reader;
        while (WaitToRead(reader))
        {
            // Group commit: one sync for as many writes as are on their way. Requests that are
            // being handled on the other threads enqueue within a scheduler turn, so the writer
            // yields its core while that keeps adding writes.
            for (var seen = Volatile.Read(ref _enqueued); ;)
            {
                Thread.Yield();
                var now = Volatile.Read(ref _enqueued);
                if (now == seen || now - _drained >= MaxGroupedWrites)
                {
                    break;
                }

                seen = now;
            }

            batch.Clear();
            while (reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            _drained += batch.Count;

            if (_fault is { } fault)
            {
                FailAll(batch, fault);
                continue;
            }

            try
            {
                _frames.Clear();
                foreach (var write in batch)
                {
                    _codec.WriteFrame(_frames, write.Record, _logDictionaries);
                }

                AppendAndSync(batch.Count);
            }
            catch (Exception e)
            {
                // The memory state already holds these writes; after a failed fsync the disk and
                // memory disagree, so the store stops taking writes (crash-stop, as etcd does).
                _fault = e;
                FailAll(batch, e);
                continue;
            }

            // The next fill starts before the writers hear back, so it overlaps their next requests.
            var rollover = _logicalEnd >= RolloverBytes && _snapshotTask.IsCompleted;
            if (!rollover)
            {
                StartFillIfLow();
            }

            _onDurable(batch);
            foreach (var write in batch)
            {
                write.Completion.TrySetResult(write.Result);
            }

            if (rollover)
            {
                try
                {
                    StartSnapshot();
                }
                catch (Exception e)
                {
                    _fault = e;
                }
            }
        }
    }

    /// <summary>Record bytes after which the log rolls over to a snapshot and a new log.</summary>
    internal long RolloverBytes => Math.Max(_snapshotThreshold, Volatile.Read(ref _lastSnapshotBytes));

    /// <summary>
    /// Writes the encoded batch at the logical end and makes it durable: fdatasync when it lies in
    /// space already written and fsynced, fsync when it extends that space.
    /// </summary>
    private void AppendAndSync(int writes)
    {
        var length = _frames.Length;
        var end = _logicalEnd + length;
        if (_fill is { } fill && (fill.IsCompleted || end > _durableEnd))
        {
            // The writer never writes where a fill is writing zeros: past the durable end it
            // waits for the fill (already under way, usually nearly done) before writing there.
            CollectFill();
        }

        RandomAccess.Write(_handle, _frames.WrittenSpan, _logicalEnd);
        var syncStarted = Stopwatch.GetTimestamp();
        if (end <= _durableEnd && FileSync.TryDataSync(_handle))
        {
            DataSyncedBatches++;
        }
        else
        {
            _file.Flush(flushToDisk: true);
            Volatile.Write(ref _durableEnd, Math.Max(_durableEnd, end));
        }

        var synced = Stopwatch.GetElapsedTime(syncStarted);

        if (!_nameDurable)
        {
            FileSync.SyncDirectory(_directory);
            _nameDurable = true;
        }

        Volatile.Write(ref _logicalEnd, end);
        _metrics?.BatchDurable(writes, length, synced);
    }

    /// <summary>Starts a zero fill past the durable end once less than half the last fill is left ahead of the records.</summary>
    private void StartFillIfLow()
    {
        if (!_preallocating || _fill is not null || _durableEnd - _logicalEnd >= _lastFill / 2)
        {
            return;
        }

        // Zeros past the rollover point would only be deleted with the old log. Past it, while a
        // snapshot still being written holds the rollover back, batches append and fsync.
        var target = Math.Min(RoundUpToPage(_durableEnd + _nextFill), RoundUpToPage(Math.Min(RolloverBytes, long.MaxValue / 2)));

        if (target <= _durableEnd)
        {
            return;
        }

        var path = _file.Name;
        var from = _durableEnd;
        _lastFill = target - from;
        _nextFill = Math.Min(_nextFill * 2, Math.Max(_preallocation.MaxChunkBytes, _preallocation.InitialChunkBytes));
        Volatile.Write(ref _fill, RunBlocking(() => ZeroFill(path, from, target)));
    }

    /// <summary>Takes the result of the fill in flight, if any: a larger durable end, or preallocation off for this log if it failed.</summary>
    private void CollectFill()
    {
        if (_fill is not { } fill)
        {
            return;
        }

        try
        {
            var filledTo = fill.GetAwaiter().GetResult();
            Volatile.Write(ref _durableEnd, Math.Max(_durableEnd, filledTo));
        }
        catch (Exception)
        {
            // No space or an I/O error while filling: the writer appends and fsyncs as without
            // preallocation. An error in writing back records still fails the writer's own sync:
            // the fill used another file handle, so it cannot have consumed that error report.
            _preallocating = false;
        }
        finally
        {
            Volatile.Write(ref _fill, null);
        }
    }

    private static readonly byte[] s_zeros = new byte[256 << 10];

    /// <summary>Writes zeros over [from, to) of the log and fsyncs it (data and the new size) through a handle of its own.</summary>
    private static long ZeroFill(string path, long from, long to)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        for (var offset = from; offset < to;)
        {
            var count = (int)Math.Min(s_zeros.Length, to - offset);
            RandomAccess.Write(file.SafeFileHandle, s_zeros.AsSpan(0, count), offset);
            offset += count;
        }

        file.Flush(flushToDisk: true);
        return to;
    }

    /// <summary>Blocks the writer thread until a write is queued (true) or the queue is closed and empty (false).</summary>
    private static bool WaitToRead(ChannelReader<PendingWrite> reader)
    {
        var ready = reader.WaitToReadAsync();
        return ready.IsCompletedSuccessfully ? ready.Result : ready.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Runs file work that blocks for long (a zero fill, a snapshot) on a thread of its own, not
    /// on one of the thread pool's few workers that serve requests.
    /// </summary>
    private static Task<T> RunBlocking<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static Task RunBlocking(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static long RoundUpToPage(long value) => (value + 4095) & ~4095L;

    private static void FailAll(List<PendingWrite> batch, Exception e)
    {
        foreach (var write in batch)
        {
            write.Completion.TrySetException(new IOException("the write-ahead log failed: " + e.Message, e));
        }
    }

    private void StartSnapshot()
    {
        var (revision, objects) = _captureState();
        CollectFill();
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        _sequence++;
        _file = OpenLog(_sequence);
        _handle = _file.SafeFileHandle;
        var firstLogSequence = _sequence;
        Volatile.Write(ref _snapshotTask, RunBlocking(() => WriteSnapshot(revision, firstLogSequence, objects)));
    }

    private void WriteSnapshot(long revision, long firstLogSequence, List<(ResourceType Type, StoredObject Object)> objects)
    {
        var started = Stopwatch.GetTimestamp();
        var codec = new WalRecordCodec(_sealer);
        var finalPath = Path.Combine(_directory, SnapshotName(revision));
        var tempPath = finalPath + ".tmp";
        try
        {
            using (var file = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                long json = 0;
                foreach (var (_, obj) in objects)
                {
                    json += obj.JsonLength;
                }

                Span<byte> header = stackalloc byte[SnapshotHeaderLength];
                BinaryPrimitives.WriteUInt32LittleEndian(header, SnapshotMagic);
                BinaryPrimitives.WriteInt32LittleEndian(header[4..], SnapshotVersion);
                BinaryPrimitives.WriteInt64LittleEndian(header[8..], revision);
                BinaryPrimitives.WriteInt64LittleEndian(header[16..], firstLogSequence);
                BinaryPrimitives.WriteInt64LittleEndian(header[24..], objects.Count);
                BinaryPrimitives.WriteInt64LittleEndian(header[32..], json);
                WalRecordCodec.WriteRawFrame(file, header);
                var dictionaries = new Dictionary<Compression.CompressionDictionary, int>();
                var frames = new WalBatchBuffer();
                foreach (var (type, obj) in objects)
                {
                    codec.WriteSnapshotEntry(frames, type, obj, dictionaries);
                    if (frames.Length >= 1 << 16)
                    {
                        file.Write(frames.WrittenSpan);
                        frames.Clear();
                    }
                }

                file.Write(frames.WrittenSpan);

                file.Flush(flushToDisk: true);
            }

            File.Move(tempPath, finalPath, overwrite: true);

            // The rename must be durable before the logs it replaces are deleted.
            FileSync.SyncDirectory(_directory);
            Volatile.Write(ref _lastSnapshotBytes, SnapshotBytes(finalPath));
        }
        catch (Exception)
        {
            // A failed snapshot loses nothing: the logs it would have replaced are still there.
            TryDelete(tempPath);
            return;
        }

        _metrics?.SnapshotSaved(Stopwatch.GetElapsedTime(started));
        SnapshotsWritten++;
        foreach (var path in Directory.GetFiles(_directory, "snapshot-*.snap"))
        {
            if (ParseNumber(path, "snapshot-", ".snap") is { } r && r < revision)
            {
                TryDelete(path);
            }
        }

        foreach (var path in Directory.GetFiles(_directory, "wal-*.log"))
        {
            if (ParseNumber(path, "wal-", ".log") is { } s && s < firstLogSequence)
            {
                TryDelete(path);
            }
        }
    }

    /// <summary>
    /// Opens (or creates) a log for appending at its end: recovery and a clean close leave a log
    /// holding only records. Writes go through <see cref="RandomAccess"/> at explicit offsets, so
    /// the stream is unbuffered and its position unused.
    /// </summary>
    private FileStream OpenLog(long sequence)
    {
        var file = new FileStream(Path.Combine(_directory, LogName(sequence)), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);

        // A log defines a dictionary before its first use in it. Ids restart with each opened log:
        // one reopened after a restart redefines them, and recovery reads a log in order.
        _logDictionaries.Clear();
        var length = file.Length;
        Volatile.Write(ref _logicalEnd, length);
        Volatile.Write(ref _durableEnd, length);
        _nextFill = _preallocation.InitialChunkBytes;
        _lastFill = _preallocation.InitialChunkBytes;
        _preallocating = _preallocation.Enabled && FileSync.DataSyncSupported;

        // Even a log that exists may have been created by a process that died before syncing its
        // name; one directory fsync per opened log, before its first acknowledged record, is cheap.
        _nameDurable = false;
        return file;
    }

    /// <summary>
    /// Reads the newest readable snapshot and the logs after it. A log's records end at the end
    /// of the file or at an all-zero frame header (preallocated space). A torn or corrupt frame,
    /// or anything but zeros after the records, ends the last log: the file is truncated there
    /// (the write was never acknowledged) and the non-zero bytes cut off are reported. The last
    /// log's zero tail is cut off too, but is not torn data and is not reported, so that the
    /// writer appends right after the last record. A bad frame, or non-zero bytes after the
    /// records, in an earlier log means lost acknowledged data and fails recovery.
    /// </summary>
    public static Recovery Recover(string directory, IStorageSealer? sealer)
    {
        Directory.CreateDirectory(directory);
        foreach (var temp in Directory.GetFiles(directory, "*.tmp"))
        {
            TryDelete(temp);
        }

        var codec = new WalRecordCodec(sealer);
        var pool = new StringPool();

        var snapshots = new List<(long Revision, string Path)>();
        foreach (var path in Directory.GetFiles(directory, "snapshot-*.snap"))
        {
            if (ParseNumber(path, "snapshot-", ".snap") is { } revision)
            {
                snapshots.Add((revision, path));
            }
        }

        snapshots.Sort((a, b) => b.Revision.CompareTo(a.Revision));
        long snapshotRevision = 0;
        long firstLogSequence = 0;
        var snapshotObjects = new List<(ResourceType, StoredObject)>();
        if (snapshots.Count > 0)
        {
            Exception? lastError = null;
            var loaded = false;
            foreach (var (_, path) in snapshots)
            {
                try
                {
                    snapshotObjects = ReadSnapshot(path, codec, pool, out snapshotRevision, out firstLogSequence);
                    loaded = true;
                    break;
                }
                catch (InvalidDataException e)
                {
                    lastError = e;
                }
            }

            if (!loaded)
            {
                throw new InvalidDataException("no readable snapshot in " + directory, lastError);
            }
        }

        var logs = new List<(long Sequence, string Path)>();
        foreach (var path in Directory.GetFiles(directory, "wal-*.log"))
        {
            if (ParseNumber(path, "wal-", ".log") is { } sequence && sequence >= firstLogSequence)
            {
                logs.Add((sequence, path));
            }
        }

        logs.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var records = new List<WalRecord>();
        long truncated = 0;
        var lastRevision = snapshotRevision;
        for (var i = 0; i < logs.Count; i++)
        {
            var isLast = i == logs.Count - 1;
            using var file = new FileStream(logs[i].Path, FileMode.Open, isLast ? FileAccess.ReadWrite : FileAccess.Read, FileShare.None, 1 << 16);
            var dictionaries = new Dictionary<int, Compression.CompressionDictionary>();
            long end;
            while (true)
            {
                var offset = file.Position;
                WalRecord record;
                try
                {
                    var body = WalRecordCodec.ReadRawFrame(file);
                    if (body is null)
                    {
                        end = offset;
                        break;
                    }

                    if (codec.Decode(body, pool, dictionaries) is not { } decoded)
                    {
                        continue;
                    }

                    record = decoded;
                }
                catch (InvalidDataException) when (isLast)
                {
                    end = offset;
                    break;
                }

                if (record.Revision <= snapshotRevision)
                {
                    continue;
                }

                if (record.Revision <= lastRevision)
                {
                    throw new InvalidDataException("log revisions are not increasing in " + logs[i].Path);
                }

                lastRevision = record.Revision;
                records.Add(record);
            }

            if (end < file.Length)
            {
                var torn = NonZeroBytesFrom(file, end);
                if (!isLast && torn > 0)
                {
                    throw new InvalidDataException("data after the end of the records in " + logs[i].Path);
                }

                if (isLast)
                {
                    truncated = torn;
                    file.SetLength(end);
                    file.Flush(flushToDisk: true);
                }
            }
        }

        return new Recovery
        {
            SnapshotRevision = snapshotRevision,
            SnapshotObjects = snapshotObjects,
            Records = records,
            LogSequence = logs.Count > 0 ? logs[^1].Sequence : firstLogSequence,
            TruncatedBytes = truncated,
        };
    }

    /// <summary>Bytes from <paramref name="from"/> to the last non-zero byte of the file: 0 when only (preallocated) zeros follow.</summary>
    private static long NonZeroBytesFrom(FileStream file, long from)
    {
        var buffer = new byte[1 << 16];
        file.Position = from;
        var lastNonZero = from - 1;
        var position = from;
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            var index = buffer.AsSpan(0, read).LastIndexOfAnyExcept((byte)0);
            if (index >= 0)
            {
                lastNonZero = position + index;
            }

            position += read;
        }

        return lastNonZero + 1 - from;
    }

    private static bool IsSnapshotHeader(byte[]? header) =>
        header is not null && header.Length >= 32 && BinaryPrimitives.ReadUInt32LittleEndian(header) == SnapshotMagic
        && BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4)) switch
        {
            1 => header.Length == 32,
            SnapshotVersion => header.Length == SnapshotHeaderLength,
            _ => false,
        };

    /// <summary>
    /// The bytes a snapshot occupies, which the log may grow to before the next one. Both keep
    /// objects as the table keeps them (compressed), so a snapshot costs a bounded multiple of the
    /// bytes logged, and recovery reads about as many log records as the snapshot holds objects.
    /// </summary>
    private static long SnapshotBytes(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static List<(ResourceType, StoredObject)> ReadSnapshot(string path, WalRecordCodec codec, StringPool pool, out long revision, out long firstLogSequence)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var header = WalRecordCodec.ReadRawFrame(file);
        if (!IsSnapshotHeader(header))
        {
            throw new InvalidDataException("not a snapshot: " + path);
        }

        revision = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
        firstLogSequence = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
        var count = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(24));
        var objects = new List<(ResourceType, StoredObject)>((int)Math.Min(count, 1 << 20));
        var dictionaries = new Dictionary<int, Compression.CompressionDictionary>();
        while (objects.Count < count)
        {
            var body = WalRecordCodec.ReadRawFrame(file) ?? throw new InvalidDataException("snapshot ends early: " + path);
            if (codec.DecodeSnapshotFrame(body, pool, dictionaries) is { } record)
            {
                objects.Add((record.Type, record.Object));
            }
        }

        return objects;
    }

    private static string LogName(long sequence) => "wal-" + sequence.ToString("D10", CultureInfo.InvariantCulture) + ".log";

    private static string SnapshotName(long revision) => "snapshot-" + revision.ToString("D20", CultureInfo.InvariantCulture) + ".snap";

    private static long? ParseNumber(string path, string prefix, string suffix)
    {
        var name = Path.GetFileName(path);
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        return long.TryParse(name.AsSpan(prefix.Length, name.Length - prefix.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
