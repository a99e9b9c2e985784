namespace Nautilus.Controllers.GarbageCollection.Internal;

/// <summary>
/// Owners verified absent, so that the dependents of a deleted owner do not each ask the API
/// server again. Keyed by full coordinates: a reference with the right uid but the wrong
/// namespace or kind is a different (absent) owner. Bounded; the oldest entries go first.
/// </summary>
internal sealed class AbsentOwnerCache(int capacity)
{
    private readonly Lock _lock = new();
    private readonly HashSet<ObjectReference> _set = [];
    private readonly Queue<ObjectReference> _order = new();

    public void Add(ObjectReference owner)
    {
        lock (_lock)
        {
            if (!_set.Add(owner))
            {
                return;
            }

            _order.Enqueue(owner);
            while (_order.Count > capacity)
            {
                _set.Remove(_order.Dequeue());
            }
        }
    }

    public bool Has(ObjectReference owner)
    {
        lock (_lock)
        {
            return _set.Contains(owner);
        }
    }
}
