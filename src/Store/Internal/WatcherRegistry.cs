namespace Nautilus.Store.Internal;

/// <summary>
/// The watchers of one resource type. Watchers whose field selector pins an indexed field (a
/// node agent watching <c>spec.nodeName=node-7</c>) sit in a bucket per value and see only the
/// events whose old or new object has that value, so 5,000 node watchers cost two lookups per
/// pod event instead of 5,000 filter checks. Guarded by the store's dispatch lock.
/// </summary>
internal sealed class WatcherRegistry(string[] indexedFields)
{
    private readonly List<Watcher> _general = [];
    private readonly Dictionary<(int Field, string Value), List<Watcher>> _byTrigger = [];
    private readonly List<Watcher> _cutOff = [];

    public int Count { get; private set; }

    public void Add(Watcher watcher)
    {
        if (watcher.TriggerField < 0)
        {
            _general.Add(watcher);
        }
        else
        {
            var key = (watcher.TriggerField, watcher.TriggerValue);
            if (!_byTrigger.TryGetValue(key, out var bucket))
            {
                bucket = [];
                _byTrigger[key] = bucket;
            }

            bucket.Add(watcher);
        }

        Count++;
    }

    public bool Remove(Watcher watcher)
    {
        bool removed;
        if (watcher.TriggerField < 0)
        {
            removed = _general.Remove(watcher);
        }
        else
        {
            var key = (watcher.TriggerField, watcher.TriggerValue);
            removed = _byTrigger.TryGetValue(key, out var bucket) && bucket.Remove(watcher);
            if (removed && bucket!.Count == 0)
            {
                _byTrigger.Remove(key);
            }
        }

        if (removed)
        {
            Count--;
        }

        return removed;
    }

    /// <summary>Offers a committed change to every interested watcher; cuts off those that fell behind.</summary>
    public void Dispatch(in ChangeEvent change, long currentRevision)
    {
        if (Count == 0)
        {
            return;
        }

        foreach (var watcher in _general)
        {
            if (!watcher.Offer(change))
            {
                _cutOff.Add(watcher);
            }
        }

        if (_byTrigger.Count > 0)
        {
            for (var i = 0; i < indexedFields.Length; i++)
            {
                var value = change.Object.GetField(indexedFields[i]) ?? "";
                OfferBucket(i, value, change);
                if (change.Previous is not null)
                {
                    var old = change.Previous.GetField(indexedFields[i]) ?? "";
                    if (!string.Equals(old, value, StringComparison.Ordinal))
                    {
                        OfferBucket(i, old, change);
                    }
                }
            }
        }

        CutOff(currentRevision);
    }

    /// <summary>Sends a BOOKMARK to every watcher that asked for them.</summary>
    public void Bookmark(long revision)
    {
        foreach (var watcher in _general)
        {
            BookmarkOne(watcher, revision);
        }

        foreach (var bucket in _byTrigger.Values)
        {
            foreach (var watcher in bucket)
            {
                BookmarkOne(watcher, revision);
            }
        }

        CutOff(revision);
    }

    /// <summary>Closes and forgets every watcher (store shutdown).</summary>
    public void CloseAll()
    {
        foreach (var watcher in _general)
        {
            watcher.Close(null);
        }

        foreach (var bucket in _byTrigger.Values)
        {
            foreach (var watcher in bucket)
            {
                watcher.Close(null);
            }
        }

        _general.Clear();
        _byTrigger.Clear();
        Count = 0;
    }

    private void BookmarkOne(Watcher watcher, long revision)
    {
        if (watcher.AllowBookmarks
            && !watcher.TryWriteLive(new WatchEvent(WatchEventType.Bookmark, null, Math.Max(revision, watcher.StartRevision))))
        {
            _cutOff.Add(watcher);
        }
    }

    private void OfferBucket(int field, string value, in ChangeEvent change)
    {
        if (_byTrigger.TryGetValue((field, value), out var bucket))
        {
            foreach (var watcher in bucket)
            {
                if (!watcher.Offer(change))
                {
                    _cutOff.Add(watcher);
                }
            }
        }
    }

    private void CutOff(long revision)
    {
        if (_cutOff.Count == 0)
        {
            return;
        }

        foreach (var watcher in _cutOff)
        {
            if (Remove(watcher))
            {
                watcher.Close(new StorageException(
                    StorageErrorCode.WatcherTooSlow,
                    "watcher of " + watcher.Table.Type + " fell too far behind and was closed; resume from the last resourceVersion received",
                    currentRevision: revision));
            }
        }

        _cutOff.Clear();
    }
}
