namespace Nautilus.Store.Internal;

/// <summary>One committed change: the new state (for DELETED, the last state stamped with the
/// deletion revision) and the state before it (null for a create).</summary>
internal readonly record struct ChangeEvent(WatchEventType Type, long Revision, StoredObject Object, StoredObject? Previous);

/// <summary>
/// The last N changes of one resource type, oldest first, in a ring that grows on demand up to
/// its capacity (a type with few writes does not pay for the full window). Serves watch resume
/// and the reconstruction of past states for exact and paginated lists. Guarded by the store lock.
/// </summary>
internal sealed class EventWindow
{
    private readonly int _capacity;
    private ChangeEvent[] _ring;
    private int _start;
    private int _count;

    /// <param name="capacity">Events retained.</param>
    /// <param name="floor">The revision from which this type's history is complete (events after it
    /// are all retained until evicted).</param>
    public EventWindow(int capacity, long floor)
    {
        _capacity = Math.Max(1, capacity);
        _ring = new ChangeEvent[Math.Min(_capacity, 64)];
        Floor = floor;
    }

    /// <summary>
    /// Every change after this revision is retained: states at revisions &gt;= Floor can be
    /// reconstructed and watches can resume from them. Rises as events are evicted.
    /// </summary>
    public long Floor { get; private set; }

    public int Count => _count;

    public void Append(in ChangeEvent change)
    {
        if (_count == _ring.Length)
        {
            if (_ring.Length < _capacity)
            {
                var grown = new ChangeEvent[Math.Min(_capacity, _ring.Length * 2)];
                for (var i = 0; i < _count; i++)
                {
                    grown[i] = _ring[(_start + i) % _ring.Length];
                }

                _ring = grown;
                _start = 0;
            }
            else
            {
                Floor = _ring[_start].Revision;
                _ring[_start] = default;
                _start = (_start + 1) % _ring.Length;
                _count--;
            }
        }

        _ring[(_start + _count) % _ring.Length] = change;
        _count++;
    }

    public ref readonly ChangeEvent this[int index] => ref _ring[(_start + index) % _ring.Length];

    /// <summary>Index of the first event with a revision greater than <paramref name="revision"/> (Count when none).</summary>
    public int FirstAfter(long revision)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (this[mid].Revision <= revision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// The state at <paramref name="revision"/> of every key changed after it: the previous state
    /// of the first later change (null when the key did not exist then). Null when nothing changed.
    /// </summary>
    public Dictionary<ObjectKey, StoredObject?>? StatesAt(long revision)
    {
        var first = FirstAfter(revision);
        if (first == _count)
        {
            return null;
        }

        var states = new Dictionary<ObjectKey, StoredObject?>();
        for (var i = first; i < _count; i++)
        {
            ref readonly var change = ref this[i];
            states.TryAdd(change.Object.Key, change.Previous);
        }

        return states;
    }
}
