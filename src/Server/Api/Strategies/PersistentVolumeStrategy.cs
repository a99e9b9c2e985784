using ResourceQuantity = Nautilus.Controllers.Machinery.ResourceQuantity;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Strategies.Defaults;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;
using Nautilus.Server.Api.Strategies.Validation;

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

    internal static readonly string[] AccessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

    internal static void ValidateAccessModes(JsonObject spec, string path, string requiredDetail, FieldErrors errors)
    {
        var modes = spec["accessModes"] as JsonArray;
        if (modes is not { Count: > 0 })
        {
            errors.Required(path, requiredDetail);
            return;
        }

        foreach (var mode in modes)
        {
            var text = Validation.GoValue.StringOf(mode);
            if (Array.IndexOf(AccessModes, text) < 0)
            {
                errors.NotSupportedString(path, text, AccessModes);
            }
        }

        if (modes.Any(m => Validation.GoValue.StringOf(m) == "ReadWriteOncePod") && modes.Count > 1)
        {
            errors.Forbidden(path, "may not use ReadWriteOncePod with other access modes");
        }
    }

    /// <summary>ValidatePersistentVolumeSpec: access modes, a storage capacity, exactly one volume source, the reclaim policy.</summary>
    public override void Validate(JsonObject obj, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        var spec = Object(obj, "spec") ?? [];
        ValidateAccessModes(spec, "spec.accessModes", "", errors);
        var capacity = Object(spec, "capacity");
        if (capacity is not { Count: > 0 })
        {
            errors.Required("spec.capacity");
        }

        if (capacity?.ContainsKey("storage") != true || capacity.Count > 1)
        {
            var rendered = capacity is null ? "core.ResourceList(nil)"
                : "core.ResourceList{" + string.Join(", ", capacity.Select(p => $"{GoValue.Quote(p.Key)}:{{...}}")) + "}";
            errors.NotSupported("spec.capacity", rendered, ["storage"]);
        }

        foreach (var (name, value) in capacity ?? [])
        {
            var quantity = GoValue.StringOf(value);
            if (ResourceQuantity.Compare(quantity, "0") <= 0)
            {
                errors.InvalidString($"spec.capacity[{name}]", quantity, "must be greater than zero");
            }
        }

        var policy = StringValue(spec, "persistentVolumeReclaimPolicy") ?? "";
        if (policy.Length > 0 && policy is not ("Delete" or "Recycle" or "Retain"))
        {
            errors.NotSupportedString("spec.persistentVolumeReclaimPolicy", policy, ["Delete", "Recycle", "Retain"]);
        }

        string[] sources = ["gcePersistentDisk", "awsElasticBlockStore", "hostPath", "glusterfs", "nfs", "rbd", "quobyte", "cephfs", "iscsi", "cinder", "fc", "flocker", "azureFile", "vsphereVolume", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "local", "storageos", "csi"];
        var count = 0;
        foreach (var source in sources)
        {
            if (!IsUnset(spec, source) && count++ > 0)
            {
                errors.Forbidden($"spec.{source}", "may not specify more than 1 volume type");
            }
        }

        if (count == 0)
        {
            errors.Required("spec", "must specify a volume type");
        }

        var mode = StringValue(spec, "volumeMode");
        if (mode is not null && mode is not ("Block" or "Filesystem"))
        {
            errors.NotSupportedString("spec.volumeMode", mode, ["Block", "Filesystem"]);
        }
    }
}
