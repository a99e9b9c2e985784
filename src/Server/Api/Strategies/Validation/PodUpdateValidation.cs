using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies.Validation;

/// <summary>
/// ValidatePodUpdate's spec rules: the new pod is valid, containers are neither added nor removed,
/// and nothing but the updatable fields changes. The Forbidden message ends with a diff of the
/// specs in the shape of go-cmp's <c>cmp.Diff(old, new)</c> (go-cmp randomizes its whitespace
/// on purpose, so no client can depend on more than its shape).
/// </summary>
internal static class PodUpdateValidation
{
    public const string UpdatableFields =
        "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    public static void Validate(JsonObject pod, JsonObject oldPod, FieldErrors errors)
    {
        var spec = Object(pod, "spec") ?? [];
        var oldSpec = Object(oldPod, "spec") ?? [];
        PodSpecValidation.ValidatePodSpec(spec, "spec", errors);

        foreach (var list in (ReadOnlySpan<string>)["containers", "initContainers"])
        {
            var next = spec[list] as JsonArray ?? [];
            var old = oldSpec[list] as JsonArray ?? [];
            if (next.Count != old.Count)
            {
                errors.Forbidden("spec." + list, "pod updates may not add or remove containers");
                return;
            }

            for (var i = 0; i < next.Count; i++)
            {
                if (string.IsNullOrEmpty(StringValue(next[i] as JsonObject, "image")))
                {
                    errors.Required($"spec.{list}[{i}].image");
                }
            }
        }

        if (!OnlyAddsTolerations(spec, oldSpec, errors))
        {
            return;
        }

        var hasDeadline = TryGetInt64(spec["activeDeadlineSeconds"], out var deadline);
        var hadDeadline = TryGetInt64(oldSpec["activeDeadlineSeconds"], out var oldDeadline);
        if (hasDeadline)
        {
            if (deadline < 0 || deadline > int.MaxValue)
            {
                errors.InvalidNumber("spec.activeDeadlineSeconds", deadline, $"must be between 0 and {int.MaxValue}, inclusive");
                return;
            }

            if (hadDeadline && oldDeadline < deadline)
            {
                errors.InvalidNumber("spec.activeDeadlineSeconds", deadline, "must be less than or equal to previous value");
                return;
            }
        }
        else if (hadDeadline)
        {
            errors.Invalid("spec.activeDeadlineSeconds", "null", "must not update from a positive integer to nil value");
        }

        // Munge the updatable fields to their old values; whatever differs then is forbidden.
        var munged = (JsonObject)spec.DeepClone();
        foreach (var list in (ReadOnlySpan<string>)["containers", "initContainers"])
        {
            if (munged[list] is JsonArray containers && oldSpec[list] is JsonArray oldContainers)
            {
                for (var i = 0; i < containers.Count && i < oldContainers.Count; i++)
                {
                    if (containers[i] is JsonObject container && oldContainers[i] is JsonObject oldContainer)
                    {
                        CopyMember(oldContainer, container, "image");
                    }
                }
            }
        }

        CopyMember(oldSpec, munged, "activeDeadlineSeconds");
        CopyMember(oldSpec, munged, "tolerations");
        if (TryGetInt64(oldSpec["terminationGracePeriodSeconds"], out var oldGrace) && oldGrace < 0
            && TryGetInt64(spec["terminationGracePeriodSeconds"], out var grace) && grace == 1)
        {
            CopyMember(oldSpec, munged, "terminationGracePeriodSeconds");
        }

        // Scheduling gates may only be removed.
        var gates = (spec["schedulingGates"] as JsonArray ?? []).Select(g => GoValue.StringOf((g as JsonObject)?["name"])).ToList();
        var oldGates = (oldSpec["schedulingGates"] as JsonArray ?? []).Select(g => GoValue.StringOf((g as JsonObject)?["name"])).ToHashSet(StringComparer.Ordinal);
        if (gates.All(oldGates.Contains))
        {
            CopyMember(oldSpec, munged, "schedulingGates");
        }

        if (!JsonNode.DeepEquals(Normalize(munged), Normalize(oldSpec)))
        {
            errors.Forbidden("spec", $"pod updates may not change fields other than {UpdatableFields}\n{Diff(oldSpec, munged)}");
        }
    }

    /// <summary>validateOnlyAddedTolerations: every old toleration is kept (tolerationSeconds may only shrink, and only if set).</summary>
    private static bool OnlyAddsTolerations(JsonObject spec, JsonObject oldSpec, FieldErrors errors)
    {
        var next = (spec["tolerations"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var index = 0;
        foreach (var old in (oldSpec["tolerations"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var found = next.Any(t =>
            {
                var a = (JsonObject)t.DeepClone();
                var b = (JsonObject)old.DeepClone();
                a.Remove("tolerationSeconds");
                b.Remove("tolerationSeconds");
                if (!JsonNode.DeepEquals(a, b))
                {
                    return false;
                }

                var hasOld = TryGetInt64(old["tolerationSeconds"], out var oldSeconds);
                var hasNew = TryGetInt64(t["tolerationSeconds"], out var newSeconds);
                return hasOld == hasNew && (!hasOld || newSeconds <= oldSeconds);
            });
            if (!found)
            {
                errors.Forbidden($"spec.tolerations[{index}]", "existing toleration can not be modified except its tolerationSeconds");
                return false;
            }

            index++;
        }

        return true;
    }

    private static void CopyMember(JsonObject from, JsonObject to, string name)
    {
        if (from.TryGetPropertyValue(name, out var value) && value is not null)
        {
            to[name] = value.DeepClone();
        }
        else
        {
            to.Remove(name);
        }
    }

    /// <summary>Semantic equality as apiequality.Semantic sees JSON: absent, null and empty collections are the same nil.</summary>
    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    var normalized = Normalize(value);
                    if (normalized is not null)
                    {
                        result[key] = normalized;
                    }
                }

                return result.Count == 0 ? null : result;
            case JsonArray array:
                if (array.Count == 0)
                {
                    return null;
                }

                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(Normalize(item) ?? new JsonObject());
                }

                return items;
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>A go-cmp style report of what differs between two pod specs.</summary>
    public static string Diff(JsonObject old, JsonObject next)
    {
        var builder = new StringBuilder();
        builder.Append("  core.PodSpec{\n");
        DiffObject(old, next, 1, builder);
        builder.Append("  }\n");
        return builder.ToString();
    }

    private static void DiffObject(JsonObject old, JsonObject next, int depth, StringBuilder builder)
    {
        var keys = old.Select(p => p.Key).Concat(next.Select(p => p.Key)).Distinct().ToList();
        var identical = 0;
        foreach (var key in keys)
        {
            var a = old[key];
            var b = next[key];
            if (JsonNode.DeepEquals(Normalize(a), Normalize(b)))
            {
                identical++;
                continue;
            }

            FlushIdentical(ref identical, depth, builder);
            var field = GoFieldName(key);
            if (a is JsonObject ao && b is JsonObject bo)
            {
                Line(builder, ' ', depth, $"{field}: {{");
                DiffObject(ao, bo, depth + 1, builder);
                Line(builder, ' ', depth, "},");
            }
            else if (a is JsonArray aa && b is JsonArray ba && aa.Count == ba.Count)
            {
                Line(builder, ' ', depth, $"{field}: {{");
                for (var i = 0; i < aa.Count; i++)
                {
                    if (JsonNode.DeepEquals(Normalize(aa[i]), Normalize(ba[i])))
                    {
                        Line(builder, ' ', depth + 1, "{...},");
                    }
                    else if (aa[i] is JsonObject ai && ba[i] is JsonObject bi)
                    {
                        Line(builder, ' ', depth + 1, "{");
                        DiffObject(ai, bi, depth + 2, builder);
                        Line(builder, ' ', depth + 1, "},");
                    }
                    else
                    {
                        Line(builder, '-', depth + 1, Literal(aa[i]) + ",");
                        Line(builder, '+', depth + 1, Literal(ba[i]) + ",");
                    }
                }

                Line(builder, ' ', depth, "},");
            }
            else
            {
                Line(builder, '-', depth, $"{field}: {Literal(a)},");
                Line(builder, '+', depth, $"{field}: {Literal(b)},");
            }
        }

        FlushIdentical(ref identical, depth, builder);
    }

    private static void FlushIdentical(ref int identical, int depth, StringBuilder builder)
    {
        if (identical > 0)
        {
            Line(builder, ' ', depth, $"... // {identical} identical {(identical == 1 ? "field" : "fields")}");
            identical = 0;
        }
    }

    private static void Line(StringBuilder builder, char marker, int depth, string text) =>
        builder.Append(marker).Append(' ').Append('\t', depth).Append(text).Append('\n');

    private static string GoFieldName(string jsonName) => jsonName.Length == 0 ? jsonName : char.ToUpperInvariant(jsonName[0]) + jsonName[1..];

    private static string Literal(JsonNode? node) => node switch
    {
        null => "nil",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => GoValue.Quote(v.GetValue<string>()),
        JsonValue v => v.ToJsonString(),
        JsonArray { Count: 0 } => "nil",
        JsonObject { Count: 0 } => "{}",
        _ => "{...}",
    };
}
