using BenchmarkDotNet.Attributes;
using Nautilus.Store.Compression;

namespace Nautilus.Benchmarks.Store;

/// <summary>
/// The store's in-memory compression (Nautilus.Store.Compression): every committed write
/// compresses the object against a sibling of its resource, and every read of a compressed
/// object (GET, list item, watch frame) decompresses it.
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class CompressionBenchmarks
{
    private byte[] _pod = null!;
    private byte[] _compressed = null!;
    private CompressionDictionary _sibling = null!;
    private byte[] _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sibling = new CompressionDictionary(Pods.Stored(1).WithResourceVersion(1001).Json);
        _pod = Pods.Stored(42).WithResourceVersion(1042).Json;
        _compressed = DictionaryCodec.Compress(_pod, _sibling);
        _output = new byte[_pod.Length];
        Console.WriteLine($"// pod {_pod.Length} B, against a sibling {_compressed.Length} B, alone {DictionaryCodec.Compress(_pod, null).Length} B");
    }

    /// <summary>A write's compression of a ~3 KB pod against its resource's dictionary.</summary>
    [Benchmark]
    public byte[] CompressAgainstSibling() => DictionaryCodec.Compress(_pod, _sibling);

    [Benchmark]
    public byte[] CompressAlone() => DictionaryCodec.Compress(_pod, null);

    /// <summary>A GET's decompression into a new array.</summary>
    [Benchmark]
    public byte[] Decompress() => DictionaryCodec.Decompress(_compressed, _sibling);

    /// <summary>A list's decompression into the response body.</summary>
    [Benchmark]
    public int DecompressInto()
    {
        DictionaryCodec.Decompress(_compressed, _sibling, _output);
        return _output.Length;
    }
}
