using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Nautilus.Agent.Internal;

/// <summary>
/// The pod statuses kubelet writes, built for a simulated pod: conditions in kubelet's order
/// (lastTransitionTime kept while a condition does not change), host and pod IPs, startTime,
/// container statuses with image, imageID and containerID.
/// </summary>
internal static class PodStatuses
{
    public static JsonObject Build(SimulatedPod pod, DateTimeOffset now)
    {
        var previous = pod.Pod["status"] as JsonObject;
        var state = pod.State;
        var running = state == PodState.Running;
        var completed = state == PodState.Completed;
        var phase = state switch
        {
            PodState.Running or PodState.BackOff => "Running",
            PodState.Completed => pod.ExitCode == 0 ? "Succeeded" : "Failed",
            _ => "Pending",
        };

        var unready = new List<string>();
        foreach (var c in pod.Containers)
        {
            unready.Add(c.Name);
        }

        var initNames = new List<string>();
        foreach (var c in pod.InitContainers)
        {
            initNames.Add(c.Name);
        }

        var initialized = running || completed || state == PodState.BackOff || pod.InitContainers.Count == 0;
        var completedReason = completed ? (pod.ExitCode == 0 ? "PodCompleted" : "PodFailed") : null;
        var conditions = new JsonArray
        {
            Condition(previous, "PodReadyToStartContainers", !completed, null, null, now),
            Condition(previous, "Initialized", initialized, initialized ? completedReason : "ContainersNotInitialized",
                initialized ? null : $"containers with incomplete status: [{string.Join(' ', initNames)}]", now),
            Condition(previous, "Ready", running, running ? null : completedReason ?? "ContainersNotReady",
                running || completed ? null : $"containers with unready status: [{string.Join(' ', unready)}]", now),
            Condition(previous, "ContainersReady", running, running ? null : completedReason ?? "ContainersNotReady",
                running || completed ? null : $"containers with unready status: [{string.Join(' ', unready)}]", now),
            Scheduled(previous, now),
        };

        var status = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = conditions,
            ["hostIP"] = pod.Node.HostIp,
            ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = pod.Node.HostIp }),
        };
        if (pod.PodIp is not null)
        {
            status["podIP"] = pod.PodIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = pod.PodIp });
        }

        status["startTime"] = Timestamp(pod.StartTime);
        if (pod.InitContainers.Count > 0)
        {
            var init = new JsonArray();
            foreach (var c in pod.InitContainers)
            {
                init.Add(initialized ? Terminated(pod, c, 0, "Completed", pod.StartTime, pod.InitFinishedAt ?? pod.StartedAt ?? now, ready: true, init: true) : Waiting(c, "PodInitializing"));
            }

            status["initContainerStatuses"] = init;
        }

        var containers = new JsonArray();
        foreach (var c in pod.Containers)
        {
            containers.Add(state switch
            {
                PodState.Running => Running(pod, c),
                PodState.BackOff => CrashLoopBackOff(pod, c),
                PodState.Completed => Terminated(pod, c, pod.ExitCode, pod.ExitCode == 0 ? "Completed" : "Error", pod.StartedAt ?? pod.StartTime, pod.FinishedAt ?? now, ready: false, init: false),
                _ => Waiting(c, initialized ? "ContainerCreating" : "PodInitializing"),
            });
        }

        status["containerStatuses"] = containers;
        if (previous?["qosClass"] is JsonValue qos)
        {
            status["qosClass"] = qos.DeepClone();
        }

        return status;
    }

    /// <summary>kubelet's RFC 3339 timestamps (seconds).</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The image reference as the container runtime reports it: docker.io/library/nginx:latest for nginx.</summary>
    public static string NormalizeImage(string image)
    {
        if (image.Length == 0)
        {
            return image;
        }

        var slash = image.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : image[..slash];
        var hasRegistry = slash >= 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost");
        var name = hasRegistry ? image : "docker.io/" + (slash < 0 ? "library/" + image : image);
        var lastSlash = name.LastIndexOf('/');
        var tail = name[(lastSlash + 1)..];
        return tail.Contains(':', StringComparison.Ordinal) || tail.Contains('@', StringComparison.Ordinal) ? name : name + ":latest";
    }

    public static string ImageId(string image)
    {
        var normalized = NormalizeImage(image);
        var at = normalized.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return normalized;
        }

        var colon = normalized.LastIndexOf(':');
        var repository = colon > normalized.LastIndexOf('/') ? normalized[..colon] : normalized;
        return repository + "@sha256:" + Hash(normalized);
    }

    /// <summary>The runtime's id of one instance of a container: every restart is a new container.</summary>
    public static string ContainerId(string podUid, string container, int instance = 0) =>
        "nautilus://" + Hash(instance == 0 ? podUid + "/" + container : string.Create(CultureInfo.InvariantCulture, $"{podUid}/{container}/{instance}"));

    /// <summary>kubelet's CrashLoopBackOff message: the back-off as Go prints a duration, the pod as format.Pod does.</summary>
    public static string BackOffMessage(SimulatedPod pod, string container) =>
        $"back-off {GoDuration(pod.BackOff)} restarting failed container={container} pod={pod.Name}_{pod.Namespace}({pod.Uid})";

    /// <summary>Go's time.Duration.String for the durations a back-off takes: 500ms, 10s, 1m20s, 5m0s, 1h0m0s.</summary>
    public static string GoDuration(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            return duration.TotalMilliseconds.ToString("0.######", CultureInfo.InvariantCulture) + "ms";
        }

        var seconds = (duration - TimeSpan.FromMinutes(Math.Floor(duration.TotalMinutes))).TotalSeconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
        var hours = (long)duration.TotalHours;
        var minutes = duration.Minutes;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}h{minutes}m{seconds}")
            : duration.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m{seconds}") : seconds;
    }

    private static JsonObject Running(SimulatedPod pod, ContainerSpec c) => new()
    {
        ["name"] = c.Name,
        ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Timestamp(pod.StartedAt ?? pod.StartTime) } },
        ["lastState"] = LastState(pod, c),
        ["ready"] = true,
        ["restartCount"] = pod.RestartCount,
        ["image"] = NormalizeImage(c.Image),
        ["imageID"] = ImageId(c.Image),
        ["containerID"] = ContainerId(pod.Uid, c.Name, pod.RestartCount),
        ["started"] = true,
    };

    /// <summary>Exited, waiting out the restart back-off: the id stays the exited instance's until a new one starts.</summary>
    private static JsonObject CrashLoopBackOff(SimulatedPod pod, ContainerSpec c) => new()
    {
        ["name"] = c.Name,
        ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "CrashLoopBackOff", ["message"] = BackOffMessage(pod, c.Name) } },
        ["lastState"] = LastState(pod, c),
        ["ready"] = false,
        ["restartCount"] = pod.RestartCount,
        ["image"] = NormalizeImage(c.Image),
        ["imageID"] = ImageId(c.Image),
        ["containerID"] = ContainerId(pod.Uid, c.Name, pod.Last?.RestartCount ?? pod.RestartCount),
        ["started"] = false,
    };

    /// <summary>lastState: the previous instance's termination, or empty before the first restart.</summary>
    private static JsonObject LastState(SimulatedPod pod, ContainerSpec c) => pod.Last is not { } last
        ? new JsonObject()
        : new JsonObject
        {
            ["terminated"] = new JsonObject
            {
                ["exitCode"] = last.ExitCode,
                ["reason"] = last.ExitCode == 0 ? "Completed" : "Error",
                ["startedAt"] = Timestamp(last.StartedAt),
                ["finishedAt"] = Timestamp(last.FinishedAt),
                ["containerID"] = ContainerId(pod.Uid, c.Name, last.RestartCount),
            },
        };

    private static JsonObject Terminated(SimulatedPod pod, ContainerSpec c, int exitCode, string reason, DateTimeOffset startedAt, DateTimeOffset finishedAt, bool ready, bool init) => new()
    {
        ["name"] = c.Name,
        ["state"] = new JsonObject
        {
            ["terminated"] = new JsonObject
            {
                ["exitCode"] = exitCode,
                ["reason"] = reason,
                ["startedAt"] = Timestamp(startedAt),
                ["finishedAt"] = Timestamp(finishedAt),
                ["containerID"] = ContainerId(pod.Uid, c.Name, init ? 0 : pod.RestartCount),
            },
        },
        ["lastState"] = init ? new JsonObject() : LastState(pod, c),
        ["ready"] = ready,
        ["restartCount"] = init ? 0 : pod.RestartCount,
        ["image"] = NormalizeImage(c.Image),
        ["imageID"] = ImageId(c.Image),
        ["containerID"] = ContainerId(pod.Uid, c.Name, init ? 0 : pod.RestartCount),
        ["started"] = false,
    };

    private static JsonObject Waiting(ContainerSpec c, string reason) => new()
    {
        ["name"] = c.Name,
        ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason } },
        ["lastState"] = new JsonObject(),
        ["ready"] = false,
        ["restartCount"] = 0,
        ["image"] = c.Image,
        ["imageID"] = "",
        ["started"] = false,
    };

    private static JsonObject Condition(JsonObject? previous, string type, bool value, string? reason, string? message, DateTimeOffset now)
    {
        var status = value ? "True" : "False";
        var transition = Timestamp(now);
        if (Find(previous, type) is { } old && old["status"]?.GetValue<string>() == status && old["lastTransitionTime"] is JsonValue kept && kept.TryGetValue<string>(out var keptTime))
        {
            transition = keptTime;
        }

        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = transition,
        };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }

        if (message is not null)
        {
            condition["message"] = message;
        }

        return condition;
    }

    private static JsonObject Scheduled(JsonObject? previous, DateTimeOffset now) =>
        Find(previous, "PodScheduled") is { } existing && existing["status"]?.GetValue<string>() == "True"
            ? (JsonObject)existing.DeepClone()
            : new JsonObject { ["type"] = "PodScheduled", ["status"] = "True", ["lastProbeTime"] = null, ["lastTransitionTime"] = Timestamp(now) };

    private static JsonObject? Find(JsonObject? status, string type)
    {
        foreach (var condition in status?["conditions"] as JsonArray ?? [])
        {
            if (condition is JsonObject c && c["type"] is JsonValue t && t.TryGetValue<string>(out var s) && s == type)
            {
                return c;
            }
        }

        return null;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
