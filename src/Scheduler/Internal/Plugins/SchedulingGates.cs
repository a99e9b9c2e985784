using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>PreEnqueue: a pod with spec.schedulingGates stays out of the active queue until they are removed.</summary>
internal sealed class SchedulingGates : IPreEnqueuePlugin, IEnqueueExtensions
{
    public const string PluginName = "SchedulingGates";

    private static readonly Status Gated = Status.Unresolvable("waiting for scheduling gates");

    public string Name => PluginName;

    public ClusterEvents EventsToRegister => ClusterEvents.None;

    public Status PreEnqueue(PodInfo pod) => pod.HasSchedulingGates ? Gated : default;
}
