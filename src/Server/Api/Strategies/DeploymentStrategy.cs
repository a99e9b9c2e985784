using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies.Defaults;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>Deployments (apps/v1 SetDefaults_Deployment): one replica, a 25%/25% rolling update, 10 old ReplicaSets kept, a 600 s progress deadline; status belongs to the controller.</summary>
public sealed class DeploymentStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = EnsureObject(obj, "spec");
        Pointer(spec, "replicas", 1);

        // DeploymentStrategy is a struct in Go: always written.
        var strategy = EnsureObject(spec, "strategy");
        String(strategy, "type", "RollingUpdate");
        if (StringValue(strategy, "type") == "RollingUpdate")
        {
            var rollingUpdate = EnsureObject(strategy, "rollingUpdate");
            Pointer(rollingUpdate, "maxUnavailable", "25%");
            Pointer(rollingUpdate, "maxSurge", "25%");
        }

        Pointer(spec, "revisionHistoryLimit", 10);
        Pointer(spec, "progressDeadlineSeconds", 600);
        PodSpecDefaults.ApplyToTemplate(Object(spec, "template"));
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun) => obj["status"] = new JsonObject();
}
