using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>Filter: a node with spec.unschedulable only takes pods tolerating node.kubernetes.io/unschedulable:NoSchedule.</summary>
internal sealed class NodeUnschedulable : IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeUnschedulable";
    public const string ErrReasonUnschedulable = "node(s) were unschedulable";

    private static readonly Taint UnschedulableTaint = new("node.kubernetes.io/unschedulable", "", Taint.NoSchedule);
    private static readonly Status Rejected = Status.Unresolvable(ErrReasonUnschedulable);

    public string Name => PluginName;

    public ClusterEvents EventsToRegister => ClusterEvents.NodeAdd | ClusterEvents.NodeUpdate;

    public Status Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (!node.Unschedulable)
        {
            return default;
        }

        return Toleration.AnyTolerates(pod.Tolerations, UnschedulableTaint) ? default : Rejected;
    }
}
