using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Nautilus.Bench;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Benchmarks.Controllers;

/// <summary>
/// What an informer pays per cached pod (a running pod with its status, as a watch delivers it)
/// for three ways to keep it, and what a controller pays to read its Ready condition afterwards:
/// the JSON bytes with a parsed metadata header (<see cref="CachedObject"/>, what the informers
/// keep), a <see cref="JsonDocument"/> (bytes plus 12 bytes of token metadata per token), and a
/// fully materialized JsonNode tree (what the informers kept before). The Cache_* allocations are
/// what each representation retains per object (plus a little transient garbage).
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class InformerCacheBenchmarks
{
    private byte[] _json = [];
    private CachedObject _cached = null!;
    private JsonDocument _document = null!;
    private JsonObject _tree = null!;

    [GlobalSetup]
    public void Setup()
    {
        var pod = Pods.Tree("ns-7", "web-7", "node-7", 7);
        var status = JsonNode.Parse(KubeObjects.PodStatusJson("ns-7", "web-7", 7, 1))!["status"]!.DeepClone();
        pod["status"] = status;
        _json = JsonSerializer.SerializeToUtf8Bytes(pod);
        _cached = CachedObject.FromUtf8(_json);
        _document = JsonDocument.Parse(_json);
        _tree = Cache_Tree();
    }

    [GlobalCleanup]
    public void Cleanup() => _document.Dispose();

    [Benchmark]
    public CachedObject Cache_Bytes() => CachedObject.FromUtf8(_json);

    [Benchmark]
    public JsonElement Cache_Document()
    {
        using var document = JsonDocument.Parse(_json);
        return document.RootElement.Clone();
    }

    [Benchmark(Baseline = true)]
    public JsonObject Cache_Tree()
    {
        var tree = (JsonObject)JsonNode.Parse(_json)!;
        Touch(tree);
        return tree;
    }

    [Benchmark]
    public bool ReadReady_Bytes() => PodConditions.IsReady(_cached.ToJsonObject());

    [Benchmark]
    public bool ReadReady_Document() => PodConditions.IsReady(JsonObject.Create(_document.RootElement)!);

    [Benchmark]
    public bool ReadReady_Tree() => PodConditions.IsReady(_tree);

    /// <summary>Materializes every node, as the controllers' reads did over time.</summary>
    private static void Touch(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    Touch(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Touch(child);
                }

                break;
            case JsonValue v:
                _ = v.GetValueKind();
                break;
        }
    }
}
