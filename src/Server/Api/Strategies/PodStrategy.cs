using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Strategies;

/// <summary>Pods start Pending with the QoS class their resources give them.</summary>
public sealed class PodStrategy : ResourceStrategy
{
    public override void PrepareForCreate(JsonObject obj, bool dryRun) =>
        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = PodQos.Classify(obj["spec"] as JsonObject) };
}
