using System.Buffers.Binary;
using System.Globalization;
using System.Threading.Channels;

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
/// The write-ahead log of the embedded store: files <c>wal-NNNNNNNNNN.log</c> of frames (see
/// <see cref="WalRecordCodec"/>) and snapshots <c>snapshot-RRRRRRRRRRRRRRRRRRRR.snap</c> holding
/// every object at revision R plus the sequence number of the first log to replay after it.
/// <para>
/// Group commit: writers enqueue in revision order (under the store lock); one loop writes every
/// pending record, calls Flush(true) (fsync) once, then hands the batch back to the store, which
/// dispatches watch events and completes the writers' tasks. A write is acknowledged only after
/// its record is on disk.
/// </para>
/// <para>
/// Once the current log passes the snapshot threshold (or the size of the last snapshot, if larger:
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
    private const int SnapshotVersion = 1;

    private readonly string _directory;
    private readonly IStorageSealer? _sealer;
    private readonly WalRecordCodec _codec;
    private readonly long _snapshotThreshold;
    private readonly Func<(long Revision, List<(ResourceType, StoredObject)> Objects)> _captureState;
    private readonly Action<List<PendingWrite>> _onDurable;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writerLoop;
    private FileStream _file;
    private long _sequence;
    private Task _snapshotTask = Task.CompletedTask;
    private volatile Exception? _fault;
    private long _lastSnapshotBytes;

    /// <summary>Opens log <paramref name="logSequence"/> for appending (after <see cref="Recover"/>) and starts the writer loop.</summary>
    public WriteAheadLog(
        string directory,
        IStorageSealer? sealer,
        long snapshotThreshold,
        long logSequence,
        Func<(long Revision, List<(ResourceType, StoredObject)> Objects)> captureState,
        Action<List<PendingWrite>> onDurable)
    {
        _directory = directory;
        _sealer = sealer;
        _codec = new WalRecordCodec(sealer);
        _snapshotThreshold = snapshotThreshold;
        _captureState = captureState;
        _onDurable = onDurable;
        _sequence = logSequence;
        foreach (var path in Directory.GetFiles(directory, "snapshot-*.snap"))
        {
            _lastSnapshotBytes = Math.Max(_lastSnapshotBytes, new FileInfo(path).Length);
        }

        _file = OpenLog(logSequence);
        _writerLoop = Task.Run(RunAsync);
    }

    /// <summary>The failure that stopped the log; the store refuses writes once set.</summary>
    public Exception? Fault => _fault;

    /// <summary>Number of snapshots written since open (for tests and metrics).</summary>
    public int SnapshotsWritten { get; private set; }

    /// <summary>Queues a committed record. Must be called in revision order.</summary>
    public void Enqueue(PendingWrite write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            write.Completion.TrySetException(new ObjectDisposedException(nameof(EmbeddedStore)));
        }
    }

    /// <summary>Waits for the snapshot in progress, if any (tests).</summary>
    public Task WaitForSnapshotAsync() => Volatile.Read(ref _snapshotTask);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
        await Volatile.Read(ref _snapshotTask).ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingWrite>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            if (_fault is { } fault)
            {
                FailAll(batch, fault);
                continue;
            }

            try
            {
                foreach (var write in batch)
                {
                    _codec.WriteFrame(_file, write.Record);
                }

                _file.Flush(flushToDisk: true);
            }
            catch (Exception e)
            {
                // The memory state already holds these writes; after a failed fsync the disk and
                // memory disagree, so the store stops taking writes (crash-stop, as etcd does).
                _fault = e;
                FailAll(batch, e);
                continue;
            }

            _onDurable(batch);
            foreach (var write in batch)
            {
                write.Completion.TrySetResult(write.Result);
            }

            if (_file.Length >= Math.Max(_snapshotThreshold, Volatile.Read(ref _lastSnapshotBytes)) && _snapshotTask.IsCompleted)
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
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        _sequence++;
        _file = OpenLog(_sequence);
        var firstLogSequence = _sequence;
        Volatile.Write(ref _snapshotTask, Task.Run(() => WriteSnapshot(revision, firstLogSequence, objects)));
    }

    private void WriteSnapshot(long revision, long firstLogSequence, List<(ResourceType Type, StoredObject Object)> objects)
    {
        var codec = new WalRecordCodec(_sealer);
        var finalPath = Path.Combine(_directory, SnapshotName(revision));
        var tempPath = finalPath + ".tmp";
        try
        {
            using (var file = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> header = stackalloc byte[32];
                BinaryPrimitives.WriteUInt32LittleEndian(header, SnapshotMagic);
                BinaryPrimitives.WriteInt32LittleEndian(header[4..], SnapshotVersion);
                BinaryPrimitives.WriteInt64LittleEndian(header[8..], revision);
                BinaryPrimitives.WriteInt64LittleEndian(header[16..], firstLogSequence);
                BinaryPrimitives.WriteInt64LittleEndian(header[24..], objects.Count);
                WalRecordCodec.WriteRawFrame(file, header);
                foreach (var (type, obj) in objects)
                {
                    codec.WriteFrame(file, new WalRecord(obj.ResourceVersion, WalOp.Create, type, obj));
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(tempPath, finalPath, overwrite: true);
            Volatile.Write(ref _lastSnapshotBytes, new FileInfo(finalPath).Length);
        }
        catch (Exception)
        {
            // A failed snapshot loses nothing: the logs it would have replaced are still there.
            TryDelete(tempPath);
            return;
        }

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

    private FileStream OpenLog(long sequence)
    {
        var file = new FileStream(Path.Combine(_directory, LogName(sequence)), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, 1 << 16);
        file.Seek(0, SeekOrigin.End);
        return file;
    }

    /// <summary>
    /// Reads the newest readable snapshot and the logs after it. A torn or corrupt frame ends the
    /// last log: the file is truncated there (the write was never acknowledged). A bad frame in
    /// an earlier log means lost acknowledged data and fails recovery.
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
            while (true)
            {
                var offset = file.Position;
                WalRecord record;
                try
                {
                    var body = WalRecordCodec.ReadRawFrame(file);
                    if (body is null)
                    {
                        break;
                    }

                    record = codec.Decode(body, pool);
                }
                catch (InvalidDataException) when (isLast)
                {
                    truncated = file.Length - offset;
                    file.SetLength(offset);
                    file.Flush(flushToDisk: true);
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

    private static List<(ResourceType, StoredObject)> ReadSnapshot(string path, WalRecordCodec codec, StringPool pool, out long revision, out long firstLogSequence)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var header = WalRecordCodec.ReadRawFrame(file);
        if (header is null || header.Length != 32 || BinaryPrimitives.ReadUInt32LittleEndian(header) != SnapshotMagic
            || BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4)) != SnapshotVersion)
        {
            throw new InvalidDataException("not a snapshot: " + path);
        }

        revision = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
        firstLogSequence = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
        var count = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(24));
        var objects = new List<(ResourceType, StoredObject)>((int)Math.Min(count, 1 << 20));
        for (long i = 0; i < count; i++)
        {
            var body = WalRecordCodec.ReadRawFrame(file) ?? throw new InvalidDataException("snapshot ends early: " + path);
            var record = codec.Decode(body, pool);
            objects.Add((record.Type, record.Object));
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
