using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Endpoints.Internal;

/// <summary>
/// Packing of Endpoints subsets (kube's endpoints.RepackSubsets and the controller's
/// truncateEndpoints): addresses offering the same set of ports share one subset; an address
/// ready on a port stays ready there. Output is sorted, so equal content gives equal JSON.
/// </summary>
internal static class EndpointSubsets
{
    /// <summary>An address (ready or not) offering a port; a null port for a headless service without ports.</summary>
    public readonly record struct Entry(JsonObject Address, bool Ready, JsonObject? Port);

    public static JsonArray Repack(List<Entry> entries)
    {
        // Port → (address → ready), in first-seen order.
        var ports = new Dictionary<string, (JsonObject? Port, Dictionary<string, (JsonObject Address, bool Ready)> Addresses)>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var portKey = entry.Port is null ? "" : PortKey(entry.Port);
            if (!ports.TryGetValue(portKey, out var byPort))
            {
                byPort = (entry.Port, new Dictionary<string, (JsonObject, bool)>(StringComparer.Ordinal));
                ports[portKey] = byPort;
            }

            var addressKey = AddressKey(entry.Address);
            if (!byPort.Addresses.TryGetValue(addressKey, out var existing) || !existing.Ready)
            {
                byPort.Addresses[addressKey] = (existing.Address ?? entry.Address, entry.Ready);
            }
        }

        // Address sets → the ports they offer.
        var groups = new Dictionary<string, (Dictionary<string, (JsonObject Address, bool Ready)> Addresses, List<JsonObject> Ports)>(StringComparer.Ordinal);
        foreach (var (_, (port, addresses)) in ports)
        {
            var setKey = string.Join('\n', addresses.Select(a => a.Key + (a.Value.Ready ? "+" : "-")).Order(StringComparer.Ordinal));
            if (!groups.TryGetValue(setKey, out var group))
            {
                group = (addresses, []);
                groups[setKey] = group;
            }

            if (port is not null)
            {
                group.Ports.Add(port);
            }
        }

        var subsets = new List<(string SortKey, JsonObject Subset)>();
        foreach (var (_, (addresses, groupPorts)) in groups)
        {
            var subset = new JsonObject();
            var ready = Sorted(addresses.Values.Where(a => a.Ready).Select(a => a.Address));
            var notReady = Sorted(addresses.Values.Where(a => !a.Ready).Select(a => a.Address));
            if (ready.Count > 0)
            {
                subset["addresses"] = ready;
            }

            if (notReady.Count > 0)
            {
                subset["notReadyAddresses"] = notReady;
            }

            if (groupPorts.Count > 0)
            {
                var sortedPorts = new JsonArray();
                foreach (var port in groupPorts.OrderBy(PortKey, StringComparer.Ordinal))
                {
                    sortedPorts.Add(port.DeepClone());
                }

                subset["ports"] = sortedPorts;
            }

            subsets.Add((subset.ToJsonString(), subset));
        }

        var result = new JsonArray();
        foreach (var (_, subset) in subsets.OrderBy(s => s.SortKey, StringComparer.Ordinal))
        {
            result.Add(subset);
        }

        return result;
    }

    /// <summary>
    /// kube's truncateEndpoints: over <paramref name="maxCapacity"/> addresses, keep ready ones
    /// first, each subset keeping its share (rounded up). Returns whether anything was cut.
    /// </summary>
    public static bool Truncate(JsonArray subsets, int maxCapacity)
    {
        int totalReady = 0, totalNotReady = 0;
        foreach (var subset in subsets.OfType<JsonObject>())
        {
            totalReady += (subset["addresses"] as JsonArray)?.Count ?? 0;
            totalNotReady += (subset["notReadyAddresses"] as JsonArray)?.Count ?? 0;
        }

        if (totalReady + totalNotReady <= maxCapacity)
        {
            return false;
        }

        var truncateReady = totalReady > maxCapacity;
        var max = truncateReady ? maxCapacity : maxCapacity - totalReady;
        var numTotal = truncateReady ? totalReady : totalNotReady;
        var canBeAdded = max;
        foreach (var subset in subsets.OfType<JsonObject>())
        {
            var field = truncateReady ? "addresses" : "notReadyAddresses";
            var list = subset[field] as JsonArray;
            var inSubset = list?.Count ?? 0;
            var toBeAdded = Math.Min((int)Math.Ceiling((double)inSubset / numTotal * max), canBeAdded);
            if (list is not null)
            {
                while (list.Count > toBeAdded)
                {
                    list.RemoveAt(list.Count - 1);
                }

                if (list.Count == 0)
                {
                    subset.Remove(field);
                }
            }

            if (truncateReady)
            {
                subset.Remove("notReadyAddresses");
            }

            canBeAdded -= list?.Count ?? 0;
        }

        return true;
    }

    private static JsonArray Sorted(IEnumerable<JsonObject> addresses)
    {
        var array = new JsonArray();
        foreach (var address in addresses.OrderBy(a => KubeFields.String(a, "ip"), StringComparer.Ordinal).ThenBy(a => KubeFields.String(a["targetRef"], "uid"), StringComparer.Ordinal))
        {
            array.Add(address.DeepClone());
        }

        return array;
    }

    private static string AddressKey(JsonObject address) => KubeFields.String(address, "ip") + "|" + KubeFields.String(address["targetRef"], "uid");

    private static string PortKey(JsonObject port) =>
        (KubeFields.String(port, "name") ?? "") + "|" + KubeFields.Long(port, "port") + "|" + KubeFields.String(port, "protocol") + "|" + KubeFields.String(port, "appProtocol");
}
