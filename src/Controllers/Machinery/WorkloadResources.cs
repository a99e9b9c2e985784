using Nautilus.Controllers.Client;

namespace Nautilus.Controllers.Machinery;

/// <summary>The resources the workload controllers read and write.</summary>
public static class WorkloadResources
{
    public static readonly ApiResource Pods = new("", "v1", "pods", "Pod", true);

    public static readonly ApiResource ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true);

    public static readonly ApiResource Deployments = new("apps", "v1", "deployments", "Deployment", true);

    public static readonly ApiResource Events = new("", "v1", "events", "Event", true);
}
