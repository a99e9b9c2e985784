using BenchmarkDotNet.Attributes;
using Nautilus.Store;

namespace Nautilus.Benchmarks.Store;

/// <summary>
/// Every write stamps metadata.resourceVersion into the object's JSON. The store finds the place
/// before it takes its lock (<see cref="Prepare"/>) and makes the copy with the digits inside it
/// (<see cref="WriteAtPrepared"/>); <see cref="Write"/> is both in one step.
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class ResourceVersionStampBenchmarks
{
    private StoredObject _pod = null!;
    private StoredObject.PendingStamp _stamp;

    [GlobalSetup]
    public void Setup()
    {
        _pod = Pods.Stored(42);
        _stamp = _pod.PrepareStamp();
    }

    [Benchmark(Baseline = true)]
    public StoredObject Write() => _pod.WithResourceVersion(123_456);

    /// <summary>Outside the store lock: the scan of the top level and metadata.</summary>
    [Benchmark]
    public int Prepare() => _pod.PrepareStamp().Json.Length;

    /// <summary>Inside the store lock: the copy with the digits.</summary>
    [Benchmark]
    public StoredObject WriteAtPrepared() => _pod.WithResourceVersion(_stamp, 123_456);
}
