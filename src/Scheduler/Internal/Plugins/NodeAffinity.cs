using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>
/// Filter: spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution (all operators,
/// matchFields on metadata.name, which PreFilter turns into a node-name restriction). Score: the
/// sum of the weights of matching preferred terms, normalized.
/// </summary>
internal sealed class NodeAffinity : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin, IScoreExtensions, IEnqueueExtensions
{
    public const string PluginName = "NodeAffinity";
    public const string ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";
    public const string ErrReasonConflict = "pod affinity terms conflict";

    private static readonly Status Rejected = Status.Unresolvable(ErrReasonPod);

    public string Name => PluginName;

    public ClusterEvents EventsToRegister => ClusterEvents.NodeAdd | ClusterEvents.NodeUpdate;

    public IScoreExtensions ScoreExtensions => this;

    /// <summary>Whether the node satisfies the pod's nodeSelector and required node affinity.</summary>
    public static bool Matches(PodInfo pod, NodeModel node)
    {
        foreach (var (k, v) in pod.NodeSelector)
        {
            if (!node.Labels.TryGetValue(k, out var actual) || actual != v)
            {
                return false;
            }
        }

        return pod.RequiredNodeAffinity is null || pod.RequiredNodeAffinity.Matches(node);
    }

    public Status PreFilter(CycleState state, PodInfo pod, Snapshot snapshot, out IReadOnlySet<string>? nodeNames)
    {
        nodeNames = null;
        if (pod.RequiredNodeAffinity is null && pod.NodeSelector.Count == 0)
        {
            return Status.Skip;
        }

        if (pod.RequiredNodeAffinity is not { Terms.Length: > 0 } required)
        {
            return default;
        }

        HashSet<string>? names = null;
        foreach (var term in required.Terms)
        {
            HashSet<string>? termNames = null;
            foreach (var r in term.Fields)
            {
                if (r.Key == "metadata.name" && r.Operator == SelectorOperator.In)
                {
                    if (termNames is null)
                    {
                        termNames = new HashSet<string>(r.Values, StringComparer.Ordinal);
                    }
                    else
                    {
                        termNames.IntersectWith(r.Values);
                    }
                }
            }

            if (termNames is null)
            {
                return default; // this term admits any node; terms are ORed
            }

            names ??= new HashSet<string>(StringComparer.Ordinal);
            names.UnionWith(termNames);
        }

        if (names is { Count: 0 })
        {
            return Status.Unresolvable(ErrReasonConflict);
        }

        nodeNames = names;
        return default;
    }

    public Status Filter(CycleState state, PodInfo pod, NodeInfo node) =>
        node.Node is { } n && Matches(pod, n) ? default : Rejected;

    public Status PreScore(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyList<NodeInfo> nodes) =>
        pod.PreferredNodeAffinity.Length == 0 ? Status.Skip : default;

    public Status Score(CycleState state, PodInfo pod, NodeInfo node, out long score)
    {
        score = 0;
        if (node.Node is not { } n)
        {
            return default;
        }

        foreach (var term in pod.PreferredNodeAffinity)
        {
            if (term.Term.Matches(n))
            {
                score += term.Weight;
            }
        }

        return default;
    }

    public Status NormalizeScore(CycleState state, PodInfo pod, Span<NodeScore> scores)
    {
        ScoreNormalization.Default(NodeScores.MaxNodeScore, reverse: false, scores);
        return default;
    }
}
