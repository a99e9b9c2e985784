using System.Text.Json.Nodes;
using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;
using Nautilus.Scheduler.Internal.Plugins;

namespace Nautilus.Scheduler.Internal;

/// <summary>
/// "Where would this pod go, and why": one scheduling cycle without side effects over a snapshot
/// of the live cache, with the pod's profile, recording every node's filter verdict and every
/// feasible node's score per plugin. Unlike a real cycle it filters and scores every node (the
/// scheduler stops after <c>feasibleNodesToFind</c> feasible ones), and when no node fits it runs
/// preemption as a dry run: victims are named, not evicted. The response shape is documented in
/// protos/nautilus/scheduler/v1/scheduler.proto. Each explanation clones the cache into a snapshot
/// of its own (about a millisecond per thousand nodes) and runs beside the scheduling loop.
/// </summary>
internal sealed class SchedulingExplainer(SchedulerCache cache, IReadOnlyDictionary<string, SchedulingFramework> profiles)
{
    public const string ApiVersion = "scheduling.nautilus.io/v1alpha1";
    public const string Kind = "SchedulingExplanation";

    public JsonObject Explain(PodInfo pod)
    {
        if (!profiles.TryGetValue(pod.SchedulerName, out var framework))
        {
            var served = new List<string>(profiles.Keys);
            served.Sort(StringComparer.Ordinal);
            throw new SchedulerExplainException(400, "BadRequest", $"no scheduler profile serves spec.schedulerName \"{pod.SchedulerName}\" (served: {string.Join(", ", served)})");
        }

        // A snapshot of its own: the loop's snapshot is refreshed from change tracking that only it may consume.
        return Explain(framework, pod, cache.CreateSnapshot());
    }

    /// <summary>Explains <paramref name="pod"/> over <paramref name="snapshot"/> (which is not changed).</summary>
    internal static JsonObject Explain(SchedulingFramework framework, PodInfo pod, Snapshot snapshot)
    {
        // A bound (or assumed) pod is explained as if it were pending again: off its node, spec.nodeName ignored.
        var boundTo = pod.NodeName;
        snapshot = WithoutPod(snapshot, pod);
        pod = pod with { NodeName = "" };

        var all = snapshot.Nodes;
        var result = new JsonObject
        {
            ["kind"] = Kind,
            ["apiVersion"] = ApiVersion,
            ["pod"] = new JsonObject { ["namespace"] = pod.Namespace, ["name"] = pod.Name, ["uid"] = pod.Uid.Length > 0 ? pod.Uid : null },
            ["schedulerName"] = framework.ProfileName,
            ["numAllNodes"] = all.Count,
            ["feasibleNodesToFind"] = PodScheduler.NumFeasibleNodesToFind(framework.PercentageOfNodesToScore, all.Count),
        };
        if (boundTo.Length > 0)
        {
            result["boundNode"] = boundTo;
        }

        if (pod.NominatedNodeName.Length > 0)
        {
            result["nominatedNodeName"] = pod.NominatedNodeName;
        }

        var state = new CycleState();
        var statuses = new Dictionary<string, Status>(StringComparer.Ordinal);
        var verdicts = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var feasible = new List<NodeInfo>();
        string? preFilterMessage = null;
        Status? absent = null;

        HashSet<string>? nodeNames = null;
        List<string>? restricting = null;
        var pre = all.Count == 0 ? default : framework.RunPreFilter(state, pod, snapshot, out nodeNames, out restricting);
        if (!pre.IsSuccess)
        {
            result["preFilter"] = StatusJson(pre);
            if (!pre.IsRejected)
            {
                result["error"] = pre.Message;
                return result;
            }

            preFilterMessage = pre.Message;
            absent = pre;
            foreach (var node in all)
            {
                verdicts[node.Name] = Verdict(node.Name, pre, "PreFilter");
            }
        }
        else if (all.Count > 0)
        {
            result["preFilter"] = new JsonObject { ["code"] = "Success" };
            Status? restricted = null;
            if (nodeNames is not null)
            {
                restricting!.Sort(StringComparer.Ordinal);
                restricted = Status.Unresolvable($"node(s) didn't satisfy plugin(s) [{string.Join(" ", restricting)}]").WithPlugin(string.Join(",", restricting));
                absent = restricted;
            }

            foreach (var node in all)
            {
                if (restricted is { } r && !nodeNames!.Contains(node.Name))
                {
                    verdicts[node.Name] = Verdict(node.Name, r, "PreFilter");
                    continue;
                }

                var s = framework.RunFilterWithNominatedPods(state, pod, node);
                if (s.IsSuccess)
                {
                    feasible.Add(node);
                    verdicts[node.Name] = new JsonObject { ["name"] = node.Name, ["feasible"] = true };
                    continue;
                }

                if (!s.IsRejected)
                {
                    result["error"] = s.Message;
                }

                statuses[node.Name] = s;
                verdicts[node.Name] = Verdict(node.Name, s, "Filter");
            }
        }

        var ordered = new List<JsonObject>(all.Count);
        if (feasible.Count > 0)
        {
            Score(framework, state, pod, snapshot, feasible, verdicts, result);
            feasible.Sort((a, b) =>
            {
                var c = ((long)verdicts[b.Name]["totalScore"]!).CompareTo((long)verdicts[a.Name]["totalScore"]!);
                return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
            });
            foreach (var node in feasible)
            {
                ordered.Add(verdicts[node.Name]);
            }
        }
        else if (all.Count == 0)
        {
            result["message"] = "no nodes available to schedule pods";
        }
        else if (result["error"] is null)
        {
            var post = PreemptionDryRun(framework, state, pod, snapshot, statuses, result);
            result["message"] = FitError.Message(all.Count, preFilterMessage, statuses, post, absent);
        }

        var rejected = new List<string>();
        foreach (var (name, verdict) in verdicts)
        {
            if (verdict["feasible"]!.GetValue<bool>() == false)
            {
                rejected.Add(name);
            }
        }

        rejected.Sort(StringComparer.Ordinal);
        foreach (var name in rejected)
        {
            ordered.Add(verdicts[name]);
        }

        result["feasibleNodes"] = feasible.Count;
        result["nodes"] = new JsonArray([.. ordered]);
        return result;
    }

    private static void Score(SchedulingFramework framework, CycleState state, PodInfo pod, Snapshot snapshot, List<NodeInfo> feasible, Dictionary<string, JsonObject> verdicts, JsonObject result)
    {
        var totals = new long[feasible.Count];
        var perPlugin = new List<PluginScores>();
        var pre = framework.RunPreScore(state, pod, snapshot, feasible);
        var scored = pre.IsSuccess ? framework.RunScore(state, pod, feasible, totals, perPlugin) : pre;
        if (!scored.IsSuccess)
        {
            result["error"] = scored.Message;
        }

        var skipped = new List<string>(state.SkipScorePlugins);
        skipped.Sort(StringComparer.Ordinal);
        result["skippedScorePlugins"] = new JsonArray([.. skipped.Select(s => (JsonNode)s)]);

        long best = long.MinValue;
        for (var i = 0; i < feasible.Count; i++)
        {
            var scores = new JsonArray();
            foreach (var p in perPlugin)
            {
                scores.Add(new JsonObject
                {
                    ["plugin"] = p.Plugin,
                    ["weight"] = p.Weight,
                    ["raw"] = p.Raw[i],
                    ["normalized"] = p.Normalized[i],
                    ["weighted"] = p.Normalized[i] * p.Weight,
                });
            }

            var verdict = verdicts[feasible[i].Name];
            verdict["scores"] = scores;
            verdict["totalScore"] = totals[i];
            best = Math.Max(best, totals[i]);
        }

        var tied = new List<string>();
        for (var i = 0; i < feasible.Count; i++)
        {
            if (totals[i] == best)
            {
                tied.Add(feasible[i].Name);
            }
        }

        tied.Sort(StringComparer.Ordinal);
        var nominated = pod.NominatedNodeName;
        var selected = nominated.Length > 0 && verdicts.TryGetValue(nominated, out var v) && v["feasible"]!.GetValue<bool>() ? nominated : tied[0];
        result["selectedNode"] = selected;
        result["selectionReason"] = selected == nominated ? "the pod's nominated node (from an earlier preemption) fits, and the scheduler tries it first"
            : tied.Count == 1 ? "highest total score" : $"highest total score, tied with {tied.Count - 1} other node(s); the scheduler picks one of them at random";
        result["tiedNodes"] = new JsonArray([.. tied.Select(t => (JsonNode)t)]);
    }

    /// <summary>DefaultPreemption without evicting: where the pod would be nominated and which pods would go. Returns the FitError's PostFilter part.</summary>
    private static string? PreemptionDryRun(SchedulingFramework framework, CycleState state, PodInfo pod, Snapshot snapshot, Dictionary<string, Status> statuses, JsonObject result)
    {
        foreach (var plugin in framework.PostFilterPlugins)
        {
            if (plugin is not DefaultPreemption preemption)
            {
                continue;
            }

            var s = preemption.Preempt(state, pod, snapshot, statuses, out var candidate);
            var json = new JsonObject { ["plugin"] = plugin.Name };
            if (candidate is not null)
            {
                json["nominatedNodeName"] = candidate.Node;
                json["victims"] = new JsonArray([.. candidate.Victims.Select(v => (JsonNode)new JsonObject
                {
                    ["namespace"] = v.Namespace,
                    ["name"] = v.Name,
                    ["uid"] = v.Uid,
                    ["priority"] = v.Priority,
                })]);
            }
            else
            {
                json["message"] = s.Message;
            }

            result["preemption"] = json;
            return candidate is null ? s.Message : null;
        }

        return null;
    }

    private static JsonObject Verdict(string node, Status s, string stage)
    {
        var v = new JsonObject { ["name"] = node, ["feasible"] = false, ["stage"] = stage };
        foreach (var (k, value) in StatusJson(s))
        {
            v[k] = value?.DeepClone();
        }

        return v;
    }

    private static JsonObject StatusJson(Status s) => new()
    {
        ["code"] = s.Code.ToString(),
        ["plugin"] = s.Plugin,
        ["reasons"] = new JsonArray([.. s.Reasons.Select(r => (JsonNode)r)]),
    };

    /// <summary>The snapshot with <paramref name="pod"/> taken off the node it is bound or assumed to (the snapshot itself when it is on none).</summary>
    private static Snapshot WithoutPod(Snapshot snapshot, PodInfo pod)
    {
        foreach (var node in snapshot.Nodes)
        {
            foreach (var p in node.Pods)
            {
                if (p.Equals(pod))
                {
                    var copy = new List<NodeInfo>(snapshot.Nodes);
                    var clone = node.Clone();
                    clone.RemovePod(p);
                    copy[copy.IndexOf(node)] = clone;
                    return Snapshot.From(copy);
                }
            }
        }

        return snapshot;
    }
}
