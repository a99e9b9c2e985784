namespace Nautilus.Agent.Internal;

/// <summary>
/// Pod actions waiting to be sent, one per pod: a newer action for a pod replaces the one still
/// waiting (a Pending status overtaken by Running is never sent), so a backlog after a reconnect
/// costs one write per pod, not one per transition. Thread-safe.
/// </summary>
internal sealed class PodReportQueue
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PodAction> _pending = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly SemaphoreSlim _available = new(0);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public void Enqueue(IReadOnlyList<PodAction> actions)
    {
        if (actions.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var action in actions)
            {
                if (_pending.TryAdd(action.Uid, action))
                {
                    _order.Enqueue(action.Uid);
                }
                else
                {
                    _pending[action.Uid] = action;
                }
            }
        }

        Signal();
    }

    /// <summary>Puts back an action that failed, unless a newer one for the pod arrived meanwhile.</summary>
    public void Retry(PodAction action)
    {
        lock (_gate)
        {
            if (_pending.TryAdd(action.Uid, action))
            {
                _order.Enqueue(action.Uid);
            }
        }

        Signal();
    }

    /// <summary>Waits for actions and takes up to <paramref name="max"/> of them, oldest first.</summary>
    public async Task<List<PodAction>> TakeAsync(int max, CancellationToken ct)
    {
        while (true)
        {
            await _available.WaitAsync(ct).ConfigureAwait(false);
            var batch = new List<PodAction>();
            lock (_gate)
            {
                while (batch.Count < max && _order.TryDequeue(out var uid))
                {
                    if (_pending.Remove(uid, out var action))
                    {
                        batch.Add(action);
                    }
                }

                if (_order.Count > 0)
                {
                    Signal();
                }
            }

            if (batch.Count > 0)
            {
                return batch;
            }
        }
    }

    private void Signal()
    {
        if (_available.CurrentCount == 0)
        {
            _available.Release();
        }
    }
}
