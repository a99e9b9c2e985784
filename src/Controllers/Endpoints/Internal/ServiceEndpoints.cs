using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Endpoints.Internal;

/// <summary>
/// What the Endpoints and EndpointSlice controllers share (kube's endpointslice/util and
/// podutil): which pods a service selects, which of them belong in its endpoints, their
/// addresses, readiness and resolved target ports.
/// </summary>
internal static class ServiceEndpoints
{
    public const string HeadlessServiceLabel = "service.kubernetes.io/headless";
    public const string LastChangeTriggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time";

    /// <summary>spec.selector when it selects anything; null (no selector, or an empty one, which Go omits) means the endpoints are managed out of band.</summary>
    public static JsonObject? Selector(JsonObject service) => service["spec"]?["selector"] is JsonObject { Count: > 0 } selector ? selector : null;

    public static bool IsExternalName(JsonObject service) => KubeFields.String(service["spec"], "type") == "ExternalName";

    /// <summary>clusterIP set and not "None".</summary>
    public static bool IsServiceIPSet(JsonObject service) => KubeFields.String(service["spec"], "clusterIP") is { Length: > 0 } ip && ip != "None";

    public static bool PublishNotReadyAddresses(JsonObject service) => KubeFields.Bool(service["spec"], "publishNotReadyAddresses") == true;

    /// <summary>The pods of the service's namespace its selector matches.</summary>
    public static List<JsonObject> SelectPods(Informer pods, JsonObject service, JsonObject selector)
    {
        var ns = KubeFields.Namespace(service);
        var result = new List<JsonObject>();
        foreach (var pod in pods.ByNamespace(ns))
        {
            if (KubeFields.SelectorMatches(selector, pod.Labels))
            {
                result.Add(pod.ToJsonObject());
            }
        }

        return result;
    }

    /// <summary>
    /// endpointsliceutil.ShouldPodBeInEndpoints: not terminal (Succeeded/Failed), has an IP,
    /// and, unless <paramref name="includeTerminating"/>, not being deleted.
    /// </summary>
    public static bool ShouldPodBeInEndpoints(JsonObject pod, bool includeTerminating)
    {
        if (KubeFields.String(pod["status"], "phase") is "Succeeded" or "Failed")
        {
            return false;
        }

        if (PodIPs(pod).Count == 0)
        {
            return false;
        }

        return includeTerminating || !KubeFields.IsBeingDeleted(pod);
    }

    /// <summary>The Ready condition is True.</summary>
    public static bool IsPodReady(JsonObject pod) => KubeFields.String(KubeFields.Condition(pod, "Ready"), "status") == "True";

    /// <summary>status.podIPs, or status.podIP when the list is absent.</summary>
    public static List<string> PodIPs(JsonObject pod)
    {
        var result = new List<string>();
        var status = pod["status"];
        foreach (var entry in KubeFields.Objects(status, "podIPs"))
        {
            if (KubeFields.String(entry, "ip") is { Length: > 0 } ip)
            {
                result.Add(ip);
            }
        }

        if (result.Count == 0 && KubeFields.String(status, "podIP") is { Length: > 0 } single)
        {
            result.Add(single);
        }

        return result;
    }

    public static bool IsIPv6(string ip) => IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>The service's IP families (spec.ipFamilies, else the clusterIP's family; IPv4 when nothing says otherwise).</summary>
    public static List<string> IpFamilies(JsonObject service)
    {
        var families = new List<string>();
        if (service["spec"]?["ipFamilies"] is JsonArray array)
        {
            foreach (var family in array)
            {
                if (family is JsonValue v && v.TryGetValue<string>(out var s) && s is "IPv4" or "IPv6" && !families.Contains(s))
                {
                    families.Add(s);
                }
            }
        }

        return families;
    }

    /// <summary>pod.spec.hostname is published when pod.spec.subdomain names the service (same namespace).</summary>
    public static bool ShouldSetHostname(JsonObject pod, JsonObject service) =>
        KubeFields.String(pod["spec"], "hostname") is { Length: > 0 }
        && KubeFields.String(pod["spec"], "subdomain") == KubeFields.Name(service)
        && KubeFields.Namespace(pod) == KubeFields.Namespace(service);

    /// <summary>
    /// podutil.FindPort: a numeric targetPort as is; a named one from the pod's container ports
    /// (and restartable init containers) with that name and the service port's protocol.
    /// Null when the pod has no such port.
    /// </summary>
    public static int? FindPort(JsonObject pod, JsonObject servicePort)
    {
        var target = servicePort["targetPort"] ?? servicePort["port"];
        if (target is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<int>(out var number))
        {
            return number;
        }

        if (!value.TryGetValue<string>(out var name))
        {
            return null;
        }

        var protocol = KubeFields.String(servicePort, "protocol") ?? "TCP";
        var spec = pod["spec"];
        foreach (var container in KubeFields.Objects(spec, "containers"))
        {
            if (NamedPort(container, name, protocol) is { } port)
            {
                return port;
            }
        }

        foreach (var container in KubeFields.Objects(spec, "initContainers"))
        {
            if (KubeFields.String(container, "restartPolicy") == "Always" && NamedPort(container, name, protocol) is { } port)
            {
                return port;
            }
        }

        return null;
    }

    private static int? NamedPort(JsonObject container, string name, string protocol)
    {
        foreach (var port in KubeFields.Objects(container, "ports"))
        {
            if (KubeFields.String(port, "name") == name && (KubeFields.String(port, "protocol") ?? "TCP") == protocol && KubeFields.Long(port, "containerPort") is { } containerPort)
            {
                return (int)containerPort;
            }
        }

        return null;
    }

    /// <summary>Labels equal as maps (absent and empty are equal).</summary>
    public static bool LabelsEqual(JsonObject? a, JsonObject? b, string? ignoring = null)
    {
        var left = ToMap(a, ignoring);
        var right = ToMap(b, ignoring);
        return left.Count == right.Count && left.All(p => right.TryGetValue(p.Key, out var v) && v == p.Value);
    }

    public static Dictionary<string, string> ToMap(JsonObject? labels, string? ignoring = null)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (labels is not null)
        {
            foreach (var (key, value) in labels)
            {
                if (key != ignoring && value is JsonValue v && v.TryGetValue<string>(out var s))
                {
                    map[key] = s;
                }
            }
        }

        return map;
    }

    public static JsonObject ToJson(IEnumerable<KeyValuePair<string, string>> map)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            obj[key] = value;
        }

        return obj;
    }

    /// <summary>Sets a string map field (labels, annotations), leaving it out when empty as Go's omitempty does.</summary>
    public static void SetMap(JsonObject metadata, string field, Dictionary<string, string> map)
    {
        if (map.Count > 0)
        {
            metadata[field] = ToJson(map);
        }
        else
        {
            metadata.Remove(field);
        }
    }

    public static JsonObject PodReference(JsonObject pod) => new()
    {
        ["kind"] = "Pod",
        ["namespace"] = KubeFields.Namespace(pod),
        ["name"] = KubeFields.Name(pod),
        ["uid"] = KubeFields.Uid(pod),
    };
}
