using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies.Defaults;
using Nautilus.Server.Api.Strategies.Validation;
using Nautilus.Store;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// Pods: kube's defaults (SetObjectDefaults_Pod), the mutating admission every kube-apiserver runs
/// on pods (ServiceAccount's default name, Priority, DefaultTolerationSeconds), and a start in
/// Pending with the QoS class their resources give them.
/// </summary>
public sealed class PodStrategy : ResourceStrategy
{
    private static readonly string[] UnreadyTaints = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

    private const int DefaultTolerationSeconds = 300;

    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = EnsureObject(obj, "spec");
        PodSpecDefaults.ApplyPodOnly(spec);
        PodSpecDefaults.ApplyToPodSpec(spec);
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun)
    {
        var spec = EnsureObject(obj, "spec");
        AdmitServiceAccount(obj, spec);
        AddDefaultTolerations(spec);

        var status = new JsonObject { ["phase"] = "Pending", ["qosClass"] = PodQos.Classify(spec) };
        obj["status"] = status;
        ApplySchedulingGatedCondition(spec, status);
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old, bool dryRun)
    {
        var spec = EnsureObject(obj, "spec");

        // Priority admission set these on create; an update that omits them keeps them.
        if (Object(old, "spec") is { } oldSpec)
        {
            foreach (var field in (ReadOnlySpan<string>)["priority", "preemptionPolicy"])
            {
                if (IsUnset(spec, field) && !IsUnset(oldSpec, field))
                {
                    spec[field] = oldSpec[field]!.DeepClone();
                }
            }
        }

        AddDefaultTolerations(spec);
    }

    /// <summary>ValidatePodCreate: the pod spec (metadata is validated by the handler).</summary>
    public override void Validate(JsonObject obj, List<StatusCause> causes) =>
        PodSpecValidation.ValidatePodSpec(Object(obj, "spec") ?? [], "spec", new FieldErrors(causes));

    /// <summary>ValidatePodUpdate: the new pod is valid and only the updatable fields change.</summary>
    public override void ValidateUpdate(JsonObject obj, JsonObject old, List<StatusCause> causes) =>
        PodUpdateValidation.Validate(obj, old, new FieldErrors(causes));

    /// <summary>ServiceAccount admission (create only, mirror pods exempt): the "default" account when none is named. Token volumes are not projected.</summary>
    private static void AdmitServiceAccount(JsonObject pod, JsonObject spec)
    {
        if (Object(Object(pod, "metadata"), "annotations")?.ContainsKey("kubernetes.io/config.mirror") == true)
        {
            return;
        }

        SetIfEmpty(spec, "serviceAccountName", "default");
        PodSpecDefaults.AliasServiceAccount(spec);
    }

    /// <summary>
    /// Priority admission (create only): the priority and preemption policy of the pod's priority
    /// class, of the global default class when the pod names none, else 0 and PreemptLowerPriority.
    /// A pod may not state a different priority or policy.
    /// </summary>
    public override async ValueTask AdmitCreateAsync(JsonObject obj, IObjectStore store, CancellationToken ct)
    {
        var spec = EnsureObject(obj, "spec");
        var className = StringValue(spec, "priorityClassName") ?? "";
        JsonObject? priorityClass;
        if (className.Length == 0)
        {
            priorityClass = await PriorityClassStrategy.GlobalDefaultAsync(store, ct).ConfigureAwait(false);
            if (priorityClass is not null)
            {
                spec["priorityClassName"] = PriorityClassStrategy.Name(priorityClass);
            }
        }
        else
        {
            priorityClass = await PriorityClassStrategy.GetAsync(store, className, ct).ConfigureAwait(false)
                ?? throw Forbidden(obj, $"no PriorityClass with name {className} was found");
        }

        var priority = priorityClass is null ? 0 : (int)PriorityClassStrategy.Value(priorityClass);
        if (TryGetInt64(spec["priority"], out var stated) && stated != priority)
        {
            throw Forbidden(obj, $"the integer value of priority ({stated}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name");
        }

        spec["priority"] = priority;
        var policy = StringValue(priorityClass, "preemptionPolicy") ?? PriorityClassStrategy.PreemptLowerPriority;
        if (StringValue(spec, "preemptionPolicy") is { Length: > 0 } statedPolicy && statedPolicy != policy)
        {
            throw Forbidden(obj, $"the string value of PreemptionPolicy ({statedPolicy}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name");
        }

        spec["preemptionPolicy"] = policy;
    }

    /// <summary>DefaultTolerationSeconds admission (create and update): tolerate not-ready and unreachable nodes for 300 s unless the pod already tolerates them.</summary>
    private static void AddDefaultTolerations(JsonObject spec)
    {
        Span<bool> tolerated = stackalloc bool[UnreadyTaints.Length];
        foreach (var toleration in Items(spec, "tolerations"))
        {
            var key = StringValue(toleration, "key") ?? "";
            var effect = StringValue(toleration, "effect") ?? "";
            for (var i = 0; i < UnreadyTaints.Length; i++)
            {
                if ((key == UnreadyTaints[i] || key.Length == 0) && (effect is "NoExecute" or ""))
                {
                    tolerated[i] = true;
                }
            }
        }

        for (var i = 0; i < UnreadyTaints.Length; i++)
        {
            if (tolerated[i])
            {
                continue;
            }

            if (spec["tolerations"] is not JsonArray tolerations)
            {
                tolerations = [];
                spec["tolerations"] = tolerations;
            }

            tolerations.Add(new JsonObject
            {
                ["key"] = UnreadyTaints[i],
                ["operator"] = "Exists",
                ["effect"] = "NoExecute",
                ["tolerationSeconds"] = DefaultTolerationSeconds,
            });
        }
    }

    /// <summary>A pod created with scheduling gates says why it is not scheduled (applySchedulingGatedCondition).</summary>
    private static void ApplySchedulingGatedCondition(JsonObject spec, JsonObject status)
    {
        if (spec["schedulingGates"] is not JsonArray { Count: > 0 })
        {
            return;
        }

        status["conditions"] = new JsonArray(new JsonObject
        {
            ["type"] = "PodScheduled",
            ["status"] = "False",
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = null,
            ["reason"] = "SchedulingGated",
            ["message"] = "Scheduling is blocked due to non-empty scheduling gates",
        });
    }

    private static ApiException Forbidden(JsonObject pod, string message)
    {
        var name = StringValue(Object(pod, "metadata"), "name") ?? "";
        return new ApiException(403, "Forbidden", $"pods \"{name}\" is forbidden: {message}", name, "", "pods");
    }
}
