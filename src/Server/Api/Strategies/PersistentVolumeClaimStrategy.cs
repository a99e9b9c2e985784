using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies.Defaults;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>PersistentVolumeClaims (SetDefaults_PersistentVolumeClaim[Spec]): volume mode Filesystem, canonical quantities, phase Pending.</summary>
public sealed class PersistentVolumeClaimStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        PodSpecDefaults.ApplyToClaimSpec(EnsureObject(obj, "spec"));
        var status = EnsureObject(obj, "status");
        SetIfEmpty(status, "phase", "Pending");
        ResourceQuantity.DefaultResourceList(Object(status, "capacity"));
        ResourceQuantity.DefaultResourceList(Object(status, "allocatedResources"));
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun) => obj["status"] = new JsonObject { ["phase"] = "Pending" };
}
