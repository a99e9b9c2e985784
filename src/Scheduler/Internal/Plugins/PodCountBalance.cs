using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>Score (nautilus-scheduler): fewer pods is better, against a maximum of 110 pods per node.</summary>
internal sealed class PodCountBalance : IScorePlugin
{
    public const string PluginName = "PodCountBalance";
    public const int MaxPods = 110;

    public string Name => PluginName;

    public IScoreExtensions? ScoreExtensions => null;

    public Status Score(CycleState state, PodInfo pod, NodeInfo node, out long score)
    {
        var pods = Math.Min(node.PodCount, MaxPods);
        score = NodeScores.MaxNodeScore * (MaxPods - pods) / MaxPods;
        return default;
    }
}
