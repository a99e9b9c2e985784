using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>
/// Filter: for each DoNotSchedule constraint, matching pods in the node's domain + 1 (if the pod
/// matches itself) - the global minimum must not exceed maxSkew; the minimum is 0 while fewer
/// than minDomains domains exist. Domains count only nodes that have every constraint's key and
/// pass nodeAffinityPolicy/nodeTaintsPolicy. Score: ScheduleAnyway constraints, fewer matching
/// pods is better, weighted by log(domains + 2), normalized in reverse. With system defaulting
/// (the default-scheduler profile, kube's <c>defaultingType: System</c>) a pod without constraints
/// is scored as if it had hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway, selecting the
/// pods of the services and the workload that select it; nodes then need not carry every key.
/// </summary>
internal sealed class PodTopologySpread(FrameworkHandle? handle = null) : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin, IScoreExtensions, IEnqueueExtensions
{
    public const string PluginName = "PodTopologySpread";
    public const string ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
    public const string ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + " (missing required label)";
    private const string PreFilterKey = "PreFilter" + PluginName;
    private const string PreScoreKey = "PreScore" + PluginName;
    private const string Hostname = "kubernetes.io/hostname";
    private const string Zone = "topology.kubernetes.io/zone";

    /// <summary>systemDefaultConstraints: the selector is filled in per pod.</summary>
    private static readonly (string Key, int MaxSkew)[] SystemDefaultConstraints = [(Hostname, 3), (Zone, 5)];

    private readonly bool _systemDefaulted = handle?.Profile?.TopologySpreadDefaulting == SpreadDefaulting.System;
    private readonly IClusterLister? _lister = handle?.Lister;

    private static readonly Status SkewRejected = Status.Unschedulable(ErrReasonConstraintsNotMatch);
    private static readonly Status LabelRejected = Status.Unresolvable(ErrReasonNodeLabelNotMatch);

    private sealed class PreFilterState(TopologySpreadConstraint[] constraints)
    {
        public readonly TopologySpreadConstraint[] Constraints = constraints;
        public readonly Dictionary<string, int>[] MatchNum = NewCounts(constraints.Length);
        public readonly int[] MinMatchNum = new int[constraints.Length];

        /// <summary>Whether the pod matches each constraint's selector itself (the same on every node, so computed once).</summary>
        public readonly int[] SelfMatch = new int[constraints.Length];
    }

    private sealed class PreScoreState(TopologySpreadConstraint[] constraints)
    {
        public readonly TopologySpreadConstraint[] Constraints = constraints;
        public readonly HashSet<string> IgnoredNodes = new(StringComparer.Ordinal);
        public readonly Dictionary<(string, string), long> PairCounts = [];
        public readonly double[] NormalizingWeight = new double[constraints.Length];
    }

    public string Name => PluginName;

    public ClusterEvents EventsToRegister => ClusterEvents.AssignedPodAdd | ClusterEvents.AssignedPodUpdate | ClusterEvents.AssignedPodDelete | ClusterEvents.NodeAdd | ClusterEvents.NodeUpdate;

    public IScoreExtensions ScoreExtensions => this;

    private static Dictionary<string, int>[] NewCounts(int n)
    {
        var counts = new Dictionary<string, int>[n];
        for (var i = 0; i < n; i++)
        {
            counts[i] = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        return counts;
    }

    private static TopologySpreadConstraint[] Select(PodInfo pod, SpreadAction action)
    {
        var count = 0;
        foreach (var c in pod.TopologySpreadConstraints)
        {
            count += c.WhenUnsatisfiable == action ? 1 : 0;
        }

        if (count == 0)
        {
            return [];
        }

        var result = new TopologySpreadConstraint[count];
        var i = 0;
        foreach (var c in pod.TopologySpreadConstraints)
        {
            if (c.WhenUnsatisfiable == action)
            {
                result[i++] = c;
            }
        }

        return result;
    }

    private static bool HasAllKeys(Dictionary<string, string> labels, TopologySpreadConstraint[] constraints)
    {
        foreach (var c in constraints)
        {
            if (!labels.ContainsKey(c.TopologyKey))
            {
                return false;
            }
        }

        return true;
    }

    private static bool PassesInclusionPolicies(TopologySpreadConstraint c, PodInfo pod, NodeModel node)
    {
        if (c.HonorNodeAffinity && !NodeAffinity.Matches(pod, node))
        {
            return false;
        }

        if (c.HonorNodeTaints)
        {
            foreach (var taint in node.Taints)
            {
                if (taint.Effect is Taint.NoSchedule or Taint.NoExecute && !Toleration.AnyTolerates(pod.Tolerations, taint))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Pods on the node in the pod's namespace, not terminating, matching the selector.</summary>
    private static int CountMatching(NodeInfo node, LabelSelector selector, string ns)
    {
        var n = 0;
        foreach (var p in node.Pods)
        {
            if (!p.Terminating && p.Namespace == ns && selector.Matches(p.Labels))
            {
                n++;
            }
        }

        return n;
    }

    public Status PreFilter(CycleState state, PodInfo pod, Snapshot snapshot, out IReadOnlySet<string>? nodeNames)
    {
        nodeNames = null;
        var constraints = Select(pod, SpreadAction.DoNotSchedule);
        if (constraints.Length == 0)
        {
            return Status.Skip;
        }

        var s = new PreFilterState(constraints);
        foreach (var node in snapshot.Nodes)
        {
            var model = node.Node!;
            if (!HasAllKeys(model.Labels, constraints))
            {
                continue;
            }

            for (var i = 0; i < constraints.Length; i++)
            {
                var c = constraints[i];
                if (!PassesInclusionPolicies(c, pod, model))
                {
                    continue;
                }

                var value = model.Labels[c.TopologyKey];
                ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(s.MatchNum[i], value, out _);
                if (node.PodCount > 0)
                {
                    count += CountMatching(node, c.Selector, pod.Namespace);
                }
            }
        }

        for (var i = 0; i < constraints.Length; i++)
        {
            s.SelfMatch[i] = constraints[i].Selector.Matches(pod.Labels) ? 1 : 0;
        }

        for (var i = 0; i < constraints.Length; i++)
        {
            var min = int.MaxValue;
            foreach (var v in s.MatchNum[i].Values)
            {
                min = Math.Min(min, v);
            }

            s.MinMatchNum[i] = s.MatchNum[i].Count < constraints[i].MinDomains ? 0 : min;
        }

        state.Write(PreFilterKey, s);
        return default;
    }

    public Status Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (state.Read<PreFilterState>(PreFilterKey) is not { } s)
        {
            return Status.FromError("reading PreFilterPodTopologySpread from cycle state");
        }

        var labels = node.Node!.Labels;
        for (var i = 0; i < s.Constraints.Length; i++)
        {
            var c = s.Constraints[i];
            if (!labels.TryGetValue(c.TopologyKey, out var value))
            {
                return LabelRejected;
            }

            var skew = (long)s.MatchNum[i].GetValueOrDefault(value) + s.SelfMatch[i] - s.MinMatchNum[i];
            if (skew > c.MaxSkew)
            {
                return SkewRejected;
            }
        }

        return default;
    }

    public Status PreScore(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        var constraints = pod.TopologySpreadConstraints.Length > 0 ? Select(pod, SpreadAction.ScheduleAnyway) : DefaultConstraints(pod);
        if (constraints.Length == 0)
        {
            return Status.Skip;
        }

        // Only a pod's own constraints require nodes to have every key: with the system defaults a
        // node without a zone label still takes part in hostname spreading.
        var requireAllTopologies = pod.TopologySpreadConstraints.Length > 0 || !_systemDefaulted;
        var s = new PreScoreState(constraints);
        var sizes = new int[constraints.Length];
        foreach (var node in nodes)
        {
            var labels = node.Node!.Labels;
            if (requireAllTopologies && !HasAllKeys(labels, constraints))
            {
                s.IgnoredNodes.Add(node.Name);
                continue;
            }

            for (var i = 0; i < constraints.Length; i++)
            {
                var c = constraints[i];
                if (c.TopologyKey == Hostname)
                {
                    continue;
                }

                // A missing key counts as the "" domain, as kube indexes node.Labels[key].
                if (s.PairCounts.TryAdd((c.TopologyKey, labels.GetValueOrDefault(c.TopologyKey, "")), 0))
                {
                    sizes[i]++;
                }
            }
        }

        for (var i = 0; i < constraints.Length; i++)
        {
            var size = constraints[i].TopologyKey == Hostname ? nodes.Count - s.IgnoredNodes.Count : sizes[i];
            s.NormalizingWeight[i] = Math.Log(size + 2);
        }

        foreach (var node in snapshot.Nodes)
        {
            var model = node.Node!;
            if (requireAllTopologies && !HasAllKeys(model.Labels, constraints))
            {
                continue;
            }

            foreach (var c in constraints)
            {
                if (c.TopologyKey == Hostname || !PassesInclusionPolicies(c, pod, model))
                {
                    continue;
                }

                var pair = (c.TopologyKey, model.Labels.GetValueOrDefault(c.TopologyKey, ""));
                if (s.PairCounts.TryGetValue(pair, out var count))
                {
                    s.PairCounts[pair] = count + CountMatching(node, c.Selector, pod.Namespace);
                }
            }
        }

        state.Write(PreScoreKey, s);
        return default;
    }

    /// <summary>
    /// buildDefaultConstraints for ScheduleAnyway: the system defaults with the pod's default
    /// selector; none when the profile does not default or nothing selects the pod.
    /// </summary>
    private TopologySpreadConstraint[] DefaultConstraints(PodInfo pod)
    {
        if (!_systemDefaulted || _lister is null)
        {
            return [];
        }

        var selector = DefaultSelector(pod, _lister);
        if (selector.IsEmpty)
        {
            return [];
        }

        var constraints = new TopologySpreadConstraint[SystemDefaultConstraints.Length];
        for (var i = 0; i < constraints.Length; i++)
        {
            var (key, maxSkew) = SystemDefaultConstraints[i];
            constraints[i] = new TopologySpreadConstraint(maxSkew, key, SpreadAction.ScheduleAnyway, selector, MinDomains: 1, HonorNodeAffinity: true, HonorNodeTaints: false);
        }

        return constraints;
    }

    /// <summary>
    /// helper.DefaultSelector: the selectors of the services selecting the pod merged, and the
    /// requirements of its controlling ReplicationController, ReplicaSet or StatefulSet added.
    /// </summary>
    internal static LabelSelector DefaultSelector(PodInfo pod, IClusterLister lister)
    {
        Dictionary<string, string>? merged = null;
        foreach (var serviceSelector in lister.ServiceSelectors(pod.Namespace))
        {
            if (!MatchesMap(serviceSelector, pod.Labels))
            {
                continue;
            }

            merged ??= new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in serviceSelector)
            {
                merged[k] = v;
            }
        }

        var selector = merged is null ? LabelSelector.Everything : LabelSelector.Everything.With(merged);
        if (pod.Controller is { } owner && (owner.ApiVersion, owner.Kind) is ("v1", "ReplicationController") or ("apps/v1", "ReplicaSet") or ("apps/v1", "StatefulSet")
            && lister.WorkloadSelector(pod.Namespace, owner) is { } workload)
        {
            selector = selector.And(workload);
        }

        return selector;
    }

    private static bool MatchesMap(Dictionary<string, string> selector, Dictionary<string, string> labels)
    {
        foreach (var (k, v) in selector)
        {
            if (!labels.TryGetValue(k, out var value) || value != v)
            {
                return false;
            }
        }

        return true;
    }

    public Status Score(CycleState state, PodInfo pod, NodeInfo node, out long score)
    {
        score = 0;
        if (state.Read<PreScoreState>(PreScoreKey) is not { } s || s.IgnoredNodes.Contains(node.Name))
        {
            return default;
        }

        var labels = node.Node!.Labels;
        double total = 0;
        for (var i = 0; i < s.Constraints.Length; i++)
        {
            var c = s.Constraints[i];
            if (!labels.TryGetValue(c.TopologyKey, out var value))
            {
                continue;
            }

            long count = c.TopologyKey == Hostname ? CountMatching(node, c.Selector, pod.Namespace) : s.PairCounts.GetValueOrDefault((c.TopologyKey, value));
            total += (count * s.NormalizingWeight[i]) + (c.MaxSkew - 1);
        }

        score = (long)Math.Round(total, MidpointRounding.AwayFromZero);
        return default;
    }

    public Status NormalizeScore(CycleState state, PodInfo pod, Span<NodeScore> scores)
    {
        if (state.Read<PreScoreState>(PreScoreKey) is not { } s)
        {
            return default;
        }

        var min = long.MaxValue;
        long max = 0;
        foreach (var score in scores)
        {
            if (s.IgnoredNodes.Contains(score.Name))
            {
                continue;
            }

            min = Math.Min(min, score.Score);
            max = Math.Max(max, score.Score);
        }

        for (var i = 0; i < scores.Length; i++)
        {
            if (s.IgnoredNodes.Contains(scores[i].Name))
            {
                scores[i].Score = 0;
            }
            else if (max == 0)
            {
                scores[i].Score = NodeScores.MaxNodeScore;
            }
            else
            {
                scores[i].Score = NodeScores.MaxNodeScore * (max + min - scores[i].Score) / max;
            }
        }

        return default;
    }
}
