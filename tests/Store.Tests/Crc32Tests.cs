using System.Text;
using Nautilus.Store.Internal;

namespace Nautilus.Store.Tests;

/// <summary>
/// The log's checksum is zlib's CRC-32: logs and snapshots written before stay readable. The
/// carry-less multiplication path gives the table path's result for every length and alignment.
/// </summary>
public sealed class Crc32Tests
{
    [TestCase("", 0x00000000u)]
    [TestCase("a", 0xE8B7BE43u)]
    [TestCase("123456789", 0xCBF43926u)]
    [TestCase("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Compute_KnownVectors_MatchZlib(string text, uint expected)
    {
        Assert.That(Crc32.Compute(Encoding.ASCII.GetBytes(text)), Is.EqualTo(expected));
        Assert.That(Crc32.ComputeScalar(Encoding.ASCII.GetBytes(text)), Is.EqualTo(expected));
    }

    [Test]
    public void Compute_LongKnownVectors_MatchZlib()
    {
        // zlib.crc32 of 1000 'a's, of 4096 zero bytes and of 4096 0xFF bytes.
        Assert.That(Crc32.Compute(Encoding.ASCII.GetBytes(new string('a', 1000))), Is.EqualTo(0x9A38DA03u));
        Assert.That(Crc32.Compute(new byte[4096]), Is.EqualTo(0xC71C0011u));
        Assert.That(Crc32.Compute(Enumerable.Repeat((byte)0xFF, 4096).ToArray()), Is.EqualTo(0xF154670Au));
    }

    [Test]
    public void Compute_EveryLengthTo300_MatchesTheTablePath()
    {
        var data = RandomBytes(300, 1);
        for (var length = 0; length <= 300; length++)
        {
            var span = data.AsSpan(0, length);
            Assert.That(Crc32.Compute(span), Is.EqualTo(Crc32.ComputeScalar(span)), $"length {length}");
        }
    }

    [Test]
    public void Compute_RandomLengthsTo64K_MatchTheTablePath()
    {
        var random = new Random(7);
        var data = RandomBytes(64 * 1024, 2);
        for (var i = 0; i < 200; i++)
        {
            var span = data.AsSpan(0, random.Next(data.Length + 1));
            Assert.That(Crc32.Compute(span), Is.EqualTo(Crc32.ComputeScalar(span)), $"length {span.Length}");
        }

        Assert.That(Crc32.Compute(data), Is.EqualTo(Crc32.ComputeScalar(data)));
    }

    [Test]
    public void Compute_UnalignedSlices_MatchTheTablePath()
    {
        var data = RandomBytes(8192, 3);
        foreach (var length in new[] { 63, 64, 65, 79, 80, 127, 128, 129, 1000, 6144, 8000 })
        {
            for (var offset = 1; offset <= 15; offset++)
            {
                var span = data.AsSpan(offset, length);
                Assert.That(Crc32.Compute(span), Is.EqualTo(Crc32.ComputeScalar(span)), $"offset {offset}, length {length}");
            }
        }
    }

    [TestCase((byte)0x00)]
    [TestCase((byte)0xFF)]
    public void Compute_UniformData_MatchesTheTablePath(byte value)
    {
        var data = new byte[5000];
        Array.Fill(data, value);
        for (var length = 0; length <= data.Length; length += 37)
        {
            var span = data.AsSpan(0, length);
            Assert.That(Crc32.Compute(span), Is.EqualTo(Crc32.ComputeScalar(span)), $"length {length}");
        }
    }

    [Test]
    public void FoldingConstants_FollowFromThePolynomial()
    {
        Assert.That(ReflectedPowerOfX((4 * 128) + 32), Is.EqualTo(Crc32.K1));
        Assert.That(ReflectedPowerOfX((4 * 128) - 32), Is.EqualTo(Crc32.K2));
        Assert.That(ReflectedPowerOfX(128 + 32), Is.EqualTo(Crc32.K3));
        Assert.That(ReflectedPowerOfX(128 - 32), Is.EqualTo(Crc32.K4));
        Assert.That(ReflectedPowerOfX(64), Is.EqualTo(Crc32.K5));
        Assert.That(Reflect(Polynomial, 33), Is.EqualTo(Crc32.ReflectedPolynomial));
        Assert.That(Reflect(QuotientOfX64, 33), Is.EqualTo(Crc32.ReflectedMu));
    }

    [Test]
    public void Compute_AnyLengthAndAlignment_MatchesTheBytewiseDefinition()
    {
        var random = new Random(42);
        var data = new byte[1000];
        random.NextBytes(data);

        for (var start = 0; start < 9; start++)
        {
            for (var length = 0; length < 80; length++)
            {
                var span = data.AsSpan(start, length);
                Assert.That(Crc32.Compute(span), Is.EqualTo(Bytewise(span)), $"start {start}, length {length}");
            }
        }
    }

    private const ulong Polynomial = 0x1_04C1_1DB7;

    /// <summary>floor(x^64 / P) by long division over GF(2).</summary>
    private static ulong QuotientOfX64
    {
        get
        {
            // x^64 itself does not fit 64 bits: start from its first step, x^64 - x^32 * P.
            ulong remainder = (Polynomial ^ (1UL << 32)) << 32;
            ulong quotient = 1UL << 32;
            for (var bit = 31; bit >= 0; bit--)
            {
                if ((remainder & (1UL << (bit + 32))) != 0)
                {
                    remainder ^= Polynomial << bit;
                    quotient |= 1UL << bit;
                }
            }

            return quotient;
        }
    }

    /// <summary>x^exponent mod P, bit-reflected over 32 bits and shifted left by one.</summary>
    private static ulong ReflectedPowerOfX(int exponent)
    {
        ulong r = 1;
        for (var i = 0; i < exponent; i++)
        {
            r <<= 1;
            if ((r & (1UL << 32)) != 0)
            {
                r ^= Polynomial;
            }
        }

        return Reflect(r, 32) << 1;
    }

    private static ulong Reflect(ulong value, int bits)
    {
        ulong reflected = 0;
        for (var i = 0; i < bits; i++)
        {
            reflected |= ((value >> i) & 1) << (bits - 1 - i);
        }

        return reflected;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static uint Bytewise(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
