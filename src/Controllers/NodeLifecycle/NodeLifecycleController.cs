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
    /// <summary>The nodes the monitor has seen, by name (kube's knownNodeSet), with what it read of each. Touched by the monitor loop only.</summary>
    private readonly Dictionary<string, MonitoredNode> _monitored = new(StringComparer.Ordinal);

    /// <summary>The nodes of the current pass; reused, touched by the monitor loop only.</summary>
    private readonly List<MonitoredNode> _passNodes = [];
    private long _pass;

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

    /// <summary>
    /// One pass of kube's monitorNodeHealth, then the NoExecute tainting the pass asked for. Every
    /// node's heartbeat is looked at on every pass (a node that stopped posting changes nothing
    /// and must still go Unknown), but through its <see cref="NodeSummary"/>, read again only when
    /// the informer holds a new resourceVersion: at 5,000 unchanged nodes a pass parses no node
    /// and no Lease. Internal for the benchmark of a pass.
    /// </summary>
    internal async Task MonitorNodeHealthAsync(CancellationToken ct)
    {
        var pass = ++_pass;
        var nodes = _passNodes;
        nodes.Clear();
        foreach (var cached in _nodes.ByNamespace(""))
        {
            if (!_monitored.TryGetValue(cached.Name, out var monitored))
            {
                monitored = new MonitoredNode(cached, LeaseNamespace + "/" + cached.Name);
                _monitored.Add(cached.Name, monitored);
                monitored.Pass = pass;
                nodes.Add(monitored);
                var node = monitored.Summary;
                AddZone(node.Zone);
                LogNodeObserved(_logger, node.Name);
                _events?.Event(InvolvedObject.For(node.ToJsonObject(), "v1", "Node"), EventRecorder.Normal, "RegisteredNode", $"Node {node.Name} event: Registered Node {node.Name} in Controller");
                await MarkNodeAsReachableAsync(node, ct).ConfigureAwait(false);
                continue;
            }

            if (!ReferenceEquals(monitored.Source, cached) && monitored.Source.ResourceVersion != cached.ResourceVersion)
            {
                monitored.Refresh(cached);
            }

            monitored.Pass = pass;
            nodes.Add(monitored);
            AddZone(monitored.Summary.Zone);
        }

        // Removing while enumerating a Dictionary is allowed (no other change is).
        foreach (var (name, monitored) in _monitored)
        {
            if (monitored.Pass != pass)
            {
                LogNodeRemoved(_logger, name);
                _events?.Event(new InvolvedObject("v1", "Node", "", name, monitored.RegisteredUid, ""), EventRecorder.Normal, "RemovingNode", $"Node {name} event: Removing Node {name} from Controller");
                _monitored.Remove(name);
                _health.TryRemove(name, out _);
                _nodesToRetry.TryRemove(name, out _);
            }
        }

        var zoneConditions = new ConcurrentDictionary<string, ConcurrentQueue<string?>>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (monitored, token) =>
        {
            try
            {
                await UpdateNodeAsync(monitored, zoneConditions, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogNodeUpdateFailed(_logger, monitored.Summary.Name, e.Message);
            }
        }).ConfigureAwait(false);

        await HandleDisruptionAsync(zoneConditions, nodes, ct).ConfigureAwait(false);
        await NoExecuteTaintingPassAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Completes synchronously, allocating nothing, for a node that needs no write.</summary>
    private async Task UpdateNodeAsync(MonitoredNode monitored, ConcurrentDictionary<string, ConcurrentQueue<string?>> zoneConditions, CancellationToken ct)
    {
        var node = monitored.Summary;
        var name = node.Name;
        ReadyObservation ready;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                (ready, node) = await TryUpdateNodeHealthAsync(monitored, node, ct).ConfigureAwait(false);
                break;
            }
            catch (ApiStatusException e) when (!e.IsNotFound && attempt < HealthUpdateAttempts)
            {
                try
                {
                    node = NodeSummary.Of(await _client.GetAsync(ClusterResources.Nodes, "", name, ct).ConfigureAwait(false));
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

        if (!node.ExcludedFromDisruption)
        {
            zoneConditions.GetOrAdd(node.Zone, _ => new ConcurrentQueue<string?>()).Enqueue(ready.CurrentStatus);
        }

        if (!ready.HasCurrent)
        {
            return;
        }

        await ProcessTaintBaseEvictionAsync(node, ready.ObservedStatus, ct).ConfigureAwait(false);

        var becameNotReady = ready.CurrentStatus != "True" && ready.ObservedStatus == "True";
        if (becameNotReady)
        {
            LogNodeNotReady(_logger, name);
            _events?.Event(InvolvedObject.For(node.ToJsonObject(), "v1", "Node"), EventRecorder.Normal, "NodeNotReady", $"Node {name} status is now: NodeNotReady");
        }

        if (becameNotReady || (_nodesToRetry.ContainsKey(name) && ready.ObservedStatus != "True"))
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
    /// Ready condition's status as observed (Unknown, as kube's fake condition, when never
    /// posted) and as it is now, and the node (the one written, when this wrote it). Parses the
    /// node only to write it: a write is due exactly when the Ready condition is missing or not
    /// already Unknown, the only cases where marking the conditions Unknown changes it.
    /// </summary>
    private async ValueTask<(ReadyObservation Ready, NodeSummary Node)> TryUpdateNodeHealthAsync(MonitoredNode monitored, NodeSummary node, CancellationToken ct)
    {
        var name = node.Name;
        var now = _time.GetUtcNow();
        _health.TryGetValue(name, out var health);
        var creation = node.Creation ?? now;

        string? observedStatus;
        TimeSpan gracePeriod;
        if (!node.HasReady)
        {
            observedStatus = "Unknown";
            gracePeriod = _options.NodeStartupGracePeriod;
            health = health is null
                ? new NodeHealth(false, null, null, creation, creation, null)
                : health with { HasReady = false, ReadyHeartbeat = null, ReadyTransition = null };
        }
        else
        {
            observedStatus = node.ReadyStatus;
            gracePeriod = _options.NodeMonitorGracePeriod;
        }

        var heartbeat = node.ReadyHeartbeat;
        var transition = node.ReadyTransition;
        var savedLease = health?.LeaseRenewTime;
        if (health is null)
        {
            health = new NodeHealth(node.HasReady, heartbeat, transition, now, now, null);
        }
        else if (!health.HasReady && node.HasReady)
        {
            health = new NodeHealth(true, heartbeat, transition, now, now, savedLease);
        }
        else if (health.HasReady && !node.HasReady)
        {
            health = new NodeHealth(false, null, null, now, now, savedLease);
        }
        else if (health.HasReady && node.HasReady && health.ReadyHeartbeat != heartbeat)
        {
            var transitionTime = health.ReadyTransition != transition ? now : health.ReadyTransitionTimestamp;
            health = new NodeHealth(true, heartbeat, transition, now, transitionTime, savedLease);
        }

        // A renewed Lease is always a probe: a kubelet renewing its lease but never posting status is taken as healthy.
        if (monitored.LeaseRenewTime(_leases) is { } renewed && (savedLease is null || savedLease < renewed))
        {
            health = health with { LeaseRenewTime = renewed, ProbeTimestamp = now };
        }

        if (now > health.ProbeTimestamp + gracePeriod && !(node.HasReady && node.ReadyStatus == "Unknown"))
        {
            var updated = node.ToJsonObject();
            var readyCondition = KubeFields.Condition(updated, "Ready");
            var creationText = node.CreationTimestamp;
            var observed = readyCondition is null
                ? new JsonObject
                {
                    ["type"] = "Ready",
                    ["status"] = "Unknown",
                    ["lastHeartbeatTime"] = creationText,
                    ["lastTransitionTime"] = creationText,
                }
                : (JsonObject)readyCondition.DeepClone();
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

            var currentReady = KubeFields.Condition(updated, "Ready");
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
                return (new ReadyObservation(observedStatus, currentReady is not null, KubeFields.String(currentReady, "status")), NodeSummary.Of(written));
            }

            _health[name] = health;
            return (new ReadyObservation(observedStatus, currentReady is not null, KubeFields.String(currentReady, "status")), node);
        }

        _health[name] = health;
        return (new ReadyObservation(observedStatus, node.HasReady, node.ReadyStatus), node);
    }

    /// <summary>processTaintBaseEviction: Ready False/Unknown queue the matching NoExecute taint (swapped at once if the other one is there); True removes both.</summary>
    private async Task ProcessTaintBaseEvictionAsync(NodeSummary node, string? observedStatus, CancellationToken ct)
    {
        switch (observedStatus)
        {
            case "False":
                if (node.HasTaint(UnreachableNoExecute))
                {
                    await _taints.SwapAsync(node.ToJsonObject(), [NotReadyNoExecute], [UnreachableNoExecute], ct).ConfigureAwait(false);
                }
                else
                {
                    MarkNodeForTainting(node, NotReadyNoExecute);
                }

                break;
            case "Unknown":
                if (node.HasTaint(NotReadyNoExecute))
                {
                    await _taints.SwapAsync(node.ToJsonObject(), [UnreachableNoExecute], [NotReadyNoExecute], ct).ConfigureAwait(false);
                }
                else
                {
                    MarkNodeForTainting(node, UnreachableNoExecute);
                }

                break;
            case "True":
                if (await MarkNodeAsReachableAsync(node, ct).ConfigureAwait(false))
                {
                    LogNodeReachable(_logger, node.Name);
                }

                break;
        }
    }

    private void MarkNodeForTainting(NodeSummary node, Taint wanted)
    {
        var opposite = wanted == UnreachableNoExecute ? NotReadyNoExecute : UnreachableNoExecute;
        if (node.HasTaint(wanted) && !node.HasTaint(opposite))
        {
            return;
        }

        lock (_evictorLock)
        {
            var queue = _zoneTaintQueues[node.Zone];
            if (!queue.Contains(node.Name))
            {
                queue.Add(node.Name);
            }
        }
    }

    /// <summary>markNodeAsReachable: removes the unreachable and not-ready NoExecute taints and any pending tainting. True when a taint was removed.</summary>
    private async Task<bool> MarkNodeAsReachableAsync(NodeSummary node, CancellationToken ct)
    {
        lock (_evictorLock)
        {
            foreach (var queue in _zoneTaintQueues.Values)
            {
                queue.Remove(node.Name);
            }
        }

        if (!node.HasTaint(UnreachableNoExecute) && !node.HasTaint(NotReadyNoExecute))
        {
            return false;
        }

        return await _taints.SwapAsync(node.ToJsonObject(), [], [UnreachableNoExecute, NotReadyNoExecute], ct).ConfigureAwait(false);
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
    private async Task HandleDisruptionAsync(ConcurrentDictionary<string, ConcurrentQueue<string?>> zoneConditions, List<MonitoredNode> nodes, CancellationToken ct)
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
                await MarkNodeAsReachableAsync(node.Summary, ct).ConfigureAwait(false);
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

    /// <summary>What the monitor last saw of a node: its Ready heartbeat and transition, and when it last heard from it.</summary>
    private sealed record NodeHealth(
        bool HasReady, string? ReadyHeartbeat, string? ReadyTransition, DateTimeOffset ProbeTimestamp, DateTimeOffset ReadyTransitionTimestamp, DateTimeOffset? LeaseRenewTime);

    /// <summary>The Ready condition's status as a pass observed it (before any write) and as it is now (null when absent or without a status).</summary>
    private readonly record struct ReadyObservation(string? ObservedStatus, bool HasCurrent, string? CurrentStatus);

    /// <summary>
    /// A node the monitor knows: the summary of the informer's object last seen (read again when
    /// the informer's resourceVersion moves) and the renewTime of its Lease (read again when the
    /// Lease's does). Its fields are written by the monitor loop, or during a pass by the one
    /// worker that holds the node.
    /// </summary>
    private sealed class MonitoredNode(CachedObject source, string leaseKey)
    {
        private string? _leaseResourceVersion;
        private DateTimeOffset? _leaseRenewTime;

        /// <summary>The informer's object <see cref="Summary"/> was read from.</summary>
        public CachedObject Source { get; private set; } = source;

        public NodeSummary Summary { get; private set; } = NodeSummary.Of(source);

        /// <summary>The uid the node was registered with (the RemovingNode event names it).</summary>
        public string RegisteredUid { get; } = source.Uid;

        /// <summary>The pass that last saw the node in the informer.</summary>
        public long Pass { get; set; }

        public void Refresh(CachedObject cached)
        {
            Source = cached;
            Summary = NodeSummary.Of(cached);
        }

        /// <summary>spec.renewTime of the node's Lease in kube-node-lease, or null without one.</summary>
        public DateTimeOffset? LeaseRenewTime(Informer leases)
        {
            if (!leases.TryGetCached(leaseKey, out var lease))
            {
                _leaseResourceVersion = null;
                _leaseRenewTime = null;
                return null;
            }

            if (lease.ResourceVersion != _leaseResourceVersion)
            {
                _leaseRenewTime = KubeFields.Time(lease.ToJsonObject()["spec"], "renewTime");
                _leaseResourceVersion = lease.ResourceVersion;
            }

            return _leaseRenewTime;
        }
    }

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
