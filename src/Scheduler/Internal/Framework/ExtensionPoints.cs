using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Framework;

/// <summary>The highest score a Score plugin may give after normalization.</summary>
internal static class NodeScores
{
    public const long MaxNodeScore = 100;
    public const long MinNodeScore = 0;
}

/// <summary>A node's score at one plugin (before weights) or in total.</summary>
internal struct NodeScore(string name, long score)
{
    public string Name = name;
    public long Score = score;
}

/// <summary>Cluster changes that can make an unschedulable pod schedulable.</summary>
[Flags]
internal enum ClusterEvents
{
    None = 0,
    NodeAdd = 1,
    NodeUpdate = 2,
    AssignedPodAdd = 4,
    AssignedPodUpdate = 8,
    AssignedPodDelete = 16,
    ClaimChange = 32,
    VolumeChange = 64,
    NamespaceChange = 128,
    All = ~0,
}

internal interface IPlugin
{
    string Name { get; }
}

/// <summary>Which cluster events may make a pod this plugin rejected schedulable again.</summary>
internal interface IEnqueueExtensions
{
    ClusterEvents EventsToRegister { get; }
}

/// <summary>Decides whether a pod may enter the active queue at all (scheduling gates).</summary>
internal interface IPreEnqueuePlugin : IPlugin
{
    Status PreEnqueue(PodInfo pod);
}

internal interface IPreFilterPlugin : IPlugin
{
    /// <summary>Computes per-cycle state. <paramref name="nodeNames"/> may restrict the nodes to evaluate. Skip disables the plugin's Filter for this cycle.</summary>
    Status PreFilter(CycleState state, PodInfo pod, Snapshot snapshot, out IReadOnlySet<string>? nodeNames);
}

/// <summary>Must be safe to call concurrently for different nodes within one cycle.</summary>
internal interface IFilterPlugin : IPlugin
{
    Status Filter(CycleState state, PodInfo pod, NodeInfo node);
}

internal interface IPostFilterPlugin : IPlugin
{
    /// <summary>
    /// Runs when no node fits. Returns a status whose message joins the FitError, and the node to
    /// nominate: a name, "" to clear the pod's nomination, or null to leave it as it is.
    /// </summary>
    Status PostFilter(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyDictionary<string, Status> nodeStatuses, out string? nominatedNode);
}

internal interface IPreScorePlugin : IPlugin
{
    /// <summary>Skip disables the plugin's Score for this cycle.</summary>
    Status PreScore(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyList<NodeInfo> nodes);
}

internal interface IScorePlugin : IPlugin
{
    Status Score(CycleState state, PodInfo pod, NodeInfo node, out long score);

    /// <summary>Null when the plugin's scores are already in [0, 100].</summary>
    IScoreExtensions? ScoreExtensions { get; }
}

internal interface IScoreExtensions
{
    Status NormalizeScore(CycleState state, PodInfo pod, Span<NodeScore> scores);
}

internal interface IReservePlugin : IPlugin
{
    Status Reserve(CycleState state, PodInfo pod, string nodeName);

    /// <summary>Undoes Reserve. Must be idempotent: it may run for a pod whose Reserve never ran or already was undone.</summary>
    void Unreserve(CycleState state, PodInfo pod, string nodeName);
}

internal interface IPermitPlugin : IPlugin
{
    /// <summary>Success, a rejection, or Wait with <paramref name="timeout"/>.</summary>
    Status Permit(CycleState state, PodInfo pod, string nodeName, out TimeSpan timeout);
}

internal interface IPreBindPlugin : IPlugin
{
    ValueTask<Status> PreBindAsync(CycleState state, PodInfo pod, string nodeName, CancellationToken ct);
}

internal interface IBindPlugin : IPlugin
{
    /// <summary>Skip hands the pod to the next Bind plugin.</summary>
    ValueTask<Status> BindAsync(CycleState state, PodInfo pod, string nodeName, CancellationToken ct);
}

internal interface IPostBindPlugin : IPlugin
{
    void PostBind(CycleState state, PodInfo pod, string nodeName);
}
