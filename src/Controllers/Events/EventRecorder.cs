using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Events;

/// <summary>The object an Event is about: its involvedObject (a core/v1 ObjectReference).</summary>
public sealed record InvolvedObject(string ApiVersion, string Kind, string Namespace, string Name, string Uid, string ResourceVersion)
{
    /// <summary>A reference to <paramref name="obj"/>; its apiVersion and kind when it carries them, else the ones given.</summary>
    public static InvolvedObject For(JsonObject obj, string apiVersion, string kind) => new(
        KubeObject.String(obj, "apiVersion") ?? apiVersion,
        KubeObject.String(obj, "kind") ?? kind,
        KubeObject.Namespace(obj),
        KubeObject.Name(obj),
        KubeObject.Uid(obj),
        KubeObject.ResourceVersion(obj));

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["kind"] = Kind };
        if (Namespace.Length > 0)
        {
            o["namespace"] = Namespace;
        }

        o["name"] = Name;
        o["uid"] = Uid;
        o["apiVersion"] = ApiVersion;
        o["resourceVersion"] = ResourceVersion;
        return o;
    }
}

/// <summary>
/// Writes core/v1 Events for the controllers, as client-go's event broadcaster does: recording never
/// blocks a reconcile (events go through a bounded queue and are dropped when it is full), a repeat of
/// the same event (same object, type, reason, message and source) increments the count and
/// lastTimestamp of the Event already written instead of writing a new one (the EventCorrelator's
/// EventLogger), and a failed write is logged, not retried forever.
/// </summary>
public sealed partial class EventBroadcaster(ApiClient client, ILogger logger, TimeProvider? time = null)
{
    /// <summary>client-go's maxQueuedEvents.</summary>
    private const int QueueLength = 1000;

    /// <summary>client-go's maxLruCacheEntries for the correlation cache.</summary>
    private const int CorrelationCacheSize = 4096;

    private static readonly ApiResource EventsResource = new("", "v1", "events", "Event", true);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Channel<PendingEvent> _queue = Channel.CreateBounded<PendingEvent>(new BoundedChannelOptions(QueueLength)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly Dictionary<string, LinkedListNode<Written>> _written = new(StringComparer.Ordinal);
    private readonly LinkedList<Written> _recency = new();
    private long _lastNanos;

    /// <summary>A recorder that signs its events with <paramref name="component"/> (source.component and reportingComponent).</summary>
    public EventRecorder NewRecorder(string component) => new(this, component);

    /// <summary>Writes queued events until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var e in _queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await WriteAsync(e, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogWriteFailed(logger, e.Reason, e.Involved.Namespace, e.Involved.Name, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    internal void Enqueue(PendingEvent e) => _queue.Writer.TryWrite(e);

    internal DateTimeOffset Now => _time.GetUtcNow();

    private async Task WriteAsync(PendingEvent e, CancellationToken ct)
    {
        var ns = e.Involved.Namespace.Length > 0 ? e.Involved.Namespace : "default";
        var key = string.Join('\u0000', e.Component, e.Involved.Kind, ns, e.Involved.Name, e.Involved.Uid, e.Involved.ApiVersion, e.Type, e.Reason, e.Message);
        var timestamp = KubeObject.FormatTime(e.Timestamp);
        if (_written.TryGetValue(key, out var node))
        {
            var w = node.Value;
            w.Count++;
            _recency.Remove(node);
            _recency.AddFirst(node);
            var patch = new JsonObject { ["count"] = w.Count, ["lastTimestamp"] = timestamp, ["message"] = e.Message };
            try
            {
                await client.PatchAsync(EventsResource, ns, w.Name, "application/merge-patch+json", patch, ct: ct).ConfigureAwait(false);
                return;
            }
            catch (ApiStatusException ex) when (ex.IsNotFound)
            {
                // The event expired or was deleted: write it anew, keeping the count (as client-go does).
                await CreateAsync(e, ns, key, timestamp, w.Count, ct).ConfigureAwait(false);
                return;
            }
        }

        await CreateAsync(e, ns, key, timestamp, 1, ct).ConfigureAwait(false);
    }

    private async Task CreateAsync(PendingEvent e, string ns, string key, string timestamp, long count, CancellationToken ct)
    {
        var name = e.Involved.Name + "." + UniqueNanos(e.Timestamp).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        var obj = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["involvedObject"] = e.Involved.ToJson(),
            ["reason"] = e.Reason,
            ["message"] = e.Message,
            ["source"] = new JsonObject { ["component"] = e.Component },
            ["firstTimestamp"] = timestamp,
            ["lastTimestamp"] = timestamp,
            ["count"] = count,
            ["type"] = e.Type,
            ["eventTime"] = null,
            ["reportingComponent"] = e.Component,
            ["reportingInstance"] = "",
        };
        await client.CreateAsync(EventsResource, ns, obj, ct).ConfigureAwait(false);

        if (_written.Remove(key, out var old))
        {
            _recency.Remove(old);
        }

        _written[key] = _recency.AddFirst(new Written(key, name, count));
        while (_written.Count > CorrelationCacheSize)
        {
            var last = _recency.Last!;
            _recency.RemoveLast();
            _written.Remove(last.Value.Key);
        }
    }

    /// <summary>Nanoseconds since the epoch, strictly increasing, so two events on one object never share a name.</summary>
    private long UniqueNanos(DateTimeOffset t)
    {
        var nanos = (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        _lastNanos = Math.Max(nanos, _lastNanos + 1);
        return _lastNanos;
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Could not write event {Reason} for {Namespace}/{Name}: {Error}")]
    private static partial void LogWriteFailed(ILogger logger, string reason, string @namespace, string name, string error);

    internal sealed record PendingEvent(string Component, InvolvedObject Involved, string Type, string Reason, string Message, DateTimeOffset Timestamp);

    private sealed class Written(string key, string name, long count)
    {
        public string Key { get; } = key;

        public string Name { get; } = name;

        public long Count { get; set; } = count;
    }
}

/// <summary>Records Events for one component (record.EventRecorder).</summary>
public sealed class EventRecorder
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    private readonly EventBroadcaster _broadcaster;

    internal EventRecorder(EventBroadcaster broadcaster, string component)
    {
        _broadcaster = broadcaster;
        Component = component;
    }

    public string Component { get; }

    /// <summary>Queues an Event about <paramref name="involved"/>; never blocks, never throws.</summary>
    public void Event(InvolvedObject involved, string type, string reason, string message) =>
        _broadcaster.Enqueue(new EventBroadcaster.PendingEvent(Component, involved, type, reason, message, _broadcaster.Now));
}
