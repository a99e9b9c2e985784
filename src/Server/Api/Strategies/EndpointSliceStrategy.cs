using System.Text.Json.Nodes;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// EndpointSlices (discovery/v1 SetDefaults_EndpointPort: port name "" and protocol TCP). Like
/// kube's endpointSliceStrategy, a slice carries a generation: 1 on create, bumped by any update
/// that changes more than metadata (or changes labels).
/// </summary>
public sealed class EndpointSliceStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        // endpoints and ports have no omitempty in Go: unset, they are written as null.
        foreach (var list in (ReadOnlySpan<string>)["endpoints", "ports"])
        {
            if (!obj.ContainsKey(list))
            {
                obj[list] = null;
            }
        }

        foreach (var endpoint in Items(obj, "endpoints"))
        {
            // EndpointConditions is a struct: always written.
            EnsureObject(endpoint, "conditions");
        }

        foreach (var port in Items(obj, "ports"))
        {
            Pointer(port, "name", "");
            Pointer(port, "protocol", "TCP");
        }
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun) => EnsureObject(obj, "metadata")["generation"] = 1;

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        var metadata = EnsureObject(obj, "metadata");
        var oldMetadata = Object(old, "metadata");
        var generation = TryGetInt64(oldMetadata?["generation"], out var n) ? n : 0;
        if (!JsonNode.DeepEquals(WithoutMetadata(obj), WithoutMetadata(old)) || !JsonNode.DeepEquals(metadata["labels"], oldMetadata?["labels"]))
        {
            generation++;
        }

        metadata["generation"] = generation;
    }

    private static JsonObject WithoutMetadata(JsonObject obj)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key != "metadata")
            {
                copy[key] = value?.DeepClone();
            }
        }

        return copy;
    }
}
