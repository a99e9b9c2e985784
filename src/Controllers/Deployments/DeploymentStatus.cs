using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Deployments;

/// <summary>apps/v1 DeploymentStatus, written in kube's field order with its omitempty rules.</summary>
internal sealed class DeploymentStatus
{
    public const string Available = "Available";
    public const string Progressing = "Progressing";
    public const string ReplicaFailure = "ReplicaFailure";

    public long ObservedGeneration { get; set; }

    public long Replicas { get; set; }

    public long UpdatedReplicas { get; set; }

    public long ReadyReplicas { get; set; }

    public long AvailableReplicas { get; set; }

    public long UnavailableReplicas { get; set; }

    public List<JsonObject> Conditions { get; } = [];

    public long? CollisionCount { get; set; }

    public static DeploymentStatus FromJson(JsonObject? status)
    {
        var s = new DeploymentStatus
        {
            ObservedGeneration = KubeObject.Int(status, "observedGeneration"),
            Replicas = KubeObject.Int(status, "replicas"),
            UpdatedReplicas = KubeObject.Int(status, "updatedReplicas"),
            ReadyReplicas = KubeObject.Int(status, "readyReplicas"),
            AvailableReplicas = KubeObject.Int(status, "availableReplicas"),
            UnavailableReplicas = KubeObject.Int(status, "unavailableReplicas"),
            CollisionCount = KubeObject.AsInt(status?["collisionCount"]),
        };
        foreach (var c in status?["conditions"] as JsonArray ?? [])
        {
            if (c is JsonObject condition)
            {
                s.Conditions.Add((JsonObject)condition.DeepClone());
            }
        }

        return s;
    }

    public JsonObject ToJson()
    {
        var o = new JsonObject();
        Add(o, "observedGeneration", ObservedGeneration);
        Add(o, "replicas", Replicas);
        Add(o, "updatedReplicas", UpdatedReplicas);
        Add(o, "readyReplicas", ReadyReplicas);
        Add(o, "availableReplicas", AvailableReplicas);
        Add(o, "unavailableReplicas", UnavailableReplicas);
        if (Conditions.Count > 0)
        {
            o["conditions"] = new JsonArray([.. Conditions.Select(c => c.DeepClone())]);
        }

        if (CollisionCount is { } count)
        {
            o["collisionCount"] = count;
        }

        return o;
    }

    public JsonObject? Condition(string type) => Conditions.FirstOrDefault(c => KubeObject.String(c, "type") == type);

    public void RemoveCondition(string type) => Conditions.RemoveAll(c => KubeObject.String(c, "type") == type);

    /// <summary>
    /// deploymentutil.SetDeploymentCondition: no change when status and reason are the same; the
    /// lastTransitionTime is kept when only the reason changes; the condition moves to the end.
    /// </summary>
    public void SetCondition(JsonObject condition)
    {
        var current = Condition(KubeObject.String(condition, "type") ?? "");
        var status = KubeObject.String(condition, "status");
        if (current is not null && KubeObject.String(current, "status") == status && KubeObject.String(current, "reason") == KubeObject.String(condition, "reason"))
        {
            return;
        }

        if (current is not null && KubeObject.String(current, "status") == status)
        {
            condition["lastTransitionTime"] = current["lastTransitionTime"]?.DeepClone();
        }

        RemoveCondition(KubeObject.String(condition, "type") ?? "");
        Conditions.Add(condition);
    }

    public static JsonObject NewCondition(string type, string status, string reason, string message, DateTimeOffset now)
    {
        var t = KubeObject.FormatTime(now);
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastUpdateTime"] = t,
            ["lastTransitionTime"] = t,
            ["reason"] = reason,
            ["message"] = message,
        };
    }

    private static void Add(JsonObject o, string field, long value)
    {
        if (value != 0)
        {
            o[field] = value;
        }
    }
}
