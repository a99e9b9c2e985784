namespace Nautilus.Controllers.NodeLifecycle;

/// <summary>kube-controller-manager's node lifecycle flags, with their defaults.</summary>
public sealed record NodeLifecycleOptions
{
    /// <summary>--node-monitor-grace-period: how long a node may go without renewing its Lease (or posting status) before it is Unknown.</summary>
    public TimeSpan NodeMonitorGracePeriod { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>--node-startup-grace-period: the allowance of a node that has never posted a Ready condition, from its creation.</summary>
    public TimeSpan NodeStartupGracePeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>--node-monitor-period: how often every node's health is checked.</summary>
    public TimeSpan NodeMonitorPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>--node-eviction-rate: nodes per second that get NoExecute taints, per zone, in a healthy zone.</summary>
    public double NodeEvictionRate { get; init; } = 0.1;

    /// <summary>--secondary-node-eviction-rate: the rate in a partially disrupted zone of a large cluster (smaller clusters stop).</summary>
    public double SecondaryNodeEvictionRate { get; init; } = 0.01;

    /// <summary>--unhealthy-zone-threshold: the share of not-Ready nodes (at least 3) that makes a zone partially disrupted.</summary>
    public double UnhealthyZoneThreshold { get; init; } = 0.55;

    /// <summary>--large-cluster-size-threshold: zones with more nodes keep evicting, slowly, when partially disrupted.</summary>
    public int LargeClusterSizeThreshold { get; init; } = 50;

    /// <summary>The clock for every decision (heartbeat ages, taint and condition timestamps).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
