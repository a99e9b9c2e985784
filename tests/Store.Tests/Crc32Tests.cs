using System.Text;
using Nautilus.Store.Internal;

namespace Nautilus.Store.Tests;

/// <summary>The log's checksum is zlib's CRC-32: logs and snapshots written before stay readable.</summary>
public sealed class Crc32Tests
{
    [TestCase("", 0x00000000u)]
    [TestCase("a", 0xE8B7BE43u)]
    [TestCase("123456789", 0xCBF43926u)]
    [TestCase("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Compute_KnownVectors_MatchZlib(string text, uint expected) =>
        Assert.That(Crc32.Compute(Encoding.ASCII.GetBytes(text)), Is.EqualTo(expected));

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
