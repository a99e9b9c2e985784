using BenchmarkDotNet.Attributes;
using Nautilus.Store;

namespace Nautilus.Benchmarks.Store;

/// <summary>
/// One pod update offered to 1,000 watchers, then read by all of them: every watcher of all pods
/// (controllers, informers), or one watcher per node with spec.nodeName=node-N (kubelets), where
/// the field index routes the event to the one watcher that wants it.
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class WatchFanOutBenchmarks
{
    private EmbeddedStore _store = null!;
    private List<IObjectWatch> _watches = null!;
    private StoredObject[] _versions = null!;
    private int _flip;

    [Params(1000)]
    public int Watchers { get; set; }

    [Params(false, true)]
    public bool PerNode { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _store = new EmbeddedStore(new EmbeddedStoreOptions { WatchBufferSize = 100_000 });
        for (var i = 0; i < 1000; i++)
        {
            await _store.CreateAsync(Pods.Type, Pods.Stored(i, nodes: Watchers));
        }

        _watches = [];
        for (var w = 0; w < Watchers; w++)
        {
            var options = PerNode
                ? new WatchOptions { ResourceVersion = _store.CurrentRevision.ToString(System.Globalization.CultureInfo.InvariantCulture), Fields = FieldSelector.Parse("spec.nodeName=node-" + w) }
                : new WatchOptions { ResourceVersion = _store.CurrentRevision.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            _watches.Add(await _store.WatchAsync(Pods.Type, options));
        }

        var current = (await _store.GetAsync(Pods.Type, new ObjectKey("ns-7", "web-7")))!;
        var changed = Pods.Stored(7, nodes: Watchers);
        _versions = [new StoredObject(current.Key, current.Uid, changed.Json, current.Labels, current.Fields), current];
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        foreach (var watch in _watches)
        {
            watch.Dispose();
        }

        await _store.DisposeAsync();
    }

    /// <summary>One update and every resulting delivery read; returns the deliveries.</summary>
    [Benchmark]
    public async Task<int> UpdateAndDeliver()
    {
        var next = _versions[_flip ^= 1];
        await _store.GuaranteedUpdateAsync(Pods.Type, next.Key, (current, _) =>
            ValueTask.FromResult(new StoredObject(current!.Key, current.Uid, next.Json, current.Labels, current.Fields)));
        var delivered = 0;
        foreach (var watch in _watches)
        {
            while (watch.Events.TryRead(out _))
            {
                delivered++;
            }
        }

        return delivered;
    }
}
