using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies.Defaults;
using Nautilus.Server.Api.Strategies.Validation;
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

    /// <summary>ValidateReplicaSetSpec: replicas, minReadySeconds, selector and template.</summary>
    public override void Validate(JsonObject obj, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        var spec = Object(obj, "spec") ?? [];
        WorkloadValidation.NonNegative(spec, "replicas", "spec.replicas", errors);
        WorkloadValidation.NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
        WorkloadValidation.ValidateSelectorAndTemplate(spec, errors);
    }

    /// <summary>The spec rules again, and (apps/v1) an immutable selector.</summary>
    public override void ValidateUpdate(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
        Validate(obj, causes);
        var selector = Object(Object(obj, "spec"), "selector");
        if (!JsonNode.DeepEquals(selector, Object(Object(old, "spec"), "selector")))
        {
            new FieldErrors(causes).Invalid("spec.selector", selector is null ? "null" : GoValue.LabelSelector(selector), "field is immutable");
        }
    }
}
