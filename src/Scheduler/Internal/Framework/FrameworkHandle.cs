using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Framework;

/// <summary>A claim as VolumeBinding needs it.</summary>
internal sealed record ClaimInfo(string Namespace, string Name, string VolumeName, bool Terminating);

/// <summary>A persistent volume as VolumeBinding needs it.</summary>
internal sealed record VolumeInfo(string Name, NodeSelector? NodeAffinity);

/// <summary>Read access to cluster objects other than pods and nodes (informer caches in the host, dictionaries in tests).</summary>
internal interface IClusterLister
{
    /// <summary>The namespace's labels; null if the namespace is unknown.</summary>
    Dictionary<string, string>? NamespaceLabels(string ns);

    /// <summary>Every known namespace with its labels (namespaceSelector resolution).</summary>
    IEnumerable<KeyValuePair<string, Dictionary<string, string>>> Namespaces();

    ClaimInfo? GetClaim(string ns, string name);

    VolumeInfo? GetVolume(string name);

    /// <summary>The selectors of the namespace's services that have one (kube's GetPodServices candidates); none without a service informer.</summary>
    IEnumerable<Dictionary<string, string>> ServiceSelectors(string ns) => [];

    /// <summary>
    /// The pod selector of the workload a pod's controller reference names (a ReplicaSet,
    /// ReplicationController or StatefulSet), or null when it is not known.
    /// </summary>
    LabelSelector? WorkloadSelector(string ns, ControllerReference owner) => null;
}

/// <summary>The writes the scheduler makes to the API.</summary>
internal interface ISchedulerApi
{
    /// <summary>POST pods/{name}/binding. Throws on failure.</summary>
    Task BindAsync(PodInfo pod, string nodeName, CancellationToken ct);

    /// <summary>
    /// Sets the PodScheduled condition (status False) through pods/status, and with it
    /// status.nominatedNodeName: null leaves it as it is, "" clears it. Skips the write when nothing changes.
    /// </summary>
    Task UpdatePodScheduledAsync(PodInfo pod, string reason, string message, string? nominatedNodeName, CancellationToken ct);

    /// <summary>Evicts a preemption victim as kube-scheduler does: a DisruptionTarget condition, a graceful DELETE, a Preempted event.</summary>
    Task PreemptAsync(PodInfo victim, PodInfo preemptor, string nodeName, CancellationToken ct);

    /// <summary>Clears status.nominatedNodeName.</summary>
    Task ClearNominatedNodeNameAsync(PodInfo pod, CancellationToken ct);

    /// <summary>Records an events.k8s.io/v1 Event about the pod.</summary>
    Task RecordEventAsync(PodInfo pod, string type, string reason, string action, string note, string reportingController, CancellationToken ct);
}

/// <summary>What plugins may use beyond the pod and node: listers, the API, the clock (kube's framework.Handle).</summary>
internal sealed class FrameworkHandle
{
    public IClusterLister Lister { get; init; } = EmptyLister.Instance;

    public ISchedulerApi? Api { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Pods nominated to nodes by preemption; null when the profile runs without a scheduler (tests).</summary>
    public Nominator? Nominator { get; init; }

    /// <summary>kube-scheduler's metrics; null when the profile runs without a scheduler (tests, explanations).</summary>
    public SchedulerMetrics? Metrics { get; init; }

    /// <summary>The profile the plugins are built for (their arguments). Set by the framework.</summary>
    public ProfileConfig? Profile { get; set; }

    /// <summary>The owning framework's Filter plugins, for what-if evaluation (preemption). Set by the framework.</summary>
    public Func<CycleState, PodInfo, NodeInfo, Status>? RunFilters { get; set; }

    /// <summary>The same, counting pods nominated to the node with at least the pod's priority (kube's RunFilterPluginsWithNominatedPods). Set by the framework.</summary>
    public Func<CycleState, PodInfo, NodeInfo, Status>? RunFiltersWithNominatedPods { get; set; }

    private sealed class EmptyLister : IClusterLister
    {
        public static readonly EmptyLister Instance = new();

        public Dictionary<string, string>? NamespaceLabels(string ns) => null;

        public IEnumerable<KeyValuePair<string, Dictionary<string, string>>> Namespaces() => [];

        public ClaimInfo? GetClaim(string ns, string name) => null;

        public VolumeInfo? GetVolume(string name) => null;
    }
}
