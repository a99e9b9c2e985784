using System.Globalization;

namespace Nautilus.Server.Observability;

/// <summary>
/// The process_* metrics every Prometheus client exports (resident and virtual memory, CPU time,
/// start time, file descriptors) and the .NET runtime's counterparts of Go's runtime metrics,
/// under the names OpenTelemetry gives .NET's built-in runtime instruments (dotnet_gc_*,
/// dotnet_thread_pool_*). Read when scraped; nothing is sampled in between.
/// </summary>
public sealed class ProcessCollector : IMetricsCollector
{
    private static readonly string[] Generation = ["gc_heap_generation"];
    private static readonly string[] GenerationNames = ["gen0", "gen1", "gen2", "loh", "poh"];

    private readonly double _startTime;
    private readonly long _maxFds;

    public ProcessCollector(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        using (var process = System.Diagnostics.Process.GetCurrentProcess())
        {
            _startTime = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        }

        _maxFds = ReadMaxOpenFiles();
        foreach (var name in (ReadOnlySpan<string>)
        [
            "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_cpu_seconds_total", "process_start_time_seconds",
            "process_open_fds", "process_max_fds", "dotnet_gc_collections_total", "dotnet_gc_heap_total_allocated_bytes",
            "dotnet_gc_last_collection_heap_size_bytes", "dotnet_gc_last_collection_memory_committed_size_bytes", "dotnet_gc_pause_time_seconds_total",
            "dotnet_gc_last_full_collection_heap_size_bytes", "dotnet_thread_pool_thread_count", "dotnet_thread_pool_queue_length",
            "dotnet_thread_pool_work_item_count_total", "dotnet_monitor_lock_contentions_total",
        ])
        {
            registry.Reserve(name);
        }

        registry.AddCollector(this);
    }

    /// <summary>Resident set size of this process in bytes (VmRSS), or -1 where /proc is not available.</summary>
    public static long ResidentBytes() => ReadStatm(1);

    public void Collect(PrometheusWriter writer)
    {
        Gauge(writer, "process_resident_memory_bytes", "Resident memory size in bytes.", ReadStatm(1));
        Gauge(writer, "process_virtual_memory_bytes", "Virtual memory size in bytes.", ReadStatm(0));
        writer.WriteHeader("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter");
        writer.WriteSample("process_cpu_seconds_total", Environment.CpuUsage.TotalTime.TotalSeconds);
        Gauge(writer, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", _startTime);
        Gauge(writer, "process_open_fds", "Number of open file descriptors.", CountOpenFds());
        Gauge(writer, "process_max_fds", "Maximum number of open file descriptors.", _maxFds);

        writer.WriteHeader("dotnet_gc_collections_total", "The number of garbage collections that have occurred since the process has started.", "counter");
        var max = GC.MaxGeneration;
        for (var gen = 0; gen <= max; gen++)
        {
            // Collections of exactly this generation (a gen2 collection also counts in CollectionCount(0)).
            var count = GC.CollectionCount(gen) - (gen < max ? GC.CollectionCount(gen + 1) : 0);
            writer.WriteSample("dotnet_gc_collections_total", null, Generation, [GenerationNames[gen]], count);
        }

        writer.WriteHeader("dotnet_gc_heap_total_allocated_bytes", "The approximate number of bytes allocated on the managed GC heap since the process has started.", "counter");
        writer.WriteSample("dotnet_gc_heap_total_allocated_bytes", GC.GetTotalAllocatedBytes());

        var info = GC.GetGCMemoryInfo();
        writer.WriteHeader("dotnet_gc_last_collection_heap_size_bytes", "The managed GC heap size (including fragmentation), as observed during the latest garbage collection.", "gauge");
        var generations = info.GenerationInfo;
        for (var i = 0; i < generations.Length && i < GenerationNames.Length; i++)
        {
            writer.WriteSample("dotnet_gc_last_collection_heap_size_bytes", null, Generation, [GenerationNames[i]], generations[i].SizeAfterBytes);
        }

        Gauge(writer, "dotnet_gc_last_collection_memory_committed_size_bytes", "The amount of committed virtual memory in use by the .NET GC, as observed during the latest garbage collection.", info.TotalCommittedBytes);
        writer.WriteHeader("dotnet_gc_pause_time_seconds_total", "The total amount of time paused in GC since the process has started.", "counter");
        writer.WriteSample("dotnet_gc_pause_time_seconds_total", GC.GetTotalPauseDuration().TotalSeconds);
        Gauge(writer, "dotnet_gc_last_full_collection_heap_size_bytes", "The managed heap size after the latest full blocking collection (0 before the first).", GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes);

        Gauge(writer, "dotnet_thread_pool_thread_count", "The number of thread pool threads that currently exist.", ThreadPool.ThreadCount);
        Gauge(writer, "dotnet_thread_pool_queue_length", "The number of work items that are currently queued to be processed by the thread pool.", ThreadPool.PendingWorkItemCount);
        writer.WriteHeader("dotnet_thread_pool_work_item_count_total", "The number of work items that the thread pool has completed since the process has started.", "counter");
        writer.WriteSample("dotnet_thread_pool_work_item_count_total", ThreadPool.CompletedWorkItemCount);
        writer.WriteHeader("dotnet_monitor_lock_contentions_total", "The number of times there was contention when trying to acquire a monitor lock since the process has started.", "counter");
        writer.WriteSample("dotnet_monitor_lock_contentions_total", System.Threading.Monitor.LockContentionCount);
    }

    private static void Gauge(PrometheusWriter writer, string name, string help, double value)
    {
        writer.WriteHeader(name, help, "gauge");
        writer.WriteSample(name, value);
    }

    /// <summary>Field <paramref name="index"/> of /proc/self/statm (pages) in bytes; -1 without /proc.</summary>
    private static long ReadStatm(int index)
    {
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[index], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return index == 1 ? Environment.WorkingSet : -1;
        }
    }

    private static long CountOpenFds()
    {
        try
        {
            long count = 0;
            foreach (var _ in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                count++;
            }

            return count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private static long ReadMaxOpenFiles()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return parts.Length > 0 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var soft) ? soft : -1;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return -1;
    }
}
