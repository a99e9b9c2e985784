using System.Text.Json.Nodes;
using Nautilus.Bench;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;
using Nautilus.Store;

namespace Nautilus.Benchmarks;

/// <summary>Realistic pods as the server stores them: the load generator's pod, defaulted by the pod strategy and encoded by ObjectCodec.</summary>
internal static class Pods
{
    public static readonly ResourceRegistry Registry = BuiltInResources.CreateRegistry();

    public static readonly ResourceDefinition Definition = Registry.All.Single(r => r.Plural == "pods" && r.Group.Length == 0);

    public static ResourceType Type => Definition.StorageType;

    /// <summary>Pod <paramref name="index"/> of a cluster of <paramref name="namespaces"/> namespaces and <paramref name="nodes"/> nodes, ready for the store.</summary>
    public static StoredObject Stored(int index, int namespaces = 10, int nodes = 100, string? name = null, string? ns = null)
    {
        var (placedNs, placedName, node) = KubeObjects.Placement(index, namespaces, nodes);
        return ObjectCodec.ToStored(Definition, Tree(ns ?? placedNs, name ?? placedName, node, index));
    }

    /// <summary>The pod as the create path holds it after defaulting, with a uid and creation time.</summary>
    public static JsonObject Tree(string ns, string name, string node, int index)
    {
        var tree = KubeJson.ParseObject(KubeObjects.PodJson(ns, name, node, index));
        var metadata = (JsonObject)tree["metadata"]!;
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = "2025-01-01T00:00:00Z";
        Definition.Strategy.ApplyDefaults(tree);
        Definition.Strategy.PrepareForCreate(tree, dryRun: false);
        return tree;
    }
}
