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
    private byte[] _running = null!;
    private CompressionDictionary _runningSibling = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sibling = new CompressionDictionary(Pods.Stored(1).WithResourceVersion(1001).Json);
        _pod = Pods.Stored(42).WithResourceVersion(1042).Json;
        _compressed = DictionaryCodec.Compress(_pod, _sibling);
        _output = new byte[_pod.Length];
        _runningSibling = new CompressionDictionary(Running(1));
        _running = Running(42);
        Console.WriteLine($"// pod {_pod.Length} B, against a sibling {_compressed.Length} B, alone {DictionaryCodec.Compress(_pod, null).Length} B");
    }

    /// <summary>A write's compression of a ~3 KB pod against its resource's dictionary.</summary>
    [Benchmark]
    public byte[] CompressAgainstSibling() => DictionaryCodec.Compress(_pod, _sibling);

    /// <summary>A kubelet's status update: a Running pod (4.5 KB, container IDs and addresses unlike any sibling's) against a Running sibling.</summary>
    [Benchmark]
    public byte[] CompressRunningAgainstSibling() => DictionaryCodec.Compress(_running, _runningSibling);

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

    private static byte[] Running(int index)
    {
        var (ns, name, node) = Nautilus.Bench.KubeObjects.Placement(index, 10, 100);
        var pod = Pods.Tree(ns, name, node, index);
        pod["status"] = System.Text.Json.Nodes.JsonNode.Parse(Nautilus.Bench.KubeObjects.PodStatusJson(ns, name, index, 7))!["status"]!.DeepClone();
        return Nautilus.Server.Api.Objects.ObjectCodec.ToStored(Pods.Definition, pod).WithResourceVersion(1000 + index).Json;
    }
}
