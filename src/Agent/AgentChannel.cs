using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Net.Client;
using YamlDotNet.RepresentationModel;

namespace Nautilus.Agent;

/// <summary>Where the control plane is and how to trust and authenticate to it.</summary>
public sealed record AgentEndpoint(Uri Server, string Token, X509Certificate2? CaCertificate);

/// <summary>
/// The one gRPC channel an agent process uses for all its nodes: HTTP/2 over TLS trusting only
/// the cluster CA, the bearer token on every call, more connections opened as streams fill them.
/// </summary>
public static class AgentChannel
{
    public static GrpcChannel Create(AgentEndpoint endpoint)
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

    /// <summary>The current context's server, CA (certificate-authority-data or -file) and token (token or tokenFile) of a kubeconfig.</summary>
    public static AgentEndpoint FromKubeconfig(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path, Encoding.UTF8))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var currentContext = Scalar(root, "current-context");
        var context = Named(root, "contexts", currentContext, "context");
        var cluster = Named(root, "clusters", context is null ? null : Scalar(context, "cluster"), "cluster")
            ?? throw new ArgumentException($"{path}: no cluster for the current context");
        var user = Named(root, "users", context is null ? null : Scalar(context, "user"), "user");

        var server = Scalar(cluster, "server") ?? throw new ArgumentException($"{path}: the cluster has no server");
        X509Certificate2? ca = null;
        if (Scalar(cluster, "certificate-authority-data") is { } caData)
        {
            ca = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(caData)));
        }
        else if (Scalar(cluster, "certificate-authority") is { } caFile)
        {
            ca = X509Certificate2.CreateFromPem(File.ReadAllText(Relative(path, caFile)));
        }

        var token = (user is null ? null : Scalar(user, "token"))
            ?? (user is not null && Scalar(user, "tokenFile") is { } tokenFile ? File.ReadAllText(Relative(path, tokenFile)).Trim() : null)
            ?? throw new ArgumentException($"{path}: the user has no token");
        return new AgentEndpoint(new Uri(server), token, ca);
    }

    private static string Relative(string kubeconfig, string file) =>
        Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(kubeconfig)) ?? "", file);

    /// <summary>The named entry's inner mapping (the first entry when <paramref name="name"/> is null).</summary>
    private static YamlMappingNode? Named(YamlMappingNode root, string list, string? name, string inner)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(list), out var node) || node is not YamlSequenceNode entries)
        {
            return null;
        }

        foreach (var entry in entries)
        {
            if (entry is YamlMappingNode mapping && (name is null || Scalar(mapping, "name") == name)
                && mapping.Children.TryGetValue(new YamlScalarNode(inner), out var value) && value is YamlMappingNode result)
            {
                return result;
            }
        }

        return null;
    }

    private static string? Scalar(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;
}
