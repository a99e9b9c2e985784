using System.Text.Json.Nodes;
using Nautilus.Server.Api.Allocation;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// Services: SetDefaults_Service (type ClusterIP, sessionAffinity None, port protocol TCP and
/// targetPort = port, traffic policies), the IP family fields the service REST storage fills on
/// create for a single-stack IPv4 cluster, and an empty load-balancer status.
/// <para>
/// Allocation seam: given a <see cref="ServiceAllocator"/>, create and update allocate through it
/// (cluster IPs, node ports, and the IP family fields, which it fills itself), and an aborted
/// create releases what it took. Without one, only the IP family fields are filled.
/// </para>
/// </summary>
public sealed class ServiceStrategy(ServiceAllocator? allocator = null) : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = EnsureObject(obj, "spec");
        SetIfEmpty(spec, "sessionAffinity", "None");
        switch (StringValue(spec, "sessionAffinity"))
        {
            case "None":
                spec.Remove("sessionAffinityConfig");
                break;
            case "ClientIP":
                if (Object(Object(spec, "sessionAffinityConfig"), "clientIP") is not { } clientIp || IsUnset(clientIp, "timeoutSeconds"))
                {
                    spec["sessionAffinityConfig"] = new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = 10800 } };
                }

                break;
        }

        SetIfEmpty(spec, "type", "ClusterIP");
        var type = StringValue(spec, "type");
        foreach (var port in Items(spec, "ports"))
        {
            SetIfEmpty(port, "protocol", "TCP");
            if ((IsZeroNumber(port, "targetPort") || IsEmptyString(port, "targetPort")) && port["port"] is JsonValue number)
            {
                port["targetPort"] = number.DeepClone();
            }
        }

        var externallyAccessible = type is "LoadBalancer" or "NodePort" || (type == "ClusterIP" && spec["externalIPs"] is JsonArray { Count: > 0 });
        if (externallyAccessible)
        {
            SetIfEmpty(spec, "externalTrafficPolicy", "Cluster");
        }

        if (type is "NodePort" or "LoadBalancer" or "ClusterIP")
        {
            SetIfUnset(spec, "internalTrafficPolicy", "Cluster");
        }

        if (type == "LoadBalancer")
        {
            SetIfUnset(spec, "allocateLoadBalancerNodePorts", true);
            foreach (var ingress in Items(Object(Object(obj, "status"), "loadBalancer"), "ingress"))
            {
                if (!IsEmptyString(ingress, "ip"))
                {
                    SetIfUnset(ingress, "ipMode", "VIP");
                }
            }
        }
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun)
    {
        obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
        if (allocator is null)
        {
            InitIPFamilyFields(EnsureObject(obj, "spec"), oldSpec: null);
        }
        else
        {
            allocator.AllocateOnCreate(obj, dryRun);
        }
    }

    public override void CreateAborted(JsonObject obj) => allocator?.ReleaseFor(obj);

    public override void PrepareForUpdate(JsonObject obj, JsonObject old, bool dryRun)
    {
        if (allocator is null)
        {
            InitIPFamilyFields(EnsureObject(obj, "spec"), Object(old, "spec"));
        }
        else
        {
            // Keeps the allocated values an update omits (patchAllocatedValues) before the families.
            allocator.UpdateAllocations(obj, old, dryRun);
        }
    }

    /// <summary>
    /// kube's initIPFamilyFields for a cluster with one IPv4 service CIDR, without its checks (the
    /// allocator's job): ipFamilyPolicy SingleStack and ipFamilies [IPv4]; a headless service
    /// without selector RequireDualStack with [IPv4, IPv6], which needs no cluster IP. An update
    /// that omits them keeps the stored ones. ExternalName services have none.
    /// </summary>
    internal static void InitIPFamilyFields(JsonObject spec, JsonObject? oldSpec)
    {
        if (StringValue(spec, "type") == "ExternalName")
        {
            return;
        }

        var oldWasExternalName = oldSpec is not null && StringValue(oldSpec, "type") == "ExternalName";
        if (oldSpec is not null && !oldWasExternalName)
        {
            if (IsUnset(spec, "ipFamilyPolicy") && !IsUnset(oldSpec, "ipFamilyPolicy"))
            {
                spec["ipFamilyPolicy"] = oldSpec["ipFamilyPolicy"]!.DeepClone();
            }

            if (spec["ipFamilies"] is not JsonArray { Count: > 0 } && oldSpec["ipFamilies"] is JsonArray { Count: > 0 } oldFamilies)
            {
                spec["ipFamilies"] = oldFamilies.DeepClone();
            }
        }

        if (IsUnset(spec, "ipFamilyPolicy"))
        {
            var headlessWithoutSelector = StringValue(spec, "clusterIP") == "None" && spec["selector"] is not JsonObject { Count: > 0 };
            spec["ipFamilyPolicy"] = headlessWithoutSelector ? "RequireDualStack" : "SingleStack";
        }

        if (spec["ipFamilies"] is not JsonArray { Count: > 0 })
        {
            spec["ipFamilies"] = StringValue(spec, "ipFamilyPolicy") != "SingleStack" && StringValue(spec, "clusterIP") == "None" && spec["selector"] is not JsonObject { Count: > 0 }
                ? new JsonArray("IPv4", "IPv6")
                : new JsonArray("IPv4");
        }
    }
}
