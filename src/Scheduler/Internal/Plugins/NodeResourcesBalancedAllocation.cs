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
        var allocatable = node.Allocatable;
        Span<double> fractions = stackalloc double[2];
        var n = 0;
        if (allocatable.MilliCpu != 0)
        {
            fractions[n++] = Math.Min(1, (double)(node.Requested.MilliCpu + pod.Requests.MilliCpu) / allocatable.MilliCpu);
        }

        if (allocatable.Memory != 0)
        {
            fractions[n++] = Math.Min(1, (double)(node.Requested.Memory + pod.Requests.Memory) / allocatable.Memory);
        }

        var std = n == 2 ? Math.Abs((fractions[0] - fractions[1]) / 2) : 0;
        score = (long)((1 - std) * NodeScores.MaxNodeScore);
        return default;
    }
}
