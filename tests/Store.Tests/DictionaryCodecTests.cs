using System.Text;
using Nautilus.Store.Compression;

namespace Nautilus.Store.Tests;

public sealed class DictionaryCodecTests
{
    private static byte[] Pod(int i, string image = "nginx:1.27") => Encoding.UTF8.GetBytes(
        $"{{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{{\"name\":\"web-{i}\",\"namespace\":\"ns-{i % 10}\",\"uid\":\"{new Guid(i, 0, 0, new byte[8])}\"," +
        $"\"resourceVersion\":\"{1000 + i}\",\"labels\":{{\"app\":\"web\",\"shard\":\"{i % 7}\"}}}}," +
        $"\"spec\":{{\"containers\":[{{\"name\":\"main\",\"image\":\"{image}\",\"resources\":{{\"requests\":{{\"cpu\":\"100m\",\"memory\":\"64Mi\"}}}}," +
        "\"env\":[{\"name\":\"MODE\",\"value\":\"production\"},{\"name\":\"LOG\",\"value\":\"info\"}]," +
        "\"terminationMessagePath\":\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\",\"imagePullPolicy\":\"IfNotPresent\"}]," +
        $"\"restartPolicy\":\"Always\",\"nodeName\":\"node-{i % 100}\",\"schedulerName\":\"default-scheduler\"}},\"status\":{{\"phase\":\"Pending\"}}}}");

    private static IEnumerable<TestCaseData> RoundTrips()
    {
        yield return new TestCaseData(Array.Empty<byte>(), null).SetName("RoundTrip_Empty_NoDictionary");
        yield return new TestCaseData("abc"u8.ToArray(), null).SetName("RoundTrip_ShorterThanAMatch");
        yield return new TestCaseData(Encoding.ASCII.GetBytes(new string('a', 1000)), null).SetName("RoundTrip_OneByteRepeated_OverlappingMatch");
        yield return new TestCaseData(Pod(1), null).SetName("RoundTrip_Pod_NoDictionary");
        yield return new TestCaseData(Pod(1), Pod(2)).SetName("RoundTrip_Pod_AgainstSibling");
        yield return new TestCaseData(Pod(1), Pod(1)).SetName("RoundTrip_Pod_AgainstItself");
        yield return new TestCaseData(Pod(3, "a-much-longer-image-name/registry:with-a-tag"), Pod(4)).SetName("RoundTrip_Pod_DifferentLengths");
        yield return new TestCaseData(Pod(5), "{}"u8.ToArray()).SetName("RoundTrip_Pod_AgainstTinyDictionary");
    }

    [TestCaseSource(nameof(RoundTrips))]
    public void Decompress_ReturnsTheInput(byte[] input, byte[]? dictionaryContent)
    {
        // Arrange
        var dictionary = dictionaryContent is null ? null : new CompressionDictionary(dictionaryContent);

        // Act
        var compressed = DictionaryCodec.Compress(input, dictionary);
        var output = DictionaryCodec.Decompress(compressed, dictionary);

        // Assert
        Assert.That(output, Is.EqualTo(input));
        Assert.That(DictionaryCodec.DecompressedLength(compressed), Is.EqualTo(input.Length));
    }

    [Test]
    public void Compress_RandomBytesAgainstRandomDictionary_RoundTrips()
    {
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            // Arrange: a small alphabet, so matches are frequent, of every length and distance.
            var dictionaryContent = new byte[random.Next(0, 3000)];
            var input = new byte[random.Next(0, 5000)];
            for (var i = 0; i < dictionaryContent.Length; i++)
            {
                dictionaryContent[i] = (byte)random.Next(0, 4);
            }

            for (var i = 0; i < input.Length; i++)
            {
                input[i] = (byte)random.Next(0, round % 2 == 0 ? 4 : 256);
            }

            var dictionary = dictionaryContent.Length == 0 ? null : new CompressionDictionary(dictionaryContent);

            // Act
            var output = DictionaryCodec.Decompress(DictionaryCodec.Compress(input, dictionary), dictionary);

            // Assert
            Assert.That(output, Is.EqualTo(input), $"round {round}");
        }
    }

    [Test]
    public void Compress_SiblingPod_KeepsLittleMoreThanTheDifferences()
    {
        // Arrange
        var dictionary = new CompressionDictionary(Pod(1));
        var pod = Pod(42);

        // Act
        var alone = DictionaryCodec.Compress(pod, null);
        var againstSibling = DictionaryCodec.Compress(pod, dictionary);

        // Assert: name, namespace, uid, resourceVersion, shard and node differ, everything else matches.
        Assert.That(againstSibling.Length, Is.LessThan(pod.Length / 5), $"{againstSibling.Length} of {pod.Length} bytes");
        Assert.That(againstSibling.Length, Is.LessThan(alone.Length));
    }

    [Test]
    public void Decompress_WithAnotherDictionary_ThrowsOrDiffers()
    {
        // Arrange
        var compressed = DictionaryCodec.Compress(Pod(42), new CompressionDictionary(Pod(1)));

        // Act / Assert: a dictionary too short for the distances is detected.
        Assert.Throws<InvalidDataException>(() => DictionaryCodec.Decompress(compressed, new CompressionDictionary("{}"u8)));
        Assert.Throws<InvalidDataException>(() => DictionaryCodec.Decompress(compressed, null));
    }

    [Test]
    public void Decompress_Truncated_ThrowsInvalidData()
    {
        // Arrange
        var dictionary = new CompressionDictionary(Pod(1));
        var compressed = DictionaryCodec.Compress(Pod(42), dictionary);

        // Act / Assert
        Assert.Throws<InvalidDataException>(() => DictionaryCodec.Decompress(compressed.AsSpan(0, compressed.Length - 3), dictionary));
        Assert.Throws<InvalidDataException>(() => DictionaryCodec.Decompress([.. compressed, 0], dictionary));
    }

    [Test]
    public void Compress_ManyShapesAndSizes_SameBytesAsTheReferenceEncoder()
    {
        var random = new Random(11);
        for (var round = 0; round < 400; round++)
        {
            // Arrange: pods of every size against siblings (long matches, short literal runs) and
            // random bytes over small and full alphabets (short matches, long chains, collisions).
            byte[] input, dictionaryContent;
            if (round % 2 == 0)
            {
                input = Mutate(random, Pod(random.Next(0, 100_000), new string('x', random.Next(0, 300))));
                dictionaryContent = round % 4 == 0 ? Pod(random.Next(0, 100)) : Mutate(random, Pod(7));
            }
            else
            {
                input = RandomBytes(random, random.Next(0, 6000), round % 3 == 0 ? 256 : 3);
                dictionaryContent = RandomBytes(random, random.Next(0, 4000), round % 3 == 0 ? 256 : 3);
            }

            var dictionary = dictionaryContent.Length == 0 || round % 5 == 0 ? null : new CompressionDictionary(dictionaryContent);

            // Act
            var compressed = DictionaryCodec.Compress(input, dictionary);

            // Assert
            Assert.That(compressed, Is.EqualTo(ReferenceDictionaryCodec.Compress(input, dictionary)), $"round {round}");
            Assert.That(DictionaryCodec.Decompress(compressed, dictionary), Is.EqualTo(input), $"round {round}");
        }
    }

    [Test]
    public void Decompress_ReferenceEncoderOutput_ReturnsTheInput()
    {
        // Arrange: bytes as the first encoder wrote them (kept objects, snapshot and log frames).
        var dictionary = new CompressionDictionary(Pod(1));
        var pod = Pod(42, "registry.example/team/app:v2");
        var old = ReferenceDictionaryCodec.Compress(pod, dictionary);

        // Act
        var output = DictionaryCodec.Decompress(old, dictionary);

        // Assert
        Assert.That(output, Is.EqualTo(pod));
    }

    /// <summary>A few bytes of <paramref name="json"/> overwritten, inserted or removed at random places.</summary>
    private static byte[] Mutate(Random random, byte[] json)
    {
        var bytes = new List<byte>(json);
        for (var edits = random.Next(0, 8); edits > 0 && bytes.Count > 0; edits--)
        {
            var at = random.Next(0, bytes.Count);
            switch (random.Next(0, 3))
            {
                case 0: bytes[at] = (byte)random.Next(32, 127); break;
                case 1: bytes.Insert(at, (byte)random.Next(32, 127)); break;
                default: bytes.RemoveAt(at); break;
            }
        }

        return [.. bytes];
    }

    private static byte[] RandomBytes(Random random, int length, int alphabet)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.Next(0, alphabet);
        }

        return bytes;
    }
}
