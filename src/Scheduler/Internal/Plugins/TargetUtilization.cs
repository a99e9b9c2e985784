using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>
/// Score (nautilus-scheduler): prefers nodes whose cpu and memory utilization after placing the
/// pod is closest to 70%: rising linearly from 0 at empty to 100 at 70%, falling to 0 at 100%;
/// the mean over cpu and memory (non-zero requests).
/// </summary>
internal sealed class TargetUtilization : IScorePlugin
{
    public const string PluginName = "TargetUtilization";
    public const double Target = 0.7;

    public string Name => PluginName;

    public IScoreExtensions? ScoreExtensions => null;

    public Status Score(CycleState state, PodInfo pod, NodeInfo node, out long score)
    {
        double total = 0;
        var n = 0;
        if (node.AllocatableMilliCpu > 0)
        {
            total += ForUtilization((double)(node.NonZeroMilliCpu + pod.NonZeroMilliCpu) / node.AllocatableMilliCpu);
            n++;
        }

        if (node.AllocatableMemory > 0)
        {
            total += ForUtilization((double)(node.NonZeroMemory + pod.NonZeroMemory) / node.AllocatableMemory);
            n++;
        }

        score = n == 0 ? 0 : (long)(total / n);
        return default;
    }

    public static double ForUtilization(double u)
    {
        var s = u <= Target ? u / Target : (1 - u) / (1 - Target);
        return Math.Clamp(s, 0, 1) * NodeScores.MaxNodeScore;
    }
}
