using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.GarbageCollection.Internal;

/// <summary>What the graph builder asks the collector's workers to look at.</summary>
internal interface IGraphQueues
{
    /// <summary>attemptToDelete: check whether the object is garbage (or, while it deletes its dependents, whether it is done).</summary>
    void AttemptToDelete(string uid);

    /// <summary>attemptToDelete after the item's backoff (a virtual node whose identity changed).</summary>
    void AttemptToDeleteLater(string uid);

    /// <summary>attemptToOrphan: remove the owner from its dependents' ownerReferences, then its orphan finalizer.</summary>
    void AttemptToOrphan(string uid);
}

/// <summary>
/// kube's GraphBuilder: turns informer changes of every watched resource into the dependency
/// graph (uid → node with owners and dependents) and queues the nodes the changes concern.
/// Changes are applied by one loop in arrival order; workers read the graph under its lock.
/// Informers report keys, not objects, so each resource keeps key → uid to recognise deletions
/// (and a delete-and-recreate under the same name).
/// </summary>
internal sealed partial class GraphBuilder(IGraphQueues queues, AbsentOwnerCache absentOwners, ILogger logger)
{
    public const string ForegroundFinalizer = "foregroundDeletion";
    public const string OrphanFinalizer = "orphan";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, GraphNode> _uidToNode = new(StringComparer.Ordinal);
    private readonly Channel<GraphChange> _changes = Channel.CreateUnbounded<GraphChange>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Feeds the resource's informer changes into the graph.</summary>
    public void Watch(ApiResource resource, Informer informer)
    {
        var watched = new WatchedResource(resource, informer);
        informer.Subscribe(key => _changes.Writer.TryWrite(new GraphChange(watched, key, default)));
    }

    /// <summary>A worker found the object gone (404 or another uid): remove it as if an informer had said so.</summary>
    public void EnqueueVirtualDelete(ObjectReference identity) => _changes.Writer.TryWrite(new GraphChange(null, null, identity));

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var change in _changes.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    Process(change);
                }
                catch (Exception e)
                {
                    LogChangeFailed(logger, change.Key ?? change.Virtual.ToString(), e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public bool TryView(string uid, out GraphNodeView view)
    {
        lock (_lock)
        {
            if (_uidToNode.TryGetValue(uid, out var node))
            {
                view = node.View();
                return true;
            }
        }

        view = default;
        return false;
    }

    public bool IsObserved(string uid)
    {
        lock (_lock)
        {
            return _uidToNode.TryGetValue(uid, out var node) && node.Observed;
        }
    }

    public List<GraphNodeView> Dependents(string uid)
    {
        lock (_lock)
        {
            return _uidToNode.TryGetValue(uid, out var node) ? node.Dependents.Select(d => d.View()).ToList() : [];
        }
    }

    /// <summary>Dependents whose ownerReference to <paramref name="uid"/> has blockOwnerDeletion: they hold a foreground deletion.</summary>
    public List<GraphNodeView> BlockingDependents(string uid)
    {
        lock (_lock)
        {
            var result = new List<GraphNodeView>();
            if (_uidToNode.TryGetValue(uid, out var node))
            {
                foreach (var dependent in node.Dependents)
                {
                    if (dependent.Owners.Any(o => o.Uid == uid && o.BlocksOwnerDeletion))
                    {
                        result.Add(dependent.View());
                    }
                }
            }

            return result;
        }
    }

    private void Process(GraphChange change)
    {
        if (change.Resource is null)
        {
            lock (_lock)
            {
                ProcessDeleted(change.Virtual.Uid, change.Virtual);
            }

            return;
        }

        var watched = change.Resource;
        var key = change.Key!;
        if (watched.Informer.TryGetCached(key, out var obj))
        {
            var uid = obj.Uid;
            lock (_lock)
            {
                if (watched.KeyToUid.TryGetValue(key, out var previous) && previous != uid)
                {
                    ProcessDeleted(previous, null);
                }

                watched.KeyToUid[key] = uid;
                ProcessUpsert(watched.Resource, obj, uid);
            }
        }
        else if (watched.KeyToUid.Remove(key, out var previous))
        {
            lock (_lock)
            {
                ProcessDeleted(previous, null);
            }
        }
    }

    /// <summary>Reads only the cached metadata: every change of every watched object passes here.</summary>
    private void ProcessUpsert(ApiResource resource, CachedObject obj, string uid)
    {
        var identity = new ObjectReference(resource.GroupVersion, resource.Kind, obj.Namespace, obj.Name, uid);
        var owners = OwnerReference.FromCached(obj);
        var beingDeleted = obj.IsBeingDeleted;
        var foreground = beingDeleted && obj.Finalizers.Contains(ForegroundFinalizer);
        var orphan = beingDeleted && obj.Finalizers.Contains(OrphanFinalizer);

        _uidToNode.TryGetValue(uid, out var node);
        if (node is { Observed: false })
        {
            if (node.Identity != identity)
            {
                // Dependents that named this owner with other coordinates may be wrong: let them be re-checked.
                foreach (var dependent in PartitionDependents(node, identity).Mismatching)
                {
                    queues.AttemptToDelete(dependent.Identity.Uid);
                }

                node.Identity = identity;
            }

            node.Observed = true;
        }

        if (node is null)
        {
            node = new GraphNode(identity) { Observed = true, Owners = owners, BeingDeleted = beingDeleted };
            _uidToNode[uid] = node;
            AddDependentToOwners(node, owners);
        }
        else
        {
            if (node.Identity.ApiVersion != identity.ApiVersion || node.Identity.Kind != identity.Kind)
            {
                node.Identity = identity;
            }

            var (added, removed, changed) = Diff(node.Owners, owners);
            if (added.Count > 0 || removed.Count > 0 || changed.Count > 0)
            {
                AddUnblockedOwnersToDeleteQueue(removed, changed);
                node.Owners = owners;
                AddDependentToOwners(node, added);
                RemoveDependentFromOwners(node, removed);
            }

            if (beingDeleted)
            {
                node.BeingDeleted = true;
            }
        }

        ProcessTransitions(node, orphan, foreground);
    }

    /// <summary>Deletion that starts with the orphan or foregroundDeletion finalizer hands the node to the workers once.</summary>
    private void ProcessTransitions(GraphNode node, bool orphan, bool foreground)
    {
        var startsOrphaning = orphan && !node.Orphaning;
        node.Orphaning = orphan;
        if (startsOrphaning)
        {
            queues.AttemptToOrphan(node.Identity.Uid);
            return;
        }

        if (foreground && !node.DeletingDependents)
        {
            node.DeletingDependents = true;
            foreach (var dependent in node.Dependents)
            {
                queues.AttemptToDelete(dependent.Identity.Uid);
            }

            queues.AttemptToDelete(node.Identity.Uid);
        }
    }

    private void AddDependentToOwners(GraphNode node, IEnumerable<OwnerReference> owners)
    {
        foreach (var owner in owners)
        {
            if (!_uidToNode.TryGetValue(owner.Uid, out var ownerNode))
            {
                // An owner not seen yet: a virtual node the workers verify against the API.
                ownerNode = new GraphNode(owner.Coordinates(node.Identity.Namespace));
                _uidToNode[owner.Uid] = ownerNode;
                queues.AttemptToDelete(owner.Uid);
            }
            else if (ownerNode.Observed)
            {
                var ownerIsNamespaced = ownerNode.Identity.Namespace.Length > 0;
                if ((ownerIsNamespaced && ownerNode.Identity.Namespace != node.Identity.Namespace) || !owner.MatchesCoordinates(ownerNode.Identity))
                {
                    // The reference does not name the observed owner: the dependent may be garbage.
                    queues.AttemptToDelete(node.Identity.Uid);
                }
            }

            ownerNode.AddDependent(node);
        }
    }

    private void RemoveDependentFromOwners(GraphNode node, IEnumerable<OwnerReference> owners)
    {
        foreach (var owner in owners)
        {
            if (_uidToNode.TryGetValue(owner.Uid, out var ownerNode))
            {
                ownerNode.RemoveDependent(node);
            }
        }
    }

    /// <summary>A blocking reference that went away (or stopped blocking) may let a foreground deletion finish.</summary>
    private void AddUnblockedOwnersToDeleteQueue(List<OwnerReference> removed, List<(OwnerReference Old, OwnerReference New)> changed)
    {
        foreach (var reference in removed)
        {
            if (reference.BlocksOwnerDeletion && _uidToNode.ContainsKey(reference.Uid))
            {
                queues.AttemptToDelete(reference.Uid);
            }
        }

        foreach (var (old, current) in changed)
        {
            if (old.BlocksOwnerDeletion && !current.BlocksOwnerDeletion && _uidToNode.ContainsKey(current.Uid))
            {
                queues.AttemptToDelete(current.Uid);
            }
        }
    }

    /// <param name="deleted">The coordinates a worker verified absent (a virtual delete), or null for an informer's deletion.</param>
    private void ProcessDeleted(string uid, ObjectReference? deleted)
    {
        if (!_uidToNode.TryGetValue(uid, out var node))
        {
            return;
        }

        var absentIdentity = deleted ?? node.Identity;
        if (deleted is { } deletedIdentity)
        {
            if (!node.Observed)
            {
                var (matching, mismatching) = PartitionDependents(node, deletedIdentity);
                if (mismatching.Count > 0)
                {
                    // Some dependents name this uid with other coordinates: only the ones that
                    // named the verified-absent coordinates are garbage for now.
                    if (matching.Count > 0)
                    {
                        absentOwners.Add(deletedIdentity);
                        foreach (var dependent in matching)
                        {
                            queues.AttemptToDelete(dependent.Identity.Uid);
                        }
                    }

                    if (node.Identity == deletedIdentity && AlternateOwnerIdentity(mismatching, deletedIdentity) is { } replacement)
                    {
                        node.Identity = replacement;
                        queues.AttemptToDeleteLater(uid);
                    }

                    return;
                }
            }
            else if (node.Identity != deletedIdentity)
            {
                // The observed object is not what was verified absent; only dependents that named those coordinates are affected.
                var (matching, _) = PartitionDependents(node, deletedIdentity);
                if (matching.Count > 0)
                {
                    absentOwners.Add(deletedIdentity);
                    foreach (var dependent in matching)
                    {
                        queues.AttemptToDelete(dependent.Identity.Uid);
                    }
                }

                return;
            }
        }

        _uidToNode.Remove(uid);
        RemoveDependentFromOwners(node, node.Owners);
        if (node.Dependents.Count > 0)
        {
            absentOwners.Add(absentIdentity);
        }

        foreach (var dependent in node.Dependents)
        {
            queues.AttemptToDelete(dependent.Identity.Uid);
        }

        foreach (var owner in node.Owners)
        {
            if (_uidToNode.TryGetValue(owner.Uid, out var ownerNode) && ownerNode.DeletingDependents)
            {
                // The owner waits for its dependents: this one is gone, maybe the last.
                queues.AttemptToDelete(owner.Uid);
            }
        }
    }

    /// <summary>Dependents whose reference to the node's uid matches <paramref name="owner"/>'s coordinates, and those whose does not.</summary>
    private static (List<GraphNode> Matching, List<GraphNode> Mismatching) PartitionDependents(GraphNode node, ObjectReference owner)
    {
        var matching = new List<GraphNode>();
        var mismatching = new List<GraphNode>();
        var ownerIsNamespaced = owner.Namespace.Length > 0;
        foreach (var dependent in node.Dependents)
        {
            var foundMatch = false;
            var foundMismatch = false;
            if (ownerIsNamespaced && owner.Namespace != dependent.Identity.Namespace)
            {
                foundMismatch = true;
            }
            else
            {
                foreach (var reference in dependent.Owners)
                {
                    if (reference.Uid == owner.Uid)
                    {
                        if (reference.MatchesCoordinates(owner))
                        {
                            foundMatch = true;
                        }
                        else
                        {
                            foundMismatch = true;
                        }
                    }
                }
            }

            if (foundMatch)
            {
                matching.Add(dependent);
            }

            if (foundMismatch)
            {
                mismatching.Add(dependent);
            }
        }

        return (matching, mismatching);
    }

    /// <summary>Another identity the dependents give this uid: the first after <paramref name="absent"/> in a stable order, else the first.</summary>
    private static ObjectReference? AlternateOwnerIdentity(List<GraphNode> dependents, ObjectReference absent)
    {
        var candidates = new SortedSet<ObjectReference>(Comparer<ObjectReference>.Create(CompareReferences));
        foreach (var dependent in dependents)
        {
            foreach (var reference in dependent.Owners)
            {
                if (reference.Uid != absent.Uid)
                {
                    continue;
                }

                var candidate = reference.Coordinates(dependent.Identity.Namespace);
                if (candidate != absent)
                {
                    candidates.Add(candidate);
                }
            }
        }

        foreach (var candidate in candidates)
        {
            if (CompareReferences(candidate, absent) > 0)
            {
                return candidate;
            }
        }

        return candidates.Count > 0 ? candidates.Min : null;
    }

    private static int CompareReferences(ObjectReference a, ObjectReference b)
    {
        var c = string.CompareOrdinal(a.Kind, b.Kind);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.ApiVersion, b.ApiVersion);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(a.Namespace, b.Namespace);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(a.Name, b.Name);
        }

        return c == 0 ? string.CompareOrdinal(a.Uid, b.Uid) : c;
    }

    private static (List<OwnerReference> Added, List<OwnerReference> Removed, List<(OwnerReference Old, OwnerReference New)> Changed) Diff(
        IReadOnlyList<OwnerReference> old, IReadOnlyList<OwnerReference> current)
    {
        var oldByUid = new Dictionary<string, OwnerReference>(StringComparer.Ordinal);
        foreach (var reference in old)
        {
            oldByUid[reference.Uid] = reference;
        }

        var added = new List<OwnerReference>();
        var changed = new List<(OwnerReference, OwnerReference)>();
        foreach (var reference in current)
        {
            if (oldByUid.Remove(reference.Uid, out var previous))
            {
                if (previous != reference)
                {
                    changed.Add((previous, reference));
                }
            }
            else
            {
                added.Add(reference);
            }
        }

        return (added, [.. oldByUid.Values], changed);
    }

    private sealed class WatchedResource(ApiResource resource, Informer informer)
    {
        public ApiResource Resource => resource;

        public Informer Informer => informer;

        /// <summary>Touched only by the builder loop.</summary>
        public Dictionary<string, string> KeyToUid { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>An informer change (resource and key) or, with no resource, a virtual delete.</summary>
    private readonly record struct GraphChange(WatchedResource? Resource, string? Key, ObjectReference Virtual);

    [LoggerMessage(EventId = 2500, Level = LogLevel.Warning, Message = "Garbage collector could not apply the change to {Item} to its graph: {Error}")]
    private static partial void LogChangeFailed(ILogger logger, string item, string error);
}
