using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Nautilus.Client;

/// <summary>
/// The one gRPC channel a client process uses for all its calls (nautilus-agent for all its nodes,
/// nautilus-scheduler): HTTP/2 over TLS trusting only the cluster CA, the bearer token on every
/// call, more connections opened as streams fill them.
/// </summary>
public static class ClusterChannel
{
    public static GrpcChannel Create(ClusterEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var ca = endpoint.CaCertificate;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (ca is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            };
        }

        var http = new HttpClient(handler) { DefaultRequestVersion = new Version(2, 0), Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", endpoint.Token);
        return GrpcChannel.ForAddress(endpoint.Server, new GrpcChannelOptions { HttpClient = http, DisposeHttpClient = true, MaxReceiveMessageSize = null });
    }
}
