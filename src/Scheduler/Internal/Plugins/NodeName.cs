using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>Filter: a pod naming a node (spec.nodeName) fits only that node.</summary>
internal sealed class NodeName : IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeName";
    public const string ErrReason = "node(s) didn't match the requested node name";

    private static readonly Status Rejected = Status.Unresolvable(ErrReason);

    public string Name => PluginName;

    public ClusterEvents EventsToRegister => ClusterEvents.NodeAdd;

    public Status Filter(CycleState state, PodInfo pod, NodeInfo node) =>
        pod.NodeName.Length == 0 || pod.NodeName == node.Name ? default : Rejected;
}
