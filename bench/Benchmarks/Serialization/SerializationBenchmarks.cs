using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Printing;
using Nautilus.Store;

namespace Nautilus.Benchmarks.Serialization;

/// <summary>
/// The server's JSON work per request on realistic pods: the parse and serialization every write
/// does (KubeJson, ObjectCodec), list bodies built by concatenating stored bytes
/// (ResourceHandler.ListJson), watch event framing, and kubectl's Tables (TableConvertor).
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class SerializationBenchmarks
{
    private readonly TableConvertor _tables = new(TimeProvider.System);
    private byte[] _pod = null!;
    private JsonObject _tree = null!;
    private byte[][] _page = null!;
    private byte[][] _namespace = null!;
    private StoredObject[] _storedNamespace = null!;
    private byte[][] _all = null!;

    [GlobalSetup]
    public void Setup()
    {
        _all = new byte[10_000][];
        for (var i = 0; i < _all.Length; i++)
        {
            _all[i] = Pods.Stored(i).WithResourceVersion(1000 + i).Json;
        }

        _pod = _all[42];
        _tree = Pods.Tree("ns-2", "web-42", "node-42", 42);
        _page = _all[..500];
        _namespace = _all.Where((_, i) => i % 10 == 7).ToArray();

        // The same namespace as the store keeps it: compressed against a sibling.
        var compressor = new Nautilus.Store.Compression.ObjectCompressor();
        _storedNamespace = Enumerable.Range(0, 10_000).Where(i => i % 10 == 7).Select(i => Pods.Stored(i).WithResourceVersion(1000 + i).Compress(compressor)).ToArray();
    }

    /// <summary>Every update and patch parses the stored object into a tree.</summary>
    [Benchmark]
    public JsonObject ParsePod() => KubeJson.ParseObject(_pod);

    [Benchmark]
    public byte[] SerializePod() => KubeJson.Serialize(_tree);

    /// <summary>The create path's encoding: selectable fields, labels and bytes.</summary>
    [Benchmark]
    public StoredObject EncodeForStorage() => ObjectCodec.ToStored(Pods.Definition, (JsonObject)_tree.DeepClone());

    [Benchmark]
    public byte[] EncodeWatchEvent() => ListWatch.EncodeEvent("MODIFIED", _pod);

    /// <summary>One page of 500 pods (about 1.5 MB).</summary>
    [Benchmark]
    public int ListJsonPage500()
    {
        using var list = ResourceHandler.PooledListJson(Pods.Definition, _page, 20_000, "continue-token", 9_500);
        return list.WrittenSpan.Length;
    }

    /// <summary>All 10,000 pods in one body (about 30 MB).</summary>
    [Benchmark]
    public int ListJsonAll10000()
    {
        using var list = ResourceHandler.PooledListJson(Pods.Definition, _all, 20_000, null, null);
        return list.WrittenSpan.Length;
    }

    /// <summary>kubectl get pods -n ns: a Table of 1,000 pods with metadata in each row (rows cached after the first).</summary>
    [Benchmark]
    public int TableNamespace1000()
    {
        using var table = _tables.ListTable(Pods.Definition, _namespace, "20000", null, null, IncludeObjectPolicy.Metadata, "meta.k8s.io/v1");
        return table.WrittenSpan.Length;
    }

    /// <summary>The same Table from compressed stored objects, as a list request builds it (each decompressed into one reused buffer).</summary>
    [Benchmark]
    public int TableNamespace1000Compressed()
    {
        using var table = _tables.ListTable(Pods.Definition, _storedNamespace, "20000", null, null, IncludeObjectPolicy.Metadata, "meta.k8s.io/v1");
        return table.WrittenSpan.Length;
    }

    /// <summary>One page of 500 compressed stored objects as JSON, each decompressed straight into the body.</summary>
    [Benchmark]
    public int ListJsonPage500Compressed()
    {
        using var list = ResourceHandler.PooledListJson(Pods.Definition, _storedNamespace[..500], 20_000, "continue-token", 9_500);
        return list.WrittenSpan.Length;
    }

    /// <summary>kubectl get pod NAME: a one-row Table.</summary>
    [Benchmark]
    public byte[] TableOnePod() => _tables.ObjectTable(Pods.Definition, _pod, IncludeObjectPolicy.Metadata, "meta.k8s.io/v1");
}
