using BenchmarkDotNet.Attributes;
using Nautilus.Store;

namespace Nautilus.Benchmarks.Store;

/// <summary>
/// The embedded store's hot paths over 10,000 realistic pods (about 3 KB each) in 10 namespaces
/// on 100 nodes, in memory (durability costs are measured by the load generator).
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private EmbeddedStore _store = null!;
    private StoredObject[] _versions = null!;
    private LabelSelector _app = null!;
    private FieldSelector _node = null!;
    private StoredObject _template = null!;
    private int _next;
    private int _flip;

    [Params(10_000)]
    public int PodCount { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _store = new EmbeddedStore();
        for (var i = 0; i < PodCount; i++)
        {
            await _store.CreateAsync(Pods.Type, Pods.Stored(i));
        }

        // Two contents of pod 1 (different status) so that every update writes.
        var current = (await _store.GetAsync(Pods.Type, new ObjectKey("ns-1", "web-1")))!;
        var changed = Pods.Stored(1);
        _versions = [new StoredObject(current.Key, current.Uid, changed.Json, current.Labels, current.Fields), current];
        _template = Pods.Stored(123_456, ns: "bench", name: "template");
        _app = LabelSelector.Parse("app=web-7");
        _node = FieldSelector.Parse("spec.nodeName=node-7");
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _store.DisposeAsync();

    [Benchmark]
    public ValueTask<StoredObject?> Get() => _store.GetAsync(Pods.Type, new ObjectKey("ns-2", "web-4242"));

    /// <summary>kubectl get pods -n ns-7: 1,000 pods.</summary>
    [Benchmark]
    public ValueTask<ListResult> ListNamespace() => _store.ListAsync(Pods.Type, new ListOptions { Namespace = "ns-7" });

    /// <summary>-l app=web-7 across namespaces: 200 pods through the label index.</summary>
    [Benchmark]
    public ValueTask<ListResult> ListByLabel() => _store.ListAsync(Pods.Type, new ListOptions { Labels = _app });

    /// <summary>A kubelet's list: spec.nodeName=node-7, 100 pods through the field index.</summary>
    [Benchmark]
    public ValueTask<ListResult> ListByNodeName() => _store.ListAsync(Pods.Type, new ListOptions { Fields = _node });

    /// <summary>The first page of an informer's list: 500 pods of all namespaces.</summary>
    [Benchmark]
    public ValueTask<ListResult> ListPage500() => _store.ListAsync(Pods.Type, new ListOptions { Limit = 500 });

    [Benchmark]
    public async Task<StoredObject> CreateAndDelete()
    {
        var key = new ObjectKey("bench", "bench-" + Interlocked.Increment(ref _next));
        await _store.CreateAsync(Pods.Type, new StoredObject(key, _template.Uid, _template.Json, _template.Labels, _template.Fields));
        return await _store.DeleteAsync(Pods.Type, key);
    }

    /// <summary>A write that changes the object (alternating between two contents).</summary>
    [Benchmark]
    public ValueTask<StoredObject> GuaranteedUpdate()
    {
        var next = _versions[_flip ^= 1];
        return _store.GuaranteedUpdateAsync(Pods.Type, next.Key, (current, _) =>
            ValueTask.FromResult(new StoredObject(current!.Key, current.Uid, next.Json, current.Labels, current.Fields)));
    }
}
