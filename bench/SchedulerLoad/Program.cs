using System.Globalization;
using Nautilus.Benchmarks.Scheduler;
using Nautilus.SchedulerLoad;

// scheduler_perf workloads (SchedulingBasic 5,000 nodes / 10,000 pods, SchedulingPodAntiAffinity,
// TopologySpreading), in process or through a real server's API.
//   dotnet run -c Release --project bench/SchedulerLoad -- [--api] [--workload NAME]... [--nodes N] [--pods N] [--runs N] [--parallelism N] [--no-warmup]
var workloads = new List<SchedulerPerfWorkload>();
int? nodes = null;
int? pods = null;
var runs = 1;
var parallelism = 16;
var api = false;
var warmup = true;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--api": api = true; break;
        case "--no-warmup": warmup = false; break;
        case "--workload": workloads.Add(SchedulerPerfWorkload.ByName(args[++i])); break;
        case "--nodes": nodes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--pods": pods = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--parallelism": parallelism = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine("usage: [--api] [--workload SchedulingBasic|SchedulingPodAntiAffinity|TopologySpreading]... [--nodes N] [--pods N] [--runs N] [--parallelism N] [--no-warmup]");
            return 2;
    }
}

if (workloads.Count == 0)
{
    workloads.AddRange(api ? [SchedulerPerfWorkload.SchedulingBasic] : SchedulerPerfWorkload.All);
}

Console.WriteLine($"{Environment.ProcessorCount} processors, {(api ? "through the API" : "in process")}");
foreach (var w in workloads)
{
    var workload = w.Scaled(nodes, pods);
    for (var r = 0; r < runs; r++)
    {
        if (api)
        {
            Console.WriteLine("api " + await ApiLoad.RunAsync(workload, Console.Out));
            continue;
        }

        if (r == 0 && warmup)
        {
            // The JIT compiles and tiers up the hot path during the first thousands of cycles; kube-scheduler is compiled ahead of time.
            await using var warm = new InProcessScheduling(workload.Scaled(workload.Nodes / 5, workload.MeasurePods / 5), parallelism);
            await warm.ScheduleAsync(await warm.PrepareAsync(), null);
        }

        await using var run = new InProcessScheduling(workload, parallelism);
        var measured = await run.PrepareAsync();
        var latencies = new double[measured.Length];
        var cpu = new double[measured.Length];
        var gcs = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var elapsed = await run.ScheduleAsync(measured, latencies, cpu);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Console.WriteLine("in-process " + SchedulingRunResult.From(workload.Name, workload.Nodes, measured.Length, run.Bound, elapsed, latencies));
        var cpuResult = SchedulingRunResult.From(workload.Name, workload.Nodes, measured.Length, run.Bound, elapsed, cpu);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  loop-thread CPU per pod p50 {cpuResult.P50Microseconds:0} µs, p90 {cpuResult.P90Microseconds:0} µs, p99 {cpuResult.P99Microseconds:0} µs{(parallelism > 1 ? " (filter workers not counted)" : "")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  allocated {allocated / measured.Length / 1024.0:0.0} KiB/pod; GCs gen0 {GC.CollectionCount(0) - gcs.Item1}, gen1 {GC.CollectionCount(1) - gcs.Item2}, gen2 {GC.CollectionCount(2) - gcs.Item3}"));
    }
}

return 0;
