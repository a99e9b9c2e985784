using Google.Api;
using Google.Protobuf;
using Grpc.Core;

namespace Nautilus.Server.Api.Services;

/// <summary>
/// Writes results for both surfaces of one RPC: REST clients (through JSON transcoding) get
/// the HTTP status Kubernetes uses and a Status body on failure; native gRPC clients get the
/// same JSON in the message and an RpcException carrying the Status on failure.
/// </summary>
public static class Responses
{
    public const string JsonContentType = "application/json";

    /// <summary>Trailer carrying the Kubernetes Status JSON of a failed native gRPC call.</summary>
    public const string StatusTrailer = "kubernetes-status-bin";

    public static bool IsNativeGrpc(ServerCallContext context) =>
        context.GetHttpContext().Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;

    /// <summary>A JSON body with an HTTP status. Transcoding resets a status set before the handler returns, so it is set when the response starts.</summary>
    public static HttpBody Json(ServerCallContext context, ReadOnlyMemory<byte> json, int statusCode = 200, string contentType = JsonContentType)
    {
        if (statusCode != 200 && !IsNativeGrpc(context))
        {
            SetStatusCode(context, statusCode);
        }

        return new HttpBody { ContentType = contentType, Data = UnsafeByteOperations.UnsafeWrap(json) };
    }

    public static void SetStatusCode(ServerCallContext context, int statusCode)
    {
        var response = context.GetHttpContext().Response;
        response.OnStarting(static state =>
        {
            var (r, code) = ((Microsoft.AspNetCore.Http.HttpResponse, int))state;
            r.StatusCode = code;
            return Task.CompletedTask;
        }, (response, statusCode));
    }

    /// <summary>The failure as the client expects it: a Status body for REST, an RpcException for native gRPC.</summary>
    public static HttpBody Error(ServerCallContext context, ApiException error)
    {
        var status = error.ToStatusJson();
        if (IsNativeGrpc(context))
        {
            var trailers = new Metadata { { StatusTrailer, status } };
            throw new RpcException(new Status(ToGrpcCode(error.Code, error.Reason), error.Message), trailers);
        }

        var http = context.GetHttpContext();
        if (error.RetryAfterSeconds is { } retry)
        {
            http.Response.OnStarting(() =>
            {
                http.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Task.CompletedTask;
            });
        }

        return Json(context, status, error.Code);
    }

    /// <summary>The gRPC code for a Kubernetes failure: by reason where gRPC has the same notion, else by HTTP code.</summary>
    public static StatusCode ToGrpcCode(int httpCode, string reason = "") => (httpCode, reason) switch
    {
        (409, "AlreadyExists") => StatusCode.AlreadyExists,
        (410, _) => StatusCode.OutOfRange,
        (504, _) => StatusCode.DeadlineExceeded,
        _ => ToGrpcCode(httpCode),
    };

    private static StatusCode ToGrpcCode(int httpCode) => httpCode switch
    {
        400 or 422 => StatusCode.InvalidArgument,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.NotFound,
        405 => StatusCode.Unimplemented,
        409 => StatusCode.Aborted,
        410 => StatusCode.OutOfRange,
        415 => StatusCode.InvalidArgument,
        429 => StatusCode.ResourceExhausted,
        504 => StatusCode.DeadlineExceeded,
        _ when httpCode >= 500 => StatusCode.Internal,
        _ => StatusCode.Unknown,
    };
}
