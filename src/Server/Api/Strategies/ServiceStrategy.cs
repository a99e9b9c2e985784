using System.Text.Json.Nodes;
using Nautilus.Server.Api.Allocation;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;
using Nautilus.Server.Api.Strategies.Validation;

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

    private static readonly string[] ServiceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];

    /// <summary>ValidateService for what the allocator does not own: ports, selector, session affinity, type.</summary>
    public override void Validate(JsonObject obj, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        var spec = Object(obj, "spec") ?? [];
        var type = StringValue(spec, "type") ?? "";
        var headless = StringValue(spec, "clusterIP") == "None";
        var ports = spec["ports"] as JsonArray;
        if (ports is not { Count: > 0 } && !headless && type != "ExternalName")
        {
            errors.Required("spec.ports");
        }

        if (type == "ExternalName")
        {
            var externalName = (StringValue(spec, "externalName") ?? "").TrimEnd('.');
            if (externalName.Length == 0)
            {
                errors.Required("spec.externalName");
            }
            else
            {
                foreach (var message in Nautilus.Server.Api.Objects.MetadataValidation.ValidateName(externalName, NameRule.Dns1123Subdomain))
                {
                    errors.InvalidString("spec.externalName", StringValue(spec, "externalName")!, message);
                }
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        var portCount = ports?.Count ?? 0;
        foreach (var port in Items(spec, "ports"))
        {
            var path = $"spec.ports[{index++}]";
            var name = StringValue(port, "name") ?? "";
            if (portCount > 1 && name.Length == 0)
            {
                errors.Required(path + ".name");
            }
            else if (name.Length != 0)
            {
                PodSpecValidation.Dns1123Label(name, path, "name", errors);
                if (!names.Add(name))
                {
                    errors.Duplicate(path + ".name", GoValue.Quote(name));
                }
            }

            TryGetInt64(port["port"], out var number);
            PodSpecValidation.PortNumber(number, path, "port", errors);
            var protocol = StringValue(port, "protocol") ?? "";
            if (protocol.Length == 0)
            {
                errors.Required(path + ".protocol");
            }
            else if (Array.IndexOf(PodSpecValidation.PortProtocols, protocol) < 0)
            {
                errors.NotSupportedString(path + ".protocol", protocol, PodSpecValidation.PortProtocols);
            }

            PodSpecValidation.PortNumOrName(port["targetPort"], path, "targetPort", errors);
            if (StringValue(port, "appProtocol") is { } appProtocol)
            {
                foreach (var message in Nautilus.Server.Api.Objects.MetadataValidation.QualifiedNameErrors(appProtocol))
                {
                    errors.InvalidString(path + ".appProtocol", appProtocol, message);
                }
            }
        }

        if (Object(spec, "selector") is { } selector)
        {
            Nautilus.Server.Api.Objects.MetadataValidation.ValidateLabels(selector, "spec.selector", causes);
        }

        var affinity = StringValue(spec, "sessionAffinity") ?? "";
        if (affinity.Length == 0)
        {
            errors.Required("spec.sessionAffinity");
        }
        else if (affinity is not ("ClientIP" or "None"))
        {
            errors.NotSupportedString("spec.sessionAffinity", affinity, ["ClientIP", "None"]);
        }

        if (affinity == "ClientIP")
        {
            var timeout = Object(Object(spec, "sessionAffinityConfig"), "clientIP")?["timeoutSeconds"];
            if (timeout is null)
            {
                errors.Required("spec.sessionAffinityConfig.clientIP.timeoutSeconds");
            }
            else if (TryGetInt64(timeout, out var seconds) && (seconds <= 0 || seconds > 86400))
            {
                errors.InvalidNumber("spec.sessionAffinityConfig.clientIP.timeoutSeconds", seconds, "must be greater than 0 and less than 86400");
            }
        }
        else if (affinity == "None" && !IsUnset(spec, "sessionAffinityConfig"))
        {
            errors.Forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None");
        }

        if (type.Length == 0)
        {
            errors.Required("spec.type");
        }
        else if (Array.IndexOf(ServiceTypes, type) < 0)
        {
            errors.NotSupportedString("spec.type", type, ServiceTypes);
        }

        if (type == "ClusterIP")
        {
            index = 0;
            foreach (var port in Items(spec, "ports"))
            {
                if (TryGetInt64(port["nodePort"], out var nodePort) && nodePort != 0)
                {
                    errors.Forbidden($"spec.ports[{index}].nodePort", "may not be used when `type` is 'ClusterIP'");
                }

                index++;
            }
        }

        // Duplicate (protocol, port) pairs, reported with the Go struct the key is.
        var seen = new HashSet<(string, long)>();
        index = 0;
        foreach (var port in Items(spec, "ports"))
        {
            TryGetInt64(port["port"], out var number);
            var protocol = StringValue(port, "protocol") ?? "";
            if (!seen.Add((protocol, number)))
            {
                errors.Duplicate($"spec.ports[{index}]",
                    $"core.ServicePort{{Name:\"\", Protocol:{GoValue.Quote(protocol)}, AppProtocol:(*string)(nil), Port:{number}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}");
            }

            index++;
        }
    }
}
