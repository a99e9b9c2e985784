using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>Filter: the pod's host ports (hostIP, protocol, port) must be free on the node; 0.0.0.0 conflicts with every IP.</summary>
internal sealed class NodePorts : IPreFilterPlugin, IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodePorts";
    public const string ErrReason = "node(s) didn't have free ports for the requested pod ports";

    private static readonly Status Rejected = Status.Unschedulable(ErrReason);

    public string Name => PluginName;

    public ClusterEvents EventsToRegister => ClusterEvents.NodeAdd | ClusterEvents.AssignedPodDelete;

    public Status PreFilter(CycleState state, PodInfo pod, Snapshot snapshot, out IReadOnlySet<string>? nodeNames)
    {
        nodeNames = null;
        return pod.Ports.Length == 0 ? Status.Skip : default;
    }

    public Status Filter(CycleState state, PodInfo pod, NodeInfo node) =>
        node.HasPortConflict(pod.Ports) ? Rejected : default;
}
