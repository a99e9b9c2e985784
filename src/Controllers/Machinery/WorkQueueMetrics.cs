using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// client-go's work queue metrics (workqueue.MetricsProvider as kube-controller-manager registers
/// it), on the <c>Nautilus.Controllers</c> meter that the server exports at /metrics; the label
/// <c>name</c> is the queue's (its controller's) name.
/// </summary>
internal sealed class WorkQueueMetrics : IDisposable
{
    public const string MeterName = "Nautilus.Controllers";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>ExponentialBuckets(10e-9, 10, 10): 10 ns to 10 s, as client-go's.</summary>
    private static readonly double[] LatencyBuckets = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

    /// <summary>
    /// The live queues and how to read their depth. Weakly held: a queue nobody disposed still
    /// leaves the scrape once it is collected.
    /// </summary>
    private static readonly ConditionalWeakTable<WorkQueueMetrics, Func<int>> Live = new();

    /// <summary>
    /// Read from the queues when scraped, not summed from adds and takes: a listener that starts
    /// while keys are queued (another server in the same process, in tests) would otherwise see
    /// takes without their adds and a negative depth.
    /// </summary>
    private static readonly ObservableUpDownCounter<long> Depth = Meter.CreateObservableUpDownCounter(
        "workqueue_depth", ObserveDepths, unit: null, description: "Current depth of workqueue");

    private static readonly Counter<long> Adds = Meter.CreateCounter<long>("workqueue_adds_total", description: "Total number of adds handled by workqueue");

    private static readonly Histogram<double> QueueDuration = Meter.CreateHistogram(
        "workqueue_queue_duration_seconds", unit: null, description: "How long in seconds an item stays in workqueue before being requested.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Histogram<double> WorkDuration = Meter.CreateHistogram(
        "workqueue_work_duration_seconds", unit: null, description: "How long in seconds processing an item from workqueue takes.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("workqueue_retries_total", description: "Total number of retries handled by workqueue");

    private readonly KeyValuePair<string, object?> _name;

    /// <summary>When each queued key was added (for the queue duration); guarded by the queue's lock.</summary>
    private readonly Dictionary<string, long> _added = new(StringComparer.Ordinal);

    /// <summary>When each key's processing started (for the work duration); guarded by the queue's lock.</summary>
    private readonly Dictionary<string, long> _started = new(StringComparer.Ordinal);

    /// <param name="depth">The queue's depth (keys queued and not yet handed out), read under its lock.</param>
    public WorkQueueMetrics(string name, Func<int> depth)
    {
        _name = new KeyValuePair<string, object?>("name", name);

        // Every queue shows up at once, as in kube, not only after its first add.
        Live.AddOrUpdate(this, depth);
        Adds.Add(0, _name);
        Retries.Add(0, _name);
    }

    /// <summary>A key entered the queue (call under the queue's lock).</summary>
    public void Added(string key)
    {
        Adds.Add(1, _name);
        _added.TryAdd(key, Stopwatch.GetTimestamp());
    }

    /// <summary>A worker took the key (call under the queue's lock).</summary>
    public void Taken(string key)
    {
        var now = Stopwatch.GetTimestamp();
        if (_added.Remove(key, out var added))
        {
            QueueDuration.Record(Stopwatch.GetElapsedTime(added, now).TotalSeconds, _name);
        }

        _started[key] = now;
    }

    /// <summary>A worker finished the key (call under the queue's lock).</summary>
    public void Finished(string key)
    {
        if (_started.Remove(key, out var started))
        {
            WorkDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _name);
        }
    }

    public void Retried() => Retries.Add(1, _name);

    /// <summary>The queue stops reporting its depth.</summary>
    public void Dispose() => Live.Remove(this);

    private static IEnumerable<Measurement<long>> ObserveDepths()
    {
        foreach (var (metrics, depth) in Live)
        {
            yield return new Measurement<long>(depth(), metrics._name);
        }
    }
}
