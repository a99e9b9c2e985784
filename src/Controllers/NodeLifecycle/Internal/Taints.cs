using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.NodeLifecycle.Internal;

/// <summary>A node taint (spec.taints[]); two taints are the same taint when key and effect match.</summary>
internal sealed record Taint(string Key, string? Value, string Effect, string? TimeAdded = null)
{
    public const string NoSchedule = "NoSchedule";
    public const string NoExecute = "NoExecute";

    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unreachable = "node.kubernetes.io/unreachable";
    public const string Unschedulable = "node.kubernetes.io/unschedulable";
    public const string MemoryPressure = "node.kubernetes.io/memory-pressure";
    public const string DiskPressure = "node.kubernetes.io/disk-pressure";
    public const string NetworkUnavailable = "node.kubernetes.io/network-unavailable";
    public const string PidPressure = "node.kubernetes.io/pid-pressure";

    public bool Matches(Taint other) => Key == other.Key && Effect == other.Effect;

    public JsonObject ToJson()
    {
        var obj = new JsonObject { ["key"] = Key };
        if (!string.IsNullOrEmpty(Value))
        {
            obj["value"] = Value;
        }

        obj["effect"] = Effect;
        if (TimeAdded is not null)
        {
            obj["timeAdded"] = TimeAdded;
        }

        return obj;
    }

    public static List<Taint> Of(JsonObject node)
    {
        var result = new List<Taint>();
        foreach (var taint in KubeFields.Objects(node["spec"], "taints"))
        {
            result.Add(new Taint(KubeFields.String(taint, "key") ?? "", KubeFields.String(taint, "value"), KubeFields.String(taint, "effect") ?? "", KubeFields.String(taint, "timeAdded")));
        }

        return result;
    }

    public static bool Exists(IEnumerable<Taint> taints, Taint template) => taints.Any(t => t.Matches(template));
}

/// <summary>A pod toleration (spec.tolerations[]).</summary>
internal sealed record Toleration(string Key, string Operator, string Value, string Effect, long? TolerationSeconds)
{
    /// <summary>v1.Toleration.ToleratesTaint: effect and key match when set; Exists matches any value, Equal (or empty) the same value.</summary>
    public bool Tolerates(Taint taint)
    {
        if (Effect.Length > 0 && Effect != taint.Effect)
        {
            return false;
        }

        if (Key.Length > 0 && Key != taint.Key)
        {
            return false;
        }

        return Operator switch
        {
            "" or "Equal" => Value == (taint.Value ?? ""),
            "Exists" => true,
            _ => false,
        };
    }

    public static List<Toleration> Of(JsonObject pod)
    {
        var result = new List<Toleration>();
        foreach (var toleration in KubeFields.Objects(pod["spec"], "tolerations"))
        {
            result.Add(new Toleration(
                KubeFields.String(toleration, "key") ?? "",
                KubeFields.String(toleration, "operator") ?? "",
                KubeFields.String(toleration, "value") ?? "",
                KubeFields.String(toleration, "effect") ?? "",
                KubeFields.Long(toleration, "tolerationSeconds")));
        }

        return result;
    }

    /// <summary>v1helper.GetMatchingTolerations: whether every taint is tolerated, and the first toleration matching each.</summary>
    public static (bool AllTolerated, List<Toleration> Used) Matching(List<Taint> taints, List<Toleration> tolerations)
    {
        var used = new List<Toleration>();
        foreach (var taint in taints)
        {
            var match = tolerations.FirstOrDefault(t => t.Tolerates(taint));
            if (match is null)
            {
                return (false, []);
            }

            used.Add(match);
        }

        return (true, used);
    }

    /// <summary>getMinTolerationTime: the smallest tolerationSeconds (0 when none is used or one is ≤ 0); null for forever.</summary>
    public static TimeSpan? MinTolerationTime(List<Toleration> used)
    {
        if (used.Count == 0)
        {
            return TimeSpan.Zero;
        }

        long? min = null;
        foreach (var toleration in used)
        {
            if (toleration.TolerationSeconds is { } seconds)
            {
                if (seconds <= 0)
                {
                    return TimeSpan.Zero;
                }

                min = min is { } m && m < seconds ? m : seconds;
            }
        }

        return min is { } value ? TimeSpan.FromSeconds(value) : null;
    }
}
