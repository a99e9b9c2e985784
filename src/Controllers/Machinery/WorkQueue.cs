namespace Nautilus.Controllers.Machinery;

/// <summary>
/// A rate-limited work queue keyed by namespace/name, as client-go's: a key is queued at most
/// once, a key being processed is not handed to a second worker (a change meanwhile queues it
/// again after <see cref="Done"/>), and failed keys come back after a per-key exponential backoff.
/// </summary>
public sealed class WorkQueue : IDisposable
{
    private readonly object _lock = new();
    private readonly Queue<string> _ready = new();
    private readonly HashSet<string> _queued = [];
    private readonly HashSet<string> _processing = [];
    private readonly Dictionary<string, int> _failures = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly TimeProvider _time;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private readonly WorkQueueMetrics _metrics;
    private bool _shutDown;

    /// <param name="name">The queue's name, the <c>name</c> label of its workqueue_* metrics (its controller's name).</param>
    public WorkQueue(TimeProvider? time = null, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, string name = "")
    {
        _metrics = new WorkQueueMetrics(name, () => Depth);
        _time = time ?? TimeProvider.System;
        _baseDelay = baseDelay ?? TimeSpan.FromMilliseconds(5);
        _maxDelay = maxDelay ?? TimeSpan.FromSeconds(1000);
    }

    /// <summary>Keys queued and not yet handed out, those queued again while processing included (client-go's depth, the workqueue_depth metric).</summary>
    public int Depth
    {
        get
        {
            lock (_lock)
            {
                return _queued.Count;
            }
        }
    }

    public void Add(string key)
    {
        lock (_lock)
        {
            if (_shutDown || !_queued.Add(key))
            {
                return;
            }

            _metrics.Added(key);
            if (_processing.Contains(key))
            {
                return; // queued again by Done
            }

            _ready.Enqueue(key);
        }

        _available.Release();
    }

    /// <summary>Queues the key after a delay (a requeue that is not a failure).</summary>
    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        ITimer? timer = null;
        timer = _time.CreateTimer(_ =>
        {
            Add(key);
            timer?.Dispose();
        }, null, delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Queues the key after its backoff: base × 2^failures, capped.</summary>
    public void AddRateLimited(string key)
    {
        int failures;
        lock (_lock)
        {
            _failures.TryGetValue(key, out failures);
            _failures[key] = failures + 1;
        }

        _metrics.Retried();

        var delay = TimeSpan.FromTicks(Math.Min(_maxDelay.Ticks, _baseDelay.Ticks * (1L << Math.Min(failures, 40))));
        AddAfter(key, delay);
    }

    /// <summary>Stops tracking the key's failures: its next failure starts the backoff over.</summary>
    public void Forget(string key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    public int Failures(string key)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>The next key to process; null once the queue is shut down.</summary>
    public async Task<string?> GetAsync(CancellationToken ct)
    {
        while (true)
        {
            await _available.WaitAsync(ct).ConfigureAwait(false);
            lock (_lock)
            {
                if (_shutDown)
                {
                    return null;
                }

                if (_ready.TryDequeue(out var key))
                {
                    _queued.Remove(key);
                    _processing.Add(key);
                    _metrics.Taken(key);
                    return key;
                }
            }
        }
    }

    /// <summary>Marks the key processed; a change that arrived meanwhile queues it again.</summary>
    public void Done(string key)
    {
        var requeue = false;
        lock (_lock)
        {
            _processing.Remove(key);
            _metrics.Finished(key);
            if (_queued.Contains(key) && !_shutDown)
            {
                _ready.Enqueue(key);
                requeue = true;
            }
        }

        if (requeue)
        {
            _available.Release();
        }
    }

    public void ShutDown()
    {
        lock (_lock)
        {
            _shutDown = true;
        }

        _available.Release(int.MaxValue / 2);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _available.Dispose();
    }

}
