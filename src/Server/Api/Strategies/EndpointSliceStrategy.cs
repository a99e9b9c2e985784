using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies.Defaults;
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
            SetIfUnset(port, "name", "");
            SetIfUnset(port, "protocol", "TCP");
        }
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun) => EnsureObject(obj, "metadata")["generation"] = 1;

    /// <summary>Anything but metadata, or the labels, changing bumps the generation.</summary>
    public override void PrepareForUpdate(JsonObject obj, JsonObject old, bool dryRun)
    {
        var paths = new List<string> { "metadata.labels" };
        foreach (var (key, _) in obj)
        {
            if (key != "metadata")
            {
                paths.Add(key);
            }
        }

        foreach (var (key, _) in old)
        {
            if (key != "metadata" && !obj.ContainsKey(key))
            {
                paths.Add(key);
            }
        }

        Generation.BumpOnChange(obj, old, [.. paths]);
    }
}
