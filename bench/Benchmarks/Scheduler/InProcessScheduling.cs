using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Scheduler.Internal;
using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;
using Nautilus.Scheduler.Internal.Queue;

namespace Nautilus.Benchmarks.Scheduler;

/// <summary>What one measured run produced.</summary>
public sealed record SchedulingRunResult(string Workload, int Nodes, int MeasuredPods, int Bound, TimeSpan Elapsed, double P50Microseconds, double P90Microseconds, double P99Microseconds, double MaxMicroseconds)
{
    public double PodsPerSecond => Bound / Elapsed.TotalSeconds;

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Workload}: {Nodes} nodes, {Bound}/{MeasuredPods} pods bound in {Elapsed.TotalMilliseconds:0} ms = {PodsPerSecond:0} pods/s; per pod p50 {P50Microseconds:0} µs, p90 {P90Microseconds:0} µs, p99 {P99Microseconds:0} µs, max {MaxMicroseconds:0} µs");

    public static SchedulingRunResult From(string workload, int nodes, int measured, int bound, TimeSpan elapsed, double[] latenciesMicroseconds)
    {
        Array.Sort(latenciesMicroseconds);
        return new SchedulingRunResult(workload, nodes, measured, bound, elapsed, Percentile(latenciesMicroseconds, 0.50), Percentile(latenciesMicroseconds, 0.90), Percentile(latenciesMicroseconds, 0.99), latenciesMicroseconds.Length == 0 ? 0 : latenciesMicroseconds[^1]);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

/// <summary>
/// The scheduler without the API: the default-scheduler profile, the NodeInfo cache and the
/// scheduling queue, driven one cycle at a time as kube-scheduler's scheduleOne. Binding is
/// confirmed at once, as an informer would report it. Per-pod latency is one scheduling cycle
/// (pop, snapshot, filter, score, assume, reserve, permit, bind).
/// </summary>
internal sealed class InProcessScheduling : IAsyncDisposable
{
    private readonly SchedulerCache _cache;
    private readonly SchedulingQueue _queue;
    private readonly PodScheduler _scheduler;
    private readonly ConfirmingApi _api;
    private readonly SchedulerPerfWorkload _workload;
    private int _uid;

    public InProcessScheduling(SchedulerPerfWorkload workload, int parallelism = 16)
    {
        _workload = workload;
        var time = TimeProvider.System;
        _cache = new SchedulerCache(time, TimeSpan.Zero);
        _api = new ConfirmingApi(_cache);
        var lister = new NamespaceLister();
        var profiles = new Dictionary<string, SchedulingFramework>(StringComparer.Ordinal)
        {
            ["default-scheduler"] = new(ProfileConfig.DefaultScheduler(), Registry.InTree(), new FrameworkHandle { Api = _api, Lister = lister, Time = time }),
        };
        _queue = new SchedulingQueue(time, p => profiles.GetValueOrDefault(p.SchedulerName));
        _scheduler = new PodScheduler(_cache, _queue, profiles, _api, time, NullLogger.Instance, parallelism: parallelism);
        for (var i = 0; i < workload.Nodes; i++)
        {
            _cache.AddOrUpdateNode(NodeModel.Parse(workload.Node(i)));
        }
    }

    public int Bound => _api.Bound;

    /// <summary>Schedules the init pods (not measured) and parses the measured ones, so the measurement sees only scheduling.</summary>
    public async Task<PodInfo[]> PrepareAsync()
    {
        var init = new PodInfo[_workload.InitPods];
        for (var i = 0; i < init.Length; i++)
        {
            init[i] = Parse(_workload.InitPod(i));
        }

        await ScheduleAsync(init, null).ConfigureAwait(false);
        var measured = new PodInfo[_workload.MeasurePods];
        for (var i = 0; i < measured.Length; i++)
        {
            measured[i] = Parse(_workload.MeasurePod(i));
        }

        _api.Bound = 0;
        return measured;
    }

    private PodInfo Parse(JsonObject pod)
    {
        var meta = (JsonObject)pod["metadata"]!;
        meta["uid"] = "uid-" + Interlocked.Increment(ref _uid).ToString(System.Globalization.CultureInfo.InvariantCulture);
        meta["resourceVersion"] = "1";
        meta["creationTimestamp"] = "2025-01-01T00:00:00Z";
        return PodInfo.Parse(pod);
    }

    /// <summary>
    /// Adds the pods to the queue and runs scheduling cycles until the queue is empty; records each
    /// cycle's wall-clock duration and, if asked, the CPU time the loop's thread spent on it (which
    /// other processes on a busy machine cannot inflate; it misses work done on filter worker threads).
    /// </summary>
    public async Task<TimeSpan> ScheduleAsync(PodInfo[] pods, double[]? latenciesMicroseconds, double[]? cpuMicroseconds = null)
    {
        foreach (var p in pods)
        {
            _queue.Add(p);
        }

        var n = 0;
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            var t0 = Stopwatch.GetTimestamp();
            var c0 = cpuMicroseconds is null ? 0 : ThreadCpu.Microseconds();
            if (_queue.TryPop() is not { } q)
            {
                break;
            }

            var binding = _scheduler.ScheduleOne(q, CancellationToken.None);
            if (!binding.IsCompleted)
            {
                await binding.ConfigureAwait(false);
            }

            if (latenciesMicroseconds is not null && n < latenciesMicroseconds.Length)
            {
                latenciesMicroseconds[n] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }

            if (cpuMicroseconds is not null && n < cpuMicroseconds.Length)
            {
                cpuMicroseconds[n] = ThreadCpu.Microseconds() - c0;
            }

            n++;
        }

        return Stopwatch.GetElapsedTime(start);
    }

    public async ValueTask DisposeAsync()
    {
        await _scheduler.DisposeAsync().ConfigureAwait(false);
        _queue.Dispose();
    }

    /// <summary>CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID); 0 elsewhere.</summary>
    private static class ThreadCpu
    {
        private const int ClockThreadCpuTime = 3;

        public static double Microseconds()
        {
            if (!OperatingSystem.IsLinux())
            {
                return 0;
            }

            ClockGetTime(ClockThreadCpuTime, out var t);
            return (t.Seconds * 1e6) + (t.Nanoseconds / 1e3);
        }

        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);
    }

    /// <summary>Binds by confirming the assumed pod in the cache, as the pod informer does once the binding is written.</summary>
    private sealed class ConfirmingApi(SchedulerCache cache) : ISchedulerApi
    {
        public int Bound;

        public Task BindAsync(PodInfo pod, string nodeName, CancellationToken ct)
        {
            cache.AddPod(pod.WithNodeName(nodeName));
            Bound++;
            return Task.CompletedTask;
        }

        public Task UpdatePodScheduledAsync(PodInfo pod, string reason, string message, string? nominatedNodeName, CancellationToken ct) => Task.CompletedTask;

        public Task PreemptAsync(PodInfo victim, PodInfo preemptor, string nodeName, CancellationToken ct) => Task.CompletedTask;

        public Task ClearNominatedNodeNameAsync(PodInfo pod, CancellationToken ct) => Task.CompletedTask;

        public Task RecordEventAsync(PodInfo pod, string type, string reason, string action, string note, string reportingController, CancellationToken ct) => Task.CompletedTask;
    }

    private sealed class NamespaceLister : IClusterLister
    {
        private readonly Dictionary<string, Dictionary<string, string>> _namespaces = new(StringComparer.Ordinal)
        {
            ["sched-0"] = new(StringComparer.Ordinal) { ["kubernetes.io/metadata.name"] = "sched-0" },
            ["sched-1"] = new(StringComparer.Ordinal) { ["kubernetes.io/metadata.name"] = "sched-1" },
        };

        public Dictionary<string, string>? NamespaceLabels(string ns) => _namespaces.GetValueOrDefault(ns);

        public IEnumerable<KeyValuePair<string, Dictionary<string, string>>> Namespaces() => _namespaces;

        public ClaimInfo? GetClaim(string ns, string name) => null;

        public VolumeInfo? GetVolume(string name) => null;
    }
}
