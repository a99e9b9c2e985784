using System.Globalization;
using System.Text.Json;

namespace Nautilus.Server.Api.Printing;

/// <summary>
/// printPod (kubernetes 1.32 pkg/printers/internalversion/printers.go): READY, the STATUS reason
/// kubectl users know, RESTARTS with "(5m ago)", AGE; wide: IP, NODE, NOMINATED NODE, READINESS GATES.
/// </summary>
internal sealed class PodPrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    new("Status", "string", "The aggregate status of the containers in this pod."),
    new("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    TableColumn.AgeColumn,
    new("IP", "string", SwaggerDocs.PodIP, Priority: 1),
    new("Node", "string", SwaggerDocs.NodeName, Priority: 1),
    new("Nominated Node", "string", SwaggerDocs.NominatedNodeName, Priority: 1),
    new("Readiness Gates", "string", SwaggerDocs.ReadinessGates, Priority: 1))
{
    /// <summary>node.NodeUnreachablePodReason.</summary>
    private const string NodeUnreachablePodReason = "NodeLost";

    private static readonly byte[] SucceededConditions =
        """[{"type":"Completed","status":"True","reason":"Succeeded","message":"The pod has completed successfully."}]"""u8.ToArray();

    private static readonly byte[] FailedConditions =
        """[{"type":"Completed","status":"True","reason":"Failed","message":"The pod failed."}]"""u8.ToArray();

    public override void WriteConditions(Utf8JsonWriter writer, JsonElement obj)
    {
        switch (obj.Get("status").Str("phase"))
        {
            case "Succeeded":
                writer.WritePropertyName("conditions"u8);
                writer.WriteRawValue(SucceededConditions, skipInputValidation: true);
                break;
            case "Failed":
                writer.WritePropertyName("conditions"u8);
                writer.WriteRawValue(FailedConditions, skipInputValidation: true);
                break;
        }
    }

    public override void WriteCells(CellWriter writer, JsonElement pod)
    {
        var metadata = pod.Get("metadata");
        var spec = pod.Get("spec");
        var status = pod.Get("status");

        long restarts = 0;
        long restartableInitContainerRestarts = 0;
        var totalContainers = spec.Count("containers");
        var readyContainers = 0;
        DateTimeOffset? lastRestartDate = null;
        DateTimeOffset? lastRestartableInitContainerRestartDate = null;

        var podPhase = status.Str("phase");
        var reason = podPhase;
        var statusReason = status.Str("reason");
        if (statusReason.Length > 0)
        {
            reason = statusReason;
        }

        // A Pod carrying {type:PodScheduled, reason:SchedulingGated} reads SchedulingGated.
        foreach (var condition in status.Items("conditions"))
        {
            if (condition.Str("type") == "PodScheduled" && condition.Str("reason") == "SchedulingGated")
            {
                reason = "SchedulingGated";
            }
        }

        var initContainerCount = 0;
        foreach (var container in spec.Items("initContainers"))
        {
            initContainerCount++;
            if (IsRestartable(container))
            {
                totalContainers++;
            }
        }

        var initializing = false;
        var index = -1;
        foreach (var container in status.Items("initContainerStatuses"))
        {
            index++;
            var restartCount = container.Int("restartCount");
            restarts += restartCount;
            var lastFinished = FinishedAt(container);
            if (After(lastFinished, lastRestartDate))
            {
                lastRestartDate = lastFinished;
            }

            var restartable = IsRestartable(FindInitContainer(spec, container.Str("name")));
            if (restartable)
            {
                restartableInitContainerRestarts += restartCount;
                if (After(lastFinished, lastRestartableInitContainerRestartDate))
                {
                    lastRestartableInitContainerRestartDate = lastFinished;
                }
            }

            var state = container.Get("state");
            var terminated = state.Get("terminated");
            var waiting = state.Get("waiting");
            if (terminated.IsObject() && terminated.Int("exitCode") == 0)
            {
                continue;
            }

            if (restartable && container.Bool("started"))
            {
                if (container.Bool("ready"))
                {
                    readyContainers++;
                }

                continue;
            }

            if (terminated.IsObject())
            {
                // Initialization failed.
                var terminatedReason = terminated.Str("reason");
                if (terminatedReason.Length == 0)
                {
                    var signal = terminated.Int("signal");
                    reason = signal != 0
                        ? "Init:Signal:" + signal.ToString(CultureInfo.InvariantCulture)
                        : "Init:ExitCode:" + terminated.Int("exitCode").ToString(CultureInfo.InvariantCulture);
                }
                else
                {
                    reason = "Init:" + terminatedReason;
                }
            }
            else if (waiting.IsObject() && waiting.Str("reason") is { Length: > 0 } waitingReason && waitingReason != "PodInitializing")
            {
                reason = "Init:" + waitingReason;
            }
            else
            {
                reason = string.Create(CultureInfo.InvariantCulture, $"Init:{index}/{initContainerCount}");
            }

            initializing = true;
            break;
        }

        if (!initializing || IsPodInitializedConditionTrue(status))
        {
            restarts = restartableInitContainerRestarts;
            lastRestartDate = lastRestartableInitContainerRestartDate;
            var hasRunning = false;
            var statuses = status.Get("containerStatuses");
            var count = statuses.ValueKind == JsonValueKind.Array ? statuses.GetArrayLength() : 0;

            // Last to first: the first container's state wins.
            for (var i = count - 1; i >= 0; i--)
            {
                var container = statuses[i];
                restarts += container.Int("restartCount");
                var lastFinished = FinishedAt(container);
                if (After(lastFinished, lastRestartDate))
                {
                    lastRestartDate = lastFinished;
                }

                var state = container.Get("state");
                var waiting = state.Get("waiting");
                var terminated = state.Get("terminated");
                if (waiting.IsObject() && waiting.Str("reason") is { Length: > 0 } waitingReason)
                {
                    reason = waitingReason;
                }
                else if (terminated.IsObject() && terminated.Str("reason") is { Length: > 0 } terminatedReason)
                {
                    reason = terminatedReason;
                }
                else if (terminated.IsObject())
                {
                    var signal = terminated.Int("signal");
                    reason = signal != 0
                        ? "Signal:" + signal.ToString(CultureInfo.InvariantCulture)
                        : "ExitCode:" + terminated.Int("exitCode").ToString(CultureInfo.InvariantCulture);
                }
                else if (container.Bool("ready") && state.Get("running").IsObject())
                {
                    hasRunning = true;
                    readyContainers++;
                }
            }

            // Back to Running when at least one container still runs.
            if (reason == "Completed" && hasRunning)
            {
                reason = HasPodReadyCondition(status) ? "Running" : "NotReady";
            }
        }

        var deleting = metadata.Time("deletionTimestamp") is not null;
        if (deleting && statusReason == NodeUnreachablePodReason)
        {
            reason = "Unknown";
        }
        else if (deleting && podPhase is not ("Succeeded" or "Failed"))
        {
            reason = "Terminating";
        }


        writer.WriteStringValue(metadata.Str("name"));
        writer.WriteStringValue(string.Create(CultureInfo.InvariantCulture, $"{readyContainers}/{totalContainers}"));
        writer.WriteStringValue(reason);
        var restartsText = restarts.ToString(CultureInfo.InvariantCulture);
        if (restarts != 0 && lastRestartDate is { } last)
        {
            writer.WriteSince(last, restartsText + " (", " ago)");
        }
        else
        {
            writer.WriteStringValue(restartsText);
        }

        writer.WriteSince(metadata.Time("creationTimestamp"));

        var podIP = "";
        foreach (var ip in status.Items("podIPs"))
        {
            podIP = ip.Str("ip");
            break;
        }

        writer.WriteStringValue(OrNone(podIP));
        writer.WriteStringValue(OrNone(spec.Str("nodeName")));
        writer.WriteStringValue(OrNone(status.Str("nominatedNodeName")));
        writer.WriteStringValue(ReadinessGates(spec, status));
    }

    private static string ReadinessGates(JsonElement spec, JsonElement status)
    {
        var gates = spec.Count("readinessGates");
        if (gates == 0)
        {
            return "<none>";
        }

        var trueConditions = 0;
        foreach (var gate in spec.Items("readinessGates"))
        {
            var conditionType = gate.Str("conditionType");
            foreach (var condition in status.Items("conditions"))
            {
                if (condition.Str("type") == conditionType)
                {
                    if (condition.Str("status") == "True")
                    {
                        trueConditions++;
                    }

                    break;
                }
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{trueConditions}/{gates}");
    }

    private static DateTimeOffset? FinishedAt(JsonElement containerStatus)
    {
        var terminated = containerStatus.Get("lastState").Get("terminated");
        return terminated.IsObject() ? terminated.Time("finishedAt") : null;
    }

    // lastRestartDate.Before(&terminatedDate), with null standing for Go's zero time.
    private static bool After(DateTimeOffset? candidate, DateTimeOffset? current) =>
        candidate is { } c && (current is not { } cur || cur < c);

    private static JsonElement FindInitContainer(JsonElement spec, string name)
    {
        foreach (var container in spec.Items("initContainers"))
        {
            if (container.Str("name") == name)
            {
                return container;
            }
        }

        return default;
    }

    /// <summary>podutil.IsRestartableInitContainer: a sidecar (restartPolicy Always).</summary>
    private static bool IsRestartable(JsonElement initContainer) => initContainer.Str("restartPolicy") == "Always";

    private static bool IsPodInitializedConditionTrue(JsonElement status)
    {
        foreach (var condition in status.Items("conditions"))
        {
            if (condition.Str("type") == "Initialized")
            {
                return condition.Str("status") == "True";
            }
        }

        return false;
    }

    private static bool HasPodReadyCondition(JsonElement status)
    {
        foreach (var condition in status.Items("conditions"))
        {
            if (condition.Str("type") == "Ready" && condition.Str("status") == "True")
            {
                return true;
            }
        }

        return false;
    }
}
