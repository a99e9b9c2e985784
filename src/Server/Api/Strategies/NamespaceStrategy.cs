using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Strategies;

/// <summary>Namespaces start Active, held by the <c>kubernetes</c> finalizer until their content is gone.</summary>
public sealed class NamespaceStrategy : ResourceStrategy
{
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
