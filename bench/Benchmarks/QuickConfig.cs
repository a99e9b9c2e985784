using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Nautilus.Benchmarks;

/// <summary>
/// A short job for every suite: one process, 3 warmup and 6 measured iterations, allocations
/// counted. A group runs in a few minutes on two cores; use BenchmarkDotNet's own --job option
/// (e.g. --job medium) for tighter confidence intervals.
/// </summary>
public sealed class QuickConfig : ManualConfig
{
    public QuickConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(6).WithId("Quick"));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
