using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Nautilus.Server.Hosting.Internal;

/// <summary>The middleware behind <see cref="BearerTokenAuthentication"/>.</summary>
internal sealed class BearerTokenAuthenticator
{
    /// <summary>Exactly the body kube-apiserver writes for a failed authentication (its JSON encoder ends with a newline).</summary>
    internal static readonly byte[] UnauthorizedStatus = Encoding.UTF8.GetBytes(
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""" + "\n");

    /// <summary>Paths anyone may GET without a token: kube-apiserver's system:public-info-viewer role.</summary>
    private static readonly PathString[] PublicPaths = ["/version", "/healthz", "/livez", "/readyz"];

    /// <summary>Longer tokens are refused before hashing; real ones (even JWTs) are far shorter.</summary>
    private const int MaxTokenLength = 16 * 1024;

    private const string GrpcUnauthenticated = "16";

    private readonly byte[] _expectedHash;
    private readonly ILogger _logger;

    internal BearerTokenAuthenticator(string adminToken, ILogger logger)
    {
        _expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(adminToken));
        _logger = logger;
    }

    internal Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        TokenCheck check = Check(context.Request.Headers.Authorization.Count > 0 ? context.Request.Headers.Authorization[0] : null);
        if (check == TokenCheck.Valid || (check == TokenCheck.Absent && IsPublic(context.Request)))
        {
            return next(context);
        }

        HostingLog.RejectedUnauthenticated(_logger, context.Request.Method, context.Request.Path.Value ?? "/");
        return IsGrpc(context.Request) ? RefuseGrpc(context.Response) : RefuseRest(context.Response);
    }

    /// <summary>
    /// Reads the header as kube-apiserver's bearer token authenticator does: a header without
    /// the Bearer scheme is no token at all (the request is anonymous); "Bearer" with an empty
    /// or wrong token is a failed authentication.
    /// </summary>
    internal TokenCheck Check(string? authorization)
    {
        ReadOnlySpan<char> header = authorization.AsSpan().Trim();
        int space = header.IndexOf(' ');
        if (space < 0 || !header[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return TokenCheck.Absent;
        }

        ReadOnlySpan<char> token = header[(space + 1)..];
        int end = token.IndexOf(' ');
        if (end >= 0)
        {
            token = token[..end];
        }

        return token.Length > 0 && token.Length <= MaxTokenLength && Matches(token) ? TokenCheck.Valid : TokenCheck.Invalid;
    }

    /// <summary>Compares hashes in constant time, so neither the content nor the length of the token leaks through timing.</summary>
    private bool Matches(ReadOnlySpan<char> token)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(token.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(token, buffer);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, length), hash);
            return CryptographicOperations.FixedTimeEquals(hash, _expectedHash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private static bool IsPublic(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method))
        {
            return false;
        }

        foreach (PathString path in PublicPaths)
        {
            if (request.Path.StartsWithSegments(path, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } contentType && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    private static Task RefuseRest(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.ContentType = "application/json";
        response.ContentLength = UnauthorizedStatus.Length;
        return response.Body.WriteAsync(UnauthorizedStatus).AsTask();
    }

    /// <summary>
    /// A gRPC "Trailers-Only" response: HTTP 200 and one header block that carries the status and
    /// ends the stream, as grpc-dotnet sends an error raised before the first message. Clients
    /// raise RpcException(StatusCode.Unauthenticated).
    /// </summary>
    private static Task RefuseGrpc(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = GrpcUnauthenticated;
        response.Headers["grpc-message"] = "Unauthorized";
        return Task.CompletedTask;
    }

    internal enum TokenCheck
    {
        /// <summary>No bearer token: an anonymous request.</summary>
        Absent,

        /// <summary>The admin token.</summary>
        Valid,

        /// <summary>A bearer token that is not the admin token.</summary>
        Invalid,
    }
}
