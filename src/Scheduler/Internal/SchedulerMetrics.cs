using System.Diagnostics.Metrics;
using System.Globalization;

namespace Nautilus.Scheduler.Internal;

/// <summary>
/// kube-scheduler's metrics (pkg/scheduler/metrics), under their Prometheus names and labels, on
/// the <c>Nautilus.Scheduler</c> meter: the server's /metrics exports every <c>Nautilus.*</c>
/// meter. One instance per running scheduler; recording costs no allocation (tags are passed
/// as <see cref="KeyValuePair{TKey, TValue}"/> values, result and attempt labels are interned).
/// </summary>
internal sealed class SchedulerMetrics : IDisposable
{
    public const string MeterName = "Nautilus.Scheduler";

    public const string Scheduled = "scheduled";
    public const string Unschedulable = "unschedulable";
    public const string Error = "error";

    private static readonly string[] AttemptLabels = Enumerable.Range(0, 32).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _attemptDuration;
    private readonly Histogram<double> _algorithmDuration;
    private readonly Histogram<double> _podSchedulingSli;
    private readonly Histogram<long> _podSchedulingAttempts;
    private readonly Counter<long> _preemptionAttempts;
    private readonly Histogram<long> _preemptionVictims;

    /// <param name="pending">The queue's pending pods (active, backoff, unschedulable, gated), read when scraped.</param>
    public SchedulerMetrics(Func<(int Active, int Backoff, int Unschedulable, int Gated)> pending)
    {
        _attempts = _meter.CreateCounter<long>("scheduler_schedule_attempts_total", null,
            "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.");
        _attemptDuration = _meter.CreateHistogram("scheduler_scheduling_attempt_duration_seconds", null,
            "Scheduling attempt latency in seconds (scheduling algorithm + binding)", null, Buckets(0.001, 2, 15));
        _algorithmDuration = _meter.CreateHistogram("scheduler_scheduling_algorithm_duration_seconds", null,
            "Scheduling algorithm latency in seconds", null, Buckets(0.001, 2, 15));
        _podSchedulingSli = _meter.CreateHistogram("scheduler_pod_scheduling_sli_duration_seconds", null,
            "E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.", null, Buckets(0.01, 2, 20));
        _podSchedulingAttempts = _meter.CreateHistogram<long>("scheduler_pod_scheduling_attempts", null,
            "Number of attempts to successfully schedule a pod.", null, new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16] });
        _preemptionAttempts = _meter.CreateCounter<long>("scheduler_preemption_attempts_total", null, "Total preemption attempts in the cluster till now");
        _preemptionVictims = _meter.CreateHistogram<long>("scheduler_preemption_victims", null,
            "Number of selected preemption victims", null, new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });
        _meter.CreateObservableGauge("scheduler_pending_pods", () =>
        {
            var (active, backoff, unschedulable, gated) = pending();
            return new Measurement<long>[]
            {
                new(active, new KeyValuePair<string, object?>("queue", "active")),
                new(backoff, new KeyValuePair<string, object?>("queue", "backoff")),
                new(unschedulable, new KeyValuePair<string, object?>("queue", "unschedulable")),
                new(gated, new KeyValuePair<string, object?>("queue", "gated")),
            };
        }, null,
            "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.");
    }

    /// <summary>The meter the instruments are on (tests listen to this instance's alone).</summary>
    public Meter Meter => _meter;

    /// <summary>One scheduling attempt ended (bound, or failed with <see cref="Unschedulable"/> or <see cref="Error"/>).</summary>
    public void Attempted(string result, string profile, TimeSpan duration)
    {
        var resultTag = new KeyValuePair<string, object?>("result", result);
        var profileTag = new KeyValuePair<string, object?>("profile", profile);
        // Labels in the order Prometheus' client writes them (sorted by name).
        _attempts.Add(1, profileTag, resultTag);
        _attemptDuration.Record(duration.TotalSeconds, profileTag, resultTag);
    }

    public void AlgorithmRan(TimeSpan duration) => _algorithmDuration.Record(duration.TotalSeconds);

    /// <summary>A pod was bound after <paramref name="attempts"/> attempts, <paramref name="sinceFirstAttempt"/> after it was first popped.</summary>
    public void PodScheduled(int attempts, TimeSpan sinceFirstAttempt)
    {
        var label = (uint)attempts < (uint)AttemptLabels.Length ? AttemptLabels[attempts] : attempts.ToString(CultureInfo.InvariantCulture);
        _podSchedulingSli.Record(sinceFirstAttempt.TotalSeconds, new KeyValuePair<string, object?>("attempts", label));
        _podSchedulingAttempts.Record(attempts);
    }

    /// <summary>PostFilter ran preemption (kube counts every DefaultPreemption.PostFilter call).</summary>
    public void PreemptionAttempted() => _preemptionAttempts.Add(1);

    public void PreemptionVictims(int victims) => _preemptionVictims.Record(victims);

    public void Dispose() => _meter.Dispose();

    private static InstrumentAdvice<double> Buckets(double start, double factor, int count)
    {
        var bounds = new double[count];
        for (var i = 0; i < count; i++)
        {
            bounds[i] = start * Math.Pow(factor, i);
        }

        return new InstrumentAdvice<double> { HistogramBucketBoundaries = bounds };
    }
}
