using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Events;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.ReplicaSets;

/// <summary>
/// kube-controller-manager's ReplicaSet controller (pkg/controller/replicaset): keeps
/// <c>spec.replicas</c> active pods for every ReplicaSet. Pods are created from the template
/// (generateName <c>&lt;rs&gt;-</c>, a controller reference) in slow-start batches of 1, 2, 4, ...
/// and at most <see cref="BurstReplicas"/> per sync; surplus pods are deleted in
/// <see cref="PodDeletionOrder"/>. Expectations keep a sync from acting again while its own creates
/// and deletes are not yet in the pod cache. Matching orphans are adopted and owned pods that no
/// longer match are released. Status (replicas, fullyLabeledReplicas, readyReplicas,
/// availableReplicas, observedGeneration, the ReplicaFailure condition) goes through
/// replicasets/status.
/// </summary>
public sealed partial class ReplicaSetController : Controller
{
    public const string ComponentName = "replicaset-controller";

    /// <summary>kube's BurstReplicas: the most pods one sync creates or deletes.</summary>
    public const int BurstReplicas = 500;

    private const string Kind = "ReplicaSet";
    private const string ApiVersion = "apps/v1";

    private readonly ApiClient _client;
    private readonly Informer _replicaSets;
    private readonly Informer _pods;
    private readonly EventRecorder _recorder;
    private readonly PodControl _podControl;
    private readonly TimeProvider _time;

    public ReplicaSetController(ApiClient client, Informer replicaSets, Informer pods, EventRecorder recorder, ILogger<ReplicaSetController> logger, TimeProvider? time = null, int workers = 5)
        : base(ComponentName, logger, workers)
    {
        _client = client;
        _replicaSets = replicaSets;
        _pods = pods;
        _recorder = recorder;
        _time = time ?? TimeProvider.System;
        _podControl = new PodControl(client, recorder);
        Expectations = new ControllerExpectations(_time);
    }

    internal ControllerExpectations Expectations { get; }

    protected override IEnumerable<Informer> Informers => [_replicaSets, _pods];

    /// <summary>Subscribes to the informers; call once before <see cref="Controller.RunAsync"/>.</summary>
    public void Start()
    {
        ResourceEventHandler.Subscribe(
            _replicaSets,
            onAdd: rs => Queue.Add(KubeObject.Key(rs)),
            onUpdate: (_, rs) => Queue.Add(KubeObject.Key(rs)),
            onDelete: rs =>
            {
                var key = KubeObject.Key(rs);
                Expectations.Delete(key);
                Queue.Add(key);
            });
        ResourceEventHandler.Subscribe(_pods, onAdd: AddPod, onUpdate: UpdatePod, onDelete: DeletePod);
    }

    private void AddPod(JsonObject pod)
    {
        if (KubeObject.IsBeingDeleted(pod))
        {
            // A pod already being deleted when first seen (e.g. after a restart) is a deletion to observe.
            DeletePod(pod);
            return;
        }

        if (KubeObject.ControllerOf(pod) is { } controllerRef)
        {
            if (ResolveControllerRef(KubeObject.Namespace(pod), controllerRef) is { } rs)
            {
                var key = KubeObject.Key(rs);
                Expectations.CreationObserved(key);
                Queue.Add(key);
            }

            return;
        }

        foreach (var rs in ReplicaSetsSelecting(pod))
        {
            Queue.Add(KubeObject.Key(rs));
        }
    }

    private void UpdatePod(JsonObject old, JsonObject cur)
    {
        if (KubeObject.ResourceVersion(old) == KubeObject.ResourceVersion(cur))
        {
            return; // a resync: nothing changed
        }

        var labelChanged = !KubeObject.SemanticEquals(KubeObject.Labels(old), KubeObject.Labels(cur));
        if (KubeObject.IsBeingDeleted(cur))
        {
            // Being deleted counts as deleted: the replacement need not wait for the grace period.
            DeletePod(cur);
            if (labelChanged)
            {
                DeletePod(old);
            }

            return;
        }

        var curRef = KubeObject.ControllerOf(cur);
        var oldRef = KubeObject.ControllerOf(old);
        var refChanged = curRef != oldRef;
        if (refChanged && oldRef is not null && ResolveControllerRef(KubeObject.Namespace(old), oldRef) is { } oldRs)
        {
            Queue.Add(KubeObject.Key(oldRs));
        }

        if (curRef is not null)
        {
            if (ResolveControllerRef(KubeObject.Namespace(cur), curRef) is { } rs)
            {
                var key = KubeObject.Key(rs);
                Queue.Add(key);
                var minReadySeconds = KubeObject.Int(rs["spec"] as JsonObject, "minReadySeconds");
                if (!PodConditions.IsReady(old) && PodConditions.IsReady(cur) && minReadySeconds > 0)
                {
                    // Look again once the pod has been ready long enough to be available.
                    Queue.AddAfter(key, TimeSpan.FromSeconds(minReadySeconds + 1));
                }
            }

            return;
        }

        if (labelChanged || refChanged)
        {
            foreach (var rs in ReplicaSetsSelecting(cur))
            {
                Queue.Add(KubeObject.Key(rs));
            }
        }
    }

    private void DeletePod(JsonObject pod)
    {
        if (KubeObject.ControllerOf(pod) is not { } controllerRef || ResolveControllerRef(KubeObject.Namespace(pod), controllerRef) is not { } rs)
        {
            return;
        }

        var key = KubeObject.Key(rs);
        Expectations.DeletionObserved(key, KubeObject.Key(pod));
        Queue.Add(key);
    }

    private JsonObject? ResolveControllerRef(string ns, ControllerReference controllerRef)
    {
        if (controllerRef.Kind != Kind || !_replicaSets.TryGetCached(ns + "/" + controllerRef.Name, out var rs))
        {
            return null;
        }

        return rs.Uid == controllerRef.Uid ? rs.ToJsonObject() : null;
    }

    /// <summary>The ReplicaSets in the pod's namespace whose (non-empty) selector matches it.</summary>
    private IEnumerable<JsonObject> ReplicaSetsSelecting(JsonObject pod)
    {
        var ns = KubeObject.Namespace(pod);
        var labels = KubeObject.Labels(pod);
        foreach (var rs in _replicaSets.ListNamespace(ns))
        {
            var selector = LabelSelector.ParseOrNothing((rs["spec"] as JsonObject)?["selector"]);
            if (!selector.IsEverything && selector.Matches(labels))
            {
                yield return rs;
            }
        }
    }

    protected override async Task<TimeSpan?> ReconcileAsync(string key, CancellationToken ct)
    {
        var needsSync = Expectations.Satisfied(key);
        if (!_replicaSets.TryGet(key, out var rs))
        {
            Expectations.Delete(key);
            return null;
        }

        var spec = rs["spec"] as JsonObject;
        LabelSelector selector;
        try
        {
            selector = LabelSelector.Parse(spec?["selector"]);
        }
        catch (FormatException e)
        {
            LogInvalidSelector(Logger, key, e.Message);
            return null;
        }

        var ns = KubeObject.Namespace(rs);
        // ClaimPods over the active pods: those this ReplicaSet owns and still selects are its own as
        // they are (read from the cache, nothing parsed: this walk runs on every reconcile); orphans it
        // selects are adopted and owned pods it no longer selects released, by the claim.
        var filtered = new List<CachedObject>();
        var toClaim = new List<JsonObject>();
        var uid = KubeObject.Uid(rs);
        foreach (var cached in _pods.ByNamespace(ns))
        {
            if (!cached.IsActivePod)
            {
                continue;
            }

            var owner = cached.ControllerOf();
            if (owner is null ? selector.Matches(cached.Labels) : owner.Uid == uid)
            {
                if (owner is not null && selector.Matches(cached.Labels))
                {
                    filtered.Add(cached);
                }
                else
                {
                    toClaim.Add(cached.ToJsonObject());
                }
            }
        }

        var controllerRef = ControllerReference.ControllerRefFor(rs, ApiVersion, Kind);
        var claimer = new ControllerRefManager(_client, WorkloadResources.ReplicaSets, rs, controllerRef, selector);
        foreach (var adopted in await claimer.ClaimAsync(WorkloadResources.Pods, toClaim, ct).ConfigureAwait(false))
        {
            filtered.Add(CachedObject.FromJson(adopted));
        }

        Exception? manageError = null;
        if (needsSync && !KubeObject.IsBeingDeleted(rs))
        {
            try
            {
                await ManageReplicasAsync(key, rs, filtered, controllerRef, ct).ConfigureAwait(false);
            }
            catch (ApiStatusException e)
            {
                manageError = e;
            }
        }

        var status = CalculateStatus(rs, filtered, manageError, _time.GetUtcNow());
        var updated = await UpdateStatusAsync(rs, status, ct).ConfigureAwait(false);
        if (manageError is not null)
        {
            throw manageError;
        }

        var replicas = KubeObject.Int(updated["spec"] as JsonObject, "replicas", 1);
        var minReadySeconds = KubeObject.Int(updated["spec"] as JsonObject, "minReadySeconds");
        var updatedStatus = updated["status"] as JsonObject;
        if (minReadySeconds > 0 && KubeObject.Int(updatedStatus, "readyReplicas") == replicas && KubeObject.Int(updatedStatus, "availableReplicas") != replicas)
        {
            return TimeSpan.FromSeconds(minReadySeconds);
        }

        return null;
    }

    private async Task ManageReplicasAsync(string key, JsonObject rs, List<CachedObject> filtered, ControllerReference controllerRef, CancellationToken ct)
    {
        var spec = (JsonObject)rs["spec"]!;
        var diff = filtered.Count - (int)KubeObject.Int(spec, "replicas", 1);
        var ns = KubeObject.Namespace(rs);
        var reference = InvolvedObject.For(rs, ApiVersion, Kind);
        if (diff < 0)
        {
            diff = Math.Min(-diff, BurstReplicas);
            Expectations.ExpectCreations(key, diff);
            var template = spec["template"] as JsonObject ?? [];
            var (successes, error) = await SlowStartBatchAsync(diff, 1, async () =>
            {
                try
                {
                    await _podControl.CreatePodAsync(ns, template, reference, controllerRef, ct).ConfigureAwait(false);
                }
                catch (ApiStatusException e) when (e.Reason == "Forbidden" && e.Message.Contains("being terminated", StringComparison.Ordinal))
                {
                    // The namespace is terminating: every create fails, and that is not an error.
                }
            }).ConfigureAwait(false);

            // Pods never created (failed, or skipped after a failed batch) will never be observed.
            for (var i = successes; i < diff; i++)
            {
                Expectations.CreationObserved(key);
            }

            if (error is not null)
            {
                throw error;
            }
        }
        else if (diff > 0)
        {
            diff = Math.Min(diff, BurstReplicas);
            var related = RelatedPods(rs);
            var toDelete = PodDeletionOrder.PodsToDelete(filtered.ConvertAll(p => p.ToJsonObject()), related, diff, _time.GetUtcNow());
            Expectations.ExpectDeletions(key, toDelete.Select(KubeObject.Key).ToList());
            var errors = await Task.WhenAll(toDelete.Select(async pod =>
            {
                try
                {
                    await _podControl.DeletePodAsync(ns, KubeObject.Name(pod), reference, ct).ConfigureAwait(false);
                    return null;
                }
                catch (ApiStatusException e)
                {
                    Expectations.DeletionObserved(key, KubeObject.Key(pod));
                    return e.IsNotFound ? null : e;
                }
            })).ConfigureAwait(false);
            if (errors.FirstOrDefault(e => e is not null) is { } first)
            {
                throw first;
            }
        }
    }

    /// <summary>
    /// kube's slowStartBatch: runs <paramref name="count"/> calls in batches of 1, 2, 4, ... and
    /// stops after the first batch with a failure, so a quota or admission refusal costs one call,
    /// not hundreds. Returns the successes and the first error.
    /// </summary>
    internal static async Task<(int Successes, ApiStatusException? Error)> SlowStartBatchAsync(int count, int initialBatchSize, Func<Task> call)
    {
        var remaining = count;
        var successes = 0;
        for (var batch = Math.Min(remaining, initialBatchSize); batch > 0; batch = Math.Min(2 * batch, remaining))
        {
            var results = await Task.WhenAll(Enumerable.Range(0, batch).Select(async _ =>
            {
                try
                {
                    await call().ConfigureAwait(false);
                    return null;
                }
                catch (ApiStatusException e)
                {
                    return e;
                }
            })).ConfigureAwait(false);
            var failed = results.Where(e => e is not null).ToList();
            successes += batch - failed.Count;
            if (failed.Count > 0)
            {
                return (successes, failed[0]);
            }

            remaining -= batch;
        }

        return (successes, null);
    }

    /// <summary>
    /// getIndirectlyRelatedPods: the pods selected by the ReplicaSets that share this one's
    /// controller (the other revisions of a Deployment), for ranking pods doubled up on a node.
    /// </summary>
    private List<JsonObject> RelatedPods(JsonObject rs)
    {
        var related = new List<JsonObject>();
        if (KubeObject.ControllerOf(rs) is not { } owner)
        {
            return related;
        }

        var ns = KubeObject.Namespace(rs);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pods = _pods.ByNamespace(ns);
        foreach (var other in _replicaSets.ByNamespace(ns))
        {
            if (other.ControllerOf()?.Uid != owner.Uid)
            {
                continue;
            }

            var selector = LabelSelector.ParseOrNothing((other.ToJsonObject()["spec"] as JsonObject)?["selector"]);
            foreach (var pod in pods)
            {
                if (selector.Matches(pod.Labels) && seen.Add(pod.Uid))
                {
                    related.Add(pod.ToJsonObject());
                }
            }
        }

        return related;
    }

    /// <summary>calculateStatus: counts over the claimed active pods, and the ReplicaFailure condition.</summary>
    internal static JsonObject CalculateStatus(JsonObject rs, IReadOnlyList<JsonObject> filtered, Exception? manageError, DateTimeOffset now) =>
        CalculateStatus(rs, filtered.Select(CachedObject.FromJson).ToList(), manageError, now);

    internal static JsonObject CalculateStatus(JsonObject rs, IReadOnlyList<CachedObject> filtered, Exception? manageError, DateTimeOffset now)
    {
        var spec = rs["spec"] as JsonObject;
        var templateLabels = KubeObject.StringMap((spec?["template"] as JsonObject)?["metadata"] is JsonObject m ? m["labels"] as JsonObject : null);
        var minReadySeconds = KubeObject.Int(spec, "minReadySeconds");
        long fullyLabeled = 0, ready = 0, available = 0;
        foreach (var pod in filtered)
        {
            var fully = true;
            foreach (var (k, v) in templateLabels)
            {
                fully &= pod.Labels[k] == v;
            }

            if (fully)
            {
                fullyLabeled++;
            }

            if (pod.IsReady)
            {
                ready++;
                if (pod.IsAvailable(minReadySeconds, now))
                {
                    available++;
                }
            }
        }

        var oldStatus = rs["status"] as JsonObject;
        var conditions = (oldStatus?["conditions"] as JsonArray)?.DeepClone() as JsonArray ?? [];
        var failure = conditions.OfType<JsonObject>().FirstOrDefault(c => KubeObject.String(c, "type") == "ReplicaFailure");
        if (manageError is not null && failure is null)
        {
            var diff = filtered.Count - KubeObject.Int(spec, "replicas", 1);
            var reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
            conditions.Add(new JsonObject
            {
                ["type"] = "ReplicaFailure",
                ["status"] = "True",
                ["lastTransitionTime"] = KubeObject.FormatTime(now),
                ["reason"] = reason,
                ["message"] = manageError.Message,
            });
        }
        else if (manageError is null && failure is not null)
        {
            conditions.Remove(failure);
        }

        var status = new JsonObject { ["replicas"] = filtered.Count };
        AddIfNonZero(status, "fullyLabeledReplicas", fullyLabeled);
        AddIfNonZero(status, "readyReplicas", ready);
        AddIfNonZero(status, "availableReplicas", available);
        AddIfNonZero(status, "observedGeneration", KubeObject.Int(oldStatus, "observedGeneration"));
        if (conditions.Count > 0)
        {
            status["conditions"] = conditions;
        }

        return status;
    }

    private static void AddIfNonZero(JsonObject obj, string field, long value)
    {
        if (value != 0)
        {
            obj[field] = value;
        }
    }

    /// <summary>updateReplicaSetStatus: writes the status (with observedGeneration) unless nothing changed; one retry on conflict.</summary>
    private async Task<JsonObject> UpdateStatusAsync(JsonObject rs, JsonObject status, CancellationToken ct)
    {
        var generation = KubeObject.Generation(rs);
        var old = rs["status"] as JsonObject;
        if (KubeObject.Int(old, "observedGeneration") == generation && KubeObject.SemanticEquals(WithoutObservedGeneration(old), WithoutObservedGeneration(status)))
        {
            return rs;
        }

        status["observedGeneration"] = generation;
        var current = rs;
        for (var attempt = 0; ; attempt++)
        {
            var update = (JsonObject)current.DeepClone();
            update["status"] = status.DeepClone();
            try
            {
                return await _client.UpdateAsync(WorkloadResources.ReplicaSets, KubeObject.Namespace(rs), KubeObject.Name(rs), update, "status", ct).ConfigureAwait(false);
            }
            catch (ApiStatusException e) when (e.IsConflict && attempt < 1)
            {
                current = await _client.GetAsync(WorkloadResources.ReplicaSets, KubeObject.Namespace(rs), KubeObject.Name(rs), ct).ConfigureAwait(false);
            }
        }
    }

    private static JsonObject? WithoutObservedGeneration(JsonObject? status)
    {
        if (status is null)
        {
            return null;
        }

        var copy = (JsonObject)status.DeepClone();
        copy.Remove("observedGeneration");
        return copy;
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "ReplicaSet {Key} has an invalid selector: {Error}")]
    private static partial void LogInvalidSelector(ILogger logger, string key, string error);
}
