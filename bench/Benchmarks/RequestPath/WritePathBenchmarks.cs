using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Nautilus.Bench;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Apply;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Strategies.Validation;
using Nautilus.Store;

namespace Nautilus.Benchmarks.RequestPath;

/// <summary>
/// A pod create stage by stage, and a kubelet's status update, in the resource handler without
/// HTTP, TLS or the log: where the handler's time and allocations go (the load generator's create
/// and update-status scenarios measure whole requests).
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class WritePathBenchmarks
{
    private const string Ns = "ns-3";

    private byte[] _body = null!;
    private JsonObject _defaulted = null!;
    private JsonObject _owned = null!;
    private EmbeddedStore _store = null!;
    private ResourceHandler _handler = null!;
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _body = KubeObjects.PodJson(Ns, "web-7", "node-3", 7);
        _defaulted = Defaulted();
        _owned = (JsonObject)_defaulted.DeepClone();
        FieldManager.Update(Pods.Definition, "", null, _owned, "kubectl-create", DateTimeOffset.UnixEpoch);
        _store = new EmbeddedStore();
        var namespaces = Pods.Registry.All.Single(r => r.Plural == "namespaces" && r.Group.Length == 0);
        var graceful = new GracefulDeletion(_store, TimeProvider.System, Pods.Registry);
        _handler = new ResourceHandler(_store, Pods.Registry, TimeProvider.System, graceful);
        await _handler.CreateAsync(namespaces, "", KubeObjects.NamespaceJson(Ns), new WriteOptions(), CancellationToken.None);
        await _handler.CreateAsync(Pods.Definition, Ns, KubeObjects.PodJson(Ns, "running", "node-3", 3), new WriteOptions { FieldManager = "kubectl-create" }, CancellationToken.None);
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _store.DisposeAsync();

    /// <summary>The request body into a tree.</summary>
    [Benchmark]
    public JsonObject Parse() => KubeJson.ParseObject(_body);

    /// <summary>The fieldValidation walk over the body (unknown and duplicate fields).</summary>
    [Benchmark]
    public int CheckFields()
    {
        var warnings = 0;
        FieldValidation.Check(Pods.Definition, FieldValidation.Warn, _body, "application/json", _ => warnings++);
        return warnings;
    }

    /// <summary>Parse plus the pod strategy's defaults.</summary>
    [Benchmark]
    public JsonObject ParseAndDefault() => Defaulted();

    /// <summary>The create's managedFields entry (everything the client sent, owned by it).</summary>
    [Benchmark]
    public JsonObject ManagedFields()
    {
        var copy = (JsonObject)_defaulted.DeepClone();
        FieldManager.Update(Pods.Definition, "", null, copy, "kubectl-create", DateTimeOffset.UnixEpoch);
        return copy;
    }

    /// <summary>The deep copy the managedFields stage includes, to subtract.</summary>
    [Benchmark]
    public JsonNode Copy() => _defaulted.DeepClone();

    /// <summary>Metadata and pod spec validation.</summary>
    [Benchmark]
    public int Validate()
    {
        var causes = new List<StatusCause>();
        MetadataValidation.Validate(ResourceHandler.Metadata(_owned), Pods.Definition, causes);
        Pods.Definition.Strategy.Validate(_owned, causes);
        return causes.Count;
    }

    /// <summary>The tree into the store's form: bytes, labels and indexed fields.</summary>
    [Benchmark]
    public StoredObject ToStored() => ObjectCodec.ToStored(Pods.Definition, _owned);

    /// <summary>The whole handler: parse to the created object's bytes, committed to an in-memory store (then deleted there).</summary>
    [Benchmark]
    public async Task<int> HandlerCreate()
    {
        var name = "bench-" + Interlocked.Increment(ref _next);
        var result = await _handler.CreateAsync(Pods.Definition, Ns, KubeObjects.PodJson(Ns, name, "node-3", 3), new WriteOptions { FieldManager = "kubectl-create" }, CancellationToken.None);
        await _store.DeleteAsync(Pods.Type, new ObjectKey(Ns, name));
        return result.Json.Length;
    }

    private JsonObject Defaulted()
    {
        var tree = KubeJson.ParseObject(_body);
        Pods.Definition.Strategy.ApplyDefaults(tree);
        return tree;
    }

    /// <summary>A kubelet's PUT of pods/status: parse, merge onto the stored pod, managedFields of two managers, no-change check, commit.</summary>
    [Benchmark]
    public async Task<int> HandlerUpdateStatus()
    {
        var body = KubeObjects.PodStatusJson(Ns, "running", 3, Interlocked.Increment(ref _next));
        var result = await _handler.UpdateAsync(Pods.Definition, Ns, "running", "status", body, new WriteOptions { FieldManager = "kubelet" }, CancellationToken.None);
        return result.Json.Length;
    }
}
