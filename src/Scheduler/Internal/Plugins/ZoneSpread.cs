using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>
/// Score (nautilus-scheduler): spreads a workload over topology.kubernetes.io/zone. Sibling pods
/// are those with the same controller owner (or, without one, the same namespace and a superset of
/// the pod's labels); zones with fewer siblings score higher.
/// </summary>
internal sealed class ZoneSpread : IPreScorePlugin, IScorePlugin, IScoreExtensions
{
    public const string PluginName = "ZoneSpread";
    public const string ZoneLabel = "topology.kubernetes.io/zone";
    private const string StateKey = "PreScore" + PluginName;

    private sealed class PreScoreState
    {
        public readonly Dictionary<string, long> Zones = new(StringComparer.Ordinal);
    }

    public string Name => PluginName;

    public IScoreExtensions ScoreExtensions => this;

    public Status PreScore(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        if (pod.OwnerUid.Length == 0 && pod.Labels.Count == 0)
        {
            return Status.Skip;
        }

        var s = new PreScoreState();
        foreach (var node in snapshot.Nodes)
        {
            if (!node.Node!.Labels.TryGetValue(ZoneLabel, out var zone))
            {
                continue;
            }

            long count = 0;
            foreach (var p in node.Pods)
            {
                if (IsSibling(pod, p))
                {
                    count++;
                }
            }

            s.Zones[zone] = s.Zones.GetValueOrDefault(zone) + count;
        }

        if (s.Zones.Count == 0)
        {
            return Status.Skip;
        }

        state.Write(StateKey, s);
        return default;
    }

    private static bool IsSibling(PodInfo pod, PodInfo other)
    {
        if (other.Namespace != pod.Namespace || other.Terminating)
        {
            return false;
        }

        if (pod.OwnerUid.Length > 0)
        {
            return other.OwnerUid == pod.OwnerUid;
        }

        foreach (var (k, v) in pod.Labels)
        {
            if (!other.Labels.TryGetValue(k, out var w) || w != v)
            {
                return false;
            }
        }

        return true;
    }

    public Status Score(CycleState state, PodInfo pod, NodeInfo node, out long score)
    {
        score = 0;
        if (state.Read<PreScoreState>(StateKey) is { } s && node.Node!.Labels.TryGetValue(ZoneLabel, out var zone))
        {
            score = s.Zones.GetValueOrDefault(zone);
        }

        return default;
    }

    public Status NormalizeScore(CycleState state, PodInfo pod, Span<NodeScore> scores)
    {
        ScoreNormalization.Default(NodeScores.MaxNodeScore, reverse: true, scores);
        return default;
    }
}
