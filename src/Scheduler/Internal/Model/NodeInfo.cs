namespace Nautilus.Scheduler.Internal.Model;

/// <summary>
/// A node with the pods on it (bound and assumed) and what they use, as kube's framework.NodeInfo.
/// The cache mutates its own copies under its lock; a scheduling cycle reads clones from a
/// <see cref="Cache.Snapshot"/>, so it never sees a NodeInfo change under it.
/// </summary>
internal sealed class NodeInfo
{
    private NodeModel? _node;

    public NodeInfo(NodeModel? node) => Node = node;

    /// <summary>Null for a node deleted while pods still point at it.</summary>
    public NodeModel? Node
    {
        get => _node;
        set
        {
            _node = value;
            Unschedulable = value?.Unschedulable ?? false;
            HasHardTaints = false;
            HasPreferNoScheduleTaints = false;
            foreach (var t in value?.Taints ?? [])
            {
                HasHardTaints |= t.Effect is Taint.NoSchedule or Taint.NoExecute;
                HasPreferNoScheduleTaints |= t.Effect == Taint.PreferNoSchedule;
            }

            var a = value?.Allocatable;
            AllocatableMilliCpu = a?.MilliCpu ?? 0;
            AllocatableMemory = a?.Memory ?? 0;
            AllocatableEphemeralStorage = a?.EphemeralStorageBytes ?? 0;
            AllowedPods = a?.AllowedPods ?? 0;
        }
    }

    // Flat copies of what every cycle's filters and scores read for each node, so that checking a
    // node touches this one object rather than the node model, its taints and two Resources:
    // at 5,000 nodes the cache misses, not the arithmetic, were the cost of a cycle.
    public bool Unschedulable { get; private set; }
    public bool HasHardTaints { get; private set; }
    public bool HasPreferNoScheduleTaints { get; private set; }
    public long AllocatableMilliCpu { get; private set; }
    public long AllocatableMemory { get; private set; }
    public long AllocatableEphemeralStorage { get; private set; }
    public long AllowedPods { get; private set; }
    public long RequestedMilliCpu { get; private set; }
    public long RequestedMemory { get; private set; }
    public long RequestedEphemeralStorage { get; private set; }
    public int PodCount { get; private set; }

    public string Name => Node?.Name ?? "";

    public List<PodInfo> Pods { get; private init; } = [];
    public List<PodInfo> PodsWithAffinity { get; private init; } = [];
    public List<PodInfo> PodsWithRequiredAntiAffinity { get; private init; } = [];
    public Resource Requested { get; private init; } = new();
    public long NonZeroMilliCpu { get; private set; }
    public long NonZeroMemory { get; private set; }
    public List<HostPort> UsedPorts { get; private init; } = [];

    /// <summary>Bumped by every change; the snapshot re-clones a node whose generation moved.</summary>
    public long Generation { get; set; }

    public Resource Allocatable => Node?.Allocatable ?? Empty;

    private static readonly Resource Empty = new();

    public void AddPod(PodInfo pod)
    {
        Pods.Add(pod);
        if (pod.HasAffinity)
        {
            PodsWithAffinity.Add(pod);
        }

        if (pod.HasRequiredAntiAffinity)
        {
            PodsWithRequiredAntiAffinity.Add(pod);
        }

        Account(pod, 1);
    }

    /// <summary>Removes the pod with this uid (or namespace/name); false if it is not here.</summary>
    public bool RemovePod(PodInfo pod)
    {
        var index = IndexOf(Pods, pod);
        if (index < 0)
        {
            return false;
        }

        var existing = Pods[index];
        Pods.RemoveAt(index);
        RemoveFrom(PodsWithAffinity, pod);
        RemoveFrom(PodsWithRequiredAntiAffinity, pod);
        Account(existing, -1);
        return true;
    }

    private void Account(PodInfo pod, int sign)
    {
        Requested.Add(pod.Requests, sign);
        RequestedMilliCpu = Requested.MilliCpu;
        RequestedMemory = Requested.Memory;
        RequestedEphemeralStorage = Requested.EphemeralStorageBytes;
        PodCount += sign;
        NonZeroMilliCpu += sign * pod.NonZeroMilliCpu;
        NonZeroMemory += sign * pod.NonZeroMemory;
        foreach (var port in pod.Ports)
        {
            if (sign > 0)
            {
                UsedPorts.Add(port);
            }
            else
            {
                UsedPorts.Remove(port);
            }
        }
    }

    private static int IndexOf(List<PodInfo> pods, PodInfo pod)
    {
        for (var i = 0; i < pods.Count; i++)
        {
            var p = pods[i];
            if (p.Uid == pod.Uid && p.Name == pod.Name && p.Namespace == pod.Namespace)
            {
                return i;
            }
        }

        return -1;
    }

    private static void RemoveFrom(List<PodInfo> pods, PodInfo pod)
    {
        var i = IndexOf(pods, pod);
        if (i >= 0)
        {
            pods.RemoveAt(i);
        }
    }

    public bool HasPortConflict(HostPort[] wanted)
    {
        foreach (var w in wanted)
        {
            foreach (var used in UsedPorts)
            {
                if (w.ConflictsWith(used))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public NodeInfo Clone() => new(Node)
    {
        Pods = [.. Pods],
        PodsWithAffinity = [.. PodsWithAffinity],
        PodsWithRequiredAntiAffinity = [.. PodsWithRequiredAntiAffinity],
        Requested = Requested.Clone(),
        RequestedMilliCpu = RequestedMilliCpu,
        RequestedMemory = RequestedMemory,
        RequestedEphemeralStorage = RequestedEphemeralStorage,
        PodCount = PodCount,
        NonZeroMilliCpu = NonZeroMilliCpu,
        NonZeroMemory = NonZeroMemory,
        UsedPorts = [.. UsedPorts],
        Generation = Generation,
    };
}
