using Google.Api;
using Grpc.Core;
using Nautilus.Api.V1;
using Nautilus.Server.Api.Discovery;
using Nautilus.Server.Api.OpenApi;

namespace Nautilus.Server.Api.Services;

/// <summary>
/// Discovery and OpenAPI: /version, /api, /apis, /api/{version}, /apis/{group},
/// /apis/{group}/{version}, /openapi/v2, /openapi/v3 and /openapi/v3/{path}. Every document is
/// built once; a request only negotiates the representation and writes cached bytes.
/// </summary>
public sealed class DiscoveryService(DiscoveryDocuments documents, OpenApiDocuments openApi) : Nautilus.Api.V1.Discovery.DiscoveryBase
{
    private const string DiscoveryMediaTypes = "application/json, " + DiscoveryDocuments.AggregatedV2ContentType + ", " + DiscoveryDocuments.AggregatedV2Beta1ContentType;

    public override Task<HttpBody> GetVersion(DiscoveryRequest request, ServerCallContext context) =>
        Task.FromResult(Responses.Json(context, documents.Version));

    public override Task<HttpBody> GetCoreVersions(DiscoveryRequest request, ServerCallContext context) =>
        Answer(context, () => Root(context, aggregatedV2: documents.AggregatedCoreV2, aggregatedV2Beta1: documents.AggregatedCoreV2Beta1, legacy: () => DiscoveryDocuments.CoreVersions(ServerAddress(context))));

    public override Task<HttpBody> GetGroups(DiscoveryRequest request, ServerCallContext context) =>
        Answer(context, () => Root(context, aggregatedV2: documents.AggregatedGroupsV2, aggregatedV2Beta1: documents.AggregatedGroupsV2Beta1, legacy: () => documents.Groups));

    public override Task<HttpBody> GetCoreResources(DiscoveryRequest request, ServerCallContext context) =>
        Answer(context, () => Legacy(context, documents.Resources("", request.Version)));

    public override Task<HttpBody> GetGroup(DiscoveryRequest request, ServerCallContext context) =>
        Answer(context, () => Legacy(context, documents.Group(request.Group)));

    public override Task<HttpBody> GetGroupResources(DiscoveryRequest request, ServerCallContext context) =>
        Answer(context, () => Legacy(context, documents.Resources(request.Group, request.Version)));

    public override Task<HttpBody> GetOpenApiV2(DiscoveryRequest request, ServerCallContext context) =>
        Answer(context, () =>
        {
            AddVaryAccept(context);
            return OpenApiDocuments.NegotiateV2(Accept(context)) switch
            {
                OpenApiV2Format.Json => Responses.Json(context, openApi.V2Json),
                OpenApiV2Format.Protobuf => Responses.Json(context, openApi.V2Protobuf, 200, OpenApiDocuments.V2ProtobufContentType),

                // kube-openapi answers an unacceptable Accept with a bare 406.
                _ => Responses.Json(context, ReadOnlyMemory<byte>.Empty, StatusCodes.Status406NotAcceptable, ""),
            };
        });

    public override Task<HttpBody> GetOpenApiV3Index(DiscoveryRequest request, ServerCallContext context) =>
        Task.FromResult(Responses.Json(context, openApi.V3Index));

    public override Task<HttpBody> GetOpenApiV3(DiscoveryRequest request, ServerCallContext context) =>
        Answer(context, () =>
        {
            var document = openApi.V3(request.Group, request.Version);
            AddVaryAccept(context);
            if (!OpenApiDocuments.AcceptsV3Json(Accept(context)))
            {
                return Responses.Json(context, ReadOnlyMemory<byte>.Empty, StatusCodes.Status406NotAcceptable, "");
            }

            if (Responses.IsNativeGrpc(context))
            {
                return Responses.Json(context, document.Json);
            }

            var http = context.GetHttpContext();
            var hash = http.Request.Query["hash"].ToString();
            if (hash.Length > 0 && hash != document.Hash)
            {
                // A stale hash (a client cache from another build) is redirected to the current document, as kube-openapi does.
                var location = "/openapi/v3/" + document.Path + "?hash=" + document.Hash;
                http.Response.OnStarting(() =>
                {
                    http.Response.Headers.Location = location;
                    return Task.CompletedTask;
                });
                return Responses.Json(context, ReadOnlyMemory<byte>.Empty, StatusCodes.Status301MovedPermanently, "");
            }

            var etag = "\"" + document.Hash + "\"";
            http.Response.OnStarting(() =>
            {
                var headers = http.Response.Headers;
                headers.ETag = etag;
                if (hash.Length > 0)
                {
                    // The hash names the content: clients may cache it for good.
                    headers.CacheControl = "public, immutable";
                    headers.Expires = DateTimeOffset.UtcNow.AddYears(1).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                }

                return Task.CompletedTask;
            });
            return Responses.Json(context, document.Json);
        });

    private static Task<HttpBody> Answer(ServerCallContext context, Func<HttpBody> build)
    {
        try
        {
            return Task.FromResult(build());
        }
        catch (ApiException e)
        {
            return Task.FromResult(Responses.Error(context, e));
        }
    }

    /// <summary>/api and /apis: aggregated discovery when the client asks for it, the legacy document otherwise.</summary>
    private static HttpBody Root(ServerCallContext context, byte[] aggregatedV2, byte[] aggregatedV2Beta1, Func<byte[]> legacy)
    {
        AddVaryAccept(context);
        return DiscoveryDocuments.Negotiate(Accept(context)) switch
        {
            DiscoveryFormat.AggregatedV2 => Responses.Json(context, aggregatedV2, 200, DiscoveryDocuments.AggregatedV2ContentType),
            DiscoveryFormat.AggregatedV2Beta1 => Responses.Json(context, aggregatedV2Beta1, 200, DiscoveryDocuments.AggregatedV2Beta1ContentType),
            DiscoveryFormat.Legacy => Responses.Json(context, legacy()),
            _ => throw DiscoveryDocuments.NotAcceptable(DiscoveryMediaTypes),
        };
    }

    private static HttpBody Legacy(ServerCallContext context, byte[] document) =>
        DiscoveryDocuments.Negotiate(Accept(context), allowAggregated: false) == DiscoveryFormat.Legacy
            ? Responses.Json(context, document)
            : throw DiscoveryDocuments.NotAcceptable("application/json");

    /// <summary>Native gRPC callers get the default representation; REST callers negotiate with Accept.</summary>
    private static string? Accept(ServerCallContext context) =>
        Responses.IsNativeGrpc(context) ? null : context.GetHttpContext().Request.Headers.Accept.ToString();

    private static void AddVaryAccept(ServerCallContext context)
    {
        if (!Responses.IsNativeGrpc(context))
        {
            var response = context.GetHttpContext().Response;
            response.OnStarting(() =>
            {
                response.Headers.Vary = "Accept";
                return Task.CompletedTask;
            });
        }
    }

    /// <summary>The address the client reached this server on (kube-apiserver publishes its advertise address).</summary>
    private static string ServerAddress(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var local = http.Connection.LocalIpAddress;
        if (local is not null)
        {
            if (local.IsIPv4MappedToIPv6)
            {
                local = local.MapToIPv4();
            }

            var host = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + local + "]" : local.ToString();
            return host + ":" + http.Connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return http.Request.Host.Value ?? "";
    }
}
