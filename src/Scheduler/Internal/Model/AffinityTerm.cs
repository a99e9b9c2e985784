using System.Text.Json.Nodes;

namespace Nautilus.Scheduler.Internal.Model;

/// <summary>
/// A pod (anti-)affinity term resolved against its owner pod, as kube's framework.AffinityTerm:
/// with neither namespaces nor namespaceSelector it covers the owner's namespace; a null
/// namespaceSelector selects no namespace, an empty one every namespace.
/// </summary>
internal sealed class AffinityTerm(LabelSelector selector, HashSet<string> namespaces, LabelSelector namespaceSelector, string topologyKey)
{
    public LabelSelector Selector { get; } = selector;

    public HashSet<string> Namespaces { get; } = namespaces;

    public LabelSelector NamespaceSelector { get; } = namespaceSelector;

    public string TopologyKey { get; } = topologyKey;

    public bool Matches(PodInfo pod, Dictionary<string, string>? namespaceLabels)
    {
        if (Namespaces.Contains(pod.Namespace) || (namespaceLabels is not null && NamespaceSelector.Matches(namespaceLabels)))
        {
            return Selector.Matches(pod.Labels);
        }

        return false;
    }

    public static AffinityTerm Parse(JsonObject term, string ownerNamespace)
    {
        var namespaces = new HashSet<string>(Json.Strings(Json.Arr(term, "namespaces")), StringComparer.Ordinal);
        var nsSelector = Json.Obj(term, "namespaceSelector");
        if (namespaces.Count == 0 && nsSelector is null)
        {
            namespaces.Add(ownerNamespace);
        }

        return new AffinityTerm(LabelSelector.Parse(Json.Obj(term, "labelSelector")), namespaces, LabelSelector.Parse(nsSelector), Json.Str(term, "topologyKey") ?? "");
    }
}

internal sealed record WeightedAffinityTerm(AffinityTerm Term, int Weight);

internal enum SpreadAction
{
    DoNotSchedule,
    ScheduleAnyway,
}

/// <summary>A topologySpreadConstraint with matchLabelKeys already folded into its selector.</summary>
internal sealed record TopologySpreadConstraint(
    int MaxSkew,
    string TopologyKey,
    SpreadAction WhenUnsatisfiable,
    LabelSelector Selector,
    int MinDomains,
    bool HonorNodeAffinity,
    bool HonorNodeTaints)
{
    public static TopologySpreadConstraint Parse(JsonObject c, Dictionary<string, string> podLabels)
    {
        var selector = LabelSelector.Parse(Json.Obj(c, "labelSelector"));
        var keys = Json.Strings(Json.Arr(c, "matchLabelKeys"));
        if (keys.Length > 0)
        {
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var key in keys)
            {
                if (podLabels.TryGetValue(key, out var value))
                {
                    pairs.Add(new(key, value));
                }
            }

            selector = selector.With(pairs);
        }

        return new TopologySpreadConstraint(
            (int)(Json.Long(c, "maxSkew") ?? 1),
            Json.Str(c, "topologyKey") ?? "",
            Json.Str(c, "whenUnsatisfiable") == "ScheduleAnyway" ? SpreadAction.ScheduleAnyway : SpreadAction.DoNotSchedule,
            selector,
            (int)(Json.Long(c, "minDomains") ?? 1),
            Json.Str(c, "nodeAffinityPolicy") != "Ignore",
            Json.Str(c, "nodeTaintsPolicy") == "Honor");
    }
}

/// <summary>A pod's controller owner reference: what default spreading looks the workload up by.</summary>
internal sealed record ControllerReference(string ApiVersion, string Kind, string Name);

/// <summary>A host port in use or wanted: hostIP (0.0.0.0 when unset), protocol (TCP when unset), port.</summary>
internal readonly record struct HostPort(string Ip, string Protocol, int Port)
{
    public const string AnyIp = "0.0.0.0";

    public bool ConflictsWith(HostPort other) =>
        Port == other.Port && Protocol == other.Protocol && (Ip == AnyIp || other.Ip == AnyIp || Ip == other.Ip);
}
