using Nautilus.Scheduler.Internal.Plugins;

namespace Nautilus.Scheduler.Internal.Framework;

/// <summary>PodTopologySpreadArgs.defaultingType: which constraints a pod without its own gets.</summary>
internal enum SpreadDefaulting
{
    /// <summary>None (kube's <c>List</c> with no defaultConstraints).</summary>
    List,

    /// <summary>kube's built-in defaults: hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway.</summary>
    System,
}

/// <summary>A plugin enabled in a profile; Weight 0 enables it everywhere but Score.</summary>
internal sealed record PluginRef(string Name, int Weight = 0);

/// <summary>
/// A scheduling profile, selected by a pod's spec.schedulerName. Plugins are listed once, in
/// order, and enabled at every extension point they implement (kube's multiPoint).
/// </summary>
internal sealed class ProfileConfig
{
    public required string SchedulerName { get; init; }

    public required IReadOnlyList<PluginRef> Plugins { get; init; }

    /// <summary>0 = adaptive (50 - nodes/125, at least 5%).</summary>
    public int PercentageOfNodesToScore { get; init; }

    /// <summary>PodTopologySpread's defaulting of pods without constraints (its args' defaultingType).</summary>
    public SpreadDefaulting TopologySpreadDefaulting { get; init; }

    /// <summary>The same profile scoring <paramref name="percentage"/> of the nodes.</summary>
    public ProfileConfig WithPercentageOfNodesToScore(int percentage) => new()
    {
        SchedulerName = SchedulerName,
        Plugins = Plugins,
        PercentageOfNodesToScore = percentage,
        TopologySpreadDefaulting = TopologySpreadDefaulting,
    };

    /// <summary>kube-scheduler 1.32's default plugins and weights.</summary>
    public static ProfileConfig DefaultScheduler(string name = "default-scheduler") => new()
    {
        SchedulerName = name,
        TopologySpreadDefaulting = SpreadDefaulting.System,
        Plugins =
        [
            new(SchedulingGates.PluginName),
            new(NodeUnschedulable.PluginName),
            new(NodeName.PluginName),
            new(TaintToleration.PluginName, 3),
            new(NodeAffinity.PluginName, 2),
            new(NodePorts.PluginName),
            new(NodeResourcesFit.PluginName, 1),
            new(VolumeBinding.PluginName),
            new(PodTopologySpread.PluginName, 2),
            new(InterPodAffinity.PluginName, 2),
            new(DefaultPreemption.PluginName),
            new(NodeResourcesBalancedAllocation.PluginName, 1),
            new(ImageLocality.PluginName, 1),
            new(DefaultBinder.PluginName),
        ],
    };

    /// <summary>
    /// The original design's profile: the same filters; scores resource utilization aiming at
    /// 70% (0.3), node affinity (0.2), pod affinity/anti-affinity (0.2), pod-count balance against
    /// 110 pods (0.2), zone spreading (0.1) — weights ×10.
    /// </summary>
    public static ProfileConfig NautilusScheduler(string name = "nautilus-scheduler") => new()
    {
        SchedulerName = name,
        Plugins =
        [
            new(SchedulingGates.PluginName),
            new(NodeUnschedulable.PluginName),
            new(NodeName.PluginName),
            new(TaintToleration.PluginName),
            new(NodeAffinity.PluginName, 2),
            new(NodePorts.PluginName),
            new(NodeResourcesFit.PluginName),
            new(VolumeBinding.PluginName),
            new(PodTopologySpread.PluginName),
            new(InterPodAffinity.PluginName, 2),
            new(DefaultPreemption.PluginName),
            new(TargetUtilization.PluginName, 3),
            new(PodCountBalance.PluginName, 2),
            new(ZoneSpread.PluginName, 1),
            new(DefaultBinder.PluginName),
        ],
    };
}
