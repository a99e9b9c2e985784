using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Nautilus.Server.Api;
using Nautilus.Store;

namespace Nautilus.Server.Observability;

/// <summary>
/// The store as the API sees it, measured: etcd_request_duration_seconds per operation and type
/// (the embedded store plays etcd's part), and apiserver_watch_events_total /
/// apiserver_watch_events_sizes for every event a watch hands to the API. Reads that complete
/// synchronously stay synchronous; a watch costs one wrapper object and one interlocked add per event.
/// </summary>
public sealed class InstrumentedObjectStore : IObjectStore, IAsyncDisposable
{
    // {"type":"MODIFIED","object":...}: the envelope kube counts in an event's size, roughly.
    private const int EventEnvelopeBytes = 30;

    private readonly IObjectStore _inner;
    private readonly ApiServerMetrics _metrics;
    private readonly ResourceRegistry _resources;
    private readonly ConcurrentDictionary<ResourceType, TypeMetrics> _types = new();

    public InstrumentedObjectStore(IObjectStore inner, ApiServerMetrics metrics, ResourceRegistry resources)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(resources);
        _inner = inner;
        _metrics = metrics;
        _resources = resources;
    }

    /// <summary>The measured store.</summary>
    public IObjectStore Inner => _inner;

    public long CurrentRevision => _inner.CurrentRevision;

    public long Count(ResourceType type) => _inner.Count(type);

    public ValueTask<StoredObject?> GetAsync(ResourceType type, ObjectKey key, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        var result = _inner.GetAsync(type, key, cancellationToken);
        var histogram = For(type).Get;
        if (result.IsCompleted)
        {
            histogram.ObserveSince(start);
            return result;
        }

        return Observed(result, histogram, start);
    }

    public ValueTask<ListResult> ListAsync(ResourceType type, ListOptions options, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        var result = _inner.ListAsync(type, options, cancellationToken);
        var histogram = For(type).List;
        if (result.IsCompleted)
        {
            histogram.ObserveSince(start);
            return result;
        }

        return Observed(result, histogram, start);
    }

    public ValueTask<StoredObject> CreateAsync(ResourceType type, StoredObject obj, CancellationToken cancellationToken = default) =>
        Observed(_inner.CreateAsync(type, obj, cancellationToken), For(type).Create, Stopwatch.GetTimestamp());

    public ValueTask<StoredObject> DeleteAsync(ResourceType type, ObjectKey key, Preconditions? preconditions = null, CancellationToken cancellationToken = default) =>
        Observed(_inner.DeleteAsync(type, key, preconditions, cancellationToken), For(type).Delete, Stopwatch.GetTimestamp());

    /// <summary>Observed without the time spent in <paramref name="tryUpdate"/> (admission and defaulting are not storage time).</summary>
    public async ValueTask<StoredObject> GuaranteedUpdateAsync(
        ResourceType type,
        ObjectKey key,
        UpdateFunction tryUpdate,
        Preconditions? preconditions = null,
        bool ignoreNotFound = false,
        CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        long inCallback = 0;
        try
        {
            return await _inner.GuaranteedUpdateAsync(type, key, async (current, ct) =>
            {
                var began = Stopwatch.GetTimestamp();
                try
                {
                    return await tryUpdate(current, ct).ConfigureAwait(false);
                }
                finally
                {
                    inCallback += Stopwatch.GetTimestamp() - began;
                }
            }, preconditions, ignoreNotFound, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            For(type).Update.ObserveSince(start + inCallback);
        }
    }

    public async ValueTask<IObjectWatch> WatchAsync(ResourceType type, WatchOptions options, CancellationToken cancellationToken = default)
    {
        var metrics = For(type);
        var start = Stopwatch.GetTimestamp();
        var watch = await _inner.WatchAsync(type, options, cancellationToken).ConfigureAwait(false);
        metrics.Watch.ObserveSince(start);
        var (events, sizes) = metrics.Events;
        return new CountedWatch(watch, events, sizes);
    }

    public ValueTask DisposeAsync() => _inner is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;

    private static async ValueTask<T> Observed<T>(ValueTask<T> operation, Histogram histogram, long start)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        finally
        {
            histogram.ObserveSince(start);
        }
    }

    private TypeMetrics For(ResourceType type) =>
        _types.TryGetValue(type, out var metrics) ? metrics : _types.GetOrAdd(type, static (t, self) => self.Create(t), this);

    private TypeMetrics Create(ResourceType type)
    {
        // Watch events are labelled with the kind of the resource that owns the storage.
        var (group, version, kind) = (type.Group, "", type.Resource);
        foreach (var resource in _resources.All)
        {
            if (resource.StorageResource is null && resource.StorageType == type)
            {
                (group, version, kind) = (resource.Group, resource.Version, resource.Kind);
                break;
            }
        }

        return new TypeMetrics(_metrics, type.ToString(), group, version, kind);
    }

    /// <summary>One type's series, created on first use so that /metrics lists only operations that happened.</summary>
    private sealed class TypeMetrics(ApiServerMetrics metrics, string type, string group, string version, string kind)
    {
        private Histogram? _get;
        private Histogram? _list;
        private Histogram? _create;
        private Histogram? _delete;
        private Histogram? _update;
        private Histogram? _watch;
        private (Counter Events, Histogram Sizes)? _events;

        public Histogram Get => _get ??= metrics.Storage("get", type);

        public Histogram List => _list ??= metrics.Storage("list", type);

        public Histogram Create => _create ??= metrics.Storage("create", type);

        public Histogram Delete => _delete ??= metrics.Storage("delete", type);

        public Histogram Update => _update ??= metrics.Storage("update", type);

        public Histogram Watch => _watch ??= metrics.Storage("watch", type);

        public (Counter Events, Histogram Sizes) Events => _events ??= metrics.WatchEvents(group, version, kind);
    }

    private sealed class CountedWatch(IObjectWatch inner, Counter events, Histogram sizes) : IObjectWatch
    {
        public ChannelReader<WatchEvent> Events { get; } = new CountingReader(inner.Events, events, sizes);

        public void Dispose() => inner.Dispose();
    }

    /// <summary>Counts each event as the API takes it off the watch channel.</summary>
    private sealed class CountingReader(ChannelReader<WatchEvent> inner, Counter events, Histogram sizes) : ChannelReader<WatchEvent>
    {
        public override Task Completion => inner.Completion;

        public override bool CanCount => inner.CanCount;

        public override int Count => inner.Count;

        public override bool CanPeek => inner.CanPeek;

        public override bool TryPeek(out WatchEvent item) => inner.TryPeek(out item);

        public override bool TryRead(out WatchEvent item)
        {
            if (!inner.TryRead(out item))
            {
                return false;
            }

            events.Inc();
            sizes.Observe(EventEnvelopeBytes + (item.Object?.JsonLength ?? 0));
            return true;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
    }
}
