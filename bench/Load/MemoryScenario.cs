using System.Diagnostics;
using System.Globalization;
using Nautilus.Server.Observability;

namespace Nautilus.Load;

/// <summary>
/// Memory at Kubernetes' documented scale points: the server's resident memory and managed heap
/// empty, then after filling it to each step (by default 10,000 pods on 100 nodes, then 150,000
/// pods on 5,000 nodes), and the bytes each pod costs. In process, the heap is measured after a
/// full compacting collection; out of process, RSS comes from /proc/&lt;pid&gt;/status and the
/// heap from the server's /metrics (its size after the latest collection). The seeded nodes renew
/// their Leases meanwhile (<see cref="NodeLeases"/>), so the cluster stays healthy however long the fill.
/// </summary>
internal static class MemoryScenario
{
    public static async Task<ScenarioResult> RunAsync(ServerTarget target, LoadOptions options, ApiClients api)
    {
        var extra = new Dictionary<string, double>();
        var (emptyRss, emptyHeap) = await MeasureAsync(target);
        extra["rss_empty_mb"] = Mb(emptyRss);
        extra["heap_empty_mb"] = Mb(emptyHeap);
        Console.Error.WriteLine($"  memory: empty server: RSS {Mb(emptyRss):0.0} MiB, managed heap {Mb(emptyHeap):0.0} MiB");
        var start = Stopwatch.GetTimestamp();
        var (pods, nodes) = (0, 0);
        var (lastRss, lastHeap) = (emptyRss, emptyHeap);
        await using var leases = new NodeLeases(api);
        foreach (var (stepPods, stepNodes) in options.MemorySteps)
        {
            leases.Cover(stepNodes);
            var shape = new ClusterShape(stepPods, stepNodes, options.Namespaces);
            var seedStart = Stopwatch.GetTimestamp();
            await api.SeedAsync(options.Namespaces, (nodes, stepNodes), (pods, stepPods), shape);
            var seconds = (double)(Stopwatch.GetTimestamp() - seedStart) / Stopwatch.Frequency;
            var (rss, heap) = await MeasureAsync(target);
            var key = stepPods.ToString(CultureInfo.InvariantCulture);
            extra[$"pods_{key}_rss_mb"] = Mb(rss);
            extra[$"pods_{key}_heap_mb"] = Mb(heap);
            extra[$"pods_{key}_rss_bytes_per_pod"] = (rss - emptyRss) / (double)stepPods;
            extra[$"pods_{key}_heap_bytes_per_pod"] = (heap - emptyHeap) / (double)stepPods;
            extra[$"pods_{key}_marginal_rss_bytes_per_pod"] = (rss - lastRss) / (double)(stepPods - pods);
            extra[$"pods_{key}_marginal_heap_bytes_per_pod"] = (heap - lastHeap) / (double)(stepPods - pods);
            extra[$"pods_{key}_seed_creates_per_second"] = (stepPods - pods + stepNodes - nodes) / seconds;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  memory: {stepPods:N0} pods on {stepNodes:N0} nodes: RSS {Mb(rss):0.0} MiB, managed heap {Mb(heap):0.0} MiB; per pod {(rss - emptyRss) / (double)stepPods:N0} B RSS, {(heap - emptyHeap) / (double)stepPods:N0} B heap; seeded at {(stepPods - pods) / seconds:N0} pods/s"));
            (pods, nodes, lastRss, lastHeap) = (stepPods, stepNodes, rss, heap);
        }

        return new ScenarioResult
        {
            Scenario = "memory",
            Target = target.Name,
            Protocol = "grpc",
            Connections = options.Connections,
            Concurrency = 32,
            Requests = pods + nodes,
            Seconds = (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency,
            Extra = extra,
        };
    }

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

    /// <summary>
    /// Resident set and managed heap of the server, after letting it settle. Out of process the
    /// resident set is the lowest of one reading a second for 15 s: the server gives memory back
    /// once it is idle after a burst (its IdleMemoryTrimmer looks every 5 s).
    /// </summary>
    private static async Task<(long Rss, long Heap)> MeasureAsync(ServerTarget target)
    {
        await Task.Delay(TimeSpan.FromSeconds(2));
        if (target.IsInProcess)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            return (ProcessCollector.ResidentBytes(), GC.GetTotalMemory(forceFullCollection: false));
        }

        var rss = target.ResidentBytes() ?? -1;
        for (var second = 0; second < 15 && rss >= 0; second++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            rss = Math.Min(rss, target.ResidentBytes() ?? rss);
        }

        long heap = 0;
        foreach (var line in (await target.ScrapeMetricsAsync()).Split('\n'))
        {
            if (line.StartsWith("dotnet_gc_last_collection_heap_size_bytes{", StringComparison.Ordinal))
            {
                heap += (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return (rss, heap);
    }
}
