using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Queue;

/// <summary>A pod in the scheduling queue with its attempt history (kube's framework.QueuedPodInfo).</summary>
internal sealed class QueuedPodInfo(PodInfo pod, DateTimeOffset now)
{
    public PodInfo Pod { get; set; } = pod;

    /// <summary>When the pod last entered the queue: the activeQ's tie-break after priority.</summary>
    public DateTimeOffset Timestamp { get; set; } = now;

    public DateTimeOffset InitialAttemptTimestamp { get; set; }

    public int Attempts { get; set; }

    /// <summary>Plugins that rejected the pod in its last cycle: only events they care about move it back.</summary>
    public HashSet<string> UnschedulablePlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>Blocked by a PreEnqueue plugin (scheduling gates); held until an update lifts it.</summary>
    public bool Gated { get; set; }

    /// <summary>The pod changed while it was being scheduled: a failure retries it after backoff instead of parking it.</summary>
    public bool UpdatedInFlight { get; set; }

    public string Uid => Pod.Uid.Length > 0 ? Pod.Uid : Pod.Key;
}
