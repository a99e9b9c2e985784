using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.OpenApi;
using Nautilus.Server.Api.Patching;

namespace Nautilus.Benchmarks.OpenApi;

/// <summary>
/// The schema work: rendering every /openapi document from the model schema (once per server,
/// after the first build has reflected over the model types and read their docs), and a
/// strategic merge patch of a realistic pod, whose list strategies now come from that schema.
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class OpenApiBenchmarks
{
    private readonly ResourceRegistry _registry = BuiltInResources.CreateRegistry();
    private readonly ModelSchema _podSchema = ModelSchema.ForKind("", "v1", "Pod")!;
    private JsonNode _pod = null!;
    private JsonNode _patch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pod = Pods.Tree("ns-2", "web-42", "node-42", 42);
        _patch = JsonNode.Parse("""
            {"metadata":{"labels":{"tier":"front"}},
             "spec":{"containers":[{"name":"web","image":"registry.example/web:2.0","env":[{"name":"MODE","value":"fast"}]}],
                     "tolerations":[{"key":"dedicated","operator":"Exists"}]}}
            """)!;
        _ = new OpenApiDocuments(_registry).V2Json;
    }

    /// <summary>Every v3 document, the index, v2 JSON and v2 protobuf.</summary>
    [Benchmark]
    public int BuildDocuments() => new OpenApiDocuments(_registry).V2Protobuf.Length;

    [Benchmark]
    public JsonNode? StrategicMergePatchPod() => MergePatch.Apply(_pod, _patch, strategic: true, _podSchema);
}
