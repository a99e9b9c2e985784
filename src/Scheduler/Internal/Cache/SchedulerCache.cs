using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Cache;

/// <summary>
/// NodeInfo for every node with the pods bound to it and the pods the scheduler assumed there,
/// so the next cycle sees a decision before its binding is written (kube's internal cache).
/// An assumed pod is confirmed when the informer reports it bound, forgotten when its binding
/// fails, and — when a TTL is set — expires that long after its binding finished without being
/// confirmed. Thread-safe.
/// </summary>
internal sealed class SchedulerCache(TimeProvider time, TimeSpan assumedPodTtl)
{
    private sealed class PodState(PodInfo pod)
    {
        public PodInfo Pod = pod;
        public bool Assumed;
        public bool BindingFinished;
        public DateTimeOffset Deadline;
    }

    private readonly object _lock = new();
    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodState> _pods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private bool _nodeSetChanged;
    private bool _imagesChanged;
    private long _generation;

    public int NodeCount
    {
        get
        {
            lock (_lock)
            {
                var n = 0;
                foreach (var node in _nodes.Values)
                {
                    n += node.Node is null ? 0 : 1;
                }

                return n;
            }
        }
    }

    public int PodCount
    {
        get
        {
            lock (_lock)
            {
                return _pods.Count;
            }
        }
    }

    private static string KeyOf(PodInfo pod) => pod.Uid.Length > 0 ? pod.Uid : pod.Key;

    public void AddOrUpdateNode(NodeModel node)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(node.Name, out var info))
            {
                _imagesChanged |= info.Node is null || !SameImages(info.Node, node);
                _nodeSetChanged |= info.Node is null;
                info.Node = node;
            }
            else
            {
                info = new NodeInfo(node);
                _nodes[node.Name] = info;
                _nodeSetChanged = true;
                _imagesChanged |= node.Images.Count > 0;
            }

            Touch(info);
        }
    }

    public void RemoveNode(string name)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(name, out var info))
            {
                return;
            }

            // Pods still on a deleted node stay accounted (a ghost NodeInfo) until they are deleted.
            if (info.Pods.Count == 0)
            {
                _nodes.Remove(name);
            }
            else
            {
                info.Node = null;
                Touch(info, name);
            }

            _nodeSetChanged = true;
            _imagesChanged = true;
        }
    }

    private static bool SameImages(NodeModel a, NodeModel b)
    {
        if (a.Images.Count != b.Images.Count)
        {
            return false;
        }

        foreach (var k in a.Images.Keys)
        {
            if (!b.Images.ContainsKey(k))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Adds the pod (whose NodeName is set) to its node before it is bound.</summary>
    public void AssumePod(PodInfo pod)
    {
        lock (_lock)
        {
            var key = KeyOf(pod);
            if (_pods.ContainsKey(key))
            {
                throw new InvalidOperationException($"pod {pod.Key} is in the cache, so can't be assumed");
            }

            AddToNode(pod);
            _pods[key] = new PodState(pod) { Assumed = true };
        }
    }

    /// <summary>The binding was written: from now the assumed pod may expire (if a TTL is set).</summary>
    public void FinishBinding(PodInfo pod)
    {
        lock (_lock)
        {
            if (_pods.TryGetValue(KeyOf(pod), out var state) && state.Assumed)
            {
                state.BindingFinished = true;
                state.Deadline = time.GetUtcNow() + assumedPodTtl;
            }
        }
    }

    /// <summary>Removes an assumed pod (its binding failed). A pod already confirmed stays.</summary>
    public void ForgetPod(PodInfo pod)
    {
        lock (_lock)
        {
            var key = KeyOf(pod);
            if (_pods.TryGetValue(key, out var state) && state.Assumed)
            {
                RemoveFromNode(state.Pod);
                _pods.Remove(key);
            }
        }
    }

    public bool IsAssumed(PodInfo pod)
    {
        lock (_lock)
        {
            return _pods.TryGetValue(KeyOf(pod), out var state) && state.Assumed;
        }
    }

    /// <summary>A bound pod seen by the informer: confirms an assumed pod (moving it if it landed elsewhere) or adds it.</summary>
    public void AddPod(PodInfo pod)
    {
        lock (_lock)
        {
            var key = KeyOf(pod);
            if (_pods.TryGetValue(key, out var state))
            {
                RemoveFromNode(state.Pod);
                AddToNode(pod);
                state.Pod = pod;
                state.Assumed = false;
                return;
            }

            AddToNode(pod);
            _pods[key] = new PodState(pod);
        }
    }

    public void UpdatePod(PodInfo pod) => AddPod(pod);

    public void RemovePod(PodInfo pod)
    {
        lock (_lock)
        {
            var key = KeyOf(pod);
            if (_pods.Remove(key, out var state))
            {
                RemoveFromNode(state.Pod);
            }
        }
    }

    /// <summary>Forgets assumed pods whose binding finished more than the TTL ago without the informer confirming them.</summary>
    public int CleanupExpiredAssumedPods()
    {
        if (assumedPodTtl <= TimeSpan.Zero)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var expired = 0;
        lock (_lock)
        {
            List<string>? remove = null;
            foreach (var (key, state) in _pods)
            {
                if (state.Assumed && state.BindingFinished && now >= state.Deadline)
                {
                    (remove ??= []).Add(key);
                }
            }

            if (remove is not null)
            {
                foreach (var key in remove)
                {
                    RemoveFromNode(_pods[key].Pod);
                    _pods.Remove(key);
                    expired++;
                }
            }
        }

        return expired;
    }

    private void AddToNode(PodInfo pod)
    {
        if (!_nodes.TryGetValue(pod.NodeName, out var info))
        {
            info = new NodeInfo(null);
            _nodes[pod.NodeName] = info;
        }

        info.AddPod(pod);
        Touch(info, pod.NodeName);
    }

    private void RemoveFromNode(PodInfo pod)
    {
        if (!_nodes.TryGetValue(pod.NodeName, out var info))
        {
            return;
        }

        info.RemovePod(pod);
        if (info.Node is null && info.Pods.Count == 0)
        {
            _nodes.Remove(pod.NodeName);
            _dirty.Remove(pod.NodeName);
            return;
        }

        Touch(info, pod.NodeName);
    }

    private void Touch(NodeInfo info, string? name = null)
    {
        info.Generation = ++_generation;
        _dirty.Add(name ?? info.Name);
    }

    /// <summary>
    /// A separate, complete snapshot (explanations). It clones every node and leaves the change
    /// tracking alone: that belongs to the scheduling loop's snapshot, which
    /// <see cref="UpdateSnapshot"/> refreshes incrementally.
    /// </summary>
    public Snapshot CreateSnapshot()
    {
        List<NodeInfo> clones;
        lock (_lock)
        {
            clones = new List<NodeInfo>(_nodes.Count);
            foreach (var info in _nodes.Values)
            {
                if (info.Node is not null)
                {
                    clones.Add(info.Clone());
                }
            }
        }

        return Snapshot.From(clones);
    }

    /// <summary>
    /// Brings <paramref name="snapshot"/> up to date: clones only the nodes changed since its last
    /// update. The changes are tracked for one snapshot only, the scheduling loop's; any other
    /// snapshot comes from <see cref="CreateSnapshot"/>.
    /// </summary>
    public void UpdateSnapshot(Snapshot snapshot)
    {
        lock (_lock)
        {
            if (_dirty.Count == 0 && !_nodeSetChanged)
            {
                return;
            }

            var rebuildAffinity = false;
            if (_nodeSetChanged)
            {
                snapshot.Map.Clear();
                snapshot.Index.Clear();
                snapshot.List.Clear();
                foreach (var info in _nodes.Values)
                {
                    if (info.Node is null)
                    {
                        continue;
                    }

                    var clone = info.Clone();
                    snapshot.Index[clone.Name] = snapshot.List.Count;
                    snapshot.Map[clone.Name] = clone;
                    snapshot.List.Add(clone);
                }

                rebuildAffinity = true;
            }
            else
            {
                foreach (var name in _dirty)
                {
                    if (!_nodes.TryGetValue(name, out var info) || info.Node is null || !snapshot.Index.TryGetValue(name, out var index))
                    {
                        continue;
                    }

                    var old = snapshot.List[index];
                    if (old.Generation == info.Generation)
                    {
                        continue;
                    }

                    var clone = info.Clone();
                    snapshot.List[index] = clone;
                    snapshot.Map[name] = clone;
                    rebuildAffinity |= old.PodsWithAffinity.Count > 0 || clone.PodsWithAffinity.Count > 0;
                }
            }

            if (rebuildAffinity || _imagesChanged)
            {
                snapshot.RebuildDerived(_imagesChanged);
            }

            _dirty.Clear();
            _nodeSetChanged = false;
            _imagesChanged = false;
        }
    }
}
