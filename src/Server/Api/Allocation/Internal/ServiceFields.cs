using System.Text;
using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Allocation.Internal;

/// <summary>Reads and writes the Service spec fields the allocator owns, on the JSON tree, with v1's field semantics.</summary>
internal static class ServiceFields
{
    public const string ClusterIPNone = "None";
    public const string ExternalName = "ExternalName";
    public const string NodePort = "NodePort";
    public const string LoadBalancer = "LoadBalancer";
    public const string SingleStack = "SingleStack";
    public const string PreferDualStack = "PreferDualStack";
    public const string RequireDualStack = "RequireDualStack";
    public const string IPv4 = "IPv4";
    public const string IPv6 = "IPv6";

    // ServiceSpec's field order in k8s.io/api/core/v1/types.go: the order kube-apiserver writes.
    private static readonly string[] SpecOrder =
    [
        "ports", "selector", "clusterIP", "clusterIPs", "type", "externalIPs", "sessionAffinity", "loadBalancerIP",
        "loadBalancerSourceRanges", "externalName", "externalTrafficPolicy", "healthCheckNodePort", "publishNotReadyAddresses",
        "sessionAffinityConfig", "ipFamilies", "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "loadBalancerClass",
        "internalTrafficPolicy", "trafficDistribution",
    ];

    /// <summary>spec, created when absent.</summary>
    public static JsonObject Spec(JsonObject service)
    {
        if (service["spec"] is JsonObject spec)
        {
            return spec;
        }

        spec = [];
        service["spec"] = spec;
        return spec;
    }

    public static JsonObject? SpecOrNull(JsonObject service) => service["spec"] as JsonObject;

    public static string Type(JsonObject spec) => String(spec, "type") is { Length: > 0 } type ? type : "ClusterIP";

    public static bool NeedsClusterIP(JsonObject spec) => Type(spec) != ExternalName;

    public static bool NeedsNodePort(JsonObject spec) => Type(spec) is NodePort or LoadBalancer;

    /// <summary>apiservice.NeedsHealthCheck: a LoadBalancer that keeps traffic on the node.</summary>
    public static bool NeedsHealthCheck(JsonObject spec) => Type(spec) == LoadBalancer && String(spec, "externalTrafficPolicy") == "Local";

    /// <summary>shouldAllocateNodePorts: NodePort always, LoadBalancer unless allocateLoadBalancerNodePorts is false.</summary>
    public static bool ShouldAllocateNodePorts(JsonObject spec) => Type(spec) switch
    {
        NodePort => true,
        LoadBalancer => spec["allocateLoadBalancerNodePorts"] is not JsonValue v || !v.TryGetValue<bool>(out var allocate) || allocate,
        _ => false,
    };

    public static bool IsHeadless(JsonObject spec) => ClusterIPs(spec) is [ClusterIPNone, ..];

    public static bool HasSelector(JsonObject spec) => spec["selector"] is JsonObject { Count: > 0 };

    public static string String(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    public static int Int(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i : 0;

    public static List<string> Strings(JsonObject obj, string name)
    {
        var list = new List<string>();
        if (obj[name] is JsonArray array)
        {
            foreach (var item in array)
            {
                list.Add(item is JsonValue v && v.TryGetValue<string>(out var s) ? s : "");
            }
        }

        return list;
    }

    public static List<string> ClusterIPs(JsonObject spec) => Strings(spec, "clusterIPs");

    public static List<string> IPFamilies(JsonObject spec) => Strings(spec, "ipFamilies");

    public static string? IPFamilyPolicy(JsonObject spec) => spec["ipFamilyPolicy"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static void SetStrings(JsonObject obj, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            obj.Remove(name);
            return;
        }

        var array = new JsonArray();
        foreach (var value in values)
        {
            array.Add(value);
        }

        obj[name] = array;
    }

    /// <summary>spec.ports entries (objects only).</summary>
    public static List<JsonObject> Ports(JsonObject spec)
    {
        var list = new List<JsonObject>();
        if (spec["ports"] is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is JsonObject port)
                {
                    list.Add(port);
                }
            }
        }

        return list;
    }

    public static int NodePortOf(JsonObject port) => Int(port, "nodePort");

    public static void SetNodePort(JsonObject port, int value)
    {
        if (value == 0)
        {
            port.Remove("nodePort");
        }
        else
        {
            port["nodePort"] = value;
        }
    }

    /// <summary>collectServiceNodePorts: every non-zero spec.ports[].nodePort.</summary>
    public static List<int> NodePorts(JsonObject spec)
    {
        var list = new List<int>();
        foreach (var port in Ports(spec))
        {
            if (NodePortOf(port) is var n and not 0)
            {
                list.Add(n);
            }
        }

        return list;
    }

    public static string Protocol(JsonObject port) => String(port, "protocol") is { Length: > 0 } p ? p : "TCP";

    public static bool SameStrings(List<string> a, List<string> b) => a.SequenceEqual(b, StringComparer.Ordinal);

    /// <summary>Puts spec members in ServiceSpec order (members kube does not know keep their order, after the known ones).</summary>
    public static void Reorder(JsonObject spec)
    {
        var members = spec.ToList();
        var sorted = members
            .Select((member, position) => (member, rank: Array.IndexOf(SpecOrder, member.Key) is var r and >= 0 ? r : SpecOrder.Length, position))
            .OrderBy(m => m.rank)
            .ThenBy(m => m.position)
            .Select(m => m.member)
            .ToList();
        if (sorted.SequenceEqual(members))
        {
            return;
        }

        foreach (var (key, _) in members)
        {
            spec.Remove(key);
        }

        foreach (var (key, value) in sorted)
        {
            spec[key] = value;
        }
    }

    /// <summary>Go's %#v of a []string, as field.Invalid prints a slice value: <c>[]string{"10.96.0.5"}</c>.</summary>
    public static string GoStringSlice(List<string>? values)
    {
        if (values is null)
        {
            return "[]string(nil)";
        }

        var builder = new StringBuilder("[]string{");
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append(GoQuote(values[i]));
        }

        return builder.Append('}').ToString();
    }

    /// <summary>Go's %q for the printable strings that reach error messages.</summary>
    public static string GoQuote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                default:
                    if (c < 0x20)
                    {
                        builder.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
