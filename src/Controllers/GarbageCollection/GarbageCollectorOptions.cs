namespace Nautilus.Controllers.GarbageCollection;

/// <summary>How the garbage collector runs (kube-controller-manager's --concurrent-gc-syncs and its ignored resources).</summary>
public sealed record GarbageCollectorOptions
{
    /// <summary>Workers deciding whether objects are garbage (kube: --concurrent-gc-syncs, default 20).</summary>
    public int DeleteWorkers { get; init; } = 20;

    /// <summary>Workers orphaning the dependents of owners deleted with propagationPolicy Orphan.</summary>
    public int OrphanWorkers { get; init; } = 2;

    /// <summary>Resources the collector neither watches nor deletes ("resource" or "resource.group"), as kube ignores events.</summary>
    public IReadOnlySet<string> IgnoredResources { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "events", "events.events.k8s.io" };

    /// <summary>How many verified-absent owners are remembered, so dependents of a deleted owner do not each look it up.</summary>
    public int AbsentOwnerCacheSize { get; init; } = 500;
}
