using BenchmarkDotNet.Attributes;
using Nautilus.Store;
using Nautilus.Store.Internal;

namespace Nautilus.Benchmarks.Store;

/// <summary>
/// The in-lock part of a create and a delete on a table that already holds 100,000 pods of one
/// namespace with the same labels and field values (what a wrk create run builds): every create
/// adds its key to index sets of 100,000 keys, every delete removes it.
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class ResourceIndexBenchmarks
{
    private ResourceTable _table = null!;
    private StoredObject _template = null!;
    private long _revision;
    private int _next;

    [Params(100_000)]
    public int PodCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _table = new ResourceTable(Pods.Type, new EmbeddedStoreOptions().IndexedFields.Distinct().ToArray(), 1_000, 1);
        _template = Pods.Stored(0, ns: "bench", name: "template");
        for (var i = 0; i < PodCount; i++)
        {
            _table.Apply(new ChangeEvent(WatchEventType.Added, ++_revision, Pod("seed-" + i), null));
        }
    }

    [Benchmark]
    public int CreateAndDelete()
    {
        var pod = Pod("bench-" + ++_next);
        _table.Apply(new ChangeEvent(WatchEventType.Added, ++_revision, pod, null));
        _table.Apply(new ChangeEvent(WatchEventType.Deleted, ++_revision, pod, pod));
        return _table.Count;
    }

    private StoredObject Pod(string name) =>
        new(new ObjectKey("bench", name), _template.Uid, _template.Json, _template.Labels, _template.Fields);
}
