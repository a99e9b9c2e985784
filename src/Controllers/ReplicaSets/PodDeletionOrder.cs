using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.ReplicaSets;

/// <summary>A pod and the number of active related pods on its node (kube's rank).</summary>
public readonly record struct RankedPod(JsonObject Pod, int Rank);

/// <summary>
/// kube's ActivePodsWithRanks ordering (LogarithmicScaleDown and PodDeletionCost on, as in 1.32):
/// the pods sorted first are deleted first. Unassigned before assigned; Pending before Unknown
/// before Running; not ready before ready; lower pod-deletion-cost first; more related pods on the
/// same node first; ready more recently first (log2 buckets of the age, then uid); more container
/// restarts first; created more recently first (log2 buckets, then uid).
/// </summary>
public sealed class PodDeletionOrder(DateTimeOffset now) : IComparer<RankedPod>
{
    public int Compare(RankedPod x, RankedPod y) => Less(x, y) ? -1 : Less(y, x) ? 1 : 0;

    /// <summary>The first <paramref name="count"/> pods to delete (getPodsToDelete).</summary>
    public static List<JsonObject> PodsToDelete(IReadOnlyList<JsonObject> filteredPods, IEnumerable<JsonObject> relatedPods, int count, DateTimeOffset now)
    {
        if (count >= filteredPods.Count)
        {
            return [.. filteredPods];
        }

        var podsOnNode = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pod in relatedPods)
        {
            if (PodConditions.IsActive(pod))
            {
                var node = PodConditions.NodeName(pod);
                podsOnNode[node] = podsOnNode.GetValueOrDefault(node) + 1;
            }
        }

        var ranked = filteredPods.Select(p => new RankedPod(p, podsOnNode.GetValueOrDefault(PodConditions.NodeName(p)))).ToList();
        ranked.Sort(new PodDeletionOrder(now));
        return ranked.Take(count).Select(r => r.Pod).ToList();
    }

    private bool Less(RankedPod a, RankedPod b)
    {
        var (pi, pj) = (a.Pod, b.Pod);

        // 1. Unassigned < assigned
        var ni = PodConditions.NodeName(pi);
        var nj = PodConditions.NodeName(pj);
        if (ni != nj && (ni.Length == 0 || nj.Length == 0))
        {
            return ni.Length == 0;
        }

        // 2. Pending < Unknown < Running
        var oi = PhaseOrdinal(PodConditions.Phase(pi));
        var oj = PhaseOrdinal(PodConditions.Phase(pj));
        if (oi != oj)
        {
            return oi < oj;
        }

        // 3. Not ready < ready
        var ri = PodConditions.IsReady(pi);
        var rj = PodConditions.IsReady(pj);
        if (ri != rj)
        {
            return !ri;
        }

        // 4. Lower pod-deletion-cost < higher
        var ci = PodConditions.DeletionCost(pi);
        var cj = PodConditions.DeletionCost(pj);
        if (ci != cj)
        {
            return ci < cj;
        }

        // 5. Doubled up < not doubled up
        if (a.Rank != b.Rank)
        {
            return a.Rank > b.Rank;
        }

        // 6. Been ready for less time < more time
        if (ri && rj)
        {
            var ti = PodConditions.ReadyTime(pi);
            var tj = PodConditions.ReadyTime(pj);
            if (ti != tj)
            {
                if (ti is null || tj is null)
                {
                    return AfterOrZero(ti, tj);
                }

                var diff = LogarithmicRankDiff(ti.Value, tj.Value);
                return diff == 0 ? string.CompareOrdinal(KubeObject.Uid(pi), KubeObject.Uid(pj)) < 0 : diff < 0;
            }
        }

        // 7. Higher restart counts < lower
        var mi = PodConditions.MaxContainerRestarts(pi);
        var mj = PodConditions.MaxContainerRestarts(pj);
        if (mi != mj)
        {
            return mi > mj;
        }

        // 8. Empty creation time < newer < older
        var ki = KubeObject.CreationTimestamp(pi);
        var kj = KubeObject.CreationTimestamp(pj);
        if (ki != kj)
        {
            if (ki is null || kj is null)
            {
                return AfterOrZero(ki, kj);
            }

            var diff = LogarithmicRankDiff(ki.Value, kj.Value);
            return diff == 0 ? string.CompareOrdinal(KubeObject.Uid(pi), KubeObject.Uid(pj)) < 0 : diff < 0;
        }

        return false;
    }

    /// <summary>Go's podPhaseToOrdinal: Pending 0, Unknown 1, Running 2; any other phase 0.</summary>
    private static int PhaseOrdinal(string phase) => phase switch
    {
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };

    private static bool AfterOrZero(DateTimeOffset? t1, DateTimeOffset? t2) =>
        t1 is null || t2 is null ? t1 is null : t1 > t2;

    /// <summary>The difference of the base-2 logarithms of the two ages in nanoseconds (kube's logarithmicRankDiff).</summary>
    private long LogarithmicRankDiff(DateTimeOffset t1, DateTimeOffset t2) => LogRank(now - t1) - LogRank(now - t2);

    private static long LogRank(TimeSpan age) => age > TimeSpan.Zero ? (long)Math.Log2(age.Ticks * 100.0) : -1;
}
