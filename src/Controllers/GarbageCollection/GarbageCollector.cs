using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.GarbageCollection.Internal;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.GarbageCollection;

/// <summary>
/// kube-controller-manager's garbage collector. Watches every served resource (but events),
/// builds the dependency graph from ownerReferences and:
/// <list type="bullet">
/// <item>deletes objects whose owners are all gone (Background), or drops the dangling and
/// foreground-waiting references of objects that still have a live owner;</item>
/// <item>for an owner deleted with propagationPolicy Foreground (finalizer
/// <c>foregroundDeletion</c>): deletes its dependents, waits for those with
/// <c>blockOwnerDeletion</c>, then removes the finalizer so the owner goes;</item>
/// <item>for propagationPolicy Orphan (finalizer <c>orphan</c>): removes the owner from its
/// dependents' ownerReferences, then the finalizer.</item>
/// </list>
/// Decisions are checked against the live object (GET), never the cache alone: a dependent is
/// deleted only once every owner is verified absent from the API server.
/// </summary>
public sealed partial class GarbageCollector
{
    private const string MergePatch = "application/merge-patch+json";
    private static readonly TimeSpan DiscoveryRetry = TimeSpan.FromSeconds(1);

    private readonly InformerFactory _informers;
    private readonly ApiClient _client;
    private readonly ILogger _logger;
    private readonly GarbageCollectorOptions _options;
    private readonly AbsentOwnerCache _absentOwners;
    private readonly GraphBuilder _graph;
    private readonly Queues _queues = new();
    private readonly ConcurrentDictionary<string, int> _virtualRequeues = new(StringComparer.Ordinal);
    private Dictionary<(string Group, string Kind), ApiResource> _resources = [];

    public GarbageCollector(InformerFactory informers, ILogger<GarbageCollector> logger, GarbageCollectorOptions? options = null)
    {
        _informers = informers;
        _client = informers.Client;
        _logger = logger;
        _options = options ?? new GarbageCollectorOptions();
        _absentOwners = new AbsentOwnerCache(_options.AbsentOwnerCacheSize);
        _graph = new GraphBuilder(_queues, _absentOwners, logger);
    }

    /// <summary>Discovers the served resources, watches them through the shared informers and collects garbage until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        List<ApiResource> resources;
        try
        {
            resources = await DiscoverAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }

        var informers = new List<Informer>();
        foreach (var resource in resources)
        {
            var informer = _informers.For(resource);
            _graph.Watch(resource, informer);
            informers.Add(informer);
        }

        using var attemptToDelete = new Workers("garbage-collector-delete", _logger, _options.DeleteWorkers, informers, AttemptToDeleteAsync);
        using var attemptToOrphan = new Workers("garbage-collector-orphan", _logger, _options.OrphanWorkers, informers, AttemptToOrphanAsync);
        _queues.Attach(attemptToDelete, attemptToOrphan);
        await Task.WhenAll(_graph.RunAsync(ct), attemptToDelete.RunAsync(ct), attemptToOrphan.RunAsync(ct)).ConfigureAwait(false);
    }

    private async Task<List<ApiResource>> DiscoverAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                var all = await _client.DiscoverAsync(ct).ConfigureAwait(false);
                var map = new Dictionary<(string, string), ApiResource>();
                var watched = new List<ApiResource>();
                foreach (var resource in all)
                {
                    map.TryAdd((resource.Group, resource.Kind), resource);
                    if (!_options.IgnoredResources.Contains(resource.ToString()))
                    {
                        watched.Add(resource);
                    }
                }

                _resources = map;
                return watched;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDiscoveryFailed(_logger, e.Message);
                await Task.Delay(DiscoveryRetry, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<TimeSpan?> AttemptToDeleteAsync(string uid, CancellationToken ct)
    {
        if (!_graph.TryView(uid, out var item))
        {
            _virtualRequeues.TryRemove(uid, out _);
            return null;
        }

        var outcome = await AttemptToDeleteItemAsync(item, ct).ConfigureAwait(false);
        if (outcome == Outcome.Done && !_graph.IsObserved(uid))
        {
            // The owner exists but no informer has reported it yet: look again until one does,
            // so a virtual node for an object created and deleted between watches cannot linger.
            var attempts = _virtualRequeues.AddOrUpdate(uid, 1, (_, n) => n + 1);
            return TimeSpan.FromMilliseconds(Math.Min(60_000, 5 * Math.Pow(2, Math.Min(attempts, 20))));
        }

        _virtualRequeues.TryRemove(uid, out _);
        return null;
    }

    /// <summary>kube's attemptToDeleteItem: delete the item iff it exists (same uid), is not waiting on its dependents, and all its owners are gone.</summary>
    private async Task<Outcome> AttemptToDeleteItemAsync(GraphNodeView item, CancellationToken ct)
    {
        // Being deleted is a one-way trip: wait for the deletion, then handle the dependents.
        if (item.BeingDeleted && !item.DeletingDependents)
        {
            return Outcome.Done;
        }

        var latest = await GetLatestAsync(item.Identity, ct).ConfigureAwait(false);
        if (latest is null || KubeFields.Uid(latest) != item.Identity.Uid)
        {
            _graph.EnqueueVirtualDelete(item.Identity);
            return Outcome.VirtualDeleteEnqueued;
        }

        if (item.DeletingDependents)
        {
            await ProcessDeletingDependentsAsync(item, ct).ConfigureAwait(false);
            return Outcome.Done;
        }

        var references = OwnerReference.Parse(latest);
        if (references.Count == 0)
        {
            return Outcome.Done;
        }

        var solid = new List<OwnerReference>();
        var dangling = new List<OwnerReference>();
        var waiting = new List<OwnerReference>();
        foreach (var reference in references)
        {
            var (isDangling, owner) = await IsDanglingAsync(reference, item, ct).ConfigureAwait(false);
            if (isDangling)
            {
                dangling.Add(reference);
            }
            else if (owner is null)
            {
                // A cluster-scoped object naming a namespaced owner: invalid, and retrying will not help.
                LogNamespacedOwnerOfClusterScoped(_logger, item.Identity.ToString(), reference.Kind, reference.Name);
                return Outcome.Done;
            }
            else if (KubeFields.IsBeingDeleted(owner) && KubeFields.HasFinalizer(owner, GraphBuilder.ForegroundFinalizer))
            {
                waiting.Add(reference);
            }
            else
            {
                solid.Add(reference);
            }
        }

        if (solid.Count > 0)
        {
            if (dangling.Count == 0 && waiting.Count == 0)
            {
                return Outcome.Done;
            }

            // Waiting references must go too, or those owners would wait on this object forever.
            var uids = dangling.Concat(waiting).Select(r => r.Uid).ToHashSet(StringComparer.Ordinal);
            LogRemovingReferences(_logger, item.Identity.ToString(), uids.Count);
            await PatchMetadataAsync(item.Identity, current => WithoutOwnerReferences(current, uids), ct).ConfigureAwait(false);
            return Outcome.Done;
        }

        string policy;
        if (waiting.Count > 0 && item.DependentCount > 0)
        {
            if (_graph.Dependents(item.Identity.Uid).Any(d => d.DeletingDependents))
            {
                // An owner and a dependent both wait on dependents: stop blocking the owners so a cycle cannot deadlock.
                await PatchMetadataAsync(item.Identity, UnblockedOwnerReferences, ct).ConfigureAwait(false);
            }

            // The item's own dependents go first; its deletion is seen again in ProcessDeletingDependents.
            policy = "Foreground";
        }
        else if (KubeFields.HasFinalizer(latest, GraphBuilder.OrphanFinalizer))
        {
            policy = "Orphan";
        }
        else if (KubeFields.HasFinalizer(latest, GraphBuilder.ForegroundFinalizer))
        {
            policy = "Foreground";
        }
        else
        {
            policy = "Background";
        }

        LogDeleting(_logger, item.Identity.ToString(), policy);
        try
        {
            await _client.DeleteAsync(Resolve(item.Identity), item.Identity.Namespace, item.Identity.Name, policy, ct: ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (e.IsNotFound)
        {
            _graph.EnqueueVirtualDelete(item.Identity);
            return Outcome.VirtualDeleteEnqueued;
        }

        return Outcome.Done;
    }

    /// <summary>An owner waiting for its dependents: remove its foregroundDeletion finalizer once no blocking dependent is left, else push them.</summary>
    private async Task ProcessDeletingDependentsAsync(GraphNodeView item, CancellationToken ct)
    {
        var blocking = _graph.BlockingDependents(item.Identity.Uid);
        if (blocking.Count == 0)
        {
            LogRemovingFinalizer(_logger, GraphBuilder.ForegroundFinalizer, item.Identity.ToString());
            await RemoveFinalizerAsync(item.Identity, GraphBuilder.ForegroundFinalizer, ct).ConfigureAwait(false);
            return;
        }

        foreach (var dependent in blocking)
        {
            if (!dependent.DeletingDependents)
            {
                _queues.AttemptToDelete(dependent.Identity.Uid);
            }
        }
    }

    /// <summary>kube's attemptToOrphanWorker: drop the owner from every dependent's ownerReferences, then its orphan finalizer.</summary>
    private async Task<TimeSpan?> AttemptToOrphanAsync(string uid, CancellationToken ct)
    {
        if (!_graph.TryView(uid, out var owner))
        {
            return null;
        }

        var dependents = _graph.Dependents(uid);
        var owned = new HashSet<string>(StringComparer.Ordinal) { uid };
        var failures = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(dependents, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (dependent, token) =>
        {
            try
            {
                await PatchMetadataAsync(dependent.Identity, current => WithoutOwnerReferences(current, owned), token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Enqueue($"orphaning {dependent.Identity} failed: {e.Message}");
            }
        }).ConfigureAwait(false);

        if (!failures.IsEmpty)
        {
            throw new InvalidOperationException($"failed to orphan dependents of owner {owner.Identity}: {string.Join("; ", failures)}");
        }

        LogRemovingFinalizer(_logger, GraphBuilder.OrphanFinalizer, owner.Identity.ToString());
        await RemoveFinalizerAsync(owner.Identity, GraphBuilder.OrphanFinalizer, ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Whether the owner a reference names is absent: verified in the absent-owner cache or with a
    /// live GET (404 or another uid). Returns the live owner when present; (false, null) for a
    /// namespaced owner named by a cluster-scoped dependent.
    /// </summary>
    private async Task<(bool Dangling, JsonObject? Owner)> IsDanglingAsync(OwnerReference reference, GraphNodeView item, CancellationToken ct)
    {
        var clusterKey = reference.Coordinates("");
        if (_absentOwners.Has(clusterKey))
        {
            return (true, null);
        }

        var namespacedKey = reference.Coordinates(item.Identity.Namespace);
        if (_absentOwners.Has(namespacedKey))
        {
            return (true, null);
        }

        var resource = Resolve(reference.ApiVersion, reference.Kind);
        var absentKey = resource.Namespaced ? namespacedKey : clusterKey;
        if (item.Identity.Namespace.Length == 0 && resource.Namespaced)
        {
            return (false, null);
        }

        JsonObject owner;
        try
        {
            owner = await _client.GetAsync(resource, resource.Namespaced ? item.Identity.Namespace : "", reference.Name, ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (e.IsNotFound)
        {
            _absentOwners.Add(absentKey);
            return (true, null);
        }

        if (KubeFields.Uid(owner) != reference.Uid)
        {
            _absentOwners.Add(absentKey);
            return (true, null);
        }

        return (false, owner);
    }

    private async Task<JsonObject?> GetLatestAsync(ObjectReference identity, CancellationToken ct)
    {
        var resource = Resolve(identity);
        try
        {
            return await _client.GetAsync(resource, resource.Namespaced ? identity.Namespace : "", identity.Name, ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    private async Task RemoveFinalizerAsync(ObjectReference identity, string finalizer, CancellationToken ct)
    {
        await PatchMetadataAsync(identity, current =>
        {
            if (!KubeFields.HasFinalizer(current, finalizer))
            {
                return null;
            }

            var kept = new JsonArray();
            foreach (var f in KubeFields.Metadata(current)?["finalizers"] as JsonArray ?? [])
            {
                if (f is JsonValue v && v.TryGetValue<string>(out var name) && name != finalizer)
                {
                    kept.Add(name);
                }
            }

            return new JsonObject { ["finalizers"] = kept.Count > 0 ? kept : null };
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A JSON merge patch of metadata computed from the live object, sent with its uid and
    /// resourceVersion so it applies only to what it was computed from; conflicts are retried
    /// with a fresh read. <paramref name="build"/> returns null when there is nothing to change.
    /// </summary>
    private async Task PatchMetadataAsync(ObjectReference identity, Func<JsonObject, JsonObject?> build, CancellationToken ct)
    {
        var resource = Resolve(identity);
        var ns = resource.Namespaced ? identity.Namespace : "";
        for (var attempt = 0; ; attempt++)
        {
            var latest = await GetLatestAsync(identity, ct).ConfigureAwait(false);
            if (latest is null || KubeFields.Uid(latest) != identity.Uid)
            {
                return;
            }

            if (build(latest) is not { } metadata)
            {
                return;
            }

            metadata["uid"] = identity.Uid;
            metadata["resourceVersion"] = KubeFields.ResourceVersion(latest);
            try
            {
                await _client.PatchAsync(resource, ns, identity.Name, MergePatch, new JsonObject { ["metadata"] = metadata }, ct: ct).ConfigureAwait(false);
                return;
            }
            catch (ApiStatusException e) when (e.IsNotFound)
            {
                return;
            }
            catch (ApiStatusException e) when (e.IsConflict && attempt < 4)
            {
            }
        }
    }

    private static JsonObject? WithoutOwnerReferences(JsonObject current, IReadOnlySet<string> uids)
    {
        var kept = new JsonArray();
        var removed = false;
        foreach (var reference in KubeFields.Objects(KubeFields.Metadata(current), "ownerReferences"))
        {
            if (KubeFields.String(reference, "uid") is { } uid && uids.Contains(uid))
            {
                removed = true;
            }
            else
            {
                kept.Add(reference.DeepClone());
            }
        }

        return removed ? new JsonObject { ["ownerReferences"] = kept.Count > 0 ? kept : null } : null;
    }

    private static JsonObject? UnblockedOwnerReferences(JsonObject current)
    {
        var references = new JsonArray();
        var changed = false;
        foreach (var reference in KubeFields.Objects(KubeFields.Metadata(current), "ownerReferences"))
        {
            var copy = (JsonObject)reference.DeepClone();
            if (KubeFields.Bool(reference, "blockOwnerDeletion") == true)
            {
                copy["blockOwnerDeletion"] = false;
                changed = true;
            }

            references.Add(copy);
        }

        return changed ? new JsonObject { ["ownerReferences"] = references } : null;
    }

    private ApiResource Resolve(ObjectReference identity) => Resolve(identity.ApiVersion, identity.Kind);

    /// <summary>The served resource for an apiVersion and kind (any version of the group); unknown kinds fail and are retried.</summary>
    private ApiResource Resolve(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        var group = slash >= 0 ? apiVersion[..slash] : "";
        return _resources.TryGetValue((group, kind), out var resource)
            ? resource
            : throw new InvalidOperationException($"unable to get REST mapping for {apiVersion}/{kind}");
    }

    private enum Outcome
    {
        Done,
        VirtualDeleteEnqueued,
    }

    /// <summary>The two work queues, reachable by the graph builder before the workers exist (changes arriving early wait in the builder's channel).</summary>
    private sealed class Queues : IGraphQueues
    {
        private Workers? _delete;
        private Workers? _orphan;

        public void Attach(Workers delete, Workers orphan)
        {
            _delete = delete;
            _orphan = orphan;
        }

        public void AttemptToDelete(string uid) => _delete?.Add(uid);

        public void AttemptToDeleteLater(string uid) => _delete?.AddRateLimited(uid);

        public void AttemptToOrphan(string uid) => _orphan?.Add(uid);
    }

    /// <summary>A worker pool over one queue of uids; starts once every watched informer has synced.</summary>
    private sealed class Workers(string name, ILogger logger, int count, IReadOnlyList<Informer> informers, Func<string, CancellationToken, Task<TimeSpan?>> reconcile)
        : Controller(name, logger, count)
    {
        protected override IEnumerable<Informer> Informers => informers;

        public void Add(string uid) => Queue.Add(uid);

        public void AddRateLimited(string uid) => Queue.AddRateLimited(uid);

        protected override Task<TimeSpan?> ReconcileAsync(string key, CancellationToken ct) => reconcile(key, ct);
    }

    [LoggerMessage(EventId = 2501, Level = LogLevel.Warning, Message = "Garbage collector could not discover the served resources: {Error}; retrying")]
    private static partial void LogDiscoveryFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Debug, Message = "Deleting {Item} with propagationPolicy {Policy}")]
    private static partial void LogDeleting(ILogger logger, string item, string policy);

    [LoggerMessage(EventId = 2503, Level = LogLevel.Debug, Message = "Removing {Count} dangling or waiting owner references from {Item}")]
    private static partial void LogRemovingReferences(ILogger logger, string item, int count);

    [LoggerMessage(EventId = 2504, Level = LogLevel.Debug, Message = "Removing the {Finalizer} finalizer from {Item}")]
    private static partial void LogRemovingFinalizer(ILogger logger, string finalizer, string item);

    [LoggerMessage(EventId = 2505, Level = LogLevel.Information, Message = "{Item} is cluster-scoped but names a namespaced owner {Kind} {Name}; ignoring the reference")]
    private static partial void LogNamespacedOwnerOfClusterScoped(ILogger logger, string item, string kind, string name);
}
