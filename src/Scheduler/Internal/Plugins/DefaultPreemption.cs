using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>The node preemption picked and the pods it evicts there, most important first.</summary>
internal sealed record PreemptionCandidate(string Node, IReadOnlyList<PodInfo> Victims);

/// <summary>
/// PostFilter, as kube-scheduler 1.32's DefaultPreemption: when no node fits, finds nodes where
/// evicting pods of lower priority lets the pod fit (dry runs on copies of the nodes, keeping as
/// many of the would-be victims as still fit, most important first), picks one by kube's criteria
/// (lowest highest-victim priority, lowest priority sum, fewest victims, latest start of the most
/// important victims), evicts its victims (DisruptionTarget condition, graceful DELETE,
/// "Preempted" event) and nominates the node. PodDisruptionBudgets are not served, so none is
/// violated. Cycle state computed in PreFilter (pod affinity and spread counts) is not adjusted for
/// the removed pods, as kube's PreFilterExtensions would; resource, port and taint fits are exact.
/// </summary>
internal sealed class DefaultPreemption(FrameworkHandle handle) : IPostFilterPlugin
{
    public const string PluginName = "DefaultPreemption";
    public const string NotHelpful = "Preemption is not helpful for scheduling";
    public const string NoVictims = "No preemption victims found for incoming pod";
    public const string NotEligibleNever = "not eligible due to preemptionPolicy=Never.";
    public const string NotEligibleTerminating = "not eligible due to a terminating pod on the nominated node.";
    private const int MinCandidateNodesPercentage = 10;
    private const int MinCandidateNodesAbsolute = 100;

    private static readonly Status NotHelpfulStatus = Status.Unresolvable(NotHelpful);
    private static readonly Status NoVictimsStatus = Status.Unresolvable(NoVictims);

    public string Name => PluginName;

    public Status PostFilter(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyDictionary<string, Status> nodeStatuses, out string? nominatedNode)
    {
        handle.Metrics?.PreemptionAttempted();
        var status = Preempt(state, pod, snapshot, nodeStatuses, out var candidate, out var eligible);

        // An ineligible pod keeps its nomination (its victims are still terminating); one that no
        // preemption can help loses it (""), as kube's NominatingInfo with an empty node.
        nominatedNode = candidate?.Node ?? (eligible ? "" : null);
        if (candidate is not null)
        {
            handle.Metrics?.PreemptionVictims(candidate.Victims.Count);
            Evict(pod, candidate);
        }

        return status;
    }

    /// <summary>
    /// The preemption decision without side effects (explanations call it as a dry run). Success
    /// with a candidate; otherwise a status whose message is kube's "preemption: ..." part of the
    /// FitError. A null candidate with success never happens.
    /// </summary>
    internal Status Preempt(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyDictionary<string, Status> nodeStatuses, out PreemptionCandidate? candidate) =>
        Preempt(state, pod, snapshot, nodeStatuses, out candidate, out _);

    private Status Preempt(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyDictionary<string, Status> nodeStatuses, out PreemptionCandidate? candidate, out bool eligible)
    {
        candidate = null;
        eligible = EligibleToPreemptOthers(pod, snapshot, nodeStatuses, out var notEligible);
        if (!eligible)
        {
            return Status.Unschedulable("preemption: " + notEligible);
        }

        var statuses = new Dictionary<string, Status>(snapshot.NumNodes, StringComparer.Ordinal);
        var potential = new List<NodeInfo>();
        foreach (var node in snapshot.Nodes)
        {
            // Only nodes that failed with a resolvable status may be helped; absent ones were excluded before filtering.
            if (!nodeStatuses.TryGetValue(node.Name, out var s) || s.Code == StatusCode.UnschedulableAndUnresolvable)
            {
                statuses[node.Name] = NotHelpfulStatus;
                continue;
            }

            potential.Add(node);
        }

        var candidates = new List<PreemptionCandidate>();
        if (potential.Count > 0)
        {
            var wanted = NumCandidates(potential.Count);
            var offset = Random.Shared.Next(potential.Count);
            for (var k = 0; k < potential.Count && candidates.Count < wanted; k++)
            {
                var node = potential[(offset + k) % potential.Count];
                var victims = SelectVictimsOnNode(state, pod, node, out var status);
                if (status.IsSuccess && victims.Count > 0)
                {
                    candidates.Add(new PreemptionCandidate(node.Name, victims));
                    continue;
                }

                statuses[node.Name] = status.IsSuccess ? Status.FromError($"expected at least one victim pod on node \"{node.Name}\"") : status;
            }
        }

        if (candidates.Count == 0)
        {
            return Status.Unschedulable("preemption: " + FitError.Message(snapshot.NumNodes, null, statuses, null, NotHelpfulStatus));
        }

        candidate = SelectCandidate(candidates);
        return default;
    }

    /// <summary>kube's PodEligibleToPreemptOthers.</summary>
    private static bool EligibleToPreemptOthers(PodInfo pod, Snapshot snapshot, IReadOnlyDictionary<string, Status> nodeStatuses, out string message)
    {
        message = "";
        if (pod.PreemptionPolicy == "Never")
        {
            message = NotEligibleNever;
            return false;
        }

        var nominated = pod.NominatedNodeName;
        if (nominated.Length == 0)
        {
            return true;
        }

        // A nominated node the filters now call unresolvable is no reason to wait.
        if (nodeStatuses.TryGetValue(nominated, out var s) && s.Code == StatusCode.UnschedulableAndUnresolvable)
        {
            return true;
        }

        if (snapshot.Get(nominated) is { } node)
        {
            foreach (var p in node.Pods)
            {
                if (p.Priority < pod.Priority && p.TerminatingByPreemption)
                {
                    message = NotEligibleTerminating;
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>10% of the potential nodes, at least 100, at most all of them.</summary>
    internal static int NumCandidates(int potentialNodes)
    {
        var n = potentialNodes * MinCandidateNodesPercentage / 100;
        if (n < MinCandidateNodesAbsolute)
        {
            n = MinCandidateNodesAbsolute;
        }

        return Math.Min(n, potentialNodes);
    }

    /// <summary>
    /// kube's SelectVictimsOnNode: removes every lower-priority pod from a copy of the node; if the
    /// pod then fits, adds them back most important first, keeping each one that still lets it fit.
    /// </summary>
    internal List<PodInfo> SelectVictimsOnNode(CycleState state, PodInfo pod, NodeInfo node, out Status status)
    {
        var whatIf = node.Clone();
        var potential = new List<PodInfo>();
        foreach (var p in node.Pods)
        {
            if (p.Priority < pod.Priority)
            {
                potential.Add(p);
                whatIf.RemovePod(p);
            }
        }

        var victims = new List<PodInfo>();
        if (potential.Count == 0)
        {
            status = NoVictimsStatus;
            return victims;
        }

        status = Fits(state, pod, whatIf);
        if (!status.IsSuccess)
        {
            return victims;
        }

        var now = handle.Time.GetUtcNow();
        potential.Sort((a, b) => MoreImportantFirst(a, b, now));
        foreach (var p in potential)
        {
            whatIf.AddPod(p);
            if (!Fits(state, pod, whatIf).IsSuccess)
            {
                whatIf.RemovePod(p);
                victims.Add(p);
            }
        }

        status = default;
        return victims;
    }

    private Status Fits(CycleState state, PodInfo pod, NodeInfo node) =>
        handle.RunFiltersWithNominatedPods?.Invoke(state, pod, node) ?? handle.RunFilters?.Invoke(state, pod, node) ?? default;

    /// <summary>kube's MoreImportantPod: higher priority, then earlier start (a pod not started yet counts as starting now).</summary>
    private static int MoreImportantFirst(PodInfo a, PodInfo b, DateTimeOffset now)
    {
        var p = b.Priority.CompareTo(a.Priority);
        return p != 0 ? p : StartTime(a, now).CompareTo(StartTime(b, now));
    }

    private static DateTimeOffset StartTime(PodInfo pod, DateTimeOffset now) => pod.StartTime ?? now;

    /// <summary>kube's pickOneNodeForPreemption (every candidate violates zero PodDisruptionBudgets).</summary>
    internal PreemptionCandidate SelectCandidate(List<PreemptionCandidate> candidates)
    {
        var now = handle.Time.GetUtcNow();
        IEnumerable<PreemptionCandidate> best = candidates;
        best = Lowest(best, c => c.Victims[0].Priority);
        best = Lowest(best, c =>
        {
            long sum = 0;
            foreach (var v in c.Victims)
            {
                sum += v.Priority + (long)int.MaxValue + 1;
            }

            return sum;
        });
        best = Lowest(best, c => c.Victims.Count);
        best = Lowest(best, c => -EarliestStartOfMostImportant(c, now).UtcTicks);
        return best.First();
    }

    private static List<PreemptionCandidate> Lowest(IEnumerable<PreemptionCandidate> candidates, Func<PreemptionCandidate, long> key)
    {
        var result = new List<PreemptionCandidate>();
        var min = long.MaxValue;
        foreach (var c in candidates)
        {
            var k = key(c);
            if (k < min)
            {
                min = k;
                result.Clear();
            }

            if (k == min)
            {
                result.Add(c);
            }
        }

        return result;
    }

    private static DateTimeOffset EarliestStartOfMostImportant(PreemptionCandidate c, DateTimeOffset now)
    {
        var highest = c.Victims[0].Priority;
        var earliest = DateTimeOffset.MaxValue;
        foreach (var v in c.Victims)
        {
            if (v.Priority == highest && StartTime(v, now) < earliest)
            {
                earliest = StartTime(v, now);
            }
        }

        return earliest;
    }

    /// <summary>
    /// kube's prepareCandidate: each victim gets a DisruptionTarget condition, a graceful DELETE and
    /// a Preempted event; lower-priority pods nominated to the node lose their nomination. The
    /// writes run in the background: a failed one leaves the victim running, and the preemptor,
    /// still unschedulable, tries again.
    /// </summary>
    private void Evict(PodInfo preemptor, PreemptionCandidate candidate)
    {
        if (handle.Api is not { } api)
        {
            return;
        }

        foreach (var victim in candidate.Victims)
        {
            Observe(api.PreemptAsync(victim, preemptor, candidate.Node, CancellationToken.None));
        }

        if (handle.Nominator is { } nominator)
        {
            foreach (var p in nominator.LowerPriorityOn(candidate.Node, preemptor.Priority))
            {
                nominator.Remove(p);
                Observe(api.ClearNominatedNodeNameAsync(p, CancellationToken.None));
            }
        }
    }

    private static void Observe(Task write) =>
        write.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
