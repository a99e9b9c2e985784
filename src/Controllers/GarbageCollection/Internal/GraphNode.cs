namespace Nautilus.Controllers.GarbageCollection.Internal;

/// <summary>
/// A node of the dependency graph: an object (or, until observed, a "virtual" owner known only
/// from dependents' ownerReferences), its owners and its dependents. Mutated only by the graph
/// builder, under the graph's lock.
/// </summary>
internal sealed class GraphNode(ObjectReference identity)
{
    public ObjectReference Identity { get; set; } = identity;

    public IReadOnlyList<OwnerReference> Owners { get; set; } = [];

    private static readonly HashSet<GraphNode> NoDependents = [];
    private HashSet<GraphNode>? _dependents;

    /// <summary>The nodes that name this one as an owner; read-only (most objects, pods, have none: the set is made on the first).</summary>
    public IReadOnlyCollection<GraphNode> Dependents => _dependents ?? NoDependents;

    public void AddDependent(GraphNode dependent) => (_dependents ??= []).Add(dependent);

    public void RemoveDependent(GraphNode dependent)
    {
        if (_dependents is not null && _dependents.Remove(dependent) && _dependents.Count == 0)
        {
            _dependents = null;
        }
    }

    /// <summary>False for a virtual node: nothing from an informer has confirmed the object yet.</summary>
    public bool Observed { get; set; }

    public bool BeingDeleted { get; set; }

    /// <summary>Being deleted with the foregroundDeletion finalizer: waits for its blocking dependents.</summary>
    public bool DeletingDependents { get; set; }

    /// <summary>Last observed being deleted with the orphan finalizer (so orphaning starts once per deletion).</summary>
    public bool Orphaning { get; set; }

    public GraphNodeView View() => new(Identity, Observed, BeingDeleted, DeletingDependents, Dependents.Count);

    public override string ToString() => Identity.ToString();
}

/// <summary>A copy of a node's state for the workers, taken under the graph's lock.</summary>
internal readonly record struct GraphNodeView(ObjectReference Identity, bool Observed, bool BeingDeleted, bool DeletingDependents, int DependentCount);
