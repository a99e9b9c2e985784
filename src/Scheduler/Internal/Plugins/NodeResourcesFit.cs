using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>
/// Filter: the node's allocatable minus what its pods request must cover the pod's requests
/// (cpu, memory, ephemeral-storage, extended resources) and one more pod. A request larger than
/// the node's whole allocatable is unresolvable (preemption cannot help). Score: LeastAllocated
/// over cpu and memory (weight 1 each), with non-zero requests.
/// </summary>
internal sealed class NodeResourcesFit : IFilterPlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeResourcesFit";

    private static readonly Status TooManyPods = Status.Unschedulable("Too many pods");

    public string Name => PluginName;

    public ClusterEvents EventsToRegister => ClusterEvents.NodeAdd | ClusterEvents.NodeUpdate | ClusterEvents.AssignedPodDelete | ClusterEvents.AssignedPodUpdate;

    public IScoreExtensions? ScoreExtensions => null;

    public Status Filter(CycleState state, PodInfo pod, NodeInfo node) => Fits(pod.Requests, node);

    /// <summary>kube's fitsRequest, reasons in its order.</summary>
    public static Status Fits(Resource request, NodeInfo node)
    {
        // The common case (no extended resources, room to spare) reads only the node's flat fields.
        if (request.Scalar is null
            && node.PodCount + 1 <= node.AllowedPods
            && (request.MilliCpu == 0 || request.MilliCpu <= node.AllocatableMilliCpu - node.RequestedMilliCpu)
            && (request.Memory == 0 || request.Memory <= node.AllocatableMemory - node.RequestedMemory)
            && (request.EphemeralStorageBytes == 0 || request.EphemeralStorageBytes <= node.AllocatableEphemeralStorage - node.RequestedEphemeralStorage))
        {
            return default;
        }

        var allocatable = node.Allocatable;
        var requested = node.Requested;
        List<string>? reasons = null;
        var unresolvable = false;
        if (node.Pods.Count + 1 > allocatable.AllowedPods)
        {
            reasons = ["Too many pods"];
        }

        if (request.IsZero)
        {
            return reasons is null ? default : TooManyPods;
        }

        Check(request.MilliCpu, allocatable.MilliCpu, requested.MilliCpu, "Insufficient cpu", ref reasons, ref unresolvable);
        Check(request.Memory, allocatable.Memory, requested.Memory, "Insufficient memory", ref reasons, ref unresolvable);
        Check(request.EphemeralStorageBytes, allocatable.EphemeralStorageBytes, requested.EphemeralStorageBytes, "Insufficient ephemeral-storage", ref reasons, ref unresolvable);
        if (request.Scalar is not null)
        {
            foreach (var (name, amount) in request.Scalar)
            {
                if (amount == 0)
                {
                    continue;
                }

                Check(amount, allocatable.GetScalar(name), requested.GetScalar(name), "Insufficient " + name, ref reasons, ref unresolvable);
            }
        }

        if (reasons is null)
        {
            return default;
        }

        return Status.New(unresolvable ? StatusCode.UnschedulableAndUnresolvable : StatusCode.Unschedulable, [.. reasons]);
    }

    private static void Check(long want, long allocatable, long used, string reason, ref List<string>? reasons, ref bool unresolvable)
    {
        if (want > 0 && want > allocatable - used)
        {
            (reasons ??= []).Add(reason);
            unresolvable |= want > allocatable;
        }
    }

    public Status Score(CycleState state, PodInfo pod, NodeInfo node, out long score)
    {
        long total = 0;
        long weights = 0;
        if (node.AllocatableMilliCpu != 0)
        {
            total += LeastRequested(node.NonZeroMilliCpu + pod.NonZeroMilliCpu, node.AllocatableMilliCpu);
            weights++;
        }

        if (node.AllocatableMemory != 0)
        {
            total += LeastRequested(node.NonZeroMemory + pod.NonZeroMemory, node.AllocatableMemory);
            weights++;
        }

        score = weights == 0 ? 0 : total / weights;
        return default;
    }

    /// <summary>(capacity - requested) × 100 / capacity; 0 when over capacity.</summary>
    public static long LeastRequested(long requested, long capacity)
    {
        if (capacity == 0 || requested > capacity)
        {
            return 0;
        }

        return (capacity - requested) * NodeScores.MaxNodeScore / capacity;
    }
}
