namespace Nautilus.Controllers.Machinery;

/// <summary>
/// kube's UIDTrackingControllerExpectations: what a controller has asked for and not yet seen
/// through its informer. While a controller's creates or deletes are in flight its cache is behind
/// its own writes; syncing then would create or delete a second time. A controller syncs a key only
/// when <see cref="Satisfied"/>: nothing expected, everything observed, or the expectation older
/// than <see cref="Ttl"/> (an observation was lost, e.g. a watch restarted). Deletions are tracked
/// by pod key so a deletion seen twice (deletionTimestamp, then the delete) counts once.
/// </summary>
public sealed class ControllerExpectations(TimeProvider? time = null)
{
    /// <summary>kube's ExpectationsTimeout.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>True when the controller may sync <paramref name="controllerKey"/>.</summary>
    public bool Satisfied(string controllerKey)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(controllerKey, out var e))
            {
                return true;
            }

            return (e.Adds <= 0 && e.Deletes <= 0) || _time.GetUtcNow() - e.Timestamp > Ttl;
        }
    }

    /// <summary>Expects <paramref name="count"/> creations, replacing what was expected before.</summary>
    public void ExpectCreations(string controllerKey, int count)
    {
        lock (_entries)
        {
            _entries[controllerKey] = new Entry { Adds = count, Timestamp = _time.GetUtcNow() };
        }
    }

    /// <summary>Expects the deletion of each of <paramref name="podKeys"/>, replacing what was expected before.</summary>
    public void ExpectDeletions(string controllerKey, IReadOnlyCollection<string> podKeys)
    {
        lock (_entries)
        {
            _entries[controllerKey] = new Entry
            {
                Deletes = podKeys.Count,
                Timestamp = _time.GetUtcNow(),
                DeleteKeys = new HashSet<string>(podKeys, StringComparer.Ordinal),
            };
        }
    }

    /// <summary>A creation was seen (or will never be: a failed create lowers the expectation too).</summary>
    public void CreationObserved(string controllerKey)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(controllerKey, out var e))
            {
                e.Adds--;
            }
        }
    }

    /// <summary>The deletion of <paramref name="podKey"/> was seen (or failed); counted once per key.</summary>
    public void DeletionObserved(string controllerKey, string podKey)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(controllerKey, out var e) && e.DeleteKeys is { } keys && keys.Remove(podKey))
            {
                e.Deletes--;
            }
        }
    }

    /// <summary>Forgets the controller (it was deleted).</summary>
    public void Delete(string controllerKey)
    {
        lock (_entries)
        {
            _entries.Remove(controllerKey);
        }
    }

    /// <summary>What is still expected, for tests and diagnostics.</summary>
    public (long Adds, long Deletes)? Pending(string controllerKey)
    {
        lock (_entries)
        {
            return _entries.TryGetValue(controllerKey, out var e) ? (e.Adds, e.Deletes) : null;
        }
    }

    private sealed class Entry
    {
        public long Adds;
        public long Deletes;
        public DateTimeOffset Timestamp;
        public HashSet<string>? DeleteKeys;
    }
}
