using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Nautilus.Store.Internal;

/// <summary>
/// The objects of one table by key: an open-addressed array of object references (an object
/// carries its own key), changed by one writer at a time (the store lock) and read by any number
/// of readers without a lock. A reader reads the array once and probes it; the writer changes a
/// slot with one reference write, and grows or cleans the array by building a new one and
/// publishing it whole, so a reader sees every key either before or after a change, never torn.
/// Costs 8 bytes a slot (at most three quarters full) and no object per entry, where a
/// Dictionary's entry is 24 bytes and ConcurrentDictionary's is an object of its own.
/// </summary>
internal sealed class ObjectMap
{
    /// <summary>What a removed object's slot holds: probes go on past it, an insert may reuse it.</summary>
    private static readonly StoredObject Removed = new(new ObjectKey("", ""), "", []);

    private const int MinimumSlots = 16;

    private StoredObject?[] _slots = new StoredObject?[MinimumSlots];

    /// <summary>Live objects.</summary>
    private int _count;

    /// <summary>Slots that are not empty: live objects and removal marks. Kept under three quarters of the slots, so every probe ends.</summary>
    private int _used;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Slots of the current array (tests).</summary>
    internal int Capacity => Volatile.Read(ref _slots).Length;

    /// <summary>The object with <paramref name="key"/>; safe to call while the writer changes the map.</summary>
    public bool TryGet(ObjectKey key, [MaybeNullWhen(false)] out StoredObject obj)
    {
        var slots = Volatile.Read(ref _slots);
        var mask = slots.Length - 1;
        for (var i = Home(key, slots.Length); ; i = (i + 1) & mask)
        {
            var slot = Volatile.Read(ref slots[i]);
            if (slot is null)
            {
                obj = null;
                return false;
            }

            if (!ReferenceEquals(slot, Removed) && slot.Key == key)
            {
                obj = slot;
                return true;
            }
        }
    }

    /// <summary>Adds <paramref name="obj"/> or replaces the object with its key. Writer only.</summary>
    public void Set(StoredObject obj)
    {
        var key = obj.Key;
        var slots = _slots;
        var mask = slots.Length - 1;
        var reusable = -1;
        var i = Home(key, slots.Length);
        for (; ; i = (i + 1) & mask)
        {
            var slot = slots[i];
            if (slot is null)
            {
                break;
            }

            if (ReferenceEquals(slot, Removed))
            {
                if (reusable < 0)
                {
                    reusable = i;
                }
            }
            else if (slot.Key == key)
            {
                Volatile.Write(ref slots[i], obj);
                return;
            }
        }

        // Not present: a removal mark on the way is reused, else the empty slot that ended the probe.
        if (reusable >= 0)
        {
            Volatile.Write(ref slots[reusable], obj);
        }
        else if ((_used + 1) * 4 > slots.Length * 3)
        {
            Rebuild(_count + 1);
            Insert(_slots, obj);
            _used++;
        }
        else
        {
            Volatile.Write(ref slots[i], obj);
            _used++;
        }

        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Removes the object with <paramref name="key"/>; false when there is none. Writer only.</summary>
    public bool Remove(ObjectKey key)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var i = Home(key, slots.Length); ; i = (i + 1) & mask)
        {
            var slot = slots[i];
            if (slot is null)
            {
                return false;
            }

            if (!ReferenceEquals(slot, Removed) && slot.Key == key)
            {
                Volatile.Write(ref slots[i], Removed);
                Volatile.Write(ref _count, _count - 1);

                // A map that shrank a lot is rebuilt smaller; that also drops its removal marks.
                if (slots.Length > MinimumSlots && _count * 8 < slots.Length)
                {
                    Rebuild(_count);
                }

                return true;
            }
        }
    }

    /// <summary>Every object, in no order. The caller holds the store lock (no writer runs meanwhile).</summary>
    public IEnumerable<StoredObject> Values
    {
        get
        {
            foreach (var slot in _slots)
            {
                if (slot is not null && !ReferenceEquals(slot, Removed))
                {
                    yield return slot;
                }
            }
        }
    }

    /// <summary>Moves the live objects to a new array sized for <paramref name="count"/> at most half full, and publishes it.</summary>
    private void Rebuild(int count)
    {
        var length = (int)Math.Max(MinimumSlots, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, count * 2)));
        var rebuilt = new StoredObject?[length];
        foreach (var slot in _slots)
        {
            if (slot is not null && !ReferenceEquals(slot, Removed))
            {
                Insert(rebuilt, slot);
            }
        }

        _used = _count;
        Volatile.Write(ref _slots, rebuilt);
    }

    /// <summary>Puts a key that is not in <paramref name="slots"/> at the end of its probe.</summary>
    private static void Insert(StoredObject?[] slots, StoredObject obj)
    {
        var mask = slots.Length - 1;
        var i = Home(obj.Key, slots.Length);
        while (slots[i] is not null)
        {
            i = (i + 1) & mask;
        }

        Volatile.Write(ref slots[i], obj);
    }

    /// <summary>The first slot to probe: the key's hash spread over the whole word (Fibonacci hashing), its top bits taken.</summary>
    private static int Home(ObjectKey key, int length) =>
        (int)(((uint)key.GetHashCode() * 2654435769u) >> (32 - BitOperations.Log2((uint)length)));
}
