using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>
/// PreFilter: every claim the pod uses must exist, not be terminating, and be bound; otherwise
/// the pod waits (until a claim or volume changes). Filter: a bound volume's node affinity must
/// match the node. Dynamic provisioning (WaitForFirstConsumer) is not done here.
/// </summary>
internal sealed class VolumeBinding(FrameworkHandle handle) : IPreFilterPlugin, IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "VolumeBinding";
    public const string ErrReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
    public const string ErrReasonNodeConflict = "node(s) had volume node affinity conflict";
    public const string ErrReasonUnboundImmediate = "pod has unbound immediate PersistentVolumeClaims";
    public const string ErrReasonNotExistingVolume = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
    private const string StateKey = "PreFilter" + PluginName;

    private static readonly Status NodeConflict = Status.Unresolvable(ErrReasonNodeConflict);

    private sealed class PreFilterState(List<NodeSelector> volumeAffinities)
    {
        public readonly List<NodeSelector> VolumeAffinities = volumeAffinities;
    }

    public string Name => PluginName;

    public ClusterEvents EventsToRegister => ClusterEvents.ClaimChange | ClusterEvents.VolumeChange | ClusterEvents.NodeAdd | ClusterEvents.NodeUpdate;

    public Status PreFilter(CycleState state, PodInfo pod, Snapshot snapshot, out IReadOnlySet<string>? nodeNames)
    {
        nodeNames = null;
        if (pod.ClaimNames.Length == 0)
        {
            return Status.Skip;
        }

        var affinities = new List<NodeSelector>();
        foreach (var name in pod.ClaimNames)
        {
            var claim = handle.Lister.GetClaim(pod.Namespace, name);
            if (claim is null)
            {
                return Status.Unresolvable($"persistentvolumeclaim \"{name}\" not found");
            }

            if (claim.Terminating)
            {
                return Status.Unresolvable($"persistentvolumeclaim \"{name}\" is being deleted");
            }

            if (claim.VolumeName.Length == 0)
            {
                return Status.Unresolvable(ErrReasonUnboundImmediate);
            }

            var volume = handle.Lister.GetVolume(claim.VolumeName);
            if (volume is null)
            {
                return Status.Unresolvable(ErrReasonNotExistingVolume);
            }

            if (volume.NodeAffinity is not null)
            {
                affinities.Add(volume.NodeAffinity);
            }
        }

        state.Write(StateKey, new PreFilterState(affinities));
        return default;
    }

    public Status Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (state.Read<PreFilterState>(StateKey) is not { } s)
        {
            return default;
        }

        foreach (var affinity in s.VolumeAffinities)
        {
            if (!affinity.Matches(node.Node!))
            {
                return NodeConflict;
            }
        }

        return default;
    }
}
