using System.Numerics;

namespace Nautilus.Server.Api.Allocation.Internal;

/// <summary>
/// A bitmap over the offsets <c>[0, size)</c> of a range, as kube's
/// <c>allocator.AllocationBitmap</c> with the random-scan-with-offset strategy: dynamic
/// allocation picks a random offset in the upper block <c>[staticSize, size)</c> and scans forward
/// (wrapping within the block) for a free bit, and only when that block is full does the same in
/// the lower block <c>[dynamicFloor, staticSize)</c>, which is thereby left to requests that name
/// their value (KEP-3070 for cluster IPs, KEP-3668 for node ports). Offsets below
/// <paramref name="dynamicFloor"/> are never picked dynamically. Not thread-safe: the owner locks.
/// </summary>
internal sealed class AllocationBitmap(int size, int staticSize, int dynamicFloor = 0)
{
    private readonly ulong[] _words = new ulong[(size + 63) / 64];

    public int Size => size;

    public int Count { get; private set; }

    public bool Has(int offset) => (_words[offset >> 6] & (1UL << offset)) != 0;

    /// <summary>Sets the bit; false when it was already set.</summary>
    public bool TryAllocate(int offset)
    {
        ref var word = ref _words[offset >> 6];
        var bit = 1UL << offset;
        if ((word & bit) != 0)
        {
            return false;
        }

        word |= bit;
        Count++;
        return true;
    }

    /// <summary>Clears the bit; releasing a free offset is a no-op.</summary>
    public void Release(int offset)
    {
        ref var word = ref _words[offset >> 6];
        var bit = 1UL << offset;
        if ((word & bit) != 0)
        {
            word &= ~bit;
            Count--;
        }
    }

    /// <summary>Allocates a free offset chosen as kube chooses one; false when none is left.</summary>
    public bool TryAllocateNext(Random random, out int offset)
    {
        var upperStart = Math.Max(staticSize, dynamicFloor);
        if (TryPick(random, upperStart, size, out offset) || TryPick(random, dynamicFloor, Math.Min(staticSize, size), out offset))
        {
            TryAllocate(offset);
            return true;
        }

        return false;
    }

    /// <summary>A free offset in <c>[from, to)</c>: the first at or after a random start, wrapping once.</summary>
    private bool TryPick(Random random, int from, int to, out int offset)
    {
        offset = -1;
        if (to <= from)
        {
            return false;
        }

        var start = from + random.Next(to - from);
        offset = FindFree(start, to);
        if (offset < 0)
        {
            offset = FindFree(from, start);
        }

        return offset >= 0;
    }

    private int FindFree(int from, int to)
    {
        var i = from;
        while (i < to)
        {
            var index = i >> 6;
            // Bits below i in this word count as taken; so do bits at or beyond `to`.
            var free = ~_words[index] & (ulong.MaxValue << (i & 63));
            if (free != 0)
            {
                var found = (index << 6) + BitOperations.TrailingZeroCount(free);
                return found < to ? found : -1;
            }

            i = (index + 1) << 6;
        }

        return -1;
    }
}
