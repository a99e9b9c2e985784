using ResourceQuantity = Nautilus.Controllers.Machinery.ResourceQuantity;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies.Defaults;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;
using Nautilus.Server.Api.Strategies.Validation;

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

    /// <summary>ValidatePersistentVolumeClaimSpec: access modes and a positive storage request.</summary>
    public override void Validate(JsonObject obj, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        var spec = Object(obj, "spec") ?? [];
        PersistentVolumeStrategy.ValidateAccessModes(spec, "spec.accessModes", "at least 1 access mode is required", errors);
        var storage = Object(Object(spec, "resources"), "requests")?["storage"];
        if (storage is null)
        {
            errors.Required("spec.resources[storage]");
        }
        else if (ResourceQuantity.Compare(GoValue.StringOf(storage), "0") <= 0)
        {
            errors.InvalidString("spec.resources[storage]", GoValue.StringOf(storage), "must be greater than zero");
        }

        var mode = StringValue(spec, "volumeMode");
        if (mode is not null && mode is not ("Block" or "Filesystem"))
        {
            errors.NotSupportedString("spec.volumeMode", mode, ["Block", "Filesystem"]);
        }
    }

    /// <summary>ValidatePersistentVolumeClaimUpdate: the spec is immutable except a bound claim's requests and an unbound claim's volumeName.</summary>
    public override void ValidateUpdate(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
        Validate(obj, causes);
        var spec = (JsonObject)(Object(obj, "spec") ?? []).DeepClone();
        var oldSpec = (JsonObject)(Object(old, "spec") ?? []).DeepClone();
        if (string.IsNullOrEmpty(StringValue(oldSpec, "volumeName")))
        {
            spec.Remove("volumeName");
            oldSpec.Remove("volumeName");
        }

        var bound = StringValue(Object(old, "status"), "phase") == "Bound";
        if (bound)
        {
            foreach (var s in new[] { spec, oldSpec })
            {
                Object(s, "resources")?.Remove("requests");
                s.Remove("volumeAttributesClassName");
            }
        }

        if (!JsonNode.DeepEquals(spec, oldSpec))
        {
            new FieldErrors(causes).Forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n" +
                PodUpdateValidation.Diff(Object(old, "spec") ?? [], Object(obj, "spec") ?? []).Replace("core.PodSpec{", "core.PersistentVolumeClaimSpec{"));
        }
    }
}
