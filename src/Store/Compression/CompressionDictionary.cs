namespace Nautilus.Store.Compression;

/// <summary>
/// A reference document that objects are compressed against (<see cref="DictionaryCodec"/>):
/// typically one object of the same resource, whose keys, defaults and managedFields its siblings
/// repeat almost byte for byte, so a sibling compresses to its differences. The content is
/// immutable; the match index that compressing needs (~64 KB plus 4 bytes a content byte) is
/// built on the first compression and can be released once nothing more will be compressed
/// against this dictionary, while the objects compressed against it still decompress. Any number
/// of threads may compress against it at once.
/// </summary>
public sealed class CompressionDictionary(ReadOnlySpan<byte> content)
{
    internal const int HashBits = 14;

    /// <summary>No dictionary: what an object compressed on its own is decompressed with.</summary>
    public static readonly CompressionDictionary Empty = new([]);

    private readonly byte[] _content = content.ToArray();
    private volatile MatchIndex? _index;

    public ReadOnlySpan<byte> Content => _content;

    public int Length => _content.Length;

    /// <summary>Drops the match index: decompression does not need it, and compression rebuilds it.</summary>
    public void ReleaseIndex() => _index = null;

    internal MatchIndex Index => _index ??= new MatchIndex(_content);

    /// <summary>Hash chains over the content: for a 4-byte sequence, the positions that start with it, last first.</summary>
    internal sealed class MatchIndex
    {
        /// <summary>Hash of a 4-byte sequence → its last position in the content, or -1.</summary>
        public readonly int[] Head = new int[1 << HashBits];

        /// <summary>Position → the previous position with the same hash, or -1.</summary>
        public readonly int[] Chain;

        public MatchIndex(byte[] content)
        {
            Chain = new int[content.Length];
            Array.Fill(Head, -1);
            for (var i = 0; i + DictionaryCodec.MinMatch <= content.Length; i++)
            {
                var h = DictionaryCodec.Hash(content, i, HashBits);
                Chain[i] = Head[h];
                Head[h] = i;
            }
        }
    }
}
