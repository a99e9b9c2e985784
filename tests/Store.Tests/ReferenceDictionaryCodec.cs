using System.Buffers.Binary;
using Nautilus.Store.Compression;

namespace Nautilus.Store.Tests;

/// <summary>
/// The encoder of <see cref="DictionaryCodec"/> as first written: every chain candidate compared
/// in full, no shortcuts. The fast encoder must give exactly these bytes, so objects already kept
/// (and in snapshot and log frames) and new ones stay one format, and compression ratios do not drift.
/// </summary>
internal static class ReferenceDictionaryCodec
{
    private const int MinMatch = 4;
    private const int InputHashBits = 12;
    private const int MaxChainDepth = 16;
    private const int NiceLength = 48;
    private const int MaxInsertLength = 16;

    public static byte[] Compress(ReadOnlySpan<byte> input, CompressionDictionary? dictionary)
    {
        var n = input.Length;
        var dict = dictionary is null ? default : dictionary.Content;
        var d = dict.Length;
        var index = dictionary?.Index;
        var output = new List<byte>();
        var inHead = new int[1 << InputHashBits];
        var inChain = new int[Math.Max(n, 1)];
        Array.Fill(inHead, -1);
        WriteVarint(output, n);
        int i = 0, literalStart = 0, lastDistance = 0;
        while (i + MinMatch <= n)
        {
            int bestLength = 0, bestDistance = 0;
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
                for (var c = index.Head[Hash(input, i, 14)]; c >= 0 && depth < MaxChainDepth; c = index.Chain[c], depth++)
                {
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

            WriteVarint(output, i - literalStart);
            output.AddRange(input[literalStart..i]);
            WriteVarint(output, bestLength - MinMatch);
            WriteVarint(output, bestDistance);
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
            WriteVarint(output, n - literalStart);
            output.AddRange(input[literalStart..]);
        }

        return [.. output];
    }

    private static int Hash(ReadOnlySpan<byte> data, int i, int bits) =>
        (int)((BinaryPrimitives.ReadUInt32LittleEndian(data[i..]) * 2654435761u) >> (32 - bits));

    private static int MatchAt(ReadOnlySpan<byte> dict, ReadOnlySpan<byte> input, int i, int distance)
    {
        if (distance <= i)
        {
            return input[(i - distance)..].CommonPrefixLength(input[i..]);
        }

        var from = dict.Length + i - distance;
        return from < 0 ? 0 : dict[from..].CommonPrefixLength(input[i..]);
    }

    private static void WriteVarint(List<byte> output, int value)
    {
        var v = (uint)value;
        while (v >= 0x80)
        {
            output.Add((byte)(v | 0x80));
            v >>= 7;
        }

        output.Add((byte)v);
    }
}
