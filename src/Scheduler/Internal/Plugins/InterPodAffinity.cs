using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>
/// Filter: required pod affinity and anti-affinity of the pod, and the required anti-affinity of
/// pods already placed, per topology domain (kube's InterPodAffinity, counts computed in
/// PreFilter). Score: preferred terms of the pod and of existing pods, plus existing pods' required
/// affinity at hardPodAffinityWeight 1, summed per domain and normalized to [0, 100].
/// namespaceSelector terms are resolved against the namespaces known to the lister.
/// </summary>
internal sealed class InterPodAffinity(FrameworkHandle handle) : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin, IScoreExtensions, IEnqueueExtensions
{
    public const string PluginName = "InterPodAffinity";
    public const string ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
    public const string ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
    public const string ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
    private const string PreFilterKey = "PreFilter" + PluginName;
    private const string PreScoreKey = "PreScore" + PluginName;
    private const int HardPodAffinityWeight = 1;

    private static readonly Status AffinityRejected = Status.Unresolvable(ErrReasonAffinityRulesNotMatch);
    private static readonly Status AntiAffinityRejected = Status.Unschedulable(ErrReasonAntiAffinityRulesNotMatch);
    private static readonly Status ExistingAntiAffinityRejected = Status.Unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);

    private sealed class PreFilterState
    {
        public readonly Dictionary<(string, string), long> ExistingAntiAffinityCounts = [];
        public readonly Dictionary<(string, string), long> AffinityCounts = [];
        public readonly Dictionary<(string, string), long> AntiAffinityCounts = [];
        public AffinityTerm[] AffinityTerms = [];
        public AffinityTerm[] AntiAffinityTerms = [];
        public bool PodMatchesOwnAffinity;
    }

    private sealed class PreScoreState
    {
        public readonly Dictionary<string, Dictionary<string, long>> TopologyScore = new(StringComparer.Ordinal);
    }

    public string Name => PluginName;

    public ClusterEvents EventsToRegister => ClusterEvents.AssignedPodAdd | ClusterEvents.AssignedPodUpdate | ClusterEvents.AssignedPodDelete | ClusterEvents.NodeAdd | ClusterEvents.NodeUpdate | ClusterEvents.NamespaceChange;

    public IScoreExtensions ScoreExtensions => this;

    public Status PreFilter(CycleState state, PodInfo pod, Snapshot snapshot, out IReadOnlySet<string>? nodeNames)
    {
        nodeNames = null;
        if (pod.RequiredAffinityTerms.Length == 0 && pod.RequiredAntiAffinityTerms.Length == 0 && snapshot.HavePodsWithRequiredAntiAffinity.Count == 0)
        {
            return Status.Skip;
        }

        var s = new PreFilterState
        {
            AffinityTerms = MergeNamespaces(pod.RequiredAffinityTerms),
            AntiAffinityTerms = MergeNamespaces(pod.RequiredAntiAffinityTerms),
        };
        var nsLabels = handle.Lister.NamespaceLabels(pod.Namespace) ?? [];

        // Existing pods whose required anti-affinity matches the incoming pod block their domains.
        s.ExistingAntiAffinityCounts.EnsureCapacity(snapshot.HavePodsWithRequiredAntiAffinity.Count);
        foreach (var node in snapshot.HavePodsWithRequiredAntiAffinity)
        {
            var labels = node.Node!.Labels;
            foreach (var existing in node.PodsWithRequiredAntiAffinity)
            {
                foreach (var term in existing.RequiredAntiAffinityTerms)
                {
                    if (labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(pod, nsLabels))
                    {
                        Increment(s.ExistingAntiAffinityCounts, term.TopologyKey, value, 1);
                    }
                }
            }
        }

        if (s.AffinityTerms.Length > 0 || s.AntiAffinityTerms.Length > 0)
        {
            foreach (var node in snapshot.Nodes)
            {
                if (node.PodCount == 0)
                {
                    continue;
                }

                var labels = node.Node!.Labels;
                foreach (var existing in node.Pods)
                {
                    if (s.AffinityTerms.Length > 0 && MatchesAll(s.AffinityTerms, existing))
                    {
                        foreach (var term in s.AffinityTerms)
                        {
                            if (labels.TryGetValue(term.TopologyKey, out var value))
                            {
                                Increment(s.AffinityCounts, term.TopologyKey, value, 1);
                            }
                        }
                    }

                    foreach (var term in s.AntiAffinityTerms)
                    {
                        if (labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(existing, null))
                        {
                            Increment(s.AntiAffinityCounts, term.TopologyKey, value, 1);
                        }
                    }
                }
            }
        }

        s.PodMatchesOwnAffinity = MatchesAll(s.AffinityTerms, pod);
        state.Write(PreFilterKey, s);
        return default;
    }

    private static bool MatchesAll(AffinityTerm[] terms, PodInfo pod)
    {
        if (terms.Length == 0)
        {
            return false;
        }

        foreach (var t in terms)
        {
            if (!t.Matches(pod, null))
            {
                return false;
            }
        }

        return true;
    }

    private static void Increment<TKey>(Dictionary<TKey, long> counts, TKey key, long delta)
        where TKey : notnull
    {
        if (delta > 0)
        {
            // Counting up (every PreFilter count): one lookup, never a zero to remove.
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _) += delta;
            return;
        }

        var v = counts.GetValueOrDefault(key) + delta;
        if (v == 0)
        {
            counts.Remove(key);
        }
        else
        {
            counts[key] = v;
        }
    }

    private static void Increment(Dictionary<(string, string), long> counts, string key, string value, long delta) => Increment(counts, (key, value), delta);

    /// <summary>Replaces a term's namespaceSelector by the namespaces it selects now (kube's mergeAffinityTermNamespacesIfNotEmpty).</summary>
    private AffinityTerm[] MergeNamespaces(AffinityTerm[] terms)
    {
        AffinityTerm[]? merged = null;
        for (var i = 0; i < terms.Length; i++)
        {
            var t = terms[i];
            if (ReferenceEquals(t.NamespaceSelector, LabelSelector.Nothing))
            {
                continue;
            }

            var namespaces = new HashSet<string>(t.Namespaces, StringComparer.Ordinal);
            foreach (var (name, labels) in handle.Lister.Namespaces())
            {
                if (t.NamespaceSelector.Matches(labels))
                {
                    namespaces.Add(name);
                }
            }

            merged ??= (AffinityTerm[])terms.Clone();
            merged[i] = new AffinityTerm(t.Selector, namespaces, LabelSelector.Nothing, t.TopologyKey);
        }

        return merged ?? terms;
    }

    private WeightedAffinityTerm[] MergeNamespaces(WeightedAffinityTerm[] terms)
    {
        WeightedAffinityTerm[]? merged = null;
        for (var i = 0; i < terms.Length; i++)
        {
            if (ReferenceEquals(terms[i].Term.NamespaceSelector, LabelSelector.Nothing))
            {
                continue;
            }

            merged ??= (WeightedAffinityTerm[])terms.Clone();
            merged[i] = terms[i] with { Term = MergeNamespaces([terms[i].Term])[0] };
        }

        return merged ?? terms;
    }

    public Status Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (state.Read<PreFilterState>(PreFilterKey) is not { } s)
        {
            return Status.FromError("reading PreFilterInterPodAffinity from cycle state");
        }

        var labels = node.Node!.Labels;
        if (!SatisfiesAffinity(s, labels))
        {
            return AffinityRejected;
        }

        foreach (var term in s.AntiAffinityTerms)
        {
            if (labels.TryGetValue(term.TopologyKey, out var value) && s.AntiAffinityCounts.GetValueOrDefault((term.TopologyKey, value)) > 0)
            {
                return AntiAffinityRejected;
            }
        }

        if (s.ExistingAntiAffinityCounts.Count > 0)
        {
            foreach (var (k, v) in labels)
            {
                if (s.ExistingAntiAffinityCounts.GetValueOrDefault((k, v)) > 0)
                {
                    return ExistingAntiAffinityRejected;
                }
            }
        }

        return default;
    }

    private static bool SatisfiesAffinity(PreFilterState s, Dictionary<string, string> labels)
    {
        var podsExist = true;
        foreach (var term in s.AffinityTerms)
        {
            if (!labels.TryGetValue(term.TopologyKey, out var value))
            {
                return false; // every topology label must exist on the node
            }

            if (s.AffinityCounts.GetValueOrDefault((term.TopologyKey, value)) <= 0)
            {
                podsExist = false;
            }
        }

        // The first pod of a group with affinity to itself may go anywhere its topology exists.
        return podsExist || (s.AffinityCounts.Count == 0 && s.PodMatchesOwnAffinity);
    }

    public Status PreScore(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        var hasConstraints = pod.PreferredAffinityTerms.Length > 0 || pod.PreferredAntiAffinityTerms.Length > 0;
        var candidates = hasConstraints ? snapshot.Nodes : snapshot.HavePodsWithAffinity;
        if (candidates.Count == 0)
        {
            return Status.Skip;
        }

        var preferredAffinity = MergeNamespaces(pod.PreferredAffinityTerms);
        var preferredAntiAffinity = MergeNamespaces(pod.PreferredAntiAffinityTerms);
        var nsLabels = handle.Lister.NamespaceLabels(pod.Namespace) ?? [];
        var s = new PreScoreState();
        foreach (var node in candidates)
        {
            var labels = node.Node!.Labels;
            if (labels.Count == 0)
            {
                continue;
            }

            var pods = hasConstraints ? node.Pods : node.PodsWithAffinity;
            foreach (var existing in pods)
            {
                foreach (var t in preferredAffinity)
                {
                    Add(s, t.Term, t.Weight, existing, null, labels);
                }

                foreach (var t in preferredAntiAffinity)
                {
                    Add(s, t.Term, -t.Weight, existing, null, labels);
                }

                foreach (var t in existing.RequiredAffinityTerms)
                {
                    Add(s, t, HardPodAffinityWeight, pod, nsLabels, labels);
                }

                foreach (var t in existing.PreferredAffinityTerms)
                {
                    Add(s, t.Term, t.Weight, pod, nsLabels, labels);
                }

                foreach (var t in existing.PreferredAntiAffinityTerms)
                {
                    Add(s, t.Term, -t.Weight, pod, nsLabels, labels);
                }
            }
        }

        if (s.TopologyScore.Count == 0)
        {
            return Status.Skip;
        }

        state.Write(PreScoreKey, s);
        return default;
    }

    private static void Add(PreScoreState s, AffinityTerm term, long weight, PodInfo target, Dictionary<string, string>? nsLabels, Dictionary<string, string> nodeLabels)
    {
        if (!nodeLabels.TryGetValue(term.TopologyKey, out var value) || !term.Matches(target, nsLabels))
        {
            return;
        }

        if (!s.TopologyScore.TryGetValue(term.TopologyKey, out var values))
        {
            values = new Dictionary<string, long>(StringComparer.Ordinal);
            s.TopologyScore[term.TopologyKey] = values;
        }

        values[value] = values.GetValueOrDefault(value) + weight;
    }

    public Status Score(CycleState state, PodInfo pod, NodeInfo node, out long score)
    {
        score = 0;
        if (state.Read<PreScoreState>(PreScoreKey) is not { } s)
        {
            return default;
        }

        var labels = node.Node!.Labels;
        foreach (var (key, values) in s.TopologyScore)
        {
            if (labels.TryGetValue(key, out var value))
            {
                score += values.GetValueOrDefault(value);
            }
        }

        return default;
    }

    public Status NormalizeScore(CycleState state, PodInfo pod, Span<NodeScore> scores)
    {
        if (state.Read<PreScoreState>(PreScoreKey) is not { TopologyScore.Count: > 0 })
        {
            return default;
        }

        var min = long.MaxValue;
        var max = long.MinValue;
        foreach (var s in scores)
        {
            min = Math.Min(min, s.Score);
            max = Math.Max(max, s.Score);
        }

        var diff = max - min;
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i].Score = diff > 0 ? (long)(NodeScores.MaxNodeScore * ((double)(scores[i].Score - min) / diff)) : 0;
        }

        return default;
    }
}
