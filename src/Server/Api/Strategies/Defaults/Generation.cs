using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Strategies.Defaults;

/// <summary>metadata.generation as kube's update strategies keep it: the stored one, plus one when a watched part changed.</summary>
internal static class Generation
{
    /// <summary>Leaves the object alone when the stored one has no generation.</summary>
    /// <param name="paths">Dotted paths compared between the defaulted new object and the stored one.</param>
    public static void BumpOnChange(JsonObject obj, JsonObject old, params ReadOnlySpan<string> paths)
    {
        if (!JsonDefaults.TryGetInt64(old["metadata"]?["generation"], out var generation))
        {
            return;
        }

        foreach (var path in paths)
        {
            if (!JsonNode.DeepEquals(At(obj, path), At(old, path)))
            {
                generation++;
                break;
            }
        }

        JsonDefaults.EnsureObject(obj, "metadata")["generation"] = generation;
    }

    private static JsonNode? At(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
        {
            node = (node as JsonObject)?[part];
        }

        return node;
    }
}
