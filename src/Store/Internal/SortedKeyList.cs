namespace Nautilus.Store.Internal;

/// <summary>
/// The keys of one resource type in <see cref="ObjectKey"/> order, as a list of sorted chunks
/// (at most <see cref="MaxChunk"/> keys each). Insert and remove cost a binary search plus a
/// copy within one chunk; a range starts with O(log n) search and then walks arrays, so a
/// namespace list or a page never scans the keys before it. 16 bytes per key, no node objects.
/// Not thread-safe: the store's lock guards it.
/// </summary>
internal sealed class SortedKeyList
{
    private const int MaxChunk = 512;

    private readonly List<Chunk> _chunks = [];

    public int Count { get; private set; }

    /// <summary>Adds a key that is not present.</summary>
    public void Add(ObjectKey key)
    {
        if (_chunks.Count == 0)
        {
            var first = new Chunk();
            first.Insert(0, key);
            _chunks.Add(first);
            Count = 1;
            return;
        }

        var chunkIndex = ChunkFor(key);
        var chunk = _chunks[chunkIndex];
        var index = chunk.LowerBound(key);
        chunk.Insert(index, key);
        Count++;
        if (chunk.Count >= MaxChunk)
        {
            _chunks.Insert(chunkIndex + 1, chunk.SplitUpperHalf());
        }
    }

    public bool Remove(ObjectKey key)
    {
        if (_chunks.Count == 0)
        {
            return false;
        }

        var chunkIndex = ChunkFor(key);
        var chunk = _chunks[chunkIndex];
        var index = chunk.LowerBound(key);
        if (index >= chunk.Count || chunk.Items[index].CompareTo(key) != 0)
        {
            return false;
        }

        chunk.RemoveAt(index);
        Count--;
        if (chunk.Count == 0)
        {
            _chunks.RemoveAt(chunkIndex);
        }

        return true;
    }

    /// <summary>Number of keys ordered before <paramref name="key"/>.</summary>
    public int Rank(ObjectKey key)
    {
        if (_chunks.Count == 0)
        {
            return 0;
        }

        var chunkIndex = ChunkFor(key);
        var rank = 0;
        for (var i = 0; i < chunkIndex; i++)
        {
            rank += _chunks[i].Count;
        }

        return rank + _chunks[chunkIndex].LowerBound(key);
    }

    /// <summary>Keys k with <paramref name="from"/> &lt;= k (or &lt; when <paramref name="exclusive"/>) and k &lt; <paramref name="to"/> when given, in order.</summary>
    public IEnumerable<ObjectKey> Range(ObjectKey from, bool exclusive, ObjectKey? to)
    {
        if (_chunks.Count == 0)
        {
            yield break;
        }

        var chunkIndex = ChunkFor(from);
        var index = _chunks[chunkIndex].LowerBound(from);
        for (; chunkIndex < _chunks.Count; chunkIndex++, index = 0)
        {
            var chunk = _chunks[chunkIndex];
            for (; index < chunk.Count; index++)
            {
                var key = chunk.Items[index];
                if (exclusive && key.CompareTo(from) == 0)
                {
                    continue;
                }

                if (to is { } upper && key.CompareTo(upper) >= 0)
                {
                    yield break;
                }

                yield return key;
            }
        }
    }

    /// <summary>The chunk whose range holds <paramref name="key"/>: the last chunk whose first key is &lt;= key (or the first chunk).</summary>
    private int ChunkFor(ObjectKey key)
    {
        int lo = 0, hi = _chunks.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_chunks[mid].Items[0].CompareTo(key) <= 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    private sealed class Chunk
    {
        public ObjectKey[] Items = new ObjectKey[16];

        public int Count;

        public int LowerBound(ObjectKey key)
        {
            int lo = 0, hi = Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (Items[mid].CompareTo(key) < 0)
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

        public void Insert(int index, ObjectKey key)
        {
            if (Count == Items.Length)
            {
                Array.Resize(ref Items, Math.Min(Items.Length * 2, MaxChunk));
            }

            Array.Copy(Items, index, Items, index + 1, Count - index);
            Items[index] = key;
            Count++;
        }

        public void RemoveAt(int index)
        {
            Count--;
            Array.Copy(Items, index + 1, Items, index, Count - index);
            Items[Count] = default;
        }

        public Chunk SplitUpperHalf()
        {
            var half = Count / 2;
            var upper = new Chunk { Items = new ObjectKey[MaxChunk], Count = Count - half };
            Array.Copy(Items, half, upper.Items, 0, upper.Count);
            Array.Clear(Items, half, Count - half);
            Count = half;
            return upper;
        }
    }
}
