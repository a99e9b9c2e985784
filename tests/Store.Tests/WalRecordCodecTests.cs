using Nautilus.Store.Compression;
using Nautilus.Store.Internal;
using static Nautilus.Store.Tests.TestSupport;

namespace Nautilus.Store.Tests;

/// <summary>
/// The log's frames, encoded straight into a batch buffer, decode (with the reader's
/// <see cref="BinaryReader"/> layout) to the records written: strings of every UTF-8 width and
/// lengths either side of a one-byte prefix, compressed objects, deletes, sealed frames.
/// </summary>
public sealed class WalRecordCodecTests
{
    private static readonly ResourceType Pods = new("", "pods");

    private static IEnumerable<TestCaseData> Strings()
    {
        yield return new TestCaseData("").SetName("Empty_RoundTrips");
        yield return new TestCaseData("app").SetName("Ascii_RoundTrips");
        yield return new TestCaseData(new string('a', 42)).SetName("LongestOneBytePrefixGuess_RoundTrips");
        yield return new TestCaseData(new string('a', 43)).SetName("FirstCountedString_RoundTrips");
        yield return new TestCaseData(new string('a', 127)).SetName("Bytes127_RoundTrips");
        yield return new TestCaseData(new string('a', 128)).SetName("Bytes128TwoBytePrefix_RoundTrips");
        yield return new TestCaseData(new string('é', 64)).SetName("TwoByteChars128Bytes_RoundTrips");
        yield return new TestCaseData(new string('語', 42)).SetName("ThreeByteChars126Bytes_RoundTrips");
        yield return new TestCaseData("x😀y").SetName("SurrogatePair_RoundTrips");
        yield return new TestCaseData(new string('z', 20_000)).SetName("ThreeBytePrefix_RoundTrips");
    }

    [TestCaseSource(nameof(Strings))]
    public void LabelFieldAndName_DecodeAsWritten(string text)
    {
        // Arrange
        var labels = new Dictionary<string, string> { ["k" + text] = text, ["app"] = "web" };
        var fields = new Dictionary<string, string> { ["spec.nodeName"] = text };
        var pod = Pod("ns", "p" + text.Length, labels).WithResourceVersion(7);
        pod = new StoredObject(pod.Key, pod.Uid, pod.Json, labels, fields, 7);
        var buffer = new WalBatchBuffer();

        // Act
        new WalRecordCodec(null).WriteFrame(buffer, new WalRecord(7, WalOp.Create, Pods, pod), []);
        var decoded = DecodeAll(buffer.WrittenSpan.ToArray(), null);

        // Assert
        Assert.That(decoded, Has.Count.EqualTo(1));
        var obj = decoded[0].Object;
        Assert.That(obj.Name, Is.EqualTo(pod.Name));
        Assert.That(obj.Labels, Is.EquivalentTo(labels));
        Assert.That(obj.Fields, Is.EquivalentTo(fields));
        Assert.That(obj.Json, Is.EqualTo(pod.Json));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Batch_OfCompressedCreatesAndADelete_DecodesInOrder(bool sealedFrames)
    {
        // Arrange
        var sealer = sealedFrames ? new ReversingSealer() : null;
        var compressor = new ObjectCompressor();
        var records = new List<WalRecord>();
        for (var i = 1; i <= 20; i++)
        {
            var pod = Pod("ns", "web-" + i, new Dictionary<string, string> { ["app"] = "web", ["pod-template-hash"] = "abc" + i }, nodeName: "node-" + i, extra: new string('x', 600))
                .WithResourceVersion(i).Compress(compressor);
            records.Add(new WalRecord(i, WalOp.Create, Pods, pod));
        }

        records.Add(new WalRecord(21, WalOp.Delete, Pods, records[0].Object));
        var codec = new WalRecordCodec(sealer);
        var buffer = new WalBatchBuffer();
        var written = new Dictionary<CompressionDictionary, int>();

        // Act
        foreach (var record in records)
        {
            codec.WriteFrame(buffer, record, written);
        }

        var decoded = DecodeAll(buffer.WrittenSpan.ToArray(), sealer);

        // Assert
        Assert.That(records.Exists(r => r.Object.IsCompressed), Is.True, "the batch should hold compressed objects");
        Assert.That(decoded.ConvertAll(r => (r.Revision, r.Op, r.Object.Name)), Is.EqualTo(records.ConvertAll(r => (r.Revision, r.Op, r.Object.Name))));
        for (var i = 0; i < 20; i++)
        {
            Assert.That(decoded[i].Object.Json, Is.EqualTo(records[i].Object.Json));
            Assert.That(decoded[i].Object.Labels, Is.EquivalentTo(records[i].Object.Labels));
            Assert.That(decoded[i].Object.Fields, Is.EquivalentTo(records[i].Object.Fields));
        }
    }

    [Test]
    public void StreamOverload_WritesTheSameBytesAsTheBuffer()
    {
        // Arrange
        var record = new WalRecord(3, WalOp.Update, Pods, Pod("ns", "a", new Dictionary<string, string> { ["tier"] = "ü" }).WithResourceVersion(3));
        var buffer = new WalBatchBuffer();
        using var stream = new MemoryStream();

        // Act
        new WalRecordCodec(null).WriteFrame(buffer, record, []);
        new WalRecordCodec(null).WriteFrame(stream, record, []);

        // Assert
        Assert.That(stream.ToArray(), Is.EqualTo(buffer.WrittenSpan.ToArray()));
    }

    private static List<WalRecord> DecodeAll(byte[] frames, IStorageSealer? sealer)
    {
        var codec = new WalRecordCodec(sealer);
        var dictionaries = new Dictionary<int, CompressionDictionary>();
        var records = new List<WalRecord>();
        using var input = new MemoryStream(frames);
        while (WalRecordCodec.ReadRawFrame(input) is { } body)
        {
            if (codec.Decode(body, new StringPool(), dictionaries) is { } record)
            {
                records.Add(record);
            }
        }

        Assert.That(input.Position, Is.EqualTo(frames.Length));
        return records;
    }

    /// <summary>A sealer whose output differs in content from its input (and grows it), so a frame sealed in place must be rewritten.</summary>
    private sealed class ReversingSealer : IStorageSealer
    {
        public byte[] Seal(ReadOnlySpan<byte> plaintext)
        {
            var result = new byte[plaintext.Length + 1];
            plaintext.CopyTo(result.AsSpan(1));
            result.AsSpan(1).Reverse();
            result[0] = 0xA5;
            return result;
        }

        public byte[] Unseal(ReadOnlySpan<byte> sealedData)
        {
            if (sealedData.IsEmpty || sealedData[0] != 0xA5)
            {
                throw new InvalidDataException("not sealed");
            }

            var result = sealedData[1..].ToArray();
            result.AsSpan().Reverse();
            return result;
        }
    }
}
