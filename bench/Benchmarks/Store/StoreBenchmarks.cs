using System.Text;
using BenchmarkDotNet.Attributes;
using Nautilus.Store;

namespace Nautilus.Benchmarks.Store;

/// <summary>The embedded store's hot paths over 10,000 pods in 100 namespaces on 100 nodes (memory only: durability is measured by the load generator).</summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private static readonly ResourceType Pods = new("", "pods");

    private EmbeddedStore _store = null!;
    private int _next;

    [Params(10_000)]
    public int PodCount { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _store = new EmbeddedStore();
        for (var i = 0; i < PodCount; i++)
        {
            await _store.CreateAsync(Pods, Pod($"ns-{i % 100}", $"pod-{i}", $"node-{i % 100}", $"app-{i % 50}"));
        }
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _store.DisposeAsync();

    [Benchmark]
    public async Task<StoredObject?> Get() => await _store.GetAsync(Pods, new ObjectKey("ns-42", "pod-4242"));

    [Benchmark]
    public async Task<ListResult> ListNamespace() => await _store.ListAsync(Pods, new ListOptions { Namespace = "ns-7" });

    [Benchmark]
    public async Task<ListResult> ListByLabel() => await _store.ListAsync(Pods, new ListOptions { Labels = LabelSelector.Parse("app=app-7") });

    [Benchmark]
    public async Task<ListResult> ListByNodeName() => await _store.ListAsync(Pods, new ListOptions { Fields = FieldSelector.Parse("spec.nodeName=node-7") });

    [Benchmark]
    public async Task<ListResult> ListPage500() => await _store.ListAsync(Pods, new ListOptions { Limit = 500 });

    [Benchmark]
    public async Task<StoredObject> CreateAndDelete()
    {
        var name = "bench-" + Interlocked.Increment(ref _next);
        await _store.CreateAsync(Pods, Pod("bench", name, "node-1", "bench"));
        return await _store.DeleteAsync(Pods, new ObjectKey("bench", name));
    }

    [Benchmark]
    public async Task<StoredObject> GuaranteedUpdate() =>
        await _store.GuaranteedUpdateAsync(Pods, new ObjectKey("ns-1", "pod-1"), (current, _) =>
            ValueTask.FromResult(new StoredObject(current!.Key, current.Uid, current.Json, current.Labels, current.Fields)));

    private static StoredObject Pod(string ns, string name, string node, string app)
    {
        var json = Encoding.UTF8.GetBytes(
            "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\",\"uid\":\"" + Guid.NewGuid()
            + "\",\"resourceVersion\":\"0\",\"labels\":{\"app\":\"" + app + "\",\"tier\":\"web\"}},\"spec\":{\"nodeName\":\"" + node
            + "\",\"containers\":[{\"name\":\"main\",\"image\":\"registry.example/app:1.2.3\",\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"}}}]},\"status\":{\"phase\":\"Running\"}}");
        return new StoredObject(new ObjectKey(ns, name), name, json,
            new Dictionary<string, string> { ["app"] = app, ["tier"] = "web" },
            new Dictionary<string, string> { ["spec.nodeName"] = node, ["status.phase"] = "Running" });
    }
}
