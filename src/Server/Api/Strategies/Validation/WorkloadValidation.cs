using System.Text.Json;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies.Validation;

/// <summary>
/// The apps/v1 rules of pkg/apis/apps/validation shared by Deployments and ReplicaSets: replicas,
/// the selector (required, valid, non-empty, matching the template labels) and the template.
/// </summary>
internal static class WorkloadValidation
{
    public const string NegativeMessage = "must be greater than or equal to 0";

    /// <summary>ValidateDeploymentSpec / ValidateReplicaSetSpec up to the template.</summary>
    public static void ValidateSelectorAndTemplate(JsonObject spec, FieldErrors errors)
    {
        var selector = Object(spec, "selector");
        if (selector is null)
        {
            errors.Required("spec.selector");
        }
        else
        {
            ValidateLabelSelector(selector, "spec.selector", errors);
            if ((Object(selector, "matchLabels")?.Count ?? 0) + ((selector["matchExpressions"] as JsonArray)?.Count ?? 0) == 0)
            {
                errors.Invalid("spec.selector", GoValue.LabelSelector(selector), "empty selector is invalid for deployment");
            }
        }

        if (!SelectorIsParsable(selector))
        {
            errors.Invalid("spec.selector", GoValue.LabelSelector(selector), "invalid label selector");
            return;
        }

        ValidatePodTemplateSpecForReplicaSet(Object(spec, "template"), selector, "spec.template", errors);
    }

    /// <summary>NonNegative int fields (<c>Invalid value: -1: must be greater than or equal to 0</c>).</summary>
    public static void NonNegative(JsonObject? obj, string name, string path, FieldErrors errors)
    {
        if (obj is not null && TryGetInt64(obj[name], out var value) && value < 0)
        {
            errors.InvalidNumber(path, value, NegativeMessage);
        }
    }

    private static void ValidatePodTemplateSpecForReplicaSet(JsonObject? template, JsonObject? selector, string path, FieldErrors errors)
    {
        if (template is null)
        {
            template = [];
        }

        var labels = Object(Object(template, "metadata"), "labels");

        // A nil selector selects nothing (labels.Nothing()), which is not Empty and matches nothing.
        var emptySelector = selector is not null && (Object(selector, "matchLabels")?.Count ?? 0) + ((selector["matchExpressions"] as JsonArray)?.Count ?? 0) == 0;
        if (!emptySelector && !Matches(selector, labels))
        {
            errors.Invalid(path + ".metadata.labels", GoValue.StringMap(labels), "`selector` does not match template `labels`");
        }

        PodSpecValidation.ValidatePodTemplateSpec(template, path, errors);
        var spec = Object(template, "spec");
        var restartPolicy = StringValue(spec, "restartPolicy") ?? "";
        if (restartPolicy != "Always")
        {
            errors.NotSupportedString(path + ".spec.restartPolicy", restartPolicy, ["Always"]);
        }

        if (spec is not null && TryGetInt64(spec["activeDeadlineSeconds"], out var deadline))
        {
            errors.Invalid(path + ".spec.activeDeadlineSeconds", deadline.ToString(System.Globalization.CultureInfo.InvariantCulture), "activeDeadlineSeconds in ReplicaSet is not Supported");
        }
    }

    /// <summary>ValidateLabelSelector: matchLabels as labels, matchExpressions' operators, keys and values.</summary>
    public static void ValidateLabelSelector(JsonObject selector, string path, FieldErrors errors)
    {
        var index = 0;
        foreach (var requirement in Items(selector, "matchExpressions"))
        {
            var requirementPath = $"{path}.matchExpressions[{index++}]";
            var op = StringValue(requirement, "operator") ?? "";
            var values = requirement["values"] as JsonArray;
            switch (op)
            {
                case "In" or "NotIn":
                    if (values is not { Count: > 0 })
                    {
                        errors.Required(requirementPath + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
                    }

                    break;
                case "Exists" or "DoesNotExist":
                    if (values is { Count: > 0 })
                    {
                        errors.Forbidden(requirementPath + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                    }

                    break;
                default:
                    errors.InvalidString(requirementPath + ".operator", op, "not a valid selector operator");
                    break;
            }

            var key = StringValue(requirement, "key") ?? "";
            foreach (var message in MetadataValidation.QualifiedNameErrors(key))
            {
                errors.InvalidString(requirementPath + ".key", key, message);
            }

            var valueIndex = 0;
            foreach (var value in values ?? [])
            {
                var text = GoValue.StringOf(value);
                foreach (var message in MetadataValidation.LabelValueErrors(text))
                {
                    errors.InvalidString($"{requirementPath}.values[{valueIndex}]", text, message);
                }

                valueIndex++;
            }
        }

        if (Object(selector, "matchLabels") is { } matchLabels)
        {
            MetadataValidation.ValidateLabels(matchLabels, path + ".matchLabels", errors.Causes);
        }
    }

    /// <summary>Whether LabelSelectorAsSelector accepts the selector (operators known, keys and values valid).</summary>
    private static bool SelectorIsParsable(JsonObject? selector)
    {
        if (selector is null)
        {
            return true;
        }

        foreach (var requirement in Items(selector, "matchExpressions"))
        {
            var op = StringValue(requirement, "operator") ?? "";
            var count = (requirement["values"] as JsonArray)?.Count ?? 0;
            if (op is not ("In" or "NotIn" or "Exists" or "DoesNotExist") || (op is "In" or "NotIn" && count == 0) || (op is "Exists" or "DoesNotExist" && count > 0)
                || MetadataValidation.QualifiedNameErrors(StringValue(requirement, "key") ?? "").Count > 0)
            {
                return false;
            }
        }

        foreach (var (key, value) in Object(selector, "matchLabels") ?? [])
        {
            if (MetadataValidation.QualifiedNameErrors(key).Count > 0 || MetadataValidation.LabelValueErrors(GoValue.StringOf(value)).Count > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>labels.Selector.Matches for a LabelSelector; a null selector matches nothing.</summary>
    public static bool Matches(JsonObject? selector, JsonObject? labels)
    {
        if (selector is null)
        {
            return false;
        }

        string? Label(string key) => labels?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        foreach (var (key, value) in Object(selector, "matchLabels") ?? [])
        {
            if (Label(key) != GoValue.StringOf(value))
            {
                return false;
            }
        }

        foreach (var requirement in Items(selector, "matchExpressions"))
        {
            var actual = Label(StringValue(requirement, "key") ?? "");
            var values = (requirement["values"] as JsonArray ?? []).Select(GoValue.StringOf).ToHashSet(StringComparer.Ordinal);
            var ok = StringValue(requirement, "operator") switch
            {
                "In" => actual is not null && values.Contains(actual),
                "NotIn" => actual is null || !values.Contains(actual),
                "Exists" => actual is not null,
                "DoesNotExist" => actual is null,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
