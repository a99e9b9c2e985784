using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>
/// Score: prefers nodes whose cpu and memory fractions (requested incl. the pod / allocatable,
/// capped at 1) are close: (1 - std) × 100, std = |cpu - memory| / 2. Uses actual requests, and
/// skips best-effort pods (kubernetes#129138).
/// </summary>
internal sealed class NodeResourcesBalancedAllocation : IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "NodeResourcesBalancedAllocation";

    public string Name => PluginName;

    public IScoreExtensions? ScoreExtensions => null;

    public Status PreScore(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyList<NodeInfo> nodes) =>
        pod.Requests.MilliCpu == 0 && pod.Requests.Memory == 0 ? Status.Skip : default;

    public Status Score(CycleState state, PodInfo pod, NodeInfo node, out long score)
    {
        // With one resource (or none) the standard deviation is 0.
        if (node.AllocatableMilliCpu == 0 || node.AllocatableMemory == 0)
        {
            score = NodeScores.MaxNodeScore;
            return default;
        }

        var cpu = Math.Min(1, (double)(node.RequestedMilliCpu + pod.Requests.MilliCpu) / node.AllocatableMilliCpu);
        var memory = Math.Min(1, (double)(node.RequestedMemory + pod.Requests.Memory) / node.AllocatableMemory);
        var std = Math.Abs((cpu - memory) / 2);
        score = (long)((1 - std) * NodeScores.MaxNodeScore);
        return default;
    }
}
