using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Benchmarks.Scheduler;

/// <summary>
/// kube-scheduler's scheduler_perf in process (framework + cache + queue, no API):
/// SchedulingBasic 5,000 nodes / 10,000 pods, SchedulingPodAntiAffinity 5,000 / 2,000 and
/// TopologySpreading 5,000 / 2,000, each after its init pods. One invocation schedules every
/// measured pod; the Pods/s, p50 and p99 columns give throughput and per-pod cycle latency
/// (merged over the iterations). The owner's target for SchedulingBasic: at least 5,000 pods/s
/// and under 1 ms p99. Run: dotnet run -c Release --project bench/Benchmarks -- --filter '*Scheduling*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class SchedulingBenchmarks
{
    private InProcessScheduling _run = null!;
    private PodInfo[] _pods = [];
    private double[] _latencies = [];
    private readonly List<double> _all = [];

    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "";

    public static IEnumerable<string> Workloads => SchedulerPerfWorkload.All.Select(w => w.Name);

    [IterationSetup]
    public void Setup()
    {
        _run = new InProcessScheduling(SchedulerPerfWorkload.ByName(Workload));
        _pods = _run.PrepareAsync().GetAwaiter().GetResult();
        _latencies = new double[_pods.Length];
    }

    [Benchmark(Description = "schedule measured pods")]
    public async Task<TimeSpan> ScheduleMeasuredPods() => await _run.ScheduleAsync(_pods, _latencies);

    [IterationCleanup]
    public void Cleanup()
    {
        _all.AddRange(_latencies);
        _run.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The latencies go to a file the host process's columns read (the benchmark runs in a child process).</summary>
    [GlobalCleanup]
    public void WriteLatencies()
    {
        var sorted = _all.ToArray();
        Array.Sort(sorted);
        Directory.CreateDirectory(Path.GetDirectoryName(LatencyFile(Workload))!);
        File.WriteAllText(LatencyFile(Workload), string.Create(CultureInfo.InvariantCulture, $"{Percentile(sorted, 0.5)} {Percentile(sorted, 0.99)}"));
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string LatencyFile(string workload) => Path.Combine(Path.GetTempPath(), "nautilus-bench", "scheduler-" + workload + ".latency");

    /// <summary>
    /// One invocation per iteration (each schedules thousands of pods), in process: the run needs no
    /// generated project (whose build alone outlasted BenchmarkDotNet's timeout on a busy machine).
    /// </summary>
    private sealed class Columns : ManualConfig
    {
        public Columns()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5)
                .WithToolchain(InProcessEmitToolchain.Instance));
            AddColumn(new PodsPerSecond(), new Latency("p50 µs/pod", 0), new Latency("p99 µs/pod", 1));
        }
    }

    private sealed class PodsPerSecond : IColumn
    {
        public string Id => nameof(PodsPerSecond);
        public string ColumnName => "Pods/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Measured pods divided by the mean time to schedule them all";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats)
            {
                return "-";
            }

            var pods = SchedulerPerfWorkload.ByName((string)benchmarkCase.Parameters["Workload"]).MeasurePods;
            return (pods / (stats.Mean / 1e9)).ToString("N0", CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
    }

    private sealed class Latency(string name, int index) : IColumn
    {
        public string Id => name;
        public string ColumnName => name;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 1 + index;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Per-pod scheduling cycle latency over every measured pod of every iteration";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var file = LatencyFile((string)benchmarkCase.Parameters["Workload"]);
            if (!File.Exists(file))
            {
                return "-";
            }

            var parts = File.ReadAllText(file).Split(' ');
            return double.Parse(parts[index], CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
    }
}
