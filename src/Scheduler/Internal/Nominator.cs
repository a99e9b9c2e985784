using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal;

/// <summary>
/// Pods nominated to a node by preemption (status.nominatedNodeName), as kube's nominator: while
/// their victims terminate, filtering other pods on that node counts the nominated pods of equal
/// or higher priority as if they were there, so the room preemption made is not taken by a
/// lower-priority pod. Thread-safe: the scheduling loop nominates and the pod informer removes.
/// </summary>
internal sealed class Nominator
{
    private readonly object _lock = new();
    private readonly Dictionary<string, List<PodInfo>> _byNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeByPod = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>Whether any pod is nominated (read without the lock on the hot path).</summary>
    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    private static string KeyOf(PodInfo pod) => pod.Uid.Length > 0 ? pod.Uid : pod.Key;

    /// <summary>Nominates <paramref name="pod"/> to <paramref name="node"/>, replacing an earlier nomination; an empty node removes it.</summary>
    public void Add(PodInfo pod, string node)
    {
        lock (_lock)
        {
            RemoveLocked(pod);
            if (node.Length == 0)
            {
                return;
            }

            if (!_byNode.TryGetValue(node, out var pods))
            {
                pods = [];
                _byNode[node] = pods;
            }

            pods.Add(pod);
            _nodeByPod[KeyOf(pod)] = node;
            Volatile.Write(ref _count, _nodeByPod.Count);
        }
    }

    public void Remove(PodInfo pod)
    {
        lock (_lock)
        {
            RemoveLocked(pod);
        }
    }

    private void RemoveLocked(PodInfo pod)
    {
        var key = KeyOf(pod);
        if (!_nodeByPod.Remove(key, out var node))
        {
            return;
        }

        if (_byNode.TryGetValue(node, out var pods))
        {
            pods.RemoveAll(p => KeyOf(p) == key);
            if (pods.Count == 0)
            {
                _byNode.Remove(node);
            }
        }

        Volatile.Write(ref _count, _nodeByPod.Count);
    }

    /// <summary>The node the pod is nominated to, or "".</summary>
    public string NodeOf(PodInfo pod)
    {
        lock (_lock)
        {
            return _nodeByPod.GetValueOrDefault(KeyOf(pod)) ?? "";
        }
    }

    /// <summary>Pods nominated to <paramref name="node"/> with priority at least <paramref name="minPriority"/>, other than <paramref name="except"/>; null if none.</summary>
    public List<PodInfo>? On(string node, int minPriority, PodInfo except)
    {
        if (IsEmpty)
        {
            return null;
        }

        lock (_lock)
        {
            if (!_byNode.TryGetValue(node, out var pods))
            {
                return null;
            }

            List<PodInfo>? result = null;
            var exceptKey = KeyOf(except);
            foreach (var p in pods)
            {
                if (p.Priority >= minPriority && KeyOf(p) != exceptKey)
                {
                    (result ??= []).Add(p);
                }
            }

            return result;
        }
    }

    /// <summary>Pods nominated to <paramref name="node"/> with priority below <paramref name="priority"/> (their nomination is cleared when a preemptor takes the node).</summary>
    public List<PodInfo> LowerPriorityOn(string node, int priority)
    {
        lock (_lock)
        {
            var result = new List<PodInfo>();
            if (_byNode.TryGetValue(node, out var pods))
            {
                foreach (var p in pods)
                {
                    if (p.Priority < priority)
                    {
                        result.Add(p);
                    }
                }
            }

            return result;
        }
    }
}
