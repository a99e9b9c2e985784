using System.Text.Json.Nodes;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// Services: SetDefaults_Service (type ClusterIP, sessionAffinity None, port protocol TCP and
/// targetPort = port, traffic policies), the IP family fields the service REST storage fills on
/// create for a single-stack IPv4 cluster, and an empty load-balancer status.
/// </summary>
public sealed class ServiceStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = EnsureObject(obj, "spec");
        String(spec, "sessionAffinity", "None");
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

        String(spec, "type", "ClusterIP");
        var type = StringValue(spec, "type");
        foreach (var port in Items(spec, "ports"))
        {
            String(port, "protocol", "TCP");
            if ((IsZeroNumber(port, "targetPort") || IsEmptyString(port, "targetPort")) && port["port"] is JsonValue number)
            {
                port["targetPort"] = number.DeepClone();
            }
        }

        var externallyAccessible = type is "LoadBalancer" or "NodePort" || (type == "ClusterIP" && spec["externalIPs"] is JsonArray { Count: > 0 });
        if (externallyAccessible)
        {
            String(spec, "externalTrafficPolicy", "Cluster");
        }

        if (type is "NodePort" or "LoadBalancer" or "ClusterIP")
        {
            Pointer(spec, "internalTrafficPolicy", "Cluster");
        }

        if (type == "LoadBalancer")
        {
            Pointer(spec, "allocateLoadBalancerNodePorts", true);
            foreach (var ingress in Items(Object(Object(obj, "status"), "loadBalancer"), "ingress"))
            {
                if (!IsEmptyString(ingress, "ip"))
                {
                    Pointer(ingress, "ipMode", "VIP");
                }
            }
        }
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun)
    {
        obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
        var spec = EnsureObject(obj, "spec");
        InitIPFamilyFields(spec, oldSpec: null);

        // Cluster IP (and node port) allocation hooks in here: src/Server/Api/Allocation
        // allocates spec.clusterIP/clusterIPs unless dryRun, and CreateAborted releases them.
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        // Allocated values an update omits (clusterIP, clusterIPs, nodePorts) are carried over from
        // `old` by the allocator (patchAllocatedValues in kube's service REST), before the families.
        InitIPFamilyFields(EnsureObject(obj, "spec"), Object(old, "spec"));
    }

    /// <summary>
    /// kube's initIPFamilyFields for a cluster with one IPv4 service CIDR: ipFamilyPolicy
    /// SingleStack (RequireDualStack for a headless service without selector) and ipFamilies
    /// [IPv4]; an update that omits them keeps the stored ones. ExternalName services have none.
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
            spec["ipFamilies"] = new JsonArray("IPv4");
        }
    }
}
