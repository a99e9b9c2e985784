using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nautilus.Store.Internal;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected, as zlib computes it) over log and snapshot frames. On x64 with
/// PCLMULQDQ, inputs of 64 bytes or more are folded with carry-less multiplication, 64 bytes per
/// step in four 128-bit lanes, as in Intel's "Fast CRC Computation for Generic Polynomials Using
/// PCLMULQDQ Instruction" and zlib's crc32_simd: the lanes fold into one, then to 64 bits, and a
/// Barrett reduction gives the 32-bit remainder. The last 0 to 15 bytes, shorter inputs and
/// machines without the instruction use slicing-by-8 tables (eight lookups per 8 bytes). Both
/// paths give the same result.
/// </summary>
internal static class Crc32
{
    /// <summary>Bit-reflected x^(4*128+32) mod P, shifted left by one: folds a lane 512 bits ahead (low half).</summary>
    internal const ulong K1 = 0x1_5444_2BD4;

    /// <summary>Bit-reflected x^(4*128-32) mod P, shifted left by one: folds a lane 512 bits ahead (high half).</summary>
    internal const ulong K2 = 0x1_C6E4_1596;

    /// <summary>Bit-reflected x^(128+32) mod P, shifted left by one: folds 128 bits ahead (low half).</summary>
    internal const ulong K3 = 0x1_7519_97D0;

    /// <summary>Bit-reflected x^(128-32) mod P, shifted left by one: folds 128 bits ahead (high half).</summary>
    internal const ulong K4 = 0x0_CCAA_009E;

    /// <summary>Bit-reflected x^64 mod P, shifted left by one: folds 64 bits down to 32 more than the remainder.</summary>
    internal const ulong K5 = 0x1_63CD_6124;

    /// <summary>The polynomial 0x104C11DB7, bit-reflected over 33 bits.</summary>
    internal const ulong ReflectedPolynomial = 0x1_DB71_0641;

    /// <summary>Barrett's constant floor(x^64 / P), bit-reflected over 33 bits.</summary>
    internal const ulong ReflectedMu = 0x1_F701_1641;

    private const int MinimumVectorLength = 64;

    private static readonly uint[] Tables = CreateTables();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        if (Pclmulqdq.IsSupported && data.Length >= MinimumVectorLength)
        {
            var folded = data.Length & ~15;
            crc = UpdateVector(crc, data[..folded]);
            data = data[folded..];
        }

        return ~UpdateScalar(crc, data);
    }

    /// <summary>The table path alone, whatever the machine: the reference the vector path is tested against.</summary>
    internal static uint ComputeScalar(ReadOnlySpan<byte> data) => ~UpdateScalar(0xFFFFFFFFu, data);

    /// <summary>Advances the running (inverted) CRC over the data with slicing-by-8.</summary>
    private static uint UpdateScalar(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Tables;
        while (data.Length >= 8)
        {
            var low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            var high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[(7 * 256) + (low & 0xFF)] ^ t[(6 * 256) + ((low >> 8) & 0xFF)] ^ t[(5 * 256) + ((low >> 16) & 0xFF)] ^ t[(4 * 256) + (low >> 24)]
                ^ t[(3 * 256) + (high & 0xFF)] ^ t[(2 * 256) + ((high >> 8) & 0xFF)] ^ t[256 + ((high >> 16) & 0xFF)] ^ t[high >> 24];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    /// <summary>
    /// Advances the running (inverted) CRC over the data by carry-less multiplication. The length is
    /// at least 64 and a multiple of 16.
    /// </summary>
    private static uint UpdateVector(uint crc, ReadOnlySpan<byte> data)
    {
        Debug.Assert(data.Length >= MinimumVectorLength && data.Length % 16 == 0, "the caller passes whole 16-byte blocks, at least four");
        ref var start = ref MemoryMarshal.GetReference(data);
        var length = (nuint)data.Length;

        // Four lanes take the first 64 bytes; the running CRC enters as the low 32 bits of the first.
        var x1 = Vector128.LoadUnsafe(ref start, 0).AsUInt64() ^ Vector128.CreateScalar((ulong)crc);
        var x2 = Vector128.LoadUnsafe(ref start, 16).AsUInt64();
        var x3 = Vector128.LoadUnsafe(ref start, 32).AsUInt64();
        var x4 = Vector128.LoadUnsafe(ref start, 48).AsUInt64();
        nuint offset = 64;

        // Each lane moves 512 bits ahead and takes in the next 16 bytes of its stride.
        var k1k2 = Vector128.Create(K1, K2);
        while (length - offset >= 64)
        {
            x1 = Fold(x1, k1k2, Vector128.LoadUnsafe(ref start, offset).AsUInt64());
            x2 = Fold(x2, k1k2, Vector128.LoadUnsafe(ref start, offset + 16).AsUInt64());
            x3 = Fold(x3, k1k2, Vector128.LoadUnsafe(ref start, offset + 32).AsUInt64());
            x4 = Fold(x4, k1k2, Vector128.LoadUnsafe(ref start, offset + 48).AsUInt64());
            offset += 64;
        }

        // The four lanes fold into one, 128 bits at a time, then the remaining 16-byte blocks.
        var k3k4 = Vector128.Create(K3, K4);
        x1 = Fold(x1, k3k4, x2);
        x1 = Fold(x1, k3k4, x3);
        x1 = Fold(x1, k3k4, x4);
        while (length - offset >= 16)
        {
            x1 = Fold(x1, k3k4, Vector128.LoadUnsafe(ref start, offset).AsUInt64());
            offset += 16;
        }

        // 128 bits to 64: the low half moves 64 bits ahead onto the high half.
        var lowMask = Vector128.Create(0xFFFFFFFFu, 0, 0xFFFFFFFFu, 0).AsUInt64();
        x1 = Sse2.ShiftRightLogical128BitLane(x1, 8) ^ Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x10);

        // 64 bits to 32 more than the remainder: the low 32 bits move 32 bits ahead.
        x1 = Sse2.ShiftRightLogical128BitLane(x1, 4) ^ Pclmulqdq.CarrylessMultiply(x1 & lowMask, Vector128.CreateScalar(K5), 0x00);

        // Barrett reduction: the quotient's low 32 bits times the polynomial cancel all but the remainder.
        var polyMu = Vector128.Create(ReflectedPolynomial, ReflectedMu);
        var quotient = Pclmulqdq.CarrylessMultiply(x1 & lowMask, polyMu, 0x10) & lowMask;
        x1 ^= Pclmulqdq.CarrylessMultiply(quotient, polyMu, 0x00);
        return x1.AsUInt32().GetElement(1);
    }

    /// <summary>Moves the lane's two halves ahead by the constants' distance and adds the next data.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> lane, Vector128<ulong> constants, Vector128<ulong> next) =>
        Pclmulqdq.CarrylessMultiply(lane, constants, 0x00) ^ Pclmulqdq.CarrylessMultiply(lane, constants, 0x11) ^ next;

    /// <summary>Table 0 is the byte-wise table; table k advances a byte's contribution by k more zero bytes.</summary>
    private static uint[] CreateTables()
    {
        var tables = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            tables[i] = c;
        }

        for (var i = 0; i < 256; i++)
        {
            for (var k = 1; k < 8; k++)
            {
                var previous = tables[((k - 1) * 256) + i];
                tables[(k * 256) + i] = (previous >> 8) ^ tables[previous & 0xFF];
            }
        }

        return tables;
    }
}
