using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Google.Api;
using Google.Protobuf;
using Grpc.Core;
using Nautilus.Api.V1;

namespace Nautilus.Controllers.Client;

/// <summary>One event of a watch, as the API frames it.</summary>
public readonly record struct ApiWatchEvent(string Type, JsonObject Object);

/// <summary>One event of a watch with its object as the JSON bytes received (valid until the next event is read).</summary>
public readonly record struct ApiWatchEventUtf8(string Type, ReadOnlyMemory<byte> Object);

/// <summary>
/// The Kubernetes API over native gRPC, the way controllers and node agents use it: the same
/// RPCs kubectl reaches through REST, so every write is validated, versioned and seen by
/// watchers exactly like a client's.
/// </summary>
public sealed class ApiClient(Resources.ResourcesClient resources, Discovery.DiscoveryClient discovery, string fieldManager = "kube-controller-manager")
{
    /// <summary>Trailer carrying the Kubernetes Status JSON of a failed call.</summary>
    public const string StatusTrailer = "kubernetes-status-bin";

    public async Task<JsonObject> GetAsync(ApiResource resource, string ns, string name, CancellationToken ct = default)
    {
        var request = Request(resource, ns, name);
        return Parse(await Call(() => resources.GetAsync(request, cancellationToken: ct).ResponseAsync).ConfigureAwait(false));
    }

    /// <summary>A list: the items and the list's resourceVersion.</summary>
    public async Task<(List<JsonObject> Items, string ResourceVersion)> ListAsync(ApiResource resource, string? ns = null, string? labelSelector = null, string? fieldSelector = null, CancellationToken ct = default)
    {
        var request = Request(resource, ns ?? "", "");
        request.LabelSelector = labelSelector ?? "";
        request.FieldSelector = fieldSelector ?? "";
        var list = await Call(async () =>
        {
            using var call = resources.List(request, cancellationToken: ct);
            if (!await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
            {
                throw new ApiStatusException(500, "InternalError", "empty list response");
            }

            return call.ResponseStream.Current;
        }).ConfigureAwait(false);

        var obj = Parse(list);
        var items = new List<JsonObject>();
        if (obj["items"] is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is JsonObject o)
                {
                    items.Add(o);
                }
            }
        }

        return (items, (obj["metadata"] as JsonObject)?["resourceVersion"]?.GetValue<string>() ?? "");
    }

    /// <summary>Watches from a resourceVersion until the server ends the watch or <paramref name="ct"/> fires. ERROR events arrive as <see cref="ApiStatusException"/>.</summary>
    public async IAsyncEnumerable<ApiWatchEvent> WatchAsync(ApiResource resource, string? ns, string resourceVersion, bool bookmarks = true, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var e in WatchUtf8Async(resource, ns, resourceVersion, bookmarks, ct).ConfigureAwait(false))
        {
            yield return new ApiWatchEvent(e.Type, JsonNode.Parse(e.Object.Span) as JsonObject ?? []);
        }
    }

    /// <summary>
    /// A list (or, with <paramref name="limit"/>, one page of it) as the JSON bytes received: each
    /// item's bytes (slices of one response body), the list's resourceVersion and its continue
    /// token ("" on the last page). For caches that keep bytes and parse on demand.
    /// </summary>
    public async Task<(List<ReadOnlyMemory<byte>> Items, string ResourceVersion, string Continue)> ListUtf8Async(
        ApiResource resource, string? ns = null, int limit = 0, string continueToken = "", CancellationToken ct = default)
    {
        var request = Request(resource, ns ?? "", "");
        request.Limit = limit > 0 ? limit.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        request.Continue = continueToken;
        var list = await Call(async () =>
        {
            using var call = resources.List(request, cancellationToken: ct);
            if (!await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
            {
                throw new ApiStatusException(500, "InternalError", "empty list response");
            }

            return call.ResponseStream.Current;
        }).ConfigureAwait(false);

        var items = new List<ReadOnlyMemory<byte>>();
        var (resourceVersion, next) = KubeJsonFrames.ReadList(list.Data.Memory, items);
        return (items, resourceVersion, next);
    }

    /// <summary>
    /// <see cref="WatchAsync"/> without building JsonNode trees: each event's object as the bytes received.
    /// ERROR events arrive as <see cref="ApiStatusException"/>.
    /// </summary>
    public async IAsyncEnumerable<ApiWatchEventUtf8> WatchUtf8Async(ApiResource resource, string? ns, string resourceVersion, bool bookmarks = true, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var request = Request(resource, ns ?? "", "");
        request.Watch = "true";
        request.ResourceVersion = resourceVersion;
        request.AllowWatchBookmarks = bookmarks ? "true" : "";
        using var call = resources.List(request, cancellationToken: ct);
        while (true)
        {
            HttpBody message;
            try
            {
                if (!await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
                {
                    yield break;
                }

                message = call.ResponseStream.Current;
            }
            catch (RpcException e)
            {
                throw Translate(e);
            }

            var data = message.Data.Memory;
            var (type, obj) = KubeJsonFrames.ReadWatchEvent(data);
            if (type == "ERROR")
            {
                throw ApiStatusException.FromStatus(JsonNode.Parse(obj.Span) as JsonObject ?? []);
            }

            yield return new ApiWatchEventUtf8(type, obj);
        }
    }

    public async Task<JsonObject> CreateAsync(ApiResource resource, string ns, JsonObject obj, CancellationToken ct = default)
    {
        var request = Request(resource, ns, "", obj);
        return Parse(await Call(() => resources.CreateAsync(request, cancellationToken: ct).ResponseAsync).ConfigureAwait(false));
    }

    public async Task<JsonObject> UpdateAsync(ApiResource resource, string ns, string name, JsonObject obj, string subresource = "", CancellationToken ct = default)
    {
        var request = Request(resource, ns, name, obj);
        request.Subresource = subresource;
        return Parse(await Call(() => resources.UpdateAsync(request, cancellationToken: ct).ResponseAsync).ConfigureAwait(false));
    }

    public async Task<JsonObject> PatchAsync(ApiResource resource, string ns, string name, string patchType, JsonNode patch, string subresource = "", CancellationToken ct = default)
    {
        var request = Request(resource, ns, name);
        request.Subresource = subresource;
        request.Body = new HttpBody { ContentType = patchType, Data = ByteString.CopyFromUtf8(patch.ToJsonString()) };
        return Parse(await Call(() => resources.PatchAsync(request, cancellationToken: ct).ResponseAsync).ConfigureAwait(false));
    }

    /// <summary>Deletes one object; <paramref name="gracePeriodSeconds"/> null leaves the grace period to the server (a pod's own).</summary>
    public async Task DeleteAsync(ApiResource resource, string ns, string name, string? propagationPolicy = null, long? gracePeriodSeconds = null, CancellationToken ct = default)
    {
        var request = Request(resource, ns, name);
        request.PropagationPolicy = propagationPolicy ?? "";
        request.GracePeriodSeconds = gracePeriodSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
        await Call(() => resources.DeleteAsync(request, cancellationToken: ct).ResponseAsync).ConfigureAwait(false);
    }

    public async Task DeleteCollectionAsync(ApiResource resource, string ns, CancellationToken ct = default)
    {
        var request = Request(resource, ns, "");
        await Call(() => resources.DeleteCollectionAsync(request, cancellationToken: ct).ResponseAsync).ConfigureAwait(false);
    }

    /// <summary>Every resource the server serves, from its discovery documents.</summary>
    public async Task<List<ApiResource>> DiscoverAsync(CancellationToken ct = default)
    {
        var result = new List<ApiResource>();
        var core = Parse(await Call(() => discovery.GetCoreResourcesAsync(new DiscoveryRequest { Version = "v1" }, cancellationToken: ct).ResponseAsync).ConfigureAwait(false));
        AddResources(result, "", "v1", core);
        var groups = Parse(await Call(() => discovery.GetGroupsAsync(new DiscoveryRequest(), cancellationToken: ct).ResponseAsync).ConfigureAwait(false));
        foreach (var group in (groups["groups"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = group["name"]!.GetValue<string>();
            var version = (group["preferredVersion"] as JsonObject)?["version"]?.GetValue<string>() ?? "v1";
            var list = Parse(await Call(() => discovery.GetGroupResourcesAsync(new DiscoveryRequest { Group = name, Version = version }, cancellationToken: ct).ResponseAsync).ConfigureAwait(false));
            AddResources(result, name, version, list);
        }

        return result;
    }

    private static void AddResources(List<ApiResource> into, string group, string version, JsonObject list)
    {
        foreach (var r in (list["resources"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = r["name"]!.GetValue<string>();
            if (!name.Contains('/'))
            {
                into.Add(new ApiResource(group, version, name, r["kind"]?.GetValue<string>() ?? "", r["namespaced"]?.GetValue<bool>() ?? false));
            }
        }
    }

    private ResourceRequest Request(ApiResource resource, string ns, string name, JsonObject? body = null)
    {
        var request = new ResourceRequest
        {
            Group = resource.Group,
            Version = resource.Version,
            Resource = resource.Resource,
            Namespace = resource.Namespaced ? ns : "",
            Name = name,
            FieldManager = fieldManager,
        };
        if (body is not null)
        {
            request.Body = new HttpBody { ContentType = "application/json", Data = ByteString.CopyFromUtf8(body.ToJsonString()) };
        }

        return request;
    }

    private static JsonObject Parse(HttpBody body) =>
        JsonNode.Parse(body.Data.Span) as JsonObject ?? throw new ApiStatusException(500, "InternalError", "response is not a JSON object");

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw Translate(e);
        }
    }

    private static Exception Translate(RpcException e)
    {
        if (e.StatusCode == StatusCode.Cancelled)
        {
            return new OperationCanceledException(e.Message, e);
        }

        var status = e.Trailers.GetValueBytes(StatusTrailer);
        if (status is not null && JsonNode.Parse(status) is JsonObject statusObject)
        {
            return ApiStatusException.FromStatus(statusObject);
        }

        return new ApiStatusException(500, "InternalError", e.Status.Detail);
    }
}
