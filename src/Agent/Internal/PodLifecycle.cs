using System.Text.Json.Nodes;

namespace Nautilus.Agent.Internal;

internal enum PodState
{
    /// <summary>Seen and given an IP; containers being created.</summary>
    Pending,
    Running,

    /// <summary>Containers exited and will not restart (restartPolicy Never, or OnFailure with exit code 0): Succeeded or Failed.</summary>
    Completed,

    /// <summary>Containers exited and wait out kubelet's restart back-off (CrashLoopBackOff); the pod keeps its IP.</summary>
    BackOff,

    /// <summary>Deleted; containers stopping within the grace period.</summary>
    Stopping,

    /// <summary>Stopped and the deletion confirmed; waiting for the DELETED event.</summary>
    Stopped,
}

internal readonly record struct ContainerSpec(string Name, string Image);

/// <summary>What the agent must tell the server: a pod's new status, or that a deleted pod's containers have stopped.</summary>
internal readonly record struct PodAction(PodActionKind Kind, string Namespace, string Name, string Uid, JsonObject? Status = null);

internal enum PodActionKind
{
    ReportStatus,
    ConfirmDeletion,
}

/// <summary>One pod on a simulated node.</summary>
internal sealed class SimulatedPod(string ns, string name, string uid, SimulatedNode node)
{
    public string Namespace => ns;

    public string Name => name;

    public string Uid => uid;

    public SimulatedNode Node => node;

    /// <summary>The pod as last seen on the stream.</summary>
    public JsonObject Pod { get; set; } = [];

    public PodState State { get; set; }

    public List<ContainerSpec> Containers { get; } = [];

    public List<ContainerSpec> InitContainers { get; } = [];

    public string? PodIp { get; set; }

    public DateTimeOffset StartTime { get; set; }

    /// <summary>When the current instance of the containers started.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When the init containers finished (the first start of the containers).</summary>
    public DateTimeOffset? InitFinishedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int ExitCode { get; set; }

    /// <summary>How often the containers were restarted (containerStatuses[].restartCount).</summary>
    public int RestartCount { get; set; }

    /// <summary>The previous container instance (lastState.terminated), once one has exited and been restarted or is waiting to be.</summary>
    public TerminatedInstance? Last { get; set; }

    /// <summary>kubelet's per-container back-off: the current delay (zero: no entry) and when it was last moved.</summary>
    public TimeSpan BackOff { get; set; }

    public DateTimeOffset BackOffUpdated { get; set; }

    /// <summary>Bumped whenever the pending transition changes, so an earlier scheduled one is ignored.</summary>
    public int Generation { get; set; }

    public PodTransition Next { get; set; }
}

/// <summary>A container instance that has exited: what lastState.terminated shows and kubectl logs --previous reads.</summary>
internal readonly record struct TerminatedInstance(DateTimeOffset StartedAt, DateTimeOffset FinishedAt, int ExitCode, int RestartCount);

internal enum PodTransition
{
    None,
    Start,
    Complete,
    Restart,
    Stop,
}

/// <summary>Per-pod timing, from the agent's defaults and the pod's nautilus.io/* annotations.</summary>
internal readonly record struct PodTimings(TimeSpan StartDelay, TimeSpan? RunDuration, TimeSpan StopDelay, int ExitCode = 0)
{
    /// <summary>kubelet's container restart back-off: 10 s, doubling up to 5 min (MaxContainerBackOff).</summary>
    public TimeSpan RestartBackOff { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRestartBackOff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>True when the run time comes from the pod's annotation: then it applies whatever the restartPolicy.</summary>
    public bool RunDurationAnnotated { get; init; }

    public const string StartDelayAnnotation = "nautilus.io/start-delay";
    public const string RunDurationAnnotation = "nautilus.io/run-duration";
    public const string StopDelayAnnotation = "nautilus.io/stop-delay";
    public const string ExitCodeAnnotation = "nautilus.io/exit-code";

    public PodTimings For(JsonObject pod)
    {
        var annotations = (pod["metadata"] as JsonObject)?["annotations"] as JsonObject;
        var timings = this;
        if (Durations.TryParse(Str(annotations, StartDelayAnnotation), out var start))
        {
            timings = timings with { StartDelay = start };
        }

        if (Durations.TryParse(Str(annotations, RunDurationAnnotation), out var run))
        {
            timings = timings with { RunDuration = run, RunDurationAnnotated = true };
        }

        if (Durations.TryParse(Str(annotations, StopDelayAnnotation), out var stop))
        {
            timings = timings with { StopDelay = stop };
        }

        if (int.TryParse(Str(annotations, ExitCodeAnnotation), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var exit))
        {
            timings = timings with { ExitCode = exit };
        }

        return timings;
    }

    private static string? Str(JsonObject? obj, string name) =>
        obj?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>
/// The pod state machine of every simulated node in a process. Pods move Pending → Running
/// (after the start delay) → Completed (restartPolicy Never/OnFailure with a run time); a
/// deletionTimestamp moves any of them to Stopping and, after min(stop delay, grace period), to
/// Stopped with the deletion confirmed. Transitions are due at times on one queue, so thousands of
/// pods cost one timer. Pods found already started (a restarted agent) are adopted as they are:
/// same IP, same start time, no new status write. Not thread-safe: callers hold one lock.
/// </summary>
internal sealed class PodLifecycle(IReadOnlyDictionary<string, SimulatedNode> nodes, PodTimings defaults, TimeProvider time)
{
    private readonly Dictionary<string, SimulatedPod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, string Name), SimulatedPod> _byName = [];
    private readonly PriorityQueue<(SimulatedPod Pod, int Generation), DateTimeOffset> _due = new();
    private readonly List<PodAction> _actions = [];
    private readonly Dictionary<SimulatedNode, List<SimulatedPod>> _waitingForNetwork = [];
    private HashSet<string>? _initialSet;

    public int Count => _pods.Count;

    public DateTimeOffset? NextDue => _due.TryPeek(out _, out var due) ? due : null;

    public bool TryGet(string ns, string name, out SimulatedPod pod) => _byName.TryGetValue((ns, name), out pod!);

    /// <summary>A stream starts with the current set of pods: those not in it are gone once <see cref="EndInitialSet"/> runs.</summary>
    public void BeginInitialSet() => _initialSet = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Forgets the pods the initial set did not contain (deleted while the stream was down).</summary>
    public void EndInitialSet()
    {
        if (_initialSet is null)
        {
            return;
        }

        var gone = new List<SimulatedPod>();
        foreach (var pod in _pods.Values)
        {
            if (!_initialSet.Contains(pod.Uid))
            {
                gone.Add(pod);
            }
        }

        foreach (var pod in gone)
        {
            Forget(pod);
        }

        _initialSet = null;
    }

    /// <summary>An ADDED or MODIFIED pod (or one of the initial set).</summary>
    public void Upsert(JsonObject podObject)
    {
        var metadata = podObject["metadata"] as JsonObject;
        var uid = Str(metadata, "uid");
        var nodeName = Str(podObject["spec"] as JsonObject, "nodeName");
        if (uid is null || nodeName is null || !nodes.TryGetValue(nodeName, out var node))
        {
            return;
        }

        _initialSet?.Add(uid);
        var now = time.GetUtcNow();
        if (!_pods.TryGetValue(uid, out var pod))
        {
            var ns = Str(metadata, "namespace") ?? "";
            var name = Str(metadata, "name") ?? "";
            if (_byName.TryGetValue((ns, name), out var previous))
            {
                // A new pod of the same name: the old one is gone even if its DELETED was missed.
                Forget(previous);
            }

            pod = new SimulatedPod(ns, name, uid, node) { Pod = podObject };
            ReadContainers(pod, podObject);
            _pods[uid] = pod;
            _byName[(ns, name)] = pod;
            Admit(pod, podObject, now);
        }

        pod.Pod = podObject;
        if (Str(metadata, "deletionTimestamp") is not null && pod.State is not (PodState.Stopping or PodState.Stopped))
        {
            var timings = defaults.For(podObject);
            var grace = TimeSpan.FromSeconds(Math.Max(0, metadata?["deletionGracePeriodSeconds"] is JsonValue g && g.TryGetValue<long>(out var seconds) ? seconds : 30));
            pod.State = PodState.Stopping;
            Schedule(pod, PodTransition.Stop, now + (timings.StopDelay < grace ? timings.StopDelay : grace));
        }
    }

    /// <summary>A DELETED pod: its IP is free again.</summary>
    public void Delete(JsonObject podObject)
    {
        var uid = Str(podObject["metadata"] as JsonObject, "uid");
        if (uid is not null && _pods.TryGetValue(uid, out var pod))
        {
            Forget(pod);
        }
    }

    /// <summary>Runs every transition due by now and returns what to tell the server, in order.</summary>
    public List<PodAction> Advance()
    {
        var now = time.GetUtcNow();
        while (_due.TryPeek(out var item, out var due) && due <= now)
        {
            _due.Dequeue();
            var (pod, generation) = item;
            if (generation != pod.Generation || !_pods.ContainsKey(pod.Uid))
            {
                continue;
            }

            var transition = pod.Next;
            pod.Next = PodTransition.None;
            switch (transition)
            {
                case PodTransition.Start when pod.State == PodState.Pending && (pod.PodIp ??= pod.Node.AllocateIp()) is null:
                    // No pod CIDR yet (or none free): the sandbox cannot get an IP, so the containers wait, as kubelet's do while its network is not ready.
                    WaitForNetwork(pod, now);
                    break;
                case PodTransition.Start when pod.State == PodState.Pending:
                    pod.State = PodState.Running;
                    pod.StartedAt = now;
                    pod.InitFinishedAt = now;
                    Report(pod, now);
                    ScheduleCompletion(pod, defaults.For(pod.Pod), now);
                    break;
                case PodTransition.Complete when pod.State == PodState.Running:
                    Exit(pod, defaults.For(pod.Pod), now);
                    break;
                case PodTransition.Restart when pod.State == PodState.BackOff:
                    // The back-off has passed: kubelet's doBackOff moves the entry (Next) and starts the container.
                    NextBackOff(pod, defaults.For(pod.Pod), pod.Last?.FinishedAt ?? now, now);
                    Restart(pod, now);
                    break;
                case PodTransition.Stop when pod.State == PodState.Stopping:
                    pod.State = PodState.Stopped;
                    pod.FinishedAt ??= now;
                    pod.Node.Release(pod.PodIp);
                    _actions.Add(new PodAction(PodActionKind.ConfirmDeletion, pod.Namespace, pod.Name, pod.Uid));
                    break;
            }
        }

        var actions = new List<PodAction>(_actions);
        _actions.Clear();
        return actions;
    }

    /// <summary>The node got its pod CIDR: the pods waiting for an IP start now.</summary>
    public void NetworkReady(SimulatedNode node)
    {
        if (!_waitingForNetwork.Remove(node, out var waiting))
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var pod in waiting)
        {
            if (pod.State == PodState.Pending && _pods.ContainsKey(pod.Uid))
            {
                Schedule(pod, PodTransition.Start, now);
            }
        }
    }

    private void WaitForNetwork(SimulatedPod pod, DateTimeOffset now)
    {
        if (!_waitingForNetwork.TryGetValue(pod.Node, out var waiting))
        {
            _waitingForNetwork[pod.Node] = waiting = [];
        }

        waiting.Add(pod);
        Report(pod, now);
    }

    /// <summary>A pod seen for the first time: adopted as it is when this agent started it before, else started.</summary>
    private void Admit(SimulatedPod pod, JsonObject podObject, DateTimeOffset now)
    {
        var status = podObject["status"] as JsonObject;
        var phase = Str(status, "phase");
        var podIp = Str(status, "podIP");
        var startTime = ParseTime(Str(status, "startTime"));
        var timings = defaults.For(podObject);
        if (phase is "Succeeded" or "Failed")
        {
            pod.State = PodState.Completed;
            pod.PodIp = podIp;
            pod.StartTime = startTime ?? now;
            pod.ExitCode = phase == "Succeeded" ? 0 : 1;
            return;
        }

        if (podIp is not null && pod.Node.Reserve(podIp))
        {
            pod.PodIp = podIp;
            pod.StartTime = startTime ?? now;
            AdoptRestarts(pod, status);
            if (phase == "Running" && RunningSince(status) is { } startedAt)
            {
                pod.State = PodState.Running;
                pod.StartedAt = startedAt;
                ScheduleCompletion(pod, timings, startedAt);
            }
            else if (phase == "Running" && pod.Last is not null)
            {
                // Crash-looping: kubelet's back-off lives in its memory, so a restarted agent restarts the containers now.
                pod.State = PodState.BackOff;
                Schedule(pod, PodTransition.Restart, now);
            }
            else
            {
                pod.State = PodState.Pending;
                Schedule(pod, PodTransition.Start, pod.StartTime + timings.StartDelay);
            }

            return;
        }

        pod.State = PodState.Pending;
        pod.StartTime = now;
        pod.PodIp = pod.Node.AllocateIp();
        if (timings.StartDelay > TimeSpan.Zero)
        {
            // Sandbox up, containers being created: kubelet reports Pending with IPs first.
            Report(pod, now);
        }

        Schedule(pod, PodTransition.Start, now + timings.StartDelay);
    }

    private void ScheduleCompletion(SimulatedPod pod, PodTimings timings, DateTimeOffset startedAt)
    {
        var restartPolicy = RestartPolicy(pod);
        if ((timings.RunDurationAnnotated || restartPolicy is "Never" or "OnFailure") && timings.RunDuration is { } run)
        {
            Schedule(pod, PodTransition.Complete, startedAt + run);
        }
    }

    /// <summary>
    /// The containers exit with the pod's exit code. Whether they restart follows the
    /// restartPolicy (Always: any exit; OnFailure: a non-zero one; Never: none), and when follows
    /// kubelet's doBackOff: the first exit (or one after a run longer than twice the maximum
    /// back-off) restarts at once, later ones wait out the back-off in CrashLoopBackOff.
    /// </summary>
    private void Exit(SimulatedPod pod, PodTimings timings, DateTimeOffset now)
    {
        pod.FinishedAt = now;
        pod.ExitCode = timings.ExitCode;
        var restartPolicy = RestartPolicy(pod);
        if (restartPolicy == "Never" || (restartPolicy == "OnFailure" && timings.ExitCode == 0))
        {
            pod.State = PodState.Completed;
            pod.Node.Release(pod.PodIp);
            Report(pod, now);
            return;
        }

        pod.Last = new TerminatedInstance(pod.StartedAt ?? pod.StartTime, now, timings.ExitCode, pod.RestartCount);
        if (InBackOff(pod, timings, now, now))
        {
            pod.State = PodState.BackOff;
            Report(pod, now);
            Schedule(pod, PodTransition.Restart, now + pod.BackOff);
            return;
        }

        NextBackOff(pod, timings, now, now);
        Restart(pod, now);
    }

    /// <summary>A new instance of the containers: restartCount goes up, the exited one becomes lastState.</summary>
    private void Restart(SimulatedPod pod, DateTimeOffset now)
    {
        pod.RestartCount++;
        pod.State = PodState.Running;
        pod.StartedAt = now;
        pod.FinishedAt = null;
        Report(pod, now);
        ScheduleCompletion(pod, defaults.For(pod.Pod), now);
    }

    /// <summary>client-go's Backoff.IsInBackOffSince(key, finishedAt): an entry that has not expired and a back-off window not yet over.</summary>
    private static bool InBackOff(SimulatedPod pod, PodTimings timings, DateTimeOffset finishedAt, DateTimeOffset now) =>
        pod.BackOff > TimeSpan.Zero && !BackOffExpired(pod, timings, finishedAt) && now - finishedAt < pod.BackOff;

    /// <summary>client-go's Backoff.Next: the initial delay for a new or expired entry, else doubled up to the maximum.</summary>
    private static void NextBackOff(SimulatedPod pod, PodTimings timings, DateTimeOffset finishedAt, DateTimeOffset now)
    {
        if (pod.BackOff <= TimeSpan.Zero || BackOffExpired(pod, timings, finishedAt))
        {
            pod.BackOff = timings.RestartBackOff;
        }
        else
        {
            var doubled = pod.BackOff * 2;
            pod.BackOff = doubled < timings.MaxRestartBackOff ? doubled : timings.MaxRestartBackOff;
        }

        pod.BackOffUpdated = now;
    }

    /// <summary>An entry not moved for twice the maximum back-off (the container ran that long) starts again from the initial delay.</summary>
    private static bool BackOffExpired(SimulatedPod pod, PodTimings timings, DateTimeOffset finishedAt) =>
        finishedAt - pod.BackOffUpdated > timings.MaxRestartBackOff * 2;

    private static string RestartPolicy(SimulatedPod pod) => Str(pod.Pod["spec"] as JsonObject, "restartPolicy") ?? "Always";

    private void Schedule(SimulatedPod pod, PodTransition transition, DateTimeOffset due)
    {
        pod.Generation++;
        pod.Next = transition;
        _due.Enqueue((pod, pod.Generation), due);
    }

    private void Report(SimulatedPod pod, DateTimeOffset now)
    {
        var status = PodStatuses.Build(pod, now);

        // The status is what the server will hold: later statuses keep its transition times.
        pod.Pod["status"] = status.DeepClone();
        _actions.Add(new PodAction(PodActionKind.ReportStatus, pod.Namespace, pod.Name, pod.Uid, status));
    }

    private void Forget(SimulatedPod pod)
    {
        _pods.Remove(pod.Uid);
        if (_byName.TryGetValue((pod.Namespace, pod.Name), out var named) && ReferenceEquals(named, pod))
        {
            _byName.Remove((pod.Namespace, pod.Name));
        }

        if (pod.State is PodState.Pending or PodState.Running or PodState.BackOff or PodState.Stopping)
        {
            pod.Node.Release(pod.PodIp);
        }

        pod.Generation++;
    }

    private static void ReadContainers(SimulatedPod pod, JsonObject podObject)
    {
        var spec = podObject["spec"] as JsonObject;
        foreach (var (field, into) in (ReadOnlySpan<(string, List<ContainerSpec>)>)[("containers", pod.Containers), ("initContainers", pod.InitContainers)])
        {
            foreach (var c in spec?[field] as JsonArray ?? [])
            {
                if (c is JsonObject container)
                {
                    into.Add(new ContainerSpec(Str(container, "name") ?? "", Str(container, "image") ?? ""));
                }
            }
        }
    }

    /// <summary>The restart count and previous instance of a pod this agent ran before it restarted.</summary>
    private static void AdoptRestarts(SimulatedPod pod, JsonObject? status)
    {
        if ((status?["containerStatuses"] as JsonArray)?.FirstOrDefault() is not JsonObject first)
        {
            return;
        }

        pod.RestartCount = first["restartCount"] is JsonValue count && count.TryGetValue<int>(out var n) ? n : 0;
        if ((first["lastState"] as JsonObject)?["terminated"] is JsonObject last
            && ParseTime(Str(last, "startedAt")) is { } lastStarted && ParseTime(Str(last, "finishedAt")) is { } lastFinished)
        {
            var exitCode = last["exitCode"] is JsonValue code && code.TryGetValue<int>(out var c) ? c : 0;
            var instance = (first["state"] as JsonObject)?["waiting"] is JsonObject ? pod.RestartCount : Math.Max(0, pod.RestartCount - 1);
            pod.Last = new TerminatedInstance(lastStarted, lastFinished, exitCode, instance);
        }
    }

    /// <summary>When every container is running: the latest start, else null.</summary>
    private static DateTimeOffset? RunningSince(JsonObject? status)
    {
        DateTimeOffset? since = null;
        var statuses = status?["containerStatuses"] as JsonArray;
        if (statuses is null || statuses.Count == 0)
        {
            return null;
        }

        foreach (var c in statuses)
        {
            var startedAt = ParseTime(Str((c as JsonObject)?["state"]?["running"] as JsonObject, "startedAt"));
            if (startedAt is null)
            {
                return null;
            }

            since = since is null || startedAt > since ? startedAt : since;
        }

        return since;
    }

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static string? Str(JsonObject? obj, string name) =>
        obj?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
