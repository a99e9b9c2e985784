using System.Collections.Concurrent;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>
/// Filter: the pod must tolerate every NoSchedule and NoExecute taint. Score: fewer untolerated
/// PreferNoSchedule taints is better (normalized in reverse).
/// </summary>
internal sealed class TaintToleration : IFilterPlugin, IPreScorePlugin, IScorePlugin, IScoreExtensions, IEnqueueExtensions
{
    public const string PluginName = "TaintToleration";
    private const string StateKey = "PreScore" + PluginName;

    // One Status per distinct taint: the reason string is formatted once, not per node.
    private static readonly ConcurrentDictionary<Taint, Status> Rejections = new();

    private sealed class PreScoreState(Toleration[] tolerations)
    {
        public readonly Toleration[] PreferNoScheduleTolerations = tolerations;
    }

    public string Name => PluginName;

    public ClusterEvents EventsToRegister => ClusterEvents.NodeAdd | ClusterEvents.NodeUpdate;

    public IScoreExtensions ScoreExtensions => this;

    public Status Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (!node.HasHardTaints)
        {
            return default;
        }

        var taints = node.Node?.Taints ?? [];
        foreach (var taint in taints)
        {
            if (taint.Effect is not (Taint.NoSchedule or Taint.NoExecute))
            {
                continue;
            }

            if (!Toleration.AnyTolerates(pod.Tolerations, taint))
            {
                return Rejections.GetOrAdd(taint, static t => Status.Unresolvable($"node(s) had untolerated taint {{{t.Key}: {t.Value}}}"));
            }
        }

        return default;
    }

    public Status PreScore(CycleState state, PodInfo pod, Cache.Snapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        var list = new List<Toleration>();
        foreach (var t in pod.Tolerations)
        {
            if (t.Effect is "" or Taint.PreferNoSchedule)
            {
                list.Add(t);
            }
        }

        state.Write(StateKey, new PreScoreState([.. list]));
        return default;
    }

    public Status Score(CycleState state, PodInfo pod, NodeInfo node, out long score)
    {
        if (!node.HasPreferNoScheduleTaints)
        {
            score = 0;
            return default;
        }

        var tolerations = state.Read<PreScoreState>(StateKey)?.PreferNoScheduleTolerations ?? pod.Tolerations;
        score = 0;
        foreach (var taint in node.Node?.Taints ?? [])
        {
            if (taint.Effect == Taint.PreferNoSchedule && !Toleration.AnyTolerates(tolerations, taint))
            {
                score++;
            }
        }

        return default;
    }

    public Status NormalizeScore(CycleState state, PodInfo pod, Span<NodeScore> scores)
    {
        ScoreNormalization.Default(NodeScores.MaxNodeScore, reverse: true, scores);
        return default;
    }
}
