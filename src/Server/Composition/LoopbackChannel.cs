using Grpc.Net.Client;
using Nautilus.Client;
using Nautilus.Server.Hosting;

namespace Nautilus.Server.Composition;

/// <summary>
/// A native gRPC channel from the server's own components (controllers, the in-process
/// scheduler) to its API port: they use the API exactly as external clients do, through the
/// channel client processes use, authenticated with the admin token and trusting only the cluster CA.
/// </summary>
public static class LoopbackChannel
{
    public static GrpcChannel Create(Uri server, ClusterCredentials credentials) =>
        ClusterChannel.Create(new ClusterEndpoint(server, credentials.AdminToken, credentials.CaCertificate));
}
