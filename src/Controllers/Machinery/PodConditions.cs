using System.Globalization;
using System.Text.Json.Nodes;

namespace Nautilus.Controllers.Machinery;

/// <summary>kube's podutil readiness and availability rules over pod JSON.</summary>
public static class PodConditions
{
    public static string Phase(JsonObject pod) => KubeObject.String(pod["status"] as JsonObject, "phase") ?? "";

    public static string NodeName(JsonObject pod) => KubeObject.String(pod["spec"] as JsonObject, "nodeName") ?? "";

    /// <summary>controller.IsPodActive: not Succeeded, not Failed, not being deleted.</summary>
    public static bool IsActive(JsonObject pod)
    {
        var phase = Phase(pod);
        return phase != "Succeeded" && phase != "Failed" && !KubeObject.IsBeingDeleted(pod);
    }

    /// <summary>The Ready condition, if the pod has one.</summary>
    public static JsonObject? ReadyCondition(JsonObject pod)
    {
        if ((pod["status"] as JsonObject)?["conditions"] is JsonArray conditions)
        {
            foreach (var c in conditions)
            {
                if (c is JsonObject condition && KubeObject.String(condition, "type") == "Ready")
                {
                    return condition;
                }
            }
        }

        return null;
    }

    public static bool IsReady(JsonObject pod) => KubeObject.String(ReadyCondition(pod), "status") == "True";

    /// <summary>When the pod last became ready (the Ready condition's lastTransitionTime); null when not ready.</summary>
    public static DateTimeOffset? ReadyTime(JsonObject pod)
    {
        var c = ReadyCondition(pod);
        return KubeObject.String(c, "status") == "True" ? KubeObject.Time(c, "lastTransitionTime") : null;
    }

    /// <summary>podutil.IsPodAvailable: ready for at least <paramref name="minReadySeconds"/>.</summary>
    public static bool IsAvailable(JsonObject pod, long minReadySeconds, DateTimeOffset now)
    {
        if (!IsReady(pod))
        {
            return false;
        }

        if (minReadySeconds == 0)
        {
            return true;
        }

        var since = KubeObject.Time(ReadyCondition(pod), "lastTransitionTime");
        return since is { } t && t.AddSeconds(minReadySeconds) < now;
    }

    /// <summary>The highest restartCount of the pod's containers.</summary>
    public static long MaxContainerRestarts(JsonObject pod)
    {
        long max = 0;
        if ((pod["status"] as JsonObject)?["containerStatuses"] is JsonArray statuses)
        {
            foreach (var s in statuses)
            {
                max = Math.Max(max, KubeObject.Int(s as JsonObject, "restartCount"));
            }
        }

        return max;
    }

    /// <summary>The controller.kubernetes.io/pod-deletion-cost annotation (an int32; 0 when absent or invalid).</summary>
    public static int DeletionCost(JsonObject pod) =>
        KubeObject.Annotation(pod, "controller.kubernetes.io/pod-deletion-cost") is { } s && int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cost) ? cost : 0;
}
