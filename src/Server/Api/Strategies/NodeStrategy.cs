using ResourceQuantity = Nautilus.Controllers.Machinery.ResourceQuantity;
using System.Text.Json.Nodes;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// Nodes: SetDefaults_NodeStatus (allocatable = capacity when unset) and canonical quantities; the
/// v1 podCIDR/podCIDRs pair kept consistent as the conversion does; and the zero-valued structs Go
/// always writes (spec {}, status.daemonEndpoints, status.nodeInfo).
/// </summary>
public sealed class NodeStrategy : ResourceStrategy
{
    private static readonly string[] NodeInfoFields =
        ["machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion", "operatingSystem", "architecture"];

    public override void ApplyDefaults(JsonObject obj)
    {
        AlignPodCidrs(EnsureObject(obj, "spec"));

        var status = EnsureObject(obj, "status");
        if (Object(status, "capacity") is { } capacity && IsUnset(status, "allocatable"))
        {
            status["allocatable"] = capacity.DeepClone();
        }

        ResourceQuantity.DefaultResourceList(Object(status, "capacity"));
        ResourceQuantity.DefaultResourceList(Object(status, "allocatable"));

        var kubeletEndpoint = EnsureObject(EnsureObject(status, "daemonEndpoints"), "kubeletEndpoint");
        SetIfUnset(kubeletEndpoint, "Port", 0);
        var nodeInfo = EnsureObject(status, "nodeInfo");
        foreach (var field in NodeInfoFields)
        {
            SetIfUnset(nodeInfo, field, "");
        }
    }

    /// <summary>podCIDR is authoritative when it disagrees with podCIDRs[0] (old clients); on the way out podCIDR = podCIDRs[0].</summary>
    private static void AlignPodCidrs(JsonObject spec)
    {
        var podCidr = StringValue(spec, "podCIDR") ?? "";
        var podCidrs = spec["podCIDRs"] as JsonArray;
        var first = podCidrs is { Count: > 0 } && podCidrs[0] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        if (podCidr.Length > 0 && first != podCidr)
        {
            spec["podCIDRs"] = new JsonArray(podCidr);
        }
        else if (podCidr.Length == 0 && first is not null)
        {
            spec["podCIDR"] = first;
        }
    }
}
