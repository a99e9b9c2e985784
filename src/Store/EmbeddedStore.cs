using System.Collections.Concurrent;
using System.Globalization;
using Nautilus.Store.Internal;

namespace Nautilus.Store;

/// <summary>
/// The embedded object store: the default backend behind <see cref="IObjectStore"/>, an
/// in-process replacement for etcd plus kube-apiserver's watch cache.
/// <para>
/// One global revision orders every write (the first write gets 2). Writes take one lock, check
/// their compare-and-swap condition, assign the next revision, apply the change to the type's
/// table (objects, sorted keys, label and field indexes, event window) and, with a data
/// directory, queue a log record; the returned task completes after that record is fsynced
/// (group commit) and watchers are offered the event. Lists take the same lock for as long as it
/// takes to collect object references (objects are immutable and shared); a read of one object
/// by key, or of a type's count, takes no lock at all.
/// </para>
/// <para>
/// Visibility: with a data directory, reads and newly started watches may observe a write
/// a few milliseconds before its fsync completes (its writer has not been answered yet). If the
/// fsync fails the store stops accepting writes, so nothing acknowledged is ever lost and
/// nothing unacknowledged is built upon by further writes.
/// </para>
/// </summary>
public sealed class EmbeddedStore : IObjectStore, IAsyncDisposable
{
    private const string ListTooOldMessage = "The resourceVersion for the provided list is too old.";

    private const string ContinueTooOldMessage =
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

    private readonly EmbeddedStoreOptions _options;
    private readonly string[] _indexedFields;
    private readonly Lock _gate = new();

    /// <summary>Serializes event delivery and watcher (un)registration. Taken after <see cref="_gate"/> when both are held.</summary>
    private readonly Lock _dispatchGate = new();

    /// <summary>The tables by type: added under <see cref="_gate"/>, read without it by point reads.</summary>
    private readonly ConcurrentDictionary<ResourceType, ResourceTable> _tables = new(concurrencyLevel: 1, capacity: 31);
    private readonly List<(long Revision, TaskCompletionSource Signal)> _revisionWaiters = [];
    private readonly WriteAheadLog? _log;
    private readonly ITimer _bookmarkTimer;
    private readonly long _historyFloor;
    private ResourceTable[] _tableList = [];
    private long _revision = 1;
    private long _dispatchedRevision = 1;
    private volatile bool _disposed;

    /// <summary>
    /// Opens the store. With a data directory this replays the newest snapshot and the log after
    /// it synchronously (cutting off a torn tail) before returning.
    /// </summary>
    /// <exception cref="InvalidDataException">The data directory holds a corrupt log before its last record or no readable snapshot.</exception>
    public EmbeddedStore(EmbeddedStoreOptions? options = null)
    {
        _options = options ?? new EmbeddedStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.EventWindow, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.WatchBufferSize, 1, nameof(options));
        if (_options.BookmarkInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BookmarkInterval must be positive");
        }

        var fields = new List<string>();
        foreach (var field in _options.IndexedFields)
        {
            if (!fields.Contains(field))
            {
                fields.Add(field);
            }
        }

        _indexedFields = fields.ToArray();
        _historyFloor = 1;
        if (_options.DataDirectory is { } directory)
        {
            var recovery = WriteAheadLog.Recover(directory, _options.Sealer);
            _historyFloor = Math.Max(1, recovery.SnapshotRevision);
            _revision = _historyFloor;
            foreach (var (type, obj) in recovery.SnapshotObjects)
            {
                GetOrCreateTable(type).Restore(obj);
            }

            foreach (var record in recovery.Records)
            {
                ApplyRecovered(record);
            }

            _dispatchedRevision = _revision;
            RecoveredTruncatedBytes = recovery.TruncatedBytes;
            var metrics = new StoreMetrics();
            try
            {
                _log = new WriteAheadLog(directory, _options.Sealer, _options.SnapshotThresholdBytes, recovery.LogSequence, CaptureState, OnDurable, metrics: metrics);
            }
            catch
            {
                metrics.Dispose();
                throw;
            }

            Metrics = metrics;
        }

        _bookmarkTimer = _options.TimeProvider.CreateTimer(_ => SendBookmarks(), null, _options.BookmarkInterval, _options.BookmarkInterval);
    }

    public long CurrentRevision => Volatile.Read(ref _revision);

    /// <summary>The log's metrics (null in memory): the server's /metrics exports their meter.</summary>
    internal StoreMetrics? Metrics { get; }

    /// <summary>Bytes of a torn or corrupt log tail cut off during recovery.</summary>
    internal long RecoveredTruncatedBytes { get; }

    internal WriteAheadLog? Log => _log;

    /// <summary>The write-ahead log failure that stopped the store accepting writes; null while it accepts them.</summary>
    public Exception? WriteFault => _log?.Fault;

    public long Count(ResourceType type) => _tables.TryGetValue(type, out var table) ? table.Count : 0;

    /// <summary>The object at <paramref name="key"/>, without the store lock: every create admission asks for its namespace, and every GET for its object.</summary>
    public ValueTask<StoredObject?> GetAsync(ResourceType type, ObjectKey key, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return new ValueTask<StoredObject?>(_tables.TryGetValue(type, out var table) && table.TryGet(key, out var obj) ? obj : null);
    }

    public ValueTask<StoredObject> CreateAsync(ResourceType type, StoredObject obj, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obj);
        Task<StoredObject>? durable;
        StoredObject created;

        // Where the revision goes, found before the lock: only the copy with its digits waits for it.
        var stamp = obj.PrepareStamp();
        lock (_gate)
        {
            ThrowIfNotWritable();
            var table = GetOrCreateTable(type);
            if (table.TryGet(obj.Key, out _))
            {
                throw new StorageException(StorageErrorCode.KeyExists, "object " + type + " " + obj.Key + " already exists", obj.Key, _revision);
            }

            var revision = _revision + 1;
            created = obj.WithResourceVersion(stamp, revision);
            durable = Commit(table, new ChangeEvent(WatchEventType.Added, revision, table.Compact(created), null), WalOp.Create, created);
        }

        return durable is null ? new ValueTask<StoredObject>(created) : new ValueTask<StoredObject>(durable);
    }

    public ValueTask<StoredObject> DeleteAsync(ResourceType type, ObjectKey key, Preconditions? preconditions = null, CancellationToken cancellationToken = default)
    {
        Task<StoredObject>? durable;
        StoredObject deleted;
        lock (_gate)
        {
            ThrowIfNotWritable();
            if (!_tables.TryGetValue(type, out var table) || !table.TryGet(key, out var current))
            {
                throw NotFound(type, key);
            }

            CheckPreconditions(key, preconditions, current);
            var revision = _revision + 1;
            deleted = table.Compact(current.WithResourceVersion(revision));
            durable = Commit(table, new ChangeEvent(WatchEventType.Deleted, revision, deleted, current), WalOp.Delete, deleted);
        }

        return durable is null ? new ValueTask<StoredObject>(deleted) : new ValueTask<StoredObject>(durable);
    }

    public async ValueTask<StoredObject> GuaranteedUpdateAsync(
        ResourceType type,
        ObjectKey key,
        UpdateFunction tryUpdate,
        Preconditions? preconditions = null,
        bool ignoreNotFound = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tryUpdate);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfDisposed();
            var current = _tables.TryGetValue(type, out var read) && read.TryGet(key, out var obj) ? obj : null;

            if (current is null && !ignoreNotFound)
            {
                throw NotFound(type, key);
            }

            CheckPreconditions(key, preconditions, current);

            // Outside the lock: tryUpdate may be slow (admission, defaulting) or async.
            var updated = await tryUpdate(current, cancellationToken).ConfigureAwait(false);
            if (ReferenceEquals(updated, current))
            {
                return current;
            }

            ArgumentNullException.ThrowIfNull(updated, nameof(tryUpdate));
            if (updated.Key != key)
            {
                throw new StorageException(StorageErrorCode.InvalidArgument, "the updated object's key " + updated.Key + " differs from " + key, key, CurrentRevision);
            }

            if (current is not null && IsSameContent(current, updated))
            {
                // kube-apiserver skips writes whose encoding equals the stored one: no new revision, no event.
                return current;
            }

            Task<StoredObject>? durable;
            StoredObject written;
            var stamp = updated.PrepareStamp();
            lock (_gate)
            {
                ThrowIfNotWritable();
                var table = GetOrCreateTable(type);
                table.TryGet(key, out var now);
                if (!ReferenceEquals(now, current))
                {
                    continue; // changed since read: retry with the newer object
                }

                var revision = _revision + 1;
                written = updated.WithResourceVersion(stamp, revision);
                durable = current is null
                    ? Commit(table, new ChangeEvent(WatchEventType.Added, revision, table.Compact(written), null), WalOp.Create, written)
                    : Commit(table, new ChangeEvent(WatchEventType.Modified, revision, table.Compact(written), current), WalOp.Update, written);
            }

            return durable is null ? written : await durable.ConfigureAwait(false);
        }
    }

    public ValueTask<ListResult> ListAsync(ResourceType type, ListOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfDisposed();
        if (!string.IsNullOrEmpty(options.Continue))
        {
            var (revision, start, after) = ContinueToken.Decode(options.Continue);
            return new ValueTask<ListResult>(ListAt(type, options, revision, start, after, fromContinue: true));
        }

        long? exact = null;
        long minimum = 0;
        var text = options.ResourceVersion;
        if (!string.IsNullOrEmpty(text) && text != "0")
        {
            var revision = ParseRevision(text);
            if (options.ResourceVersionMatch == ResourceVersionMatch.Exact
                || (options.ResourceVersionMatch == ResourceVersionMatch.Unset && options.Limit > 0))
            {
                exact = revision;
            }
            else
            {
                minimum = revision;
            }
        }

        var required = exact ?? minimum;
        if (required > CurrentRevision)
        {
            return ListAfterWaitAsync(type, options, exact, required, cancellationToken);
        }

        return new ValueTask<ListResult>(ListAt(type, options, exact, null, false, fromContinue: false));
    }

    public ValueTask<IObjectWatch> WatchAsync(ResourceType type, WatchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = options.ResourceVersion;
        var initial = options.SendInitialEvents || string.IsNullOrEmpty(text) || text == "0";
        var from = initial ? 0 : ParseRevision(text!);
        lock (_gate)
        {
            ThrowIfDisposed();
            var table = GetOrCreateTable(type);
            var current = _revision;
            var watcher = new Watcher(table, options, _options.WatchBufferSize, Unregister);
            if (initial)
            {
                var items = new List<StoredObject>();
                Collect(table, null, options.Namespace, options.Labels, options.Fields, null, false, 0, items, countRemaining: false, out _, out _, out _);
                foreach (var obj in items)
                {
                    watcher.WriteInitial(new WatchEvent(WatchEventType.Added, obj, obj.ResourceVersion));
                }

                if (options.SendInitialEvents)
                {
                    watcher.WriteInitial(new WatchEvent(WatchEventType.Bookmark, null, current, InitialEventsEnd: true));
                }

                watcher.StartRevision = current;
            }
            else
            {
                var window = table.Window;
                if (from < window.Floor)
                {
                    throw new StorageException(
                        StorageErrorCode.Expired,
                        "too old resource version: " + from.ToString(CultureInfo.InvariantCulture) + " (" + window.Floor.ToString(CultureInfo.InvariantCulture) + ")",
                        currentRevision: current);
                }

                for (var i = window.FirstAfter(from); i < window.Count; i++)
                {
                    watcher.WriteInitial(window[i]);
                }

                watcher.StartRevision = Math.Max(from, current);
            }

            lock (_dispatchGate)
            {
                table.Watchers.Add(watcher);
            }

            return new ValueTask<IObjectWatch>(watcher);
        }
    }

    /// <summary>Stops the bookmark timer, drains and closes the log, and ends every watch.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var (_, signal) in _revisionWaiters)
            {
                signal.TrySetException(new ObjectDisposedException(nameof(EmbeddedStore)));
            }
        }

        await _bookmarkTimer.DisposeAsync().ConfigureAwait(false);
        if (_log is not null)
        {
            await _log.DisposeAsync().ConfigureAwait(false);
        }

        Metrics?.Dispose();

        lock (_dispatchGate)
        {
            foreach (var table in Volatile.Read(ref _tableList))
            {
                table.Watchers.CloseAll();
            }
        }
    }

    private async ValueTask<ListResult> ListAfterWaitAsync(ResourceType type, ListOptions options, long? exact, long required, CancellationToken cancellationToken)
    {
        await WaitForRevisionAsync(required, cancellationToken).ConfigureAwait(false);
        return ListAt(type, options, exact, null, false, fromContinue: false);
    }

    /// <summary>
    /// Lists at <paramref name="readRevision"/> (null: the current revision). A past revision is
    /// served by undoing the window's later changes: a key changed after it reads as the previous
    /// object of its first later change (absent when that change created it).
    /// </summary>
    private ListResult ListAt(ResourceType type, ListOptions options, long? readRevision, ObjectKey? start, bool after, bool fromContinue)
    {
        var items = new List<StoredObject>(options.Limit > 0 ? (int)Math.Min(options.Limit, 4096) : 16);
        long revision;
        bool more;
        ObjectKey lastKey;
        long? remaining;
        lock (_gate)
        {
            ThrowIfDisposed();
            var table = GetOrCreateTable(type);
            var current = _revision;
            revision = readRevision ?? current;
            if (revision > current)
            {
                throw fromContinue
                    ? new StorageException(StorageErrorCode.InvalidArgument, "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
                    : TooLarge(revision, current);
            }

            if (revision < table.Window.Floor)
            {
                throw new StorageException(StorageErrorCode.Expired, fromContinue ? ContinueTooOldMessage : ListTooOldMessage, currentRevision: current);
            }

            var states = revision < current ? table.Window.StatesAt(revision) : null;
            var countRemaining = options.Labels.IsEverything && options.Fields.IsEverything;
            Collect(table, states, options.Namespace, options.Labels, options.Fields, start, after, options.Limit, items, countRemaining, out more, out lastKey, out remaining);
        }

        return new ListResult(items, revision, more ? ContinueToken.Encode(revision, lastKey) : null, more ? remaining : null);
    }

    /// <summary>
    /// Collects matching objects in key order, starting at <paramref name="start"/>, up to
    /// <paramref name="limit"/> (0: all). Picks the smallest candidate set among the namespace
    /// range, an exact name, an equality/in label requirement and an exact indexed field, then
    /// filters every candidate by all selectors. <paramref name="states"/> (keys changed after
    /// the read revision → their state then) is merged into the candidates. Under the store lock.
    /// </summary>
    private static void Collect(
        ResourceTable table,
        Dictionary<ObjectKey, StoredObject?>? states,
        string? ns,
        LabelSelector labels,
        FieldSelector fields,
        ObjectKey? start,
        bool after,
        long limit,
        List<StoredObject> items,
        bool countRemaining,
        out bool more,
        out ObjectKey lastKey,
        out long? remaining)
    {
        more = false;
        lastKey = default;
        remaining = null;
        if (fields.RequiresExactMatch("metadata.namespace", out var fieldNamespace))
        {
            if (ns is not null && ns != fieldNamespace)
            {
                return;
            }

            ns = fieldNamespace;
        }

        // Bounds: [lower, upper) with lower exclusive after a continue token's key.
        var lower = new ObjectKey(ns ?? "", "");
        ObjectKey? upper = ns is null ? null : ObjectKey.AfterNamespace(ns);
        var lowerExclusive = false;
        if (start is { } s)
        {
            var c = s.CompareTo(lower);
            if (c > 0 || (c == 0 && after))
            {
                lower = s;
                lowerExclusive = after;
            }
        }

        if (upper is { } u && lower.CompareTo(u) >= 0)
        {
            return;
        }

        // Plan: the namespace range unless an index offers fewer candidates.
        var keys = table.Keys;
        long best = ns is null ? table.Count : keys.Rank(upper!.Value) - keys.Rank(new ObjectKey(ns, ""));
        List<ObjectKey>? indexed = null;
        if (ns is not null && fields.RequiresExactMatch("metadata.name", out var name))
        {
            indexed = [new ObjectKey(ns, name)];
            best = 1;
        }

        LabelRequirement? bestLabel = null;
        foreach (var requirement in labels.Requirements)
        {
            if (requirement.IsIndexable)
            {
                var count = table.LabelCandidateCount(requirement.Key, requirement.Values);
                if (count < best)
                {
                    best = count;
                    bestLabel = requirement;
                }
            }
        }

        HashSet<ObjectKey>? bestField = null;
        var fieldChosen = false;
        foreach (var requirement in fields.Requirements)
        {
            if (requirement.Operator != FieldSelectorOperator.Equals)
            {
                continue;
            }

            var index = table.FieldIndexOf(requirement.Path);
            if (index >= 0 && table.TryGetFieldCandidates(index, requirement.Value, out var candidates))
            {
                var count = candidates?.Count ?? 0;
                if (count < best)
                {
                    best = count;
                    bestField = candidates;
                    fieldChosen = true;
                    bestLabel = null;
                }
            }
        }

        if (bestLabel is not null)
        {
            indexed = [];
            table.AddLabelCandidates(bestLabel.Key, bestLabel.Values, indexed);
        }
        else if (fieldChosen)
        {
            indexed = bestField is null ? [] : [.. bestField];
        }

        IEnumerable<ObjectKey> candidatesInOrder;
        if (indexed is not null)
        {
            indexed.RemoveAll(k => !InBounds(k, lower, lowerExclusive, upper));
            indexed.Sort();
            candidatesInOrder = indexed;
        }
        else
        {
            candidatesInOrder = keys.Range(lower, lowerExclusive, upper);
        }

        if (states is not null)
        {
            var past = new List<ObjectKey>(states.Count);
            foreach (var key in states.Keys)
            {
                if (InBounds(key, lower, lowerExclusive, upper))
                {
                    past.Add(key);
                }
            }

            past.Sort();
            candidatesInOrder = Merge(candidatesInOrder, past);
        }

        using var enumerator = candidatesInOrder.GetEnumerator();
        while (enumerator.MoveNext())
        {
            var key = enumerator.Current;
            if (Resolve(table, states, key) is not { } obj
                || (ns is not null && !string.Equals(obj.Namespace, ns, StringComparison.Ordinal))
                || !labels.Matches(obj.Labels)
                || !fields.Matches(obj))
            {
                continue;
            }

            if (limit > 0 && items.Count == limit)
            {
                more = true;
                break;
            }

            items.Add(obj);
            lastKey = key;
        }

        if (!more || !countRemaining)
        {
            return;
        }

        if (states is null && indexed is null)
        {
            remaining = (upper is { } end ? keys.Rank(end) : keys.Count) - keys.Rank(lastKey) - 1;
            return;
        }

        long counted = 1; // the match that ended the page
        while (enumerator.MoveNext())
        {
            if (Resolve(table, states, enumerator.Current) is { } obj && (ns is null || obj.Namespace == ns) && fields.Matches(obj))
            {
                counted++;
            }
        }

        remaining = counted;
    }

    private static StoredObject? Resolve(ResourceTable table, Dictionary<ObjectKey, StoredObject?>? states, ObjectKey key)
    {
        if (states is not null && states.TryGetValue(key, out var past))
        {
            return past;
        }

        return table.TryGet(key, out var obj) ? obj : null;
    }

    private static bool InBounds(ObjectKey key, ObjectKey lower, bool lowerExclusive, ObjectKey? upper)
    {
        var c = key.CompareTo(lower);
        return (c > 0 || (c == 0 && !lowerExclusive)) && (upper is not { } u || key.CompareTo(u) < 0);
    }

    /// <summary>Two sorted key sequences as one, without duplicates.</summary>
    private static IEnumerable<ObjectKey> Merge(IEnumerable<ObjectKey> first, List<ObjectKey> second)
    {
        using var e = first.GetEnumerator();
        var hasFirst = e.MoveNext();
        var j = 0;
        while (hasFirst || j < second.Count)
        {
            if (!hasFirst)
            {
                yield return second[j++];
                continue;
            }

            if (j >= second.Count)
            {
                yield return e.Current;
                hasFirst = e.MoveNext();
                continue;
            }

            var c = e.Current.CompareTo(second[j]);
            if (c <= 0)
            {
                yield return e.Current;
                hasFirst = e.MoveNext();
                if (c == 0)
                {
                    j++;
                }
            }
            else
            {
                yield return second[j++];
            }
        }
    }

    /// <summary>
    /// Applies a committed change under the store lock; returns the durability task when there is a
    /// log. <paramref name="written"/> is the object before the table compressed it: what the log
    /// writes and the caller gets, so neither decompresses what was just compressed.
    /// </summary>
    private Task<StoredObject>? Commit(ResourceTable table, in ChangeEvent change, WalOp op, StoredObject written)
    {
        table.Apply(change);
        Volatile.Write(ref _revision, change.Revision);
        Task<StoredObject>? durable = null;
        if (_log is null)
        {
            lock (_dispatchGate)
            {
                table.Watchers.Dispatch(change, change.Revision);
                _dispatchedRevision = change.Revision;
            }
        }
        else
        {
            // The record holds the object as the table keeps it (compressed): a pod is logged in a few
            // hundred bytes instead of ~5 KB, and recovery loads it without compressing it again.
            var record = new WalRecord(change.Revision, op, table.Type, op == WalOp.Delete ? change.Previous! : change.Object);
            var write = new PendingWrite(record, table, change, written);
            _log.Enqueue(write);
            durable = write.Completion.Task;
        }

        if (_revisionWaiters.Count > 0)
        {
            for (var i = _revisionWaiters.Count - 1; i >= 0; i--)
            {
                if (_revisionWaiters[i].Revision <= change.Revision)
                {
                    _revisionWaiters[i].Signal.TrySetResult();
                    _revisionWaiters.RemoveAt(i);
                }
            }
        }

        return durable;
    }

    /// <summary>The log's callback once a batch is fsynced: offers the batch's events to watchers in revision order.</summary>
    private void OnDurable(List<PendingWrite> batch)
    {
        lock (_dispatchGate)
        {
            foreach (var write in batch)
            {
                write.Table.Watchers.Dispatch(write.Change, write.Change.Revision);
                _dispatchedRevision = write.Change.Revision;
            }
        }
    }

    private (long Revision, List<(ResourceType, StoredObject)> Objects) CaptureState()
    {
        lock (_gate)
        {
            var objects = new List<(ResourceType, StoredObject)>();
            foreach (var table in _tableList)
            {
                foreach (var obj in table.Objects)
                {
                    objects.Add((table.Type, obj));
                }
            }

            return (_revision, objects);
        }
    }

    private void ApplyRecovered(in WalRecord record)
    {
        var table = GetOrCreateTable(record.Type);
        table.TryGet(record.Object.Key, out var previous);
        switch (record.Op)
        {
            case WalOp.Delete:
                if (previous is not null)
                {
                    table.Apply(new ChangeEvent(WatchEventType.Deleted, record.Revision, table.Compact(previous.WithResourceVersion(record.Revision)), previous));
                }

                break;
            default:
                table.Apply(new ChangeEvent(previous is null ? WatchEventType.Added : WatchEventType.Modified, record.Revision, table.Compact(record.Object), previous));
                break;
        }

        _revision = record.Revision;
    }

    private void SendBookmarks()
    {
        lock (_dispatchGate)
        {
            var revision = _dispatchedRevision;
            foreach (var table in Volatile.Read(ref _tableList))
            {
                table.Watchers.Bookmark(revision);
            }
        }
    }

    private void Unregister(Watcher watcher)
    {
        lock (_dispatchGate)
        {
            watcher.Table.Watchers.Remove(watcher);
        }
    }

    private async Task WaitForRevisionAsync(long revision, CancellationToken cancellationToken)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (_revision >= revision)
            {
                return;
            }

            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _revisionWaiters.Add((revision, signal));
        }

        try
        {
            await signal.Task.WaitAsync(_options.ResourceVersionWaitTimeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw TooLarge(revision, CurrentRevision);
        }
        finally
        {
            lock (_gate)
            {
                _revisionWaiters.RemoveAll(w => ReferenceEquals(w.Signal, signal));
            }
        }
    }

    private ResourceTable GetOrCreateTable(ResourceType type)
    {
        if (_tables.TryGetValue(type, out var table))
        {
            return table;
        }

        var capacity = _options.EventWindowPerType.TryGetValue(type, out var perType) ? perType : _options.EventWindow;
        table = new ResourceTable(type, _indexedFields, capacity, _historyFloor);
        _tables[type] = table;
        Volatile.Write(ref _tableList, [.. _tableList, table]);
        return table;
    }

    private static bool IsSameContent(StoredObject current, StoredObject updated)
    {
        if (!SameEntries(current.Labels, updated.Labels) || !SameEntries(current.Fields, updated.Fields) || current.Uid != updated.Uid)
        {
            return false;
        }

        return current.HasContent(updated.Json);
    }

    private static bool SameEntries(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (k, v) in a)
        {
            if (!b.TryGetValue(k, out var other) || !string.Equals(v, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckPreconditions(ObjectKey key, Preconditions? preconditions, StoredObject? current)
    {
        if (preconditions is null)
        {
            return;
        }

        if (preconditions.Uid is { } uid && !string.Equals(uid, current?.Uid ?? "", StringComparison.Ordinal))
        {
            throw new StorageException(
                StorageErrorCode.Conflict,
                "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + current?.Uid,
                key,
                current?.ResourceVersion ?? 0);
        }

        if (preconditions.ResourceVersion is { } rv && rv != (current?.ResourceVersion ?? 0))
        {
            throw new StorageException(
                StorageErrorCode.Conflict,
                "Precondition failed: ResourceVersion in precondition: " + rv.ToString(CultureInfo.InvariantCulture)
                + ", ResourceVersion in object meta: " + current?.ResourceVersion.ToString(CultureInfo.InvariantCulture),
                key,
                current?.ResourceVersion ?? 0);
        }
    }

    /// <summary>Parses a client resourceVersion; kube's message on failure.</summary>
    private static long ParseRevision(string text)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            return revision;
        }

        throw new StorageException(
            StorageErrorCode.InvalidArgument,
            "resourceVersion: Invalid value: \"" + text + "\": strconv.ParseUint: parsing \"" + text + "\": invalid syntax");
    }

    private static StorageException TooLarge(long requested, long current) =>
        new(
            StorageErrorCode.TooLargeResourceVersion,
            "Too large resource version: " + requested.ToString(CultureInfo.InvariantCulture) + ", current: " + current.ToString(CultureInfo.InvariantCulture),
            currentRevision: current);

    private StorageException NotFound(ResourceType type, ObjectKey key) =>
        new(StorageErrorCode.KeyNotFound, "object " + type + " " + key + " not found", key, CurrentRevision);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void ThrowIfNotWritable()
    {
        ThrowIfDisposed();
        if (_log?.Fault is { } fault)
        {
            throw new IOException("the store stopped accepting writes after a write-ahead log failure: " + fault.Message, fault);
        }
    }
}
