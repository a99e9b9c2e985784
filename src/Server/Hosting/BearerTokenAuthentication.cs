using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Server.Hosting.Internal;

namespace Nautilus.Server.Hosting;

/// <summary>
/// Authenticates every request by the admin bearer token, as kube-apiserver's token
/// authenticator does, and answers failures the way kube-apiserver (REST) or a gRPC server
/// (native gRPC) would.
/// </summary>
public static class BearerTokenAuthentication
{
    /// <summary>
    /// Requires <c>Authorization: Bearer &lt;adminToken&gt;</c>. A request that carries no bearer
    /// token may still <c>GET</c> <c>/version</c>, <c>/healthz</c>, <c>/livez</c>, <c>/readyz</c>
    /// and their sub-paths (what kube-apiserver grants <c>system:public-info-viewer</c>); a
    /// request with a wrong token is refused everywhere, as kube-apiserver refuses it.
    /// Refusals are 401 with a Kubernetes <c>Status</c> body, or for gRPC requests a
    /// <c>grpc-status</c> 16 (Unauthenticated) response.
    /// </summary>
    public static IApplicationBuilder UseBearerTokenAuthentication(this IApplicationBuilder app, string adminToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentException.ThrowIfNullOrEmpty(adminToken);

        ILogger logger = app.ApplicationServices.GetService<ILoggerFactory>()?.CreateLogger(typeof(BearerTokenAuthentication))
            ?? NullLogger.Instance;
        var authenticator = new BearerTokenAuthenticator(adminToken, logger);
        return app.Use(next => context => authenticator.InvokeAsync(context, next));
    }
}
