using System.Text.Json.Nodes;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;
using ResourceQuantity = Nautilus.Controllers.Machinery.ResourceQuantity;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// ResourceQuotas (pkg/registry/core/resourcequota): quantities written canonically
/// (SetDefaults_ResourceList applies to every ResourceList), and a new quota starts with an empty
/// status, which the quota controller fills; until it has, admission refuses what the quota covers.
/// </summary>
public sealed class ResourceQuotaStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        ResourceQuantity.DefaultResourceList(Object(Object(obj, "spec"), "hard"));
        var status = Object(obj, "status");
        ResourceQuantity.DefaultResourceList(Object(status, "hard"));
        ResourceQuantity.DefaultResourceList(Object(status, "used"));
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun) => obj["status"] = new JsonObject();
}
