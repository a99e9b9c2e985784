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
}

/// <summary>The writes the scheduler makes to the API.</summary>
internal interface ISchedulerApi
{
    /// <summary>POST pods/{name}/binding. Throws on failure.</summary>
    Task BindAsync(PodInfo pod, string nodeName, CancellationToken ct);

    /// <summary>Sets the PodScheduled condition (status False) and nominatedNodeName through pods/status.</summary>
    Task UpdatePodScheduledAsync(PodInfo pod, string reason, string message, CancellationToken ct);

    /// <summary>Records an events.k8s.io/v1 Event about the pod.</summary>
    Task RecordEventAsync(PodInfo pod, string type, string reason, string action, string note, string reportingController, CancellationToken ct);
}

/// <summary>What plugins may use beyond the pod and node: listers, the API, the clock (kube's framework.Handle).</summary>
internal sealed class FrameworkHandle
{
    public IClusterLister Lister { get; init; } = EmptyLister.Instance;

    public ISchedulerApi? Api { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The owning framework's Filter plugins, for what-if evaluation (preemption). Set by the framework.</summary>
    public Func<CycleState, PodInfo, NodeInfo, Status>? RunFilters { get; set; }

    private sealed class EmptyLister : IClusterLister
    {
        public static readonly EmptyLister Instance = new();

        public Dictionary<string, string>? NamespaceLabels(string ns) => null;

        public IEnumerable<KeyValuePair<string, Dictionary<string, string>>> Namespaces() => [];

        public ClaimInfo? GetClaim(string ns, string name) => null;

        public VolumeInfo? GetVolume(string name) => null;
    }
}
