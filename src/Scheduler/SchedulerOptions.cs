namespace Nautilus.Scheduler;

/// <summary>Settings of the scheduler; the defaults are kube-scheduler's.</summary>
public sealed class SchedulerOptions
{
    /// <summary>Percentage of nodes to find feasible before scoring; 0 = adaptive (50 - nodes/125, at least 5%, at least 100 nodes).</summary>
    public int PercentageOfNodesToScore { get; init; }

    public TimeSpan PodInitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan PodMaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a pod stays parked as unschedulable before it is retried without a cluster event.</summary>
    public TimeSpan PodMaxInUnschedulablePodsDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an assumed pod whose binding finished waits for the informer to confirm it; zero never expires it.</summary>
    public TimeSpan AssumedPodTtl { get; init; } = TimeSpan.Zero;

    /// <summary>Workers filtering nodes in parallel.</summary>
    public int Parallelism { get; init; } = 16;

    /// <summary>The profiles served, by scheduler name: <c>default-scheduler</c> (kube's defaults) and <c>nautilus-scheduler</c>.</summary>
    public IReadOnlyList<string> Profiles { get; init; } = ["default-scheduler", "nautilus-scheduler"];

    /// <summary>Identifies this scheduler in events' reportingInstance.</summary>
    public string InstanceName { get; init; } = Environment.MachineName;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
