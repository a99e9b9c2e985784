using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Strategies.Defaults;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// PersistentVolumes (SetDefaults_PersistentVolume): reclaim policy Retain, volume mode
/// Filesystem, phase Pending, canonical capacity and the volume-source defaults; created Pending
/// with the time of that phase transition.
/// </summary>
public sealed class PersistentVolumeStrategy(TimeProvider? time = null) : ResourceStrategy
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = EnsureObject(obj, "spec");
        SetIfEmpty(spec, "persistentVolumeReclaimPolicy", "Retain");
        SetIfUnset(spec, "volumeMode", "Filesystem");
        ResourceQuantity.DefaultResourceList(Object(spec, "capacity"));
        PodSpecDefaults.ApplyToVolumeSource(spec);
        SetIfEmpty(EnsureObject(obj, "status"), "phase", "Pending");
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun) =>
        obj["status"] = new JsonObject { ["phase"] = "Pending", ["lastPhaseTransitionTime"] = KubeJson.Timestamp(_time.GetUtcNow()) };
}
