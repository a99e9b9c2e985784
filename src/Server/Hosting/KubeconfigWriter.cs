using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Server.Hosting.Internal;

namespace Nautilus.Server.Hosting;

/// <summary>Writes the admin kubeconfig that kubectl and Kubernetes clients use to reach the server.</summary>
public static class KubeconfigWriter
{
    /// <summary>The kubeconfig's file name inside the data directory.</summary>
    public const string FileName = "kubeconfig";

    /// <summary>
    /// Writes <c>&lt;dataDirectory&gt;/kubeconfig</c>: cluster "nautilus" (server URL and the CA
    /// inline), user "admin" (bearer token), context "nautilus", made current. The file is
    /// replaced atomically and readable by the owner only (it holds the token).
    /// </summary>
    /// <returns>The kubeconfig's full path.</returns>
    public static string Write(string dataDirectory, Uri server, ClusterCredentials credentials, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(credentials);

        SecretFiles.CreateDirectory(dataDirectory);
        string path = Path.GetFullPath(Path.Combine(dataDirectory, FileName));
        SecretFiles.WriteAtomically(path, Render(server, credentials), secret: true);
        HostingLog.WroteKubeconfig(logger ?? NullLogger.Instance, path);
        return path;
    }

    /// <summary>The kubeconfig YAML. Values are double-quoted; none of them can hold a quote or a backslash.</summary>
    internal static string Render(Uri server, ClusterCredentials credentials)
    {
        // client-go joins API paths onto the server URL; write it without a trailing slash, as kubeadm does.
        string serverUrl = server.GetLeftPart(UriPartial.Path).TrimEnd('/');
        string caData = Convert.ToBase64String(Encoding.ASCII.GetBytes(credentials.CaCertificate.ExportCertificatePem()));
        return $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: nautilus
              cluster:
                server: "{{serverUrl}}"
                certificate-authority-data: "{{caData}}"
            users:
            - name: admin
              user:
                token: "{{credentials.AdminToken}}"
            contexts:
            - name: nautilus
              context:
                cluster: nautilus
                user: admin
            current-context: nautilus
            preferences: {}

            """;
    }
}
