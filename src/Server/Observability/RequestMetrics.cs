using System.Buffers.Text;
using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http.Features;
using Nautilus.Api.V1;
using Nautilus.Server.Api;

namespace Nautilus.Server.Observability;

/// <summary>
/// Per-request state shared by <see cref="RequestMetricsMiddleware"/> (which times the request
/// and knows its final status) and <see cref="ResourceMetricsInterceptor"/> (which sees the
/// parsed <see cref="ResourceRequest"/> of both surfaces, REST through transcoding and native gRPC).
/// </summary>
internal sealed class RequestMetricsFeature
{
    public RequestLabels Labels;
    public bool HasLabels;

    /// <summary>Counted in apiserver_current_inflight_requests until the request ends (watches leave it when they are recognized).</summary>
    public bool Inflight;
    public bool Mutating;

    /// <summary>Set for watches: decremented when the request ends.</summary>
    public Gauge? LongRunning;
}

/// <summary>
/// Records every request in apiserver_request_total and apiserver_request_duration_seconds with
/// kube-apiserver's labels, and tracks in-flight and long-running requests. Runs after
/// authentication (as kube-apiserver's instrumentation does, failed authentications are not
/// counted). Costs two timestamps, one small object and two lock-free dictionary hits per request.
/// </summary>
public sealed class RequestMetricsMiddleware(RequestDelegate next, ApiServerMetrics metrics)
{
    private const string ResourcesService = "/nautilus.api.v1.Resources/";
    private const string DiscoveryService = "/nautilus.api.v1.Discovery/";

    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var request = context.Request;
        var grpc = IsGrpc(request);
        var feature = new RequestMetricsFeature();
        if (grpc)
        {
            // Other gRPC services (node agents) hold streams open: only the API's calls count as in flight.
            var path = request.Path.Value ?? "";
            feature.Inflight = path.StartsWith(ResourcesService, StringComparison.Ordinal) || path.StartsWith(DiscoveryService, StringComparison.Ordinal);
            feature.Mutating = feature.Inflight && IsMutatingRpc(path.AsSpan(path.LastIndexOf('/') + 1));
        }
        else
        {
            feature.Inflight = true;
            feature.Mutating = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        }

        context.Features.Set(feature);
        if (feature.Inflight)
        {
            metrics.RequestStarted(feature.Mutating);
        }

        var failed = false;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            if (feature.Inflight)
            {
                metrics.RequestFinished(feature.Mutating);
            }

            feature.LongRunning?.Dec();
            var labels = feature.HasLabels ? feature.Labels : NonResource(context);
            var code = failed ? StatusCodes.Status500InternalServerError
                : grpc ? GrpcStatusAsHttp(context, feature.HasLabels ? feature.Labels.Verb : RequestVerb.Post)
                : context.Response.StatusCode;
            metrics.RecordRequest(labels, code, start);
        }
    }

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    private static bool IsMutatingRpc(ReadOnlySpan<char> rpc) => rpc is "Create" or "Update" or "Patch" or "Delete" or "DeleteCollection";

    /// <summary>
    /// A request that no resource handler labelled: its path when it was served (bounded by the
    /// routes that exist), nothing for unknown paths, so that clients cannot create series at will.
    /// </summary>
    private static RequestLabels NonResource(HttpContext context)
    {
        var method = context.Request.Method;
        var verb = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? RequestVerb.Get
            : HttpMethods.IsPost(method) ? RequestVerb.Post
            : HttpMethods.IsPut(method) ? RequestVerb.Put
            : HttpMethods.IsPatch(method) ? RequestVerb.Patch
            : HttpMethods.IsDelete(method) ? RequestVerb.Delete
            : RequestVerb.Other;
        var served = context.GetEndpoint() is not null && context.Response.StatusCode < 400;
        return RequestLabels.NonResource(verb, served ? context.Request.Path.Value ?? "" : "");
    }

    /// <summary>
    /// The HTTP code a native gRPC call stands for: the code of the Kubernetes Status it failed
    /// with (the <c>kubernetes-status-bin</c> trailer), 200 (201 for a create) on success.
    /// </summary>
    private static int GrpcStatusAsHttp(HttpContext context, RequestVerb verb)
    {
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var headers = context.Response.Headers;
        var status = trailers is not null && trailers.TryGetValue("grpc-status", out var t) ? t.ToString()
            : headers.TryGetValue("grpc-status", out var h) ? h.ToString() : "";
        if (status is "0")
        {
            return verb == RequestVerb.Post ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        }

        var kubeStatus = trailers is not null && trailers.TryGetValue("kubernetes-status-bin", out var k) ? k.ToString()
            : headers.TryGetValue("kubernetes-status-bin", out var kh) ? kh.ToString() : "";
        if (kubeStatus.Length > 0 && StatusCode(kubeStatus) is { } code)
        {
            return code;
        }

        return status switch
        {
            "1" when verb == RequestVerb.Watch => StatusCodes.Status200OK, // the client ended its watch
            "1" => 499,
            "3" => StatusCodes.Status400BadRequest,
            "4" => StatusCodes.Status504GatewayTimeout,
            "5" => StatusCodes.Status404NotFound,
            "6" or "10" => StatusCodes.Status409Conflict,
            "7" => StatusCodes.Status403Forbidden,
            "8" => StatusCodes.Status429TooManyRequests,
            "11" => StatusCodes.Status410Gone,
            "12" => StatusCodes.Status405MethodNotAllowed,
            "16" => StatusCodes.Status401Unauthorized,
            _ => StatusCodes.Status500InternalServerError,
        };
    }

    /// <summary>The "code" member of a base64-encoded Kubernetes Status (failures only).</summary>
    private static int? StatusCode(string base64)
    {
        var padded = base64.Length % 4 == 0 ? base64 : base64 + new string('=', 4 - (base64.Length % 4));
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(padded.Length)];
        if (!Convert.TryFromBase64String(padded, bytes, out var length))
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(bytes.AsSpan(0, length));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isCode = reader.ValueTextEquals("code"u8);
                reader.Read();
                if (isCode && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code))
                {
                    return code;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}

/// <summary>
/// Labels resource requests for <see cref="RequestMetricsMiddleware"/> from the parsed
/// <see cref="ResourceRequest"/>, the same way for REST (through JSON transcoding) and native gRPC.
/// Passes the call straight through: no state machine, no allocation beyond the label lookup.
/// </summary>
public sealed class ResourceMetricsInterceptor(ApiServerMetrics metrics, ResourceRegistry registry) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is ResourceRequest resourceRequest)
        {
            Label(resourceRequest, context);
        }

        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (request is ResourceRequest resourceRequest)
        {
            Label(resourceRequest, context);
        }

        return continuation(request, responseStream, context);
    }

    private void Label(ResourceRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (http.Features.Get<RequestMetricsFeature>() is not { } feature)
        {
            return;
        }

        var method = context.Method;
        var rpc = method.AsSpan(method.LastIndexOf('/') + 1);
        var contentType = request.Body?.ContentType is { Length: > 0 } bodyType ? bodyType : http.Request.ContentType;
        feature.Labels = Classify(registry, rpc, request, contentType);
        feature.HasLabels = true;
        if (feature.Labels.Verb == RequestVerb.Watch)
        {
            // Long-running: out of the in-flight count, into apiserver_longrunning_requests.
            if (feature.Inflight)
            {
                metrics.RequestFinished(feature.Mutating);
                feature.Inflight = false;
            }

            feature.LongRunning = metrics.LongRunning(feature.Labels);
            feature.LongRunning.Inc();
        }
    }

    /// <summary>
    /// kube-apiserver's labels for a resource request (installer.go's scope, metrics.CleanVerb):
    /// GET on a named object, LIST/WATCH on a collection, POST/PUT/PATCH/APPLY/DELETE by method;
    /// scope "resource" with a name or for a create, "namespace" within one, "cluster" otherwise.
    /// </summary>
    internal static RequestLabels Classify(ResourceRegistry registry, ReadOnlySpan<char> rpc, ResourceRequest request, string? contentType)
    {
        string resourceName = request.Resource, ns = request.Namespace, name = request.Name, subresource = request.Subresource;
        var isList = rpc is "List";
        if (isList && request.Group.Length == 0 && ns.Length > 0 && resourceName is "status" or "finalize")
        {
            // GET /api/v1/namespaces/{name}/status arrives on the collection route.
            (resourceName, name, subresource, ns, isList) = ("namespaces", ns, resourceName, "", false);
        }

        var watch = isList && request.Watch is "true" or "1" or "True" or "TRUE" or "t" or "T";
        var verb = rpc switch
        {
            "Get" => RequestVerb.Get,
            "List" => isList ? (watch ? RequestVerb.Watch : RequestVerb.List) : RequestVerb.Get,
            "Create" => RequestVerb.Post,
            "Update" => RequestVerb.Put,
            "Patch" => contentType is not null && contentType.StartsWith("application/apply-patch", StringComparison.OrdinalIgnoreCase) ? RequestVerb.Apply : RequestVerb.Patch,
            "Delete" or "DeleteCollection" => RequestVerb.Delete,
            _ => RequestVerb.Other,
        };

        if (!registry.TryGet(request.Group, request.Version, resourceName, out var resource))
        {
            // Unknown resources are 404s: counted without resource labels, as kube-apiserver's not-found handler is.
            return RequestLabels.NonResource(verb, "");
        }

        var index = subresource.Length == 0 ? -1 : Array.IndexOf(resource.Subresources, subresource);
        var knownSubresource = index >= 0 ? resource.Subresources[index] : "";
        if (knownSubresource is "log" or "exec" or "portforward" or "attach" or "proxy")
        {
            verb = RequestVerb.Connect;
        }

        var scope = name.Length > 0 || verb == RequestVerb.Post ? RequestScope.Resource
            : resource.Namespaced && ns.Length > 0 ? RequestScope.Namespace
            : RequestScope.Cluster;
        var dryRun = false;
        foreach (var value in request.DryRun)
        {
            dryRun |= value == "All";
        }

        return new RequestLabels(verb, resource, knownSubresource, scope, dryRun);
    }
}
