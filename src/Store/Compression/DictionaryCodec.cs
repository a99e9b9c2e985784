using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nautilus.Store.Compression;

/// <summary>
/// LZ77 compression against a preset dictionary, for keeping objects small in memory: a pod
/// compressed against a sibling pod (<see cref="CompressionDictionary"/>) keeps little more than
/// its name, uid, labels and timestamps. Byte-aligned, no entropy coding, so decoding is a few
/// copies (microseconds for a pod) and encoding one pass with short hash chains.
/// </summary>
/// <remarks>
/// Format: varint decompressed length, then sequences of [varint literal count, literals,
/// varint (match length - 4), varint distance]; the last sequence may end after its literals.
/// A distance reaches back into the output written so far, then on into the dictionary's end
/// (the output follows the dictionary in one virtual buffer); a match never spans the two.
/// The encoding lives in memory only: nothing compressed is ever written to disk.
/// </remarks>
public static class DictionaryCodec
{
    internal const int MinMatch = 4;
    private const int InputHashBits = 12;
    private const int MaxChainDepth = 16;

    // A match this long ends the search (zlib's nice_length): longer ones gain little, and the
    // chains of similar documents are long.
    private const int NiceLength = 48;

    // The positions inside a match longer than this are not added to the input's hash chains
    // (zlib's max_insert_length): against a sibling most of an object is a few long matches, and
    // hashing every byte of them cost more than the rest of the search.
    private const int MaxInsertLength = 16;

    /// <summary>Compresses <paramref name="input"/>; the same dictionary (or none) must be given to decompress it.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> input, CompressionDictionary? dictionary)
    {
        var n = input.Length;
        var dict = dictionary is null ? default : dictionary.Content;
        var d = dict.Length;
        var index = dictionary?.Index;
        var buffer = ArrayPool<byte>.Shared.Rent((n * 2) + 16);
        var inHead = ArrayPool<int>.Shared.Rent(1 << InputHashBits);
        var inChain = ArrayPool<int>.Shared.Rent(Math.Max(n, 1));

        // The candidate checks read without bounds checks: c < i, and both offsets are checked
        // against n (and the dictionary's length) just before.
        ref var inputStart = ref MemoryMarshal.GetReference(input);
        ref var dictStart = ref MemoryMarshal.GetReference(dict);
        try
        {
            Array.Fill(inHead, -1, 0, 1 << InputHashBits);
            var o = WriteVarint(buffer, 0, n);
            int i = 0, literalStart = 0, lastDistance = 0;
            while (i + MinMatch <= n)
            {
                int bestLength = 0, bestDistance = 0;

                // The last match's distance first: in two similar documents, the bytes after a
                // differing name or timestamp usually line up where the previous match left off.
                if (lastDistance > 0)
                {
                    var length = MatchAt(dict, input, i, lastDistance);
                    if (length >= MinMatch)
                    {
                        bestLength = length;
                        bestDistance = lastDistance;
                    }
                }

                var h = Hash(input, i, InputHashBits);
                var depth = 0;
                for (var c = bestLength < NiceLength ? inHead[h] : -1; c >= 0 && depth < MaxChainDepth; c = inChain[c], depth++)
                {
                    // A candidate longer than the best so far agrees with it at the best's length:
                    // one byte rejects most of the chain (zlib's scan_end check) without a compare
                    // call, and the output is the same as comparing every candidate in full.
                    if (bestLength >= n - i || Unsafe.Add(ref inputStart, c + bestLength) != Unsafe.Add(ref inputStart, i + bestLength))
                    {
                        continue;
                    }

                    var length = input[c..].CommonPrefixLength(input[i..]);
                    if (length > bestLength)
                    {
                        bestLength = length;
                        bestDistance = i - c;
                        if (length >= NiceLength)
                        {
                            break;
                        }
                    }
                }

                if (index is not null && bestLength < NiceLength)
                {
                    depth = 0;
                    for (var c = index.Head[Hash(input, i, CompressionDictionary.HashBits)]; c >= 0 && depth < MaxChainDepth; c = index.Chain[c], depth++)
                    {
                        if (bestLength >= n - i || bestLength >= d - c || Unsafe.Add(ref dictStart, c + bestLength) != Unsafe.Add(ref inputStart, i + bestLength))
                        {
                            continue;
                        }

                        var length = dict[c..].CommonPrefixLength(input[i..]);
                        if (length > bestLength)
                        {
                            bestLength = length;
                            bestDistance = i + d - c;
                            if (length >= NiceLength)
                            {
                                break;
                            }
                        }
                    }
                }

                inChain[i] = inHead[h];
                inHead[h] = i;
                if (bestLength < MinMatch)
                {
                    i++;
                    continue;
                }

                o = WriteVarint(buffer, o, i - literalStart);
                input[literalStart..i].CopyTo(buffer.AsSpan(o));
                o += i - literalStart;
                o = WriteVarint(buffer, o, bestLength - MinMatch);
                o = WriteVarint(buffer, o, bestDistance);
                var end = i + bestLength;
                if (bestLength > MaxInsertLength)
                {
                    i = end;
                }
                else
                {
                    for (i++; i < end; i++)
                    {
                        if (i + MinMatch <= n)
                        {
                            h = Hash(input, i, InputHashBits);
                            inChain[i] = inHead[h];
                            inHead[h] = i;
                        }
                    }
                }

                literalStart = i;
                lastDistance = bestDistance;
            }

            if (literalStart < n)
            {
                o = WriteVarint(buffer, o, n - literalStart);
                input[literalStart..].CopyTo(buffer.AsSpan(o));
                o += n - literalStart;
            }

            return buffer.AsSpan(0, o).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<int>.Shared.Return(inHead);
            ArrayPool<int>.Shared.Return(inChain);
        }
    }

    /// <summary>The length of what <paramref name="compressed"/> decompresses to.</summary>
    /// <exception cref="InvalidDataException">Not the output of <see cref="Compress"/>.</exception>
    public static int DecompressedLength(ReadOnlySpan<byte> compressed)
    {
        var p = 0;
        return ReadVarint(compressed, ref p);
    }

    /// <summary>Decompresses into a new array.</summary>
    /// <exception cref="InvalidDataException">Not the output of <see cref="Compress"/> with this dictionary.</exception>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed, CompressionDictionary? dictionary)
    {
        var output = new byte[DecompressedLength(compressed)];
        Decompress(compressed, dictionary, output);
        return output;
    }

    /// <summary>Decompresses into <paramref name="destination"/>, which must be exactly <see cref="DecompressedLength"/> long.</summary>
    /// <exception cref="InvalidDataException">Not the output of <see cref="Compress"/> with this dictionary.</exception>
    public static void Decompress(ReadOnlySpan<byte> compressed, CompressionDictionary? dictionary, Span<byte> destination)
    {
        var dict = dictionary is null ? default : dictionary.Content;
        var p = 0;
        var n = ReadVarint(compressed, ref p);
        if (destination.Length != n)
        {
            throw new ArgumentException($"the destination must be {n} bytes long", nameof(destination));
        }

        var o = 0;
        while (o < n)
        {
            var literals = ReadVarint(compressed, ref p);
            if (literals > n - o || literals > compressed.Length - p)
            {
                throw Corrupt();
            }

            compressed.Slice(p, literals).CopyTo(destination[o..]);
            p += literals;
            o += literals;
            if (o == n)
            {
                break;
            }

            var length = ReadVarint(compressed, ref p) + MinMatch;
            var distance = ReadVarint(compressed, ref p);
            if (length > n - o || distance <= 0)
            {
                throw Corrupt();
            }

            if (distance <= o)
            {
                var from = o - distance;
                if (distance >= length)
                {
                    destination.Slice(from, length).CopyTo(destination[o..]);
                }
                else
                {
                    // Overlapping: the match repeats bytes it is itself writing.
                    for (var k = 0; k < length; k++)
                    {
                        destination[o + k] = destination[from + k];
                    }
                }
            }
            else
            {
                var from = dict.Length - (distance - o);
                if (from < 0 || from + length > dict.Length)
                {
                    throw Corrupt();
                }

                dict.Slice(from, length).CopyTo(destination[o..]);
            }

            o += length;
        }

        if (p != compressed.Length)
        {
            throw Corrupt();
        }
    }

    internal static int Hash(ReadOnlySpan<byte> data, int i, int bits) =>
        (int)((BinaryPrimitives.ReadUInt32LittleEndian(data[i..]) * 2654435761u) >> (32 - bits));

    /// <summary>How many bytes at <paramref name="i"/> repeat those <paramref name="distance"/> back in the virtual buffer (dictionary, then input).</summary>
    private static int MatchAt(ReadOnlySpan<byte> dict, ReadOnlySpan<byte> input, int i, int distance)
    {
        if (distance <= i)
        {
            return input[(i - distance)..].CommonPrefixLength(input[i..]);
        }

        var from = dict.Length + i - distance;
        return from < 0 ? 0 : dict[from..].CommonPrefixLength(input[i..]);
    }

    private static int WriteVarint(byte[] buffer, int o, int value)
    {
        var v = (uint)value;
        while (v >= 0x80)
        {
            buffer[o++] = (byte)(v | 0x80);
            v >>= 7;
        }

        buffer[o++] = (byte)v;
        return o;
    }

    private static int ReadVarint(ReadOnlySpan<byte> data, ref int p)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (p >= data.Length)
            {
                throw Corrupt();
            }

            var b = data[p++];
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value <= int.MaxValue ? (int)value : throw Corrupt();
            }
        }

        throw Corrupt();
    }

    private static InvalidDataException Corrupt() => new("the compressed object is corrupt or was compressed against another dictionary");
}
