using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Queue;

/// <summary>
/// kube-scheduler's PriorityQueue: an activeQ heap (higher priority first, then earlier queue
/// timestamp), a backoffQ ordered by backoff expiry (1 s doubling per attempt up to 10 s), and
/// unschedulablePods parked until a cluster event one of their rejecting plugins registered for
/// moves them back (or 5 minutes pass). Heaps use lazy deletion: an entry is live only while the
/// pod's map entry is that same object. Thread-safe; one consumer pops.
/// </summary>
internal sealed class SchedulingQueue : IDisposable
{
    private sealed class ActiveOrder : IComparer<QueuedPodInfo>
    {
        public static readonly ActiveOrder Instance = new();

        public int Compare(QueuedPodInfo? x, QueuedPodInfo? y)
        {
            var p = y!.Pod.Priority.CompareTo(x!.Pod.Priority);
            return p != 0 ? p : x.Timestamp.CompareTo(y.Timestamp);
        }
    }

    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _initialBackoff;
    private readonly TimeSpan _maxBackoff;
    private readonly TimeSpan _maxInUnschedulable;
    private readonly Func<PodInfo, SchedulingFramework?> _frameworkFor;
    private readonly PriorityQueue<QueuedPodInfo, QueuedPodInfo> _activeHeap = new(ActiveOrder.Instance);
    private readonly Dictionary<string, QueuedPodInfo> _active = new(StringComparer.Ordinal);
    private readonly PriorityQueue<QueuedPodInfo, DateTimeOffset> _backoffHeap = new();
    private readonly Dictionary<string, QueuedPodInfo> _backoff = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPodInfo> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPodInfo> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0);
    private long _schedulingCycle;
    private long _moveRequestCycle = -1;
    private bool _closed;

    public SchedulingQueue(TimeProvider time, Func<PodInfo, SchedulingFramework?> frameworkFor, TimeSpan? initialBackoff = null, TimeSpan? maxBackoff = null, TimeSpan? maxInUnschedulable = null)
    {
        _time = time;
        _frameworkFor = frameworkFor;
        _initialBackoff = initialBackoff ?? TimeSpan.FromSeconds(1);
        _maxBackoff = maxBackoff ?? TimeSpan.FromSeconds(10);
        _maxInUnschedulable = maxInUnschedulable ?? TimeSpan.FromMinutes(5);
    }

    public long SchedulingCycle
    {
        get
        {
            lock (_lock)
            {
                return _schedulingCycle;
            }
        }
    }

    public (int Active, int Backoff, int Unschedulable, int InFlight) Counts
    {
        get
        {
            lock (_lock)
            {
                return (_active.Count, _backoff.Count, _unschedulable.Count, _inFlight.Count);
            }
        }
    }

    /// <summary>scheduler_pending_pods: gated pods are held with the unschedulable ones but counted apart.</summary>
    public (int Active, int Backoff, int Unschedulable, int Gated) PendingCounts
    {
        get
        {
            lock (_lock)
            {
                var gated = 0;
                foreach (var (_, q) in _unschedulable)
                {
                    if (q.Gated)
                    {
                        gated++;
                    }
                }

                return (_active.Count, _backoff.Count, _unschedulable.Count - gated, gated);
            }
        }
    }

    private static string UidOf(PodInfo pod) => pod.Uid.Length > 0 ? pod.Uid : pod.Key;

    /// <summary>A new pending pod.</summary>
    public void Add(PodInfo pod)
    {
        lock (_lock)
        {
            var uid = UidOf(pod);
            if (_active.ContainsKey(uid) || _backoff.ContainsKey(uid) || _unschedulable.ContainsKey(uid) || _inFlight.ContainsKey(uid))
            {
                UpdateLocked(pod);
                return;
            }

            AddToActiveLocked(new QueuedPodInfo(pod, _time.GetUtcNow()));
        }
    }

    /// <summary>A pending pod changed. Status-only changes (same <paramref name="specChanged"/> false) do not move an unschedulable pod.</summary>
    public void Update(PodInfo pod, bool specChanged = true)
    {
        lock (_lock)
        {
            UpdateLocked(pod, specChanged);
        }
    }

    private void UpdateLocked(PodInfo pod, bool specChanged = true)
    {
        var uid = UidOf(pod);
        if (_inFlight.TryGetValue(uid, out var flying))
        {
            flying.Pod = pod;
            flying.UpdatedInFlight |= specChanged;
            return;
        }

        if (_active.TryGetValue(uid, out var active))
        {
            var priorityChanged = active.Pod.Priority != pod.Priority;
            active.Pod = pod;
            if (priorityChanged)
            {
                // Re-key: the old heap entry dies with the replaced object.
                var moved = Copy(active);
                _active[uid] = moved;
                _activeHeap.Enqueue(moved, moved);
            }

            return;
        }

        if (_backoff.TryGetValue(uid, out var backing))
        {
            backing.Pod = pod;
            return;
        }

        if (_unschedulable.TryGetValue(uid, out var parked))
        {
            parked.Pod = pod;
            if (parked.Gated || specChanged)
            {
                _unschedulable.Remove(uid);
                if (parked.Gated)
                {
                    parked.Gated = false;
                    AddToActiveLocked(parked);
                }
                else
                {
                    MoveLocked(parked);
                }
            }

            return;
        }

        AddToActiveLocked(new QueuedPodInfo(pod, _time.GetUtcNow()));
    }

    private static QueuedPodInfo Copy(QueuedPodInfo q)
    {
        var copy = new QueuedPodInfo(q.Pod, q.Timestamp) { InitialAttemptTimestamp = q.InitialAttemptTimestamp, Attempts = q.Attempts, Gated = q.Gated };
        copy.UnschedulablePlugins.UnionWith(q.UnschedulablePlugins);
        return copy;
    }

    /// <summary>The pod was deleted or bound elsewhere.</summary>
    public void Delete(PodInfo pod)
    {
        lock (_lock)
        {
            var uid = UidOf(pod);
            _active.Remove(uid);
            _backoff.Remove(uid);
            _unschedulable.Remove(uid);
        }
    }

    private void AddToActiveLocked(QueuedPodInfo q)
    {
        var framework = _frameworkFor(q.Pod);
        if (framework is not null && !framework.RunPreEnqueue(q.Pod).IsSuccess)
        {
            q.Gated = true;
            _unschedulable[q.Uid] = q;
            return;
        }

        _active[q.Uid] = q;
        _activeHeap.Enqueue(q, q);
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    /// <summary>The highest-priority pod, once there is one; null after <see cref="Close"/>.</summary>
    public async ValueTask<QueuedPodInfo?> PopAsync(CancellationToken ct)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_closed)
                {
                    return null;
                }

                while (_activeHeap.TryDequeue(out var q, out _))
                {
                    if (!_active.TryGetValue(q.Uid, out var live) || !ReferenceEquals(live, q))
                    {
                        continue;
                    }

                    _active.Remove(q.Uid);
                    _schedulingCycle++;
                    q.Attempts++;
                    if (q.Attempts == 1)
                    {
                        q.InitialAttemptTimestamp = _time.GetUtcNow();
                    }

                    q.UpdatedInFlight = false;
                    _inFlight[q.Uid] = q;
                    return q;
                }
            }

            await _signal.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Non-blocking pop (tests, benchmarks).</summary>
    public QueuedPodInfo? TryPop()
    {
        var task = PopAsync(new CancellationToken(canceled: true));
        return task.IsCompletedSuccessfully ? task.Result : null;
    }

    /// <summary>The pod's cycle ended (bound, assumed, or requeued).</summary>
    public void Done(QueuedPodInfo q)
    {
        lock (_lock)
        {
            _inFlight.Remove(q.Uid);
        }
    }

    /// <summary>
    /// A pod that failed its cycle <paramref name="podSchedulingCycle"/>. With rejecting plugins it
    /// is parked in unschedulablePods, unless a move request came during its cycle or it changed
    /// meanwhile; an error (no rejecting plugins) retries after backoff.
    /// </summary>
    public void AddUnschedulableIfNotPresent(QueuedPodInfo q, long podSchedulingCycle)
    {
        lock (_lock)
        {
            _inFlight.Remove(q.Uid);
            if (_active.ContainsKey(q.Uid) || _backoff.ContainsKey(q.Uid) || _unschedulable.ContainsKey(q.Uid))
            {
                return;
            }

            q.Timestamp = _time.GetUtcNow();
            if (q.UnschedulablePlugins.Count == 0 || q.UpdatedInFlight || _moveRequestCycle >= podSchedulingCycle)
            {
                MoveLocked(q);
            }
            else
            {
                _unschedulable[q.Uid] = q;
            }
        }
    }

    /// <summary>Backoff for the pod's attempts so far: initial × 2^(attempts-1), capped.</summary>
    public TimeSpan BackoffDuration(QueuedPodInfo q)
    {
        var duration = _initialBackoff;
        for (var i = 1; i < q.Attempts; i++)
        {
            duration += duration;
            if (duration >= _maxBackoff)
            {
                return _maxBackoff;
            }
        }

        return duration;
    }

    private DateTimeOffset BackoffExpiry(QueuedPodInfo q) => q.Timestamp + BackoffDuration(q);

    private void MoveLocked(QueuedPodInfo q)
    {
        var expiry = BackoffExpiry(q);
        if (q.Attempts > 0 && expiry > _time.GetUtcNow())
        {
            _backoff[q.Uid] = q;
            _backoffHeap.Enqueue(q, expiry);
        }
        else
        {
            AddToActiveLocked(q);
        }
    }

    /// <summary>A cluster event: pods whose rejecting plugins care about it go to backoffQ or activeQ.</summary>
    public void MoveAllToActiveOrBackoff(ClusterEvents clusterEvent)
    {
        lock (_lock)
        {
            _moveRequestCycle = _schedulingCycle;
            if (_unschedulable.Count == 0)
            {
                return;
            }

            List<QueuedPodInfo>? move = null;
            foreach (var q in _unschedulable.Values)
            {
                if (q.Gated)
                {
                    continue;
                }

                var framework = _frameworkFor(q.Pod);
                if (framework is null || (framework.EventsFor(q.UnschedulablePlugins) & clusterEvent) != 0)
                {
                    (move ??= []).Add(q);
                }
            }

            if (move is not null)
            {
                foreach (var q in move)
                {
                    _unschedulable.Remove(q.Uid);
                    MoveLocked(q);
                }
            }
        }
    }

    /// <summary>Moves pods whose backoff expired to activeQ (kube runs this every second).</summary>
    public void FlushBackoffCompleted()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            while (_backoffHeap.TryPeek(out var q, out var expiry))
            {
                if (!_backoff.TryGetValue(q.Uid, out var live) || !ReferenceEquals(live, q))
                {
                    _backoffHeap.Dequeue();
                    continue;
                }

                if (expiry > now)
                {
                    break;
                }

                _backoffHeap.Dequeue();
                _backoff.Remove(q.Uid);
                AddToActiveLocked(q);
            }
        }
    }

    /// <summary>Moves pods parked longer than the limit (5 minutes) back, in case an event was missed.</summary>
    public void FlushUnschedulableLeftover()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            List<QueuedPodInfo>? move = null;
            foreach (var q in _unschedulable.Values)
            {
                if (!q.Gated && now - q.Timestamp > _maxInUnschedulable)
                {
                    (move ??= []).Add(q);
                }
            }

            if (move is not null)
            {
                foreach (var q in move)
                {
                    _unschedulable.Remove(q.Uid);
                    MoveLocked(q);
                }
            }
        }
    }

    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }

        _signal.Release();
    }

    public void Dispose() => _signal.Dispose();
}
