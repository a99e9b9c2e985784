using System.Buffers;
using System.Globalization;
using System.Text;
using Google.Api;
using Google.Protobuf;
using Grpc.Core;
using Nautilus.Api.V1;
using Nautilus.Server.Api.Printing;
using Nautilus.Server.Api.Services;
using Nautilus.Store;

namespace Nautilus.Server.Api;

/// <summary>
/// GET on collections: lists (selectors, pagination, resourceVersion semantics) and watches
/// (events framed one JSON object per line, as kube-apiserver frames them).
/// </summary>
public sealed class ListWatch(IObjectStore store, TimeProvider time, TableConvertor tables)
{
    /// <summary>kube-apiserver's default --min-request-timeout: a watch without timeoutSeconds ends after 30 to 60 minutes.</summary>
    private static readonly TimeSpan MinRequestTimeout = TimeSpan.FromMinutes(30);

    public async ValueTask<HttpBody> ListAsync(ResourceDefinition resource, ResourceRequest request, ServerCallContext context)
    {
        var (labels, fields) = Selectors(resource, request);
        var match = ParseMatch(request.ResourceVersionMatch);
        if (match != ResourceVersionMatch.Unset && request.ResourceVersion.Length == 0)
        {
            throw InvalidListOptions("resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided");
        }

        if (request.Continue.Length > 0 && request.ResourceVersion.Length > 0 && request.ResourceVersion != "0")
        {
            throw InvalidListOptions("resourceVersion", "Forbidden: specifying resource version is not allowed when using continue");
        }

        long limit = 0;
        if (request.Limit.Length > 0 && (!long.TryParse(request.Limit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit) || limit < 0))
        {
            throw ApiException.BadRequest($"invalid limit: {request.Limit}");
        }

        var options = new ListOptions
        {
            Namespace = resource.Namespaced && request.Namespace.Length > 0 ? request.Namespace : null,
            Labels = labels,
            Fields = fields,
            Limit = limit,
            Continue = request.Continue.Length > 0 ? request.Continue : null,
            ResourceVersion = request.ResourceVersion.Length > 0 ? request.ResourceVersion : null,
            ResourceVersionMatch = match,
        };

        ListResult result;
        try
        {
            result = await store.ListAsync(resource.StorageType, options, context.CancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e)
        {
            throw Translate(e, request.Continue.Length > 0);
        }

        if (WantsTable(context, out var tableVersion))
        {
            var rv = result.ResourceVersion.ToString(CultureInfo.InvariantCulture);
            return Pooled(context, tables.ListTable(resource, result.Items, rv, result.Continue, result.RemainingItemCount, TableConvertor.ParseIncludeObject(request.IncludeObject), tableVersion));
        }

        return Pooled(context, ResourceHandler.PooledListJson(resource, result.Items, result.ResourceVersion, result.Continue, result.RemainingItemCount));
    }

    // The body stays rented until the request ends: both surfaces copy it out while sending.
    private static HttpBody Pooled(ServerCallContext context, PooledBufferWriter body)
    {
        context.GetHttpContext().Response.RegisterForDispose(body);
        return Responses.Json(context, body.WrittenMemory);
    }

    /// <summary>
    /// Answers a GET of one object: its JSON, or a one-row Table when the client asks for one
    /// (kubectl get). A compressed object is decompressed straight into rented memory that the
    /// response returns when it is sent.
    /// </summary>
    public HttpBody Respond(ResourceDefinition resource, ResourceRequest request, ServerCallContext context, StoredObject stored)
    {
        if (WantsTable(context, out var tableVersion))
        {
            return Responses.Json(context, tables.ObjectTable(resource, resource.Encode(stored.Json), TableConvertor.ParseIncludeObject(request.IncludeObject), tableVersion, stored));
        }

        if (resource.FromStorage is not null || !stored.IsCompressed)
        {
            return Responses.Json(context, resource.Encode(stored.Json));
        }

        var length = stored.JsonLength;
        var body = new PooledBufferWriter(length);
        stored.CopyJsonTo(body.GetSpan(length)[..length]);
        body.Advance(length);
        return Pooled(context, body);
    }

    private static bool WantsTable(ServerCallContext context, out string tableVersion)
    {
        tableVersion = "";
        return !Responses.IsNativeGrpc(context) && TableConvertor.WantsTable(context.GetHttpContext().Request.Headers.Accept.ToString(), out tableVersion);
    }

    public async Task WatchAsync(ResourceDefinition resource, ResourceRequest request, IServerStreamWriter<HttpBody> stream, ServerCallContext context)
    {
        var (labels, fields) = Selectors(resource, request);
        var timeout = MinRequestTimeout * (1 + Random.Shared.NextDouble());
        if (request.TimeoutSeconds.Length > 0)
        {
            timeout = long.TryParse(request.TimeoutSeconds, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : throw ApiException.BadRequest($"invalid timeoutSeconds: {request.TimeoutSeconds}");
        }

        var sendInitialEvents = request.SendInitialEvents is "true" or "1";
        if (sendInitialEvents && request.ResourceVersionMatch != "NotOlderThan")
        {
            throw InvalidListOptions("sendInitialEvents", "Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan");
        }

        var bookmarks = request.AllowWatchBookmarks is "true" or "1";
        var native = Responses.IsNativeGrpc(context);
        var wantsTable = WantsTable(context, out var tableVersion);
        var include = wantsTable ? TableConvertor.ParseIncludeObject(request.IncludeObject) : IncludeObjectPolicy.Metadata;
        var firstTable = true;
        var options = new WatchOptions
        {
            Namespace = resource.Namespaced && request.Namespace.Length > 0 ? request.Namespace : null,
            Labels = labels,
            Fields = fields,
            ResourceVersion = request.ResourceVersion.Length > 0 ? request.ResourceVersion : null,
            SendInitialEvents = sendInitialEvents,
            AllowBookmarks = bookmarks,
        };

        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, context.CancellationToken);
        IObjectWatch watch;
        try
        {
            watch = await store.WatchAsync(resource.StorageType, options, context.CancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.Expired)
        {
            // kube-apiserver answers 200 and one ERROR event carrying the 410 Status.
            var gone = ApiException.Gone(e.Message);
            await stream.WriteAsync(Frame(EncodeEvent("ERROR", gone.ToStatusJson()))).ConfigureAwait(false);
            return;
        }
        catch (StorageException e)
        {
            throw Translate(e, continued: false);
        }

        using (watch)
        {
            // An empty first message makes the server send the response headers now, as
            // kube-apiserver does: clients wait for them before they consider the watch started.
            if (!native)
            {
                await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
            }

            try
            {
                var reader = watch.Events;
                while (await reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
                {
                    // REST: the events already queued go out as one write (newline-separated, as the
                    // framing is), not one TLS record and flush each. gRPC: one message per event.
                    PooledBufferWriter? batch = null;
                    try
                    {
                        while (reader.TryRead(out var e))
                        {
                            byte[] json;
                            if (e.Type == WatchEventType.Bookmark)
                            {
                                json = EncodeEvent("BOOKMARK", Bookmark(resource, e.ResourceVersion, e.InitialEventsEnd));
                            }
                            else if (wantsTable)
                            {
                                // kube sends the column definitions with the first event only.
                                json = EncodeEvent(TypeName(e.Type), tables.WatchEventTable(resource, resource.Encode(e.Object!.Json), include, tableVersion, firstTable, e.Object));
                                firstTable = false;
                            }
                            else
                            {
                                json = EventOf(resource, e.Type, e.Object!);
                            }

                            if (native || (batch is null && !reader.TryPeek(out _)))
                            {
                                await stream.WriteAsync(Frame(json)).ConfigureAwait(false);
                                continue;
                            }

                            if (batch is null)
                            {
                                batch = new PooledBufferWriter(64 * 1024);
                            }
                            else
                            {
                                batch.Write("\n"u8);
                            }

                            batch.Write(json);
                            if (batch.WrittenSpan.Length >= MaxBatchBytes || !reader.TryPeek(out _))
                            {
                                await stream.WriteAsync(Frame(batch.WrittenMemory)).ConfigureAwait(false);
                                batch.Dispose();
                                batch = null;
                            }
                        }
                    }
                    finally
                    {
                        batch?.Dispose();
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Timeout or client gone: the watch ends normally.
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.WatcherTooSlow)
            {
                // Cut off for falling behind: ending the stream makes the client re-watch from its last revision.
            }
        }
    }

    private const int MaxBatchBytes = 256 * 1024;

    // JSON transcoding ends every streamed message with a newline: exactly Kubernetes' watch framing.
    private static HttpBody Frame(ReadOnlyMemory<byte> json) =>
        new() { ContentType = Responses.JsonContentType, Data = UnsafeByteOperations.UnsafeWrap(json) };

    private static string TypeName(WatchEventType type) => type switch
    {
        WatchEventType.Added => "ADDED",
        WatchEventType.Modified => "MODIFIED",
        _ => "DELETED",
    };

    // One event's frame is encoded (and its object decompressed) once for all the watchers that
    // send it at about the same time: a small table of recent frames keyed by the stored object
    // (immutable, shared by every watcher). Not a cache of every object version: the frames are
    // plain JSON, so even these 512 slots hold a few megabytes.
    private const int RecentFrameSlots = 512;

    private static readonly RecentFrame?[] RecentFrames = new RecentFrame?[RecentFrameSlots];

    private sealed record RecentFrame(StoredObject Stored, WatchEventType Type, ResourceDefinition Resource, byte[] Frame);

    private static byte[] EventOf(ResourceDefinition resource, WatchEventType type, StoredObject stored)
    {
        var slot = (System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(stored) ^ (int)type) & (RecentFrameSlots - 1);
        if (Volatile.Read(ref RecentFrames[slot]) is { } recent && ReferenceEquals(recent.Stored, stored) && recent.Type == type && ReferenceEquals(recent.Resource, resource))
        {
            return recent.Frame;
        }

        // Encoded for this resource: events.k8s.io watchers of a core Event get it converted.
        var frame = EncodeEvent(TypeName(type), resource.Encode(stored.Json));
        Volatile.Write(ref RecentFrames[slot], new RecentFrame(stored, type, resource, frame));
        return frame;
    }

    /// <summary>{"type":"ADDED","object":...}: the object's stored bytes are copied once, never re-serialized.</summary>
    public static byte[] EncodeEvent(string type, byte[] obj)
    {
        var buffer = new ArrayBufferWriter<byte>(obj.Length + 32);
        buffer.Write("{\"type\":\""u8);
        buffer.Write(Encoding.ASCII.GetBytes(type));
        buffer.Write("\",\"object\":"u8);
        buffer.Write(obj);
        buffer.Write("}"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Bookmark(ResourceDefinition resource, long resourceVersion, bool initialEventsEnd)
    {
        var annotations = initialEventsEnd ? ",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}" : "";
        return Encoding.UTF8.GetBytes(
            $"{{\"kind\":\"{resource.Kind}\",\"apiVersion\":\"{resource.GroupVersion}\",\"metadata\":{{\"resourceVersion\":\"{resourceVersion}\",\"creationTimestamp\":null{annotations}}}}}");
    }

    /// <summary>Parses labelSelector and fieldSelector, rejecting fields the resource cannot select on.</summary>
    public static (LabelSelector Labels, FieldSelector Fields) Selectors(ResourceDefinition resource, ResourceRequest request)
    {
        LabelSelector labels;
        FieldSelector fields;
        try
        {
            labels = LabelSelector.Parse(request.LabelSelector);
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest(e.Message);
        }

        try
        {
            fields = FieldSelector.Parse(request.FieldSelector);
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest(e.Message);
        }

        foreach (var path in fields.Paths)
        {
            if (!resource.SupportsField(path))
            {
                throw ApiException.BadRequest($"field label not supported: {path}");
            }
        }

        return (labels, fields);
    }

    private static ResourceVersionMatch ParseMatch(string value) => value switch
    {
        "" => ResourceVersionMatch.Unset,
        "NotOlderThan" => ResourceVersionMatch.NotOlderThan,
        "Exact" => ResourceVersionMatch.Exact,
        _ => throw InvalidListOptions("resourceVersionMatch", $"Unsupported value: \"{value}\": supported values: \"Exact\", \"NotOlderThan\""),
    };

    private static ApiException InvalidListOptions(string field, string message) =>
        new(422, "Invalid", $"ListOptions.meta.k8s.io \"\" is invalid: {field}: {message}", "", "meta.k8s.io", "ListOptions",
            [new StatusCause(message.StartsWith("Forbidden", StringComparison.Ordinal) ? "FieldValueForbidden" : "FieldValueNotSupported", message, field)]);

    private static ApiException Translate(StorageException e, bool continued) => e.Code switch
    {
        StorageErrorCode.Expired when continued => new ApiException(410, "Expired", e.Message),
        StorageErrorCode.Expired => new ApiException(410, "Expired", e.Message),
        StorageErrorCode.TooLargeResourceVersion => new ApiException(504, "Timeout", e.Message, causes: [new StatusCause("ResourceVersionTooLarge", "Too large resource version", "")], retryAfterSeconds: 1),
        StorageErrorCode.InvalidArgument => ApiException.BadRequest(e.Message),
        _ => new ApiException(500, "InternalError", e.Message),
    };
}
