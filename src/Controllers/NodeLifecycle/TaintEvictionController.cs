using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Events;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.NodeLifecycle.Internal;

namespace Nautilus.Controllers.NodeLifecycle;

/// <summary>
/// kube-controller-manager's taint eviction controller: a pod on a node with NoExecute taints is
/// deleted at once if it does not tolerate them all, after the smallest tolerationSeconds of the
/// tolerations it uses (counted from when the controller first saw it so exposed) if it does, and
/// never if those tolerate forever. A taint removed in time cancels the eviction. Evicted pods
/// get the DisruptionTarget condition (DeletionByTaintManager) before the delete, so their
/// owners replace them elsewhere.
/// </summary>
public sealed partial class TaintEvictionController : Controller
{
    private readonly ApiClient _client;
    private readonly Informer _nodes;
    private readonly Informer _pods;
    private readonly TimeProvider _time;
    private readonly EventRecorder? _events;

    // Each node's NoExecute taints as last seen (the pods of a node come from the pod informer's node index).
    private readonly ConcurrentDictionary<string, string> _nodeTaints = new(StringComparer.Ordinal);

    /// <summary>When each pod's eviction clock started.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _scheduled = new(StringComparer.Ordinal);

    /// <summary>Pods evicted and not yet gone from the cache: no second clock starts for them (kube keeps fired work in its queue).</summary>
    private readonly ConcurrentDictionary<string, byte> _evicted = new(StringComparer.Ordinal);

    /// <param name="events">Records TaintManagerEviction (component <c>taint-eviction-controller</c> in kube); none when null.</param>
    public TaintEvictionController(
        ApiClient client, Informer nodes, Informer pods, ILogger<TaintEvictionController> logger, EventRecorder? events = null, TimeProvider? time = null, int workers = 8)
        : base("taint-eviction-controller", logger, workers)
    {
        _events = events;
        _client = client;
        _nodes = nodes;
        _pods = pods;
        _time = time ?? TimeProvider.System;
    }

    protected override IEnumerable<Informer> Informers => [_nodes, _pods];

    public void Start()
    {
        _pods.Subscribe(OnPodChanged);
        _nodes.Subscribe(OnNodeChanged);
    }

    protected override async Task<TimeSpan?> ReconcileAsync(string key, CancellationToken ct)
    {
        if (!_pods.TryGet(key, out var pod))
        {
            Cancel(key);
            _evicted.TryRemove(key, out _);
            return null;
        }

        if (_evicted.ContainsKey(key))
        {
            // Evicted already: the cache has not caught up with the deletion yet.
            return null;
        }

        if (KubeFields.IsBeingDeleted(pod))
        {
            _scheduled.TryRemove(key, out _);
            return null;
        }

        if (KubeFields.String(pod["spec"], "nodeName") is not { Length: > 0 } nodeName || !_nodes.TryGet(nodeName, out var node))
        {
            Cancel(key);
            return null;
        }

        var taints = Taint.Of(node).Where(t => t.Effect == Taint.NoExecute).ToList();
        if (taints.Count == 0)
        {
            Cancel(key);
            return null;
        }

        var now = _time.GetUtcNow();
        var (allTolerated, used) = Toleration.Matching(taints, Toleration.Of(pod));
        if (allTolerated)
        {
            if (Toleration.MinTolerationTime(used) is not { } tolerated)
            {
                // Tolerated forever.
                Cancel(key);
                return null;
            }

            var started = _scheduled.GetOrAdd(key, now);
            var due = started + tolerated;
            if (now < due)
            {
                return due - now;
            }
        }

        LogEvicting(Logger, key, nodeName);
        _events?.Event(InvolvedObject.For(pod, "v1", "Pod"), EventRecorder.Normal, "TaintManagerEviction", $"Marking for deletion Pod {key}");
        await EvictAsync(pod, ct).ConfigureAwait(false);
        _scheduled.TryRemove(key, out _);
        _evicted[key] = 0;
        return null;
    }

    /// <summary>addConditionAndDeletePod: the DisruptionTarget condition, then the delete.</summary>
    private async Task EvictAsync(JsonObject pod, CancellationToken ct)
    {
        var ns = KubeFields.Namespace(pod);
        var name = KubeFields.Name(pod);
        if (KubeFields.String(KubeFields.Condition(pod, "DisruptionTarget"), "reason") != "DeletionByTaintManager")
        {
            var updated = (JsonObject)pod.DeepClone();
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

            var condition = new JsonObject
            {
                ["type"] = "DisruptionTarget",
                ["status"] = "True",
                ["lastProbeTime"] = null,
                ["lastTransitionTime"] = KubeFields.FormatTime(_time.GetUtcNow()),
                ["reason"] = "DeletionByTaintManager",
                ["message"] = "Taint manager: deleting due to NoExecute taint",
            };
            var index = conditions.OfType<JsonObject>().ToList().FindIndex(c => KubeFields.String(c, "type") == "DisruptionTarget");
            if (index >= 0)
            {
                conditions[index] = condition;
            }
            else
            {
                conditions.Add(condition);
            }

            try
            {
                await _client.UpdateAsync(ClusterResources.Pods, ns, name, updated, "status", ct).ConfigureAwait(false);
            }
            catch (ApiStatusException e) when (e.IsNotFound)
            {
                return;
            }
        }

        try
        {
            await _client.DeleteAsync(ClusterResources.Pods, ns, name, ct: ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (e.IsNotFound)
        {
        }
    }

    /// <summary>Stops a pending eviction, with kube's "Cancelling deletion" event.</summary>
    private void Cancel(string key)
    {
        if (_scheduled.TryRemove(key, out _))
        {
            LogCancelled(Logger, key);
            var slash = key.IndexOf('/');
            _events?.Event(new InvolvedObject("v1", "Pod", key[..slash], key[(slash + 1)..], "", ""), EventRecorder.Normal, "TaintManagerEviction", $"Cancelling deletion of Pod {key}");
        }
    }

    private void OnPodChanged(string key)
    {
        var nodeName = _pods.TryGetCached(key, out var pod) ? pod.NodeName : null;

        // Only pods exposed to NoExecute taints (or with an eviction pending or done) need a look.
        if (_scheduled.ContainsKey(key) || _evicted.ContainsKey(key) || (nodeName is not null && _nodeTaints.TryGetValue(nodeName, out var taints) && taints.Length > 0))
        {
            Queue.Add(key);
        }
    }

    private void OnNodeChanged(string name)
    {
        var fingerprint = _nodes.TryGet(name, out var node)
            ? string.Join('\n', Taint.Of(node).Where(t => t.Effect == Taint.NoExecute).Select(t => t.Key + "=" + t.Value).Order(StringComparer.Ordinal))
            : "";
        var previous = _nodeTaints.TryGetValue(name, out var p) ? p : "";
        if (node is null)
        {
            _nodeTaints.TryRemove(name, out _);
        }
        else
        {
            _nodeTaints[name] = fingerprint;
        }

        if (fingerprint != previous)
        {
            foreach (var pod in _pods.ByNodeName(name))
            {
                Queue.Add(pod.Key);
            }
        }
    }

    [LoggerMessage(EventId = 2720, Level = LogLevel.Information, Message = "Marking for deletion Pod {Pod} (NoExecute taints of node {Node}) (TaintManagerEviction)")]
    private static partial void LogEvicting(ILogger logger, string pod, string node);

    [LoggerMessage(EventId = 2721, Level = LogLevel.Information, Message = "Cancelling deletion of Pod {Pod} (TaintManagerEviction)")]
    private static partial void LogCancelled(ILogger logger, string pod);
}
