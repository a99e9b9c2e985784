using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// Namespaces carry their name as the <c>kubernetes.io/metadata.name</c> label (SetDefaults_Namespace,
/// always overwritten) and start Active, held by the <c>kubernetes</c> finalizer until their content is gone.
/// </summary>
public sealed class NamespaceStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata && metadata["name"] is JsonValue name && name.TryGetValue<string>(out var value) && value.Length > 0)
        {
            if (metadata["labels"] is not JsonObject labels)
            {
                labels = [];
                metadata["labels"] = labels;
            }

            labels["kubernetes.io/metadata.name"] = value;
        }
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun)
    {
        var spec = obj["spec"] as JsonObject ?? [];
        obj["spec"] = spec;
        if (spec["finalizers"] is not JsonArray)
        {
            spec["finalizers"] = new JsonArray("kubernetes");
        }

        obj["status"] = new JsonObject { ["phase"] = "Active" };
    }
}
