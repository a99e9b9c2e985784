using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Nautilus.Store.Internal;

/// <summary>
/// The objects of one table by key: an open-addressed array of object references (an object
/// carries its own key) beside an array of their keys' hashes, changed by one writer at a time
/// (the store lock) and read by any number of readers without a lock. A reader reads the arrays
/// once and probes them, dereferencing only objects whose hash matches; the writer changes a slot
/// by writing its hash and then its reference, and grows or cleans the map by building new arrays
/// and publishing them whole, so a reader sees every key either before or after a change, never
/// torn. Costs 12 bytes a slot (at most three quarters full) and no object per entry, where a
/// Dictionary's entry is 24 bytes and ConcurrentDictionary's is an object of its own.
/// </summary>
internal sealed class ObjectMap
{
    /// <summary>What a removed object's slot holds: probes go on past it, an insert may reuse it.</summary>
    private static readonly StoredObject Removed = new(new ObjectKey("", ""), "", []);

    private const int MinimumSlots = 16;

    private Table _table = new(MinimumSlots);

    /// <summary>Live objects.</summary>
    private int _count;

    /// <summary>Slots that are not empty: live objects and removal marks. Kept under three quarters of the slots, so every probe ends.</summary>
    private int _used;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Slots of the current arrays (tests).</summary>
    internal int Capacity => Volatile.Read(ref _table).Slots.Length;

    /// <summary>The object with <paramref name="key"/>; safe to call while the writer changes the map.</summary>
    public bool TryGet(ObjectKey key, [MaybeNullWhen(false)] out StoredObject obj)
    {
        var table = Volatile.Read(ref _table);
        var slots = table.Slots;
        var mask = slots.Length - 1;
        var hash = key.GetHashCode();
        for (var i = Home(hash, slots.Length); ; i = (i + 1) & mask)
        {
            // The reference first: the hash read after it is at least as new (the writer writes it first).
            var slot = Volatile.Read(ref slots[i]);
            if (slot is null)
            {
                obj = null;
                return false;
            }

            if (table.Hashes[i] == hash && !ReferenceEquals(slot, Removed) && slot.Key == key)
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
        var hash = key.GetHashCode();
        var table = _table;
        var slots = table.Slots;
        var mask = slots.Length - 1;
        var reusable = -1;
        var i = Home(hash, slots.Length);
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
            else if (table.Hashes[i] == hash && slot.Key == key)
            {
                Volatile.Write(ref slots[i], obj);
                return;
            }
        }

        // Not present: a removal mark on the way is reused, else the empty slot that ended the probe.
        if (reusable >= 0)
        {
            table.Put(reusable, hash, obj);
        }
        else if ((_used + 1) * 4 > slots.Length * 3)
        {
            Rebuild(_count + 1);
            Insert(_table, hash, obj);
            _used++;
        }
        else
        {
            table.Put(i, hash, obj);
            _used++;
        }

        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Removes the object with <paramref name="key"/>; false when there is none. Writer only.</summary>
    public bool Remove(ObjectKey key)
    {
        var hash = key.GetHashCode();
        var table = _table;
        var slots = table.Slots;
        var mask = slots.Length - 1;
        for (var i = Home(hash, slots.Length); ; i = (i + 1) & mask)
        {
            var slot = slots[i];
            if (slot is null)
            {
                return false;
            }

            if (table.Hashes[i] == hash && !ReferenceEquals(slot, Removed) && slot.Key == key)
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
            foreach (var slot in _table.Slots)
            {
                if (slot is not null && !ReferenceEquals(slot, Removed))
                {
                    yield return slot;
                }
            }
        }
    }

    /// <summary>Moves the live objects to new arrays sized for <paramref name="count"/> at most half full, and publishes them.</summary>
    private void Rebuild(int count)
    {
        var length = (int)Math.Max(MinimumSlots, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, count * 2)));
        var rebuilt = new Table(length);
        var old = _table;
        for (var i = 0; i < old.Slots.Length; i++)
        {
            if (old.Slots[i] is { } slot && !ReferenceEquals(slot, Removed))
            {
                Insert(rebuilt, old.Hashes[i], slot);
            }
        }

        _used = _count;
        Volatile.Write(ref _table, rebuilt);
    }

    /// <summary>Puts a key that is not in <paramref name="table"/> at the end of its probe.</summary>
    private static void Insert(Table table, int hash, StoredObject obj)
    {
        var mask = table.Slots.Length - 1;
        var i = Home(hash, table.Slots.Length);
        while (table.Slots[i] is not null)
        {
            i = (i + 1) & mask;
        }

        table.Put(i, hash, obj);
    }

    /// <summary>The first slot to probe: the hash spread over the whole word (Fibonacci hashing), its top bits taken.</summary>
    private static int Home(int hash, int length) =>
        (int)(((uint)hash * 2654435769u) >> (32 - BitOperations.Log2((uint)length)));

    /// <summary>The arrays, published together: a reader never pairs one generation's references with another's hashes.</summary>
    private sealed class Table(int length)
    {
        public readonly StoredObject?[] Slots = new StoredObject?[length];
        public readonly int[] Hashes = new int[length];

        /// <summary>The hash, then the reference: a reader that sees the reference sees its hash.</summary>
        public void Put(int i, int hash, StoredObject obj)
        {
            Hashes[i] = hash;
            Volatile.Write(ref Slots[i], obj);
        }
    }
}
