using System.Threading.Channels;

namespace Nautilus.Store.Internal;

/// <summary>
/// One watch. Events go to an unbounded channel, but only the initial events (the synthetic
/// ADDED state or the replayed window) may exceed <see cref="_bufferSize"/>: once that many live
/// events are unread the watcher is cut off with <see cref="StorageErrorCode.WatcherTooSlow"/>,
/// so a slow reader costs bounded memory and never blocks a writer.
/// Written only under the store's dispatch lock (or before registration).
/// </summary>
internal sealed class Watcher : IObjectWatch
{
    private readonly Channel<WatchEvent> _channel = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly int _bufferSize;
    private readonly Action<Watcher> _unregister;
    private long _liveWritten;
    private int _closed;

    public Watcher(ResourceTable table, WatchOptions options, int bufferSize, Action<Watcher> unregister)
    {
        Table = table;
        Namespace = options.Namespace;
        Labels = options.Labels;
        Fields = options.Fields;
        AllowBookmarks = options.AllowBookmarks;
        _bufferSize = Math.Max(1, bufferSize);
        _unregister = unregister;
        for (var i = 0; i < table.IndexedFields.Length; i++)
        {
            if (Fields.RequiresExactMatch(table.IndexedFields[i], out var value))
            {
                TriggerField = i;
                TriggerValue = value;
                break;
            }
        }
    }

    public ResourceTable Table { get; }

    public string? Namespace { get; }

    public LabelSelector Labels { get; }

    public FieldSelector Fields { get; }

    public bool AllowBookmarks { get; }

    /// <summary>Events at or below this revision are already reflected in what the watcher was sent.</summary>
    public long StartRevision { get; set; }

    /// <summary>Index of the indexed field whose exact value the selector requires (-1: none);
    /// the registry only offers this watcher events whose old or new object has that value.</summary>
    public int TriggerField { get; } = -1;

    public string TriggerValue { get; } = "";

    public ChannelReader<WatchEvent> Events => _channel.Reader;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    public bool Matches(StoredObject obj) =>
        (Namespace is null || string.Equals(obj.Namespace, Namespace, StringComparison.Ordinal))
        && Labels.Matches(obj.Labels)
        && Fields.Matches(obj);

    /// <summary>An initial or replayed event: not counted against the live buffer.</summary>
    public void WriteInitial(in WatchEvent e) => _channel.Writer.TryWrite(e);

    /// <summary>Replays a past change as an initial event, filtered as a live one.</summary>
    public void WriteInitial(in ChangeEvent change)
    {
        if (Convert(change) is { } e)
        {
            _channel.Writer.TryWrite(e);
        }
    }

    /// <summary>Offers a live change; false when the watcher is too far behind and must be cut off.</summary>
    public bool Offer(in ChangeEvent change)
    {
        if (change.Revision <= StartRevision)
        {
            return true;
        }

        return Convert(change) is not { } e || TryWriteLive(e);
    }

    public bool TryWriteLive(in WatchEvent e)
    {
        // Unread live events: initial events come first, so of the Count unread events at most
        // _liveWritten are live.
        if (Math.Min(_channel.Reader.Count, _liveWritten) >= _bufferSize)
        {
            return false;
        }

        _liveWritten++;
        return _channel.Writer.TryWrite(e);
    }

    /// <summary>kube's cacheWatcher.convertToWatchEvent: an object that starts matching is ADDED;
    /// one that stops matching is DELETED with its previous content at the event's revision.</summary>
    private WatchEvent? Convert(in ChangeEvent change)
    {
        var current = change.Type != WatchEventType.Deleted && Matches(change.Object);
        var previous = change.Previous is not null && Matches(change.Previous);
        if (current)
        {
            return new WatchEvent(previous ? WatchEventType.Modified : WatchEventType.Added, change.Object, change.Revision);
        }

        if (!previous)
        {
            return null;
        }

        var gone = change.Type == WatchEventType.Deleted ? change.Object : change.Previous!.WithResourceVersion(change.Revision);
        return new WatchEvent(WatchEventType.Deleted, gone, change.Revision);
    }

    /// <summary>Ends the event stream; readers see <paramref name="error"/> after the buffered events.</summary>
    public void Close(Exception? error)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _channel.Writer.TryComplete(error);
        }
    }

    public void Dispose()
    {
        _unregister(this);
        Close(null);
    }
}
