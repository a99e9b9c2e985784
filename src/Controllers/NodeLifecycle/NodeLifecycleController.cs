using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Events;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.NodeLifecycle.Internal;

namespace Nautilus.Controllers.NodeLifecycle;

/// <summary>
/// kube-controller-manager's node lifecycle controller.
/// <list type="bullet">
/// <item>Health: every <see cref="NodeLifecycleOptions.NodeMonitorPeriod"/>, a node whose Lease
/// (kube-node-lease/&lt;node&gt;) and Ready heartbeat have not moved for the grace period gets
/// Ready, MemoryPressure, DiskPressure and PIDPressure Unknown (reason NodeStatusUnknown,
/// "Kubelet stopped posting node status."), and its pods Ready=False.</item>
/// <item>NoExecute taints: Ready Unknown → <c>node.kubernetes.io/unreachable:NoExecute</c>,
/// False → <c>node.kubernetes.io/not-ready:NoExecute</c>, True → neither; added at the
/// per-zone eviction rate, and not at all while every zone is fully disrupted (then the
/// control plane, not the nodes, is the likelier culprit). The taint eviction controller
/// deletes the pods that do not tolerate them.</item>
/// <item>NoSchedule taints mirror the node's conditions (not-ready, unreachable, memory-,
/// disk-, pid-pressure, network-unavailable) and spec.unschedulable, on every node change.</item>
/// </list>
/// All time decisions use <see cref="NodeLifecycleOptions.TimeProvider"/>.
/// </summary>
public sealed partial class NodeLifecycleController : IDisposable
{
    public const string LeaseNamespace = "kube-node-lease";

    private const string NodeStatusUnknownReason = "NodeStatusUnknown";
    private const string NodeStatusUnknownMessage = "Kubelet stopped posting node status.";
    private const string NodeStatusNeverUpdatedReason = "NodeStatusNeverUpdated";
    private const string NodeStatusNeverUpdatedMessage = "Kubelet never posted node status.";
    private const string ExcludeDisruptionLabel = "node.kubernetes.io/exclude-disruption";
    private const int HealthUpdateAttempts = 5;

    private static readonly string[] MonitoredConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    /// <summary>nodeConditionToTaintKeyStatusMap.</summary>
    private static readonly (string Type, string Status, string TaintKey)[] ConditionTaints =
    [
        ("Ready", "False", Taint.NotReady),
        ("Ready", "Unknown", Taint.Unreachable),
        ("MemoryPressure", "True", Taint.MemoryPressure),
        ("DiskPressure", "True", Taint.DiskPressure),
        ("NetworkUnavailable", "True", Taint.NetworkUnavailable),
        ("PIDPressure", "True", Taint.PidPressure),
    ];

    private static readonly HashSet<string> NoScheduleTaintKeys =
        [Taint.NotReady, Taint.Unreachable, Taint.MemoryPressure, Taint.DiskPressure, Taint.NetworkUnavailable, Taint.PidPressure, Taint.Unschedulable];

    private static readonly Taint UnreachableNoExecute = new(Taint.Unreachable, null, Taint.NoExecute);
    private static readonly Taint NotReadyNoExecute = new(Taint.NotReady, null, Taint.NoExecute);

    private readonly ApiClient _client;
    private readonly Informer _nodes;
    private readonly Informer _leases;
    private readonly Informer _pods;
    private readonly ILogger _logger;
    private readonly NodeLifecycleOptions _options;
    private readonly TimeProvider _time;
    private readonly NodeTaintWriter _taints;
    private readonly NoScheduleTainter _noSchedule;
    private readonly EventRecorder? _events;

    private readonly ConcurrentDictionary<string, NodeHealth> _health = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _nodesToRetry = new(StringComparer.Ordinal);
    /// <summary>Node name → uid of the nodes the monitor has seen (touched by the monitor loop only).</summary>
    private readonly Dictionary<string, string> _knownNodes = new(StringComparer.Ordinal);

    // Zones: their disruption state, NoExecute rate limiter and nodes waiting for a NoExecute taint. Guarded by _evictorLock.
    private readonly Lock _evictorLock = new();
    private readonly Dictionary<string, ZoneState> _zoneStates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EvictionRateLimiter> _zoneLimiters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _zoneTaintQueues = new(StringComparer.Ordinal);

    /// <param name="events">Records RegisteredNode, RemovingNode and NodeNotReady (component <c>node-controller</c> in kube); none when null.</param>
    public NodeLifecycleController(
        ApiClient client, Informer nodes, Informer leases, Informer pods, ILogger<NodeLifecycleController> logger, NodeLifecycleOptions? options = null, EventRecorder? events = null)
    {
        _events = events;
        _client = client;
        _nodes = nodes;
        _leases = leases;
        _pods = pods;
        _logger = logger;
        _options = options ?? new NodeLifecycleOptions();
        _time = _options.TimeProvider;
        _taints = new NodeTaintWriter(client, _time);
        _noSchedule = new NoScheduleTainter(this);
    }

    private enum ZoneState
    {
        Initial,
        Normal,
        FullDisruption,
        PartialDisruption,
    }

    public void Start() => _nodes.Subscribe(_noSchedule.Add);

    /// <summary>Runs the health monitor and the NoSchedule taint workers until cancelled.</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(_noSchedule.RunAsync(ct), MonitorLoopAsync(ct));

    public void Dispose() => _noSchedule.Dispose();

    private async Task MonitorLoopAsync(CancellationToken ct)
    {
        try
        {
            foreach (var informer in new[] { _nodes, _leases, _pods })
            {
                await informer.Synced.WaitAsync(ct).ConfigureAwait(false);
            }

            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await MonitorNodeHealthAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogMonitorFailed(_logger, e.Message);
                }

                await Task.Delay(_options.NodeMonitorPeriod, _time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass of kube's monitorNodeHealth, then the NoExecute tainting the pass asked for. Internal for the benchmark of a pass.</summary>
    internal async Task MonitorNodeHealthAsync(CancellationToken ct)
    {
        var nodes = _nodes.List().ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var name = KubeFields.Name(node);
            names.Add(name);
            AddZone(ZoneKey(node));
            if (_knownNodes.TryAdd(name, KubeFields.Uid(node)))
            {
                LogNodeObserved(_logger, name);
                _events?.Event(InvolvedObject.For(node, "v1", "Node"), EventRecorder.Normal, "RegisteredNode", $"Node {name} event: Registered Node {name} in Controller");
                await MarkNodeAsReachableAsync(node, ct).ConfigureAwait(false);
            }
        }

        foreach (var (name, uid) in _knownNodes.Where(n => !names.Contains(n.Key)).ToList())
        {
            LogNodeRemoved(_logger, name);
            _events?.Event(new InvolvedObject("v1", "Node", "", name, uid, ""), EventRecorder.Normal, "RemovingNode", $"Node {name} event: Removing Node {name} from Controller");
            _knownNodes.Remove(name);
            _health.TryRemove(name, out _);
            _nodesToRetry.TryRemove(name, out _);
        }

        var zoneConditions = new ConcurrentDictionary<string, ConcurrentQueue<string?>>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (node, token) =>
        {
            try
            {
                await UpdateNodeAsync(node, zoneConditions, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogNodeUpdateFailed(_logger, KubeFields.Name(node), e.Message);
            }
        }).ConfigureAwait(false);

        await HandleDisruptionAsync(zoneConditions, nodes, ct).ConfigureAwait(false);
        await NoExecuteTaintingPassAsync(ct).ConfigureAwait(false);
    }

    private async Task UpdateNodeAsync(JsonObject node, ConcurrentDictionary<string, ConcurrentQueue<string?>> zoneConditions, CancellationToken ct)
    {
        var name = KubeFields.Name(node);
        JsonObject observed;
        JsonObject? currentReady;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                (observed, currentReady, node) = await TryUpdateNodeHealthAsync(node, ct).ConfigureAwait(false);
                break;
            }
            catch (ApiStatusException e) when (!e.IsNotFound && attempt < HealthUpdateAttempts)
            {
                try
                {
                    node = await _client.GetAsync(ClusterResources.Nodes, "", name, ct).ConfigureAwait(false);
                }
                catch (ApiStatusException notFound) when (notFound.IsNotFound)
                {
                    return;
                }
            }
            catch (ApiStatusException e) when (e.IsNotFound)
            {
                return;
            }
        }

        if (KubeFields.String(KubeFields.Labels(node), ExcludeDisruptionLabel) is null)
        {
            zoneConditions.GetOrAdd(ZoneKey(node), _ => new ConcurrentQueue<string?>()).Enqueue(KubeFields.String(currentReady, "status"));
        }

        if (currentReady is null)
        {
            return;
        }

        await ProcessTaintBaseEvictionAsync(node, observed, ct).ConfigureAwait(false);

        var observedStatus = KubeFields.String(observed, "status");
        var currentStatus = KubeFields.String(currentReady, "status");
        var becameNotReady = currentStatus != "True" && observedStatus == "True";
        if (becameNotReady)
        {
            LogNodeNotReady(_logger, name);
            _events?.Event(InvolvedObject.For(node, "v1", "Node"), EventRecorder.Normal, "NodeNotReady", $"Node {name} status is now: NodeNotReady");
        }

        if (becameNotReady || (_nodesToRetry.ContainsKey(name) && observedStatus != "True"))
        {
            try
            {
                await MarkPodsNotReadyAsync(name, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogMarkPodsNotReadyFailed(_logger, name, e.Message);
                _nodesToRetry[name] = 0;
                return;
            }
        }

        _nodesToRetry.TryRemove(name, out _);
    }

    /// <summary>
    /// kube's tryUpdateNodeHealth: a moved Ready heartbeat or a renewed Lease is a probe; past the
    /// grace period since the last probe, the monitored conditions become Unknown. Returns the
    /// Ready condition as observed (a fake Unknown one when never posted), as it is now, and the node.
    /// </summary>
    private async Task<(JsonObject Observed, JsonObject? Current, JsonObject Node)> TryUpdateNodeHealthAsync(JsonObject node, CancellationToken ct)
    {
        var name = KubeFields.Name(node);
        var now = _time.GetUtcNow();
        _health.TryGetValue(name, out var health);
        var readyCondition = KubeFields.Condition(node, "Ready");
        var creationText = KubeFields.String(KubeFields.Metadata(node), "creationTimestamp");
        var creation = KubeFields.Time(KubeFields.Metadata(node), "creationTimestamp") ?? now;

        JsonObject observed;
        TimeSpan gracePeriod;
        if (readyCondition is null)
        {
            observed = new JsonObject
            {
                ["type"] = "Ready",
                ["status"] = "Unknown",
                ["lastHeartbeatTime"] = creationText,
                ["lastTransitionTime"] = creationText,
            };
            gracePeriod = _options.NodeStartupGracePeriod;
            health = health is null
                ? new NodeHealth(false, null, null, creation, creation, null)
                : health with { HasReady = false, ReadyHeartbeat = null, ReadyTransition = null };
        }
        else
        {
            observed = (JsonObject)readyCondition.DeepClone();
            gracePeriod = _options.NodeMonitorGracePeriod;
        }

        var heartbeat = KubeFields.String(readyCondition, "lastHeartbeatTime");
        var transition = KubeFields.String(readyCondition, "lastTransitionTime");
        var savedLease = health?.LeaseRenewTime;
        if (health is null)
        {
            health = new NodeHealth(readyCondition is not null, heartbeat, transition, now, now, null);
        }
        else if (!health.HasReady && readyCondition is not null)
        {
            health = new NodeHealth(true, heartbeat, transition, now, now, savedLease);
        }
        else if (health.HasReady && readyCondition is null)
        {
            health = new NodeHealth(false, null, null, now, now, savedLease);
        }
        else if (health.HasReady && readyCondition is not null && health.ReadyHeartbeat != heartbeat)
        {
            var transitionTime = health.ReadyTransition != transition ? now : health.ReadyTransitionTimestamp;
            health = new NodeHealth(true, heartbeat, transition, now, transitionTime, savedLease);
        }

        // A renewed Lease is always a probe: a kubelet renewing its lease but never posting status is taken as healthy.
        if (_leases.TryGet(LeaseNamespace + "/" + name, out var lease)
            && KubeFields.Time(lease["spec"], "renewTime") is { } renewed
            && (savedLease is null || savedLease < renewed))
        {
            health = health with { LeaseRenewTime = renewed, ProbeTimestamp = now };
        }

        JsonObject? currentReady = readyCondition;
        if (now > health.ProbeTimestamp + gracePeriod)
        {
            var updated = (JsonObject)node.DeepClone();
            if (updated["status"] is not JsonObject status)
            {
                status = [];
                updated["status"] = status;
            }

            if (status["conditions"] is not JsonArray conditions)
            {
                conditions = [];
                status["conditions"] = conditions;
            }

            var nowText = KubeFields.FormatTime(now);
            foreach (var type in MonitoredConditions)
            {
                var condition = conditions.OfType<JsonObject>().FirstOrDefault(c => KubeFields.String(c, "type") == type);
                if (condition is null)
                {
                    conditions.Add(new JsonObject
                    {
                        ["type"] = type,
                        ["status"] = "Unknown",
                        ["lastHeartbeatTime"] = creationText,
                        ["lastTransitionTime"] = nowText,
                        ["reason"] = NodeStatusNeverUpdatedReason,
                        ["message"] = NodeStatusNeverUpdatedMessage,
                    });
                }
                else if (KubeFields.String(condition, "status") != "Unknown")
                {
                    condition["status"] = "Unknown";
                    condition["reason"] = NodeStatusUnknownReason;
                    condition["message"] = NodeStatusUnknownMessage;
                    condition["lastTransitionTime"] = nowText;
                }
            }

            currentReady = KubeFields.Condition(updated, "Ready");
            if (!JsonNode.DeepEquals(currentReady, observed))
            {
                var written = await _client.UpdateAsync(ClusterResources.Nodes, "", name, updated, "status", ct).ConfigureAwait(false);
                _health[name] = health with
                {
                    HasReady = true,
                    ReadyHeartbeat = KubeFields.String(currentReady, "lastHeartbeatTime"),
                    ReadyTransition = KubeFields.String(currentReady, "lastTransitionTime"),
                    ReadyTransitionTimestamp = now,
                };
                LogNodeUnknown(_logger, name, (now - health.ProbeTimestamp).TotalSeconds);
                return (observed, currentReady, written);
            }
        }

        _health[name] = health;
        return (observed, currentReady, node);
    }

    /// <summary>processTaintBaseEviction: Ready False/Unknown queue the matching NoExecute taint (swapped at once if the other one is there); True removes both.</summary>
    private async Task ProcessTaintBaseEvictionAsync(JsonObject node, JsonObject observed, CancellationToken ct)
    {
        var taints = Taint.Of(node);
        switch (KubeFields.String(observed, "status"))
        {
            case "False":
                if (Taint.Exists(taints, UnreachableNoExecute))
                {
                    await _taints.SwapAsync(node, [NotReadyNoExecute], [UnreachableNoExecute], ct).ConfigureAwait(false);
                }
                else
                {
                    MarkNodeForTainting(node, NotReadyNoExecute, taints);
                }

                break;
            case "Unknown":
                if (Taint.Exists(taints, NotReadyNoExecute))
                {
                    await _taints.SwapAsync(node, [UnreachableNoExecute], [NotReadyNoExecute], ct).ConfigureAwait(false);
                }
                else
                {
                    MarkNodeForTainting(node, UnreachableNoExecute, taints);
                }

                break;
            case "True":
                if (await MarkNodeAsReachableAsync(node, ct).ConfigureAwait(false))
                {
                    LogNodeReachable(_logger, KubeFields.Name(node));
                }

                break;
        }
    }

    private void MarkNodeForTainting(JsonObject node, Taint wanted, List<Taint> taints)
    {
        var opposite = wanted == UnreachableNoExecute ? NotReadyNoExecute : UnreachableNoExecute;
        if (Taint.Exists(taints, wanted) && !Taint.Exists(taints, opposite))
        {
            return;
        }

        lock (_evictorLock)
        {
            var queue = _zoneTaintQueues[ZoneKey(node)];
            var name = KubeFields.Name(node);
            if (!queue.Contains(name))
            {
                queue.Add(name);
            }
        }
    }

    /// <summary>markNodeAsReachable: removes the unreachable and not-ready NoExecute taints and any pending tainting. True when a taint was removed.</summary>
    private async Task<bool> MarkNodeAsReachableAsync(JsonObject node, CancellationToken ct)
    {
        lock (_evictorLock)
        {
            foreach (var queue in _zoneTaintQueues.Values)
            {
                queue.Remove(KubeFields.Name(node));
            }
        }

        var taints = Taint.Of(node);
        if (!Taint.Exists(taints, UnreachableNoExecute) && !Taint.Exists(taints, NotReadyNoExecute))
        {
            return false;
        }

        return await _taints.SwapAsync(node, [], [UnreachableNoExecute, NotReadyNoExecute], ct).ConfigureAwait(false);
    }

    /// <summary>doNoExecuteTaintingPass: taints the queued nodes as their Ready condition says, at each zone's rate.</summary>
    private async Task NoExecuteTaintingPassAsync(CancellationToken ct)
    {
        List<(string Zone, List<string> Nodes)> queues;
        lock (_evictorLock)
        {
            queues = _zoneTaintQueues.Select(q => (q.Key, q.Value.ToList())).ToList();
        }

        foreach (var (zone, names) in queues)
        {
            foreach (var name in names)
            {
                if (!_nodes.TryGet(name, out var node))
                {
                    Dequeue(zone, name);
                    continue;
                }

                var ready = KubeFields.Condition(node, "Ready");
                if (ready is null)
                {
                    continue;
                }

                (Taint Add, Taint Opposite) swap;
                switch (KubeFields.String(ready, "status"))
                {
                    case "False":
                        swap = (NotReadyNoExecute, UnreachableNoExecute);
                        break;
                    case "Unknown":
                        swap = (UnreachableNoExecute, NotReadyNoExecute);
                        break;
                    default:
                        // Ready again: no taint needed.
                        Dequeue(zone, name);
                        continue;
                }

                var taints = Taint.Of(node);
                if (Taint.Exists(taints, swap.Add) && !Taint.Exists(taints, swap.Opposite))
                {
                    Dequeue(zone, name);
                    continue;
                }

                bool admitted;
                lock (_evictorLock)
                {
                    admitted = _zoneLimiters[zone].TryAccept();
                }

                if (!admitted)
                {
                    break;
                }

                LogTainting(_logger, name, swap.Add.Key);
                if (await _taints.SwapAsync(node, [swap.Add], [swap.Opposite], ct).ConfigureAwait(false))
                {
                    Dequeue(zone, name);
                }
            }
        }
    }

    private void Dequeue(string zone, string name)
    {
        lock (_evictorLock)
        {
            _zoneTaintQueues[zone].Remove(name);
        }
    }

    /// <summary>
    /// handleDisruption: when every zone is fully disrupted the NoExecute taints are lifted and
    /// tainting stops; leaving that state restarts every node's grace period; otherwise each
    /// zone's rate follows its state.
    /// </summary>
    private async Task HandleDisruptionAsync(ConcurrentDictionary<string, ConcurrentQueue<string?>> zoneConditions, List<JsonObject> nodes, CancellationToken ct)
    {
        var newStates = new Dictionary<string, ZoneState>(StringComparer.Ordinal);
        var allAreFullyDisrupted = true;
        foreach (var (zone, statuses) in zoneConditions)
        {
            var state = ComputeZoneState(statuses.ToList());
            if (state != ZoneState.FullDisruption)
            {
                allAreFullyDisrupted = false;
            }

            newStates[zone] = state;
        }

        var allWasFullyDisrupted = true;
        List<string> zones;
        lock (_evictorLock)
        {
            foreach (var zone in newStates.Keys)
            {
                _zoneStates.TryAdd(zone, ZoneState.Initial);
            }

            foreach (var zone in _zoneStates.Keys.ToList())
            {
                if (!zoneConditions.ContainsKey(zone))
                {
                    _zoneStates.Remove(zone);
                    continue;
                }

                if (_zoneStates[zone] != ZoneState.FullDisruption)
                {
                    allWasFullyDisrupted = false;
                }
            }

            zones = [.. _zoneStates.Keys];
        }

        if (allAreFullyDisrupted && allWasFullyDisrupted)
        {
            return;
        }

        if (allAreFullyDisrupted)
        {
            LogEnteringDisruption(_logger);
            foreach (var node in nodes)
            {
                await MarkNodeAsReachableAsync(node, ct).ConfigureAwait(false);
            }

            lock (_evictorLock)
            {
                foreach (var zone in zones)
                {
                    SetLimiter(zone, 0);
                    _zoneStates[zone] = ZoneState.FullDisruption;
                }
            }

            return;
        }

        if (allWasFullyDisrupted)
        {
            LogExitingDisruption(_logger);
            var now = _time.GetUtcNow();
            foreach (var (name, health) in _health)
            {
                _health[name] = health with { ProbeTimestamp = now, ReadyTransitionTimestamp = now };
            }
        }

        lock (_evictorLock)
        {
            foreach (var zone in zones)
            {
                var state = newStates.GetValueOrDefault(zone, ZoneState.Normal);
                if (allWasFullyDisrupted || _zoneStates[zone] != state)
                {
                    var size = zoneConditions.TryGetValue(zone, out var statuses) ? statuses.Count : 0;
                    SetLimiter(zone, state switch
                    {
                        ZoneState.PartialDisruption => size > _options.LargeClusterSizeThreshold ? _options.SecondaryNodeEvictionRate : 0,
                        _ => _options.NodeEvictionRate,
                    });
                    _zoneStates[zone] = state;
                }
            }
        }
    }

    private ZoneState ComputeZoneState(List<string?> readyStatuses)
    {
        var ready = readyStatuses.Count(s => s == "True");
        var notReady = readyStatuses.Count - ready;
        if (ready == 0 && notReady > 0)
        {
            return ZoneState.FullDisruption;
        }

        return notReady > 2 && (double)notReady / (notReady + ready) >= _options.UnhealthyZoneThreshold
            ? ZoneState.PartialDisruption
            : ZoneState.Normal;
    }

    /// <summary>Replaces the zone's limiter when the rate changes (a new limiter starts with its burst). Called under _evictorLock.</summary>
    private void SetLimiter(string zone, double qps)
    {
        if (!_zoneLimiters.TryGetValue(zone, out var limiter) || limiter.Qps != qps)
        {
            _zoneLimiters[zone] = new EvictionRateLimiter(qps, _time);
        }
    }

    private void AddZone(string zone)
    {
        lock (_evictorLock)
        {
            if (!_zoneLimiters.ContainsKey(zone))
            {
                _zoneLimiters[zone] = new EvictionRateLimiter(_options.NodeEvictionRate, _time);
                _zoneTaintQueues[zone] = [];
                _zoneStates[zone] = ZoneState.Initial;
            }
        }
    }

    /// <summary>MarkPodsNotReady: the Ready condition of every pod on the node becomes False.</summary>
    private async Task MarkPodsNotReadyAsync(string nodeName, CancellationToken ct)
    {
        var errors = new List<string>();
        var now = KubeFields.FormatTime(_time.GetUtcNow());
        foreach (var cached in _pods.ByNodeName(nodeName))
        {
            var pod = cached.ToJsonObject();
            if (KubeFields.Condition(pod, "Ready") is not { } ready || KubeFields.String(ready, "status") == "False")
            {
                continue;
            }

            var updated = (JsonObject)pod.DeepClone();
            var condition = KubeFields.Condition(updated, "Ready")!;
            condition["status"] = "False";
            condition["lastTransitionTime"] = now;
            try
            {
                await _client.UpdateAsync(ClusterResources.Pods, KubeFields.Namespace(pod), KubeFields.Name(pod), updated, "status", ct).ConfigureAwait(false);
                LogPodNotReady(_logger, KubeFields.Namespace(pod), KubeFields.Name(pod), nodeName);
                _events?.Event(InvolvedObject.For(pod, "v1", "Pod"), EventRecorder.Warning, "NodeNotReady", "Node is not ready");
            }
            catch (ApiStatusException e) when (e.IsNotFound)
            {
            }
            catch (ApiStatusException e)
            {
                errors.Add(e.Message);
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }
    }

    /// <summary>doNoScheduleTaintingPass: the node's NoSchedule taints of the controller's keys follow its conditions and spec.unschedulable.</summary>
    private async Task NoScheduleTaintingPassAsync(string name, CancellationToken ct)
    {
        if (!_nodes.TryGet(name, out var node))
        {
            return;
        }

        var wanted = new List<Taint>();
        foreach (var condition in KubeFields.Objects(node["status"], "conditions"))
        {
            var type = KubeFields.String(condition, "type");
            var status = KubeFields.String(condition, "status");
            foreach (var (conditionType, conditionStatus, key) in ConditionTaints)
            {
                if (type == conditionType && status == conditionStatus)
                {
                    wanted.Add(new Taint(key, null, Taint.NoSchedule));
                }
            }
        }

        if (KubeFields.Bool(node["spec"], "unschedulable") == true)
        {
            wanted.Add(new Taint(Taint.Unschedulable, null, Taint.NoSchedule));
        }

        var current = Taint.Of(node).Where(t => t.Effect == Taint.NoSchedule && NoScheduleTaintKeys.Contains(t.Key)).ToList();
        var add = wanted.Where(t => !Taint.Exists(current, t)).ToList();
        var remove = current.Where(t => !Taint.Exists(wanted, t)).ToList();
        if (add.Count == 0 && remove.Count == 0)
        {
            return;
        }

        await _taints.SwapAsync(node, add, remove, ct).ConfigureAwait(false);
    }

    /// <summary>GetZoneKey: region and zone labels; "" for a node without either.</summary>
    private static string ZoneKey(JsonObject node)
    {
        var labels = KubeFields.Labels(node);
        var region = KubeFields.String(labels, "topology.kubernetes.io/region") ?? KubeFields.String(labels, "failure-domain.beta.kubernetes.io/region") ?? "";
        var zone = KubeFields.String(labels, "topology.kubernetes.io/zone") ?? KubeFields.String(labels, "failure-domain.beta.kubernetes.io/zone") ?? "";
        return region.Length == 0 && zone.Length == 0 ? "" : region + ":\0:" + zone;
    }

    /// <summary>What the monitor last saw of a node: its Ready heartbeat and transition, and when it last heard from it.</summary>
    private sealed record NodeHealth(
        bool HasReady, string? ReadyHeartbeat, string? ReadyTransition, DateTimeOffset ProbeTimestamp, DateTimeOffset ReadyTransitionTimestamp, DateTimeOffset? LeaseRenewTime);

    /// <summary>The NoSchedule taint workers, fed by node changes.</summary>
    private sealed class NoScheduleTainter(NodeLifecycleController owner) : Controller("node-lifecycle-noschedule-taint", owner._logger, 4)
    {
        protected override IEnumerable<Informer> Informers => [owner._nodes];

        public void Add(string name) => Queue.Add(name);

        protected override async Task<TimeSpan?> ReconcileAsync(string key, CancellationToken ct)
        {
            await owner.NoScheduleTaintingPassAsync(key, ct).ConfigureAwait(false);
            return null;
        }
    }

    [LoggerMessage(EventId = 2700, Level = LogLevel.Warning, Message = "Node health monitoring pass failed: {Error}")]
    private static partial void LogMonitorFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 2701, Level = LogLevel.Information, Message = "Controller observed a new Node {Node}")]
    private static partial void LogNodeObserved(ILogger logger, string node);

    [LoggerMessage(EventId = 2702, Level = LogLevel.Information, Message = "Controller observed a Node deletion: {Node}")]
    private static partial void LogNodeRemoved(ILogger logger, string node);

    [LoggerMessage(EventId = 2703, Level = LogLevel.Warning, Message = "Could not update the health of node {Node}: {Error}")]
    private static partial void LogNodeUpdateFailed(ILogger logger, string node, string error);

    [LoggerMessage(EventId = 2704, Level = LogLevel.Information, Message = "Node {Node} hasn't been updated for {Seconds} s; its conditions are now Unknown")]
    private static partial void LogNodeUnknown(ILogger logger, string node, double seconds);

    [LoggerMessage(EventId = 2705, Level = LogLevel.Information, Message = "Node {Node} is NotReady (NodeNotReady); marking its pods not ready")]
    private static partial void LogNodeNotReady(ILogger logger, string node);

    [LoggerMessage(EventId = 2706, Level = LogLevel.Warning, Message = "Could not mark the pods of node {Node} not ready: {Error}; will retry")]
    private static partial void LogMarkPodsNotReadyFailed(ILogger logger, string node, string error);

    [LoggerMessage(EventId = 2707, Level = LogLevel.Information, Message = "Node {Node} is healthy again, removed its NoExecute taints")]
    private static partial void LogNodeReachable(ILogger logger, string node);

    [LoggerMessage(EventId = 2708, Level = LogLevel.Information, Message = "Tainting node {Node} with {Taint}:NoExecute")]
    private static partial void LogTainting(ILogger logger, string node, string taint);

    [LoggerMessage(EventId = 2709, Level = LogLevel.Warning, Message = "Controller detected that all Nodes are not-Ready. Entering master disruption mode")]
    private static partial void LogEnteringDisruption(ILogger logger);

    [LoggerMessage(EventId = 2710, Level = LogLevel.Information, Message = "Controller detected that some Nodes are Ready. Exiting master disruption mode")]
    private static partial void LogExitingDisruption(ILogger logger);

    [LoggerMessage(EventId = 2711, Level = LogLevel.Debug, Message = "Updating ready status of pod {Namespace}/{Pod} on node {Node} to false")]
    private static partial void LogPodNotReady(ILogger logger, string @namespace, string pod, string node);
}
