using System.Text.Json.Nodes;

namespace Nautilus.Server.Tests.Allocation;

/// <summary>Service objects as the API machinery hands them to the allocator: defaulted, with a fresh uid.</summary>
internal static class ServiceJson
{
    public static JsonObject Create(string name, string type = "ClusterIP", string? clusterIP = null, (int Port, int NodePort)[]? ports = null, string ns = "default", string? uid = null)
    {
        var portArray = new JsonArray();
        foreach (var (port, nodePort) in ports ?? [(80, 0)])
        {
            var p = new JsonObject { ["protocol"] = "TCP", ["port"] = port, ["targetPort"] = port };
            if (nodePort != 0)
            {
                p["nodePort"] = nodePort;
            }

            portArray.Add(p);
        }

        var spec = new JsonObject { ["ports"] = portArray, ["selector"] = new JsonObject { ["app"] = name } };
        if (clusterIP is not null)
        {
            spec["clusterIP"] = clusterIP;
        }

        spec["type"] = type;
        return new JsonObject
        {
            ["kind"] = "Service",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = uid ?? Guid.NewGuid().ToString() },
            ["spec"] = spec,
        };
    }
}
