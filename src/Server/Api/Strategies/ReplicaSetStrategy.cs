using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies.Defaults;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>ReplicaSets (apps/v1 SetDefaults_ReplicaSet): one replica and a defaulted pod template; status starts at zero replicas.</summary>
public sealed class ReplicaSetStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = EnsureObject(obj, "spec");
        SetIfUnset(spec, "replicas", 1);
        PodSpecDefaults.ApplyToTemplate(Object(spec, "template"));
    }

    // ReplicaSetStatus.replicas has no omitempty: an empty status is written as {"replicas":0}.
    public override void PrepareForCreate(JsonObject obj, bool dryRun) => obj["status"] = new JsonObject { ["replicas"] = 0 };

    /// <summary>Spec changes bump the generation, compared after defaulting.</summary>
    public override void PrepareForUpdate(JsonObject obj, JsonObject old, bool dryRun) => Generation.BumpOnChange(obj, old, "spec");
}
