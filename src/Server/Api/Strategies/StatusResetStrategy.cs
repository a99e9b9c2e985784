using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Strategies;

/// <summary>A kind whose status belongs to controllers: create starts from the given initial status.</summary>
public class StatusResetStrategy(Func<JsonObject> initialStatus) : ResourceStrategy
{
    public override void PrepareForCreate(JsonObject obj, bool dryRun) => obj["status"] = initialStatus();
}
