using System.Security.Cryptography.X509Certificates;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace Nautilus.Client;

/// <summary>Where the control plane is and how to trust and authenticate to it.</summary>
public sealed record ClusterEndpoint(Uri Server, string Token, X509Certificate2? CaCertificate)
{
    /// <summary>The current context's server, CA (certificate-authority-data or -file) and token (token or tokenFile) of a kubeconfig.</summary>
    public static ClusterEndpoint FromKubeconfig(string path)
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
        return new ClusterEndpoint(new Uri(server), token, ca);
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
