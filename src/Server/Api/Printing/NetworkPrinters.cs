using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nautilus.Server.Api.Printing;

/// <summary>printService: TYPE, CLUSTER-IP, EXTERNAL-IP (per type), PORT(S) "80/TCP" or "80:30080/TCP"; wide: SELECTOR.</summary>
internal sealed class ServicePrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Type", "string", SwaggerDocs.ServiceType),
    new("Cluster-IP", "string", SwaggerDocs.ClusterIP),
    new("External-IP", "string", SwaggerDocs.ExternalIPs),
    new("Port(s)", "string", SwaggerDocs.ServicePorts),
    TableColumn.AgeColumn,
    new("Selector", "string", SwaggerDocs.ServiceSelector, Priority: 1))
{
    public override void WriteCells(CellWriter writer, JsonElement svc)
    {
        var spec = svc.Get("spec");
        var clusterIP = "<none>";
        foreach (var ip in spec.Items("clusterIPs"))
        {
            clusterIP = ip.ValueKind == JsonValueKind.String ? ip.GetString()! : "";
            break;
        }

        // Defaulting copies clusterIP into clusterIPs; an object stored without it reads the same.
        if (clusterIP == "<none>" && spec.Str("clusterIP") is { Length: > 0 } single)
        {
            clusterIP = single;
        }

        writer.WriteStringValue(Name(svc));
        writer.WriteStringValue(spec.Str("type"));
        writer.WriteStringValue(clusterIP);
        writer.WriteStringValue(ExternalIP(spec, svc.Get("status")));
        writer.WriteStringValue(Ports(spec));
        WriteAge(writer, svc);
        writer.WriteStringValue(LabelFormat.FormatLabels(spec.Get("selector")));
    }

    private static string ExternalIP(JsonElement spec, JsonElement status)
    {
        var externalIPs = Strings(spec, "externalIPs");
        switch (spec.Str("type"))
        {
            case "ClusterIP":
            case "NodePort":
                return externalIPs.Count > 0 ? string.Join(',', externalIPs) : "<none>";
            case "LoadBalancer":
                // Wide (as the server always prints): the ingress list is not clipped to 16 characters.
                var ingress = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var i in status.Get("loadBalancer").Items("ingress"))
                {
                    if (i.Str("ip") is { Length: > 0 } ip)
                    {
                        ingress.Add(ip);
                    }
                    else if (i.Str("hostname") is { Length: > 0 } hostname)
                    {
                        ingress.Add(hostname);
                    }
                }

                if (externalIPs.Count > 0)
                {
                    return string.Join(',', ingress.Concat(externalIPs));
                }

                return ingress.Count > 0 ? string.Join(',', ingress) : "<pending>";
            case "ExternalName":
                return spec.Str("externalName");
            default:
                return "<unknown>";
        }
    }

    private static string Ports(JsonElement spec)
    {
        var text = new StringBuilder();
        foreach (var port in spec.Items("ports"))
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(port.Int("port").ToString(CultureInfo.InvariantCulture));
            var nodePort = port.Int("nodePort");
            if (nodePort > 0)
            {
                text.Append(':').Append(nodePort.ToString(CultureInfo.InvariantCulture));
            }

            // Defaulting sets TCP.
            text.Append('/').Append(port.Str("protocol") is { Length: > 0 } protocol ? protocol : "TCP");
        }

        return text.Length == 0 ? "<none>" : text.ToString();
    }

    private static List<string> Strings(JsonElement obj, string name)
    {
        var values = new List<string>();
        foreach (var v in obj.Items(name))
        {
            values.Add(v.ValueKind == JsonValueKind.String ? v.GetString()! : "");
        }

        return values;
    }
}

/// <summary>printEndpoints: formatEndpoints with every port, at most three "ip:port" then "+ N more...".</summary>
internal sealed class EndpointsPrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Endpoints", "string", SwaggerDocs.EndpointsSubsets),
    TableColumn.AgeColumn)
{
    private const int Max = 3;

    public override void WriteCells(CellWriter writer, JsonElement obj)
    {
        writer.WriteStringValue(Name(obj));
        writer.WriteStringValue(Format(obj));
        WriteAge(writer, obj);
    }

    private static string Format(JsonElement endpoints)
    {
        if (endpoints.Count("subsets") == 0)
        {
            return "<none>";
        }

        var list = new List<string>(Max);
        var more = false;
        var count = 0;
        foreach (var subset in endpoints.Items("subsets"))
        {
            var addresses = subset.Count("addresses");
            if (subset.Count("ports") == 0)
            {
                // Headless services may have no ports.
                count += addresses;
                foreach (var address in subset.Items("addresses"))
                {
                    if (list.Count == Max)
                    {
                        more = true;
                        break;
                    }

                    list.Add(address.Str("ip"));
                }

                continue;
            }

            foreach (var port in subset.Items("ports"))
            {
                count += addresses;
                foreach (var address in subset.Items("addresses"))
                {
                    if (list.Count == Max)
                    {
                        more = true;
                        break;
                    }

                    list.Add(JoinHostPort(address.Str("ip"), port.Int("port")));
                }
            }
        }

        var text = string.Join(',', list);
        return more ? string.Create(CultureInfo.InvariantCulture, $"{text} + {count - Max} more...") : text;
    }

    /// <summary>net.JoinHostPort: IPv6 hosts are bracketed.</summary>
    private static string JoinHostPort(string host, long port) =>
        host.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{host}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
}

/// <summary>printEndpointSlice: ADDRESSTYPE, PORTS and ENDPOINTS (at most three each, "&lt;unset&gt;" when none).</summary>
internal sealed class EndpointSlicePrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("AddressType", "string", SwaggerDocs.EndpointSliceAddressType),
    new("Ports", "string", SwaggerDocs.EndpointSlicePorts),
    new("Endpoints", "string", SwaggerDocs.EndpointSliceEndpoints),
    TableColumn.AgeColumn)
{
    private const int Max = 3;

    public override void WriteCells(CellWriter writer, JsonElement slice)
    {
        var ports = new List<string>(Max);
        var portCount = 0;
        foreach (var port in slice.Items("ports"))
        {
            if (ports.Count < Max)
            {
                ports.Add(port.Get("port").ValueKind == JsonValueKind.Number
                    ? port.Int("port").ToString(CultureInfo.InvariantCulture)
                    : port.Get("name").ValueKind == JsonValueKind.String ? port.Str("name") : "*");
            }

            portCount++;
        }

        var addresses = new List<string>(Max);
        var addressCount = 0;
        foreach (var endpoint in slice.Items("endpoints"))
        {
            foreach (var address in endpoint.Items("addresses"))
            {
                if (addresses.Count < Max)
                {
                    addresses.Add(address.ValueKind == JsonValueKind.String ? address.GetString()! : "");
                }

                addressCount++;
            }
        }

        writer.WriteStringValue(Name(slice));
        writer.WriteStringValue(slice.Str("addressType"));
        writer.WriteStringValue(ListWithMore(ports, portCount));
        writer.WriteStringValue(ListWithMore(addresses, addressCount));
        WriteAge(writer, slice);
    }

    /// <summary>listWithMoreString.</summary>
    private static string ListWithMore(List<string> list, int count)
    {
        var text = string.Join(',', list);
        if (count > Max)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{text} + {count - Max} more...");
        }

        return text.Length == 0 ? "<unset>" : text;
    }
}
