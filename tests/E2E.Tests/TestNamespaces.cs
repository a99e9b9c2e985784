using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>
/// Helpers shared by the whole-server tests: every test works in a namespace of its own, created
/// through the official client, so tests on one server stay independent.
/// </summary>
public static class TestNamespaces
{
    /// <summary>A fresh, DNS-1123-valid name with <paramref name="prefix"/>.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    /// <summary>Creates a namespace with a unique name and returns that name.</summary>
    public static async Task<string> CreateNamespaceAsync(this ServerFixture server, string prefix = "e2e")
    {
        string name = UniqueName(prefix);
        await server.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>The Kubernetes Status a failed client call carried, as the server wrote it.</summary>
    public static V1Status Status(this HttpOperationException error) =>
        KubernetesJson.Deserialize<V1Status>(error.Response.Content);
}
