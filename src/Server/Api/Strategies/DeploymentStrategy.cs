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
        SetIfUnset(spec, "replicas", 1);

        // DeploymentStrategy is a struct in Go: always written.
        var strategy = EnsureObject(spec, "strategy");
        SetIfEmpty(strategy, "type", "RollingUpdate");
        if (StringValue(strategy, "type") == "RollingUpdate")
        {
            var rollingUpdate = EnsureObject(strategy, "rollingUpdate");
            SetIfUnset(rollingUpdate, "maxUnavailable", "25%");
            SetIfUnset(rollingUpdate, "maxSurge", "25%");
        }

        SetIfUnset(spec, "revisionHistoryLimit", 10);
        SetIfUnset(spec, "progressDeadlineSeconds", 600);
        PodSpecDefaults.ApplyToTemplate(Object(spec, "template"));
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun) => obj["status"] = new JsonObject();

    /// <summary>
    /// Spec changes bump the generation, and so do annotation changes (they are copied to the
    /// ReplicaSets). Compared after defaulting, so a client that omits defaulted fields does not bump it.
    /// </summary>
    public override void PrepareForUpdate(JsonObject obj, JsonObject old, bool dryRun) => Generation.BumpOnChange(obj, old, "spec", "metadata.annotations");
}
