using System.Globalization;
using System.Text.Json.Nodes;
using Google.Api;
using Google.Protobuf;
using Grpc.Core;
using Nautilus.Api.V1;
using Nautilus.Controllers.Client;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal;

/// <summary>
/// The scheduler's writes through the API, as kube-scheduler makes them: POST pods/{name}/binding
/// (through the generated gRPC client: <see cref="ApiClient"/> has no subresource create), a
/// merge patch of pods/status for the PodScheduled condition, and events.k8s.io/v1 Events.
/// </summary>
internal sealed class ApiSchedulerClient(ApiClient client, Resources.ResourcesClient resources, string reportingInstance, TimeProvider time) : ISchedulerApi
{
    public static readonly ApiResource Pods = new("", "v1", "pods", "Pod", true);
    public static readonly ApiResource Nodes = new("", "v1", "nodes", "Node", false);
    public static readonly ApiResource Claims = new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true);
    public static readonly ApiResource Volumes = new("", "v1", "persistentvolumes", "PersistentVolume", false);
    public static readonly ApiResource Services = new("", "v1", "services", "Service", true);
    public static readonly ApiResource ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true);
    public static readonly ApiResource Events = new("events.k8s.io", "v1", "events", "Event", true);

    private const string StrategicMergePatch = "application/strategic-merge-patch+json";

    public async Task BindAsync(PodInfo pod, string nodeName, CancellationToken ct)
    {
        var binding = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Binding",
            ["metadata"] = new JsonObject { ["name"] = pod.Name, ["namespace"] = pod.Namespace, ["uid"] = pod.Uid },
            ["target"] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = nodeName },
        };
        var request = new ResourceRequest
        {
            Version = "v1",
            Namespace = pod.Namespace,
            Resource = "pods",
            Name = pod.Name,
            Subresource = "binding",
            FieldManager = "kube-scheduler",
            Body = new HttpBody { ContentType = "application/json", Data = ByteString.CopyFromUtf8(binding.ToJsonString()) },
        };
        try
        {
            await resources.CreateAsync(request, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode != Grpc.Core.StatusCode.Cancelled)
        {
            var status = e.Trailers.GetValueBytes(ApiClient.StatusTrailer);
            if (status is not null && JsonNode.Parse(status) is JsonObject s)
            {
                throw new ApiStatusException((int)(Json.Long(s, "code") ?? 500), Json.Str(s, "reason") ?? "", Json.Str(s, "message") ?? e.Status.Detail);
            }

            throw new ApiStatusException(500, "InternalError", e.Status.Detail);
        }
    }

    /// <summary>
    /// Sets the PodScheduled condition (and nominatedNodeName) with a strategic merge patch of
    /// status, as kube-scheduler's PatchPodStatus does: conditions merge by type, so the patch
    /// carries this one condition and leaves the others alone.
    /// </summary>
    public async Task UpdatePodScheduledAsync(PodInfo pod, string reason, string message, string? nominatedNodeName, CancellationToken ct)
    {
        var nominationUnchanged = nominatedNodeName is null || nominatedNodeName == pod.NominatedNodeName;
        string? transition = null;
        if (pod.ScheduledCondition is { } current)
        {
            if (current.Status == "False" && current.Reason == reason && current.Message == message && nominationUnchanged)
            {
                return; // unchanged: kube skips the write too
            }

            transition = current.Status == "False" ? current.LastTransitionTime : null;
        }

        var status = new JsonObject { ["conditions"] = new JsonArray(Condition(reason, message, transition)) };
        if (!nominationUnchanged)
        {
            status["nominatedNodeName"] = nominatedNodeName!.Length == 0 ? null : nominatedNodeName;
        }

        var patch = new JsonObject { ["status"] = status };
        await client.PatchAsync(Pods, pod.Namespace, pod.Name, StrategicMergePatch, patch, "status", ct).ConfigureAwait(false);
    }

    public async Task PreemptAsync(PodInfo victim, PodInfo preemptor, string nodeName, CancellationToken ct)
    {
        // kube-scheduler marks the victim first, so whoever watches it knows why it goes away.
        var conditions = new JsonArray(new JsonObject
        {
            ["type"] = "DisruptionTarget",
            ["status"] = "True",
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = Timestamp(),
            ["reason"] = "PreemptionByScheduler",
            ["message"] = preemptor.SchedulerName + ": preempting to accommodate a higher priority pod",
        });
        var patch = new JsonObject { ["status"] = new JsonObject { ["conditions"] = conditions } };
        try
        {
            await client.PatchAsync(Pods, victim.Namespace, victim.Name, StrategicMergePatch, patch, "status", ct).ConfigureAwait(false);
            await client.DeleteAsync(Pods, victim.Namespace, victim.Name, ct: ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (e.Code == 404)
        {
            return; // already gone
        }

        await RecordEventAsync(victim, "Normal", "Preempted", "Preempting", $"Preempted by pod {preemptor.Uid} on node {nodeName}", preemptor.SchedulerName, ct).ConfigureAwait(false);
    }

    public async Task ClearNominatedNodeNameAsync(PodInfo pod, CancellationToken ct)
    {
        var patch = new JsonObject { ["status"] = new JsonObject { ["nominatedNodeName"] = null } };
        await client.PatchAsync(Pods, pod.Namespace, pod.Name, "application/merge-patch+json", patch, "status", ct).ConfigureAwait(false);
    }

    private string Timestamp() => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private JsonObject Condition(string reason, string message, string? lastTransitionTime) => new()
    {
        ["type"] = "PodScheduled",
        ["status"] = "False",
        ["lastProbeTime"] = null,
        ["lastTransitionTime"] = lastTransitionTime ?? Timestamp(),
        ["reason"] = reason,
        ["message"] = message,
    };

    public async Task RecordEventAsync(PodInfo pod, string type, string reason, string action, string note, string reportingController, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var nanos = (now.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        var e = new JsonObject
        {
            ["apiVersion"] = "events.k8s.io/v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = pod.Name + "." + nanos.ToString("x", CultureInfo.InvariantCulture), ["namespace"] = pod.Namespace },
            ["eventTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            ["reportingController"] = reportingController,
            ["reportingInstance"] = reportingController + "-" + reportingInstance,
            ["action"] = action,
            ["reason"] = reason,
            ["type"] = type,
            ["note"] = note,
            ["regarding"] = new JsonObject
            {
                ["kind"] = "Pod",
                ["namespace"] = pod.Namespace,
                ["name"] = pod.Name,
                ["uid"] = pod.Uid,
                ["apiVersion"] = "v1",
                ["resourceVersion"] = pod.ResourceVersion,
            },
        };
        await client.CreateAsync(Events, pod.Namespace, e, ct).ConfigureAwait(false);
    }
}
