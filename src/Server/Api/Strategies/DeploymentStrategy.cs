using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies.Defaults;
using Nautilus.Server.Api.Strategies.Validation;
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

    /// <summary>ValidateDeploymentSpec (apps validation): replicas, selector and template, strategy, the int fields.</summary>
    public override void Validate(JsonObject obj, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        var spec = Object(obj, "spec") ?? [];
        WorkloadValidation.NonNegative(spec, "replicas", "spec.replicas", errors);
        WorkloadValidation.ValidateSelectorAndTemplate(spec, errors);
        ValidateStrategy(Object(spec, "strategy") ?? [], errors);
        WorkloadValidation.NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
        WorkloadValidation.NonNegative(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", errors);
        if (TryGetInt64(spec["progressDeadlineSeconds"], out var deadline))
        {
            WorkloadValidation.NonNegative(spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds", errors);
            TryGetInt64(spec["minReadySeconds"], out var minReady);
            if (deadline <= minReady)
            {
                errors.InvalidNumber("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds");
            }
        }
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

    private static void ValidateStrategy(JsonObject strategy, FieldErrors errors)
    {
        var type = StringValue(strategy, "type") ?? "";
        var rollingUpdate = Object(strategy, "rollingUpdate");
        switch (type)
        {
            case "Recreate":
                if (rollingUpdate is not null)
                {
                    errors.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
                }

                break;
            case "RollingUpdate":
                if (rollingUpdate is null)
                {
                    errors.Required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil");
                    break;
                }

                PositiveIntOrPercent(rollingUpdate["maxUnavailable"], "spec.strategy.rollingUpdate.maxUnavailable", errors);
                PositiveIntOrPercent(rollingUpdate["maxSurge"], "spec.strategy.rollingUpdate.maxSurge", errors);
                if (IntOrPercentValue(rollingUpdate["maxUnavailable"]) == 0 && IntOrPercentValue(rollingUpdate["maxSurge"]) == 0)
                {
                    errors.Invalid("spec.strategy.rollingUpdate.maxUnavailable", GoValue.IntOrString(rollingUpdate["maxUnavailable"]), "may not be 0 when `maxSurge` is 0");
                }

                if (rollingUpdate["maxUnavailable"] is JsonValue v && v.TryGetValue<string>(out var percent) && IsPercent(percent) && IntOrPercentValue(v) > 100)
                {
                    errors.Invalid("spec.strategy.rollingUpdate.maxUnavailable", GoValue.IntOrString(v), "must not be greater than 100%");
                }

                break;
            default:
                var rendered = rollingUpdate is null ? "(*apps.RollingUpdateDeployment)(nil)" : "&apps.RollingUpdateDeployment{...}";
                errors.NotSupported("spec.strategy", $"apps.DeploymentStrategy{{Type:{GoValue.Quote(type)}, RollingUpdate:{rendered}}}", ["Recreate", "RollingUpdate"]);
                break;
        }
    }

    private static bool IsPercent(string text) => text.Length > 1 && text[^1] == '%' && text[..^1].All(char.IsAsciiDigit);

    private static void PositiveIntOrPercent(JsonNode? value, string path, FieldErrors errors)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            if (!IsPercent(text))
            {
                errors.Invalid(path, GoValue.IntOrString(v), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
            }
        }
        else if (TryGetInt64(value, out var number) && number < 0)
        {
            errors.InvalidNumber(path, number, WorkloadValidation.NegativeMessage);
        }
    }

    private static long IntOrPercentValue(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var text)
            ? (IsPercent(text) && long.TryParse(text[..^1], System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : -1)
            : TryGetInt64(value, out var n) ? n : 0;
}
