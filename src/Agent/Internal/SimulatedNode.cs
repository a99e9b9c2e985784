using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Nautilus.Agent.V1;

namespace Nautilus.Agent.Internal;

/// <summary>
/// One simulated node: its identity (name, zone, addresses, pod CIDR) and its pod IP allocator.
/// The allocator is used under the agent's pod lock.
/// </summary>
internal sealed class SimulatedNode
{
    // Host numbers 2..254 of the node's /24: .0 is the network, .1 the bridge, .255 broadcast.
    private const int FirstHost = 2;
    private const int LastHost = 254;

    private readonly bool[] _used = new bool[256];
    private readonly uint _podNetwork;
    private int _next = FirstHost;

    public SimulatedNode(string name, int index, string zone, uint podNetwork, string hostIp)
    {
        Name = name;
        Index = index;
        Zone = zone;
        _podNetwork = podNetwork;
        HostIp = hostIp;
        PodCidr = ToAddress(podNetwork) + "/24";
    }

    public string Name { get; }

    public int Index { get; }

    public string Zone { get; }

    public string HostIp { get; }

    public string PodCidr { get; }

    public int AllocatedIps { get; private set; }

    /// <summary>Builds the nodes an agent simulates from its options.</summary>
    public static List<SimulatedNode> Create(AgentOptions options)
    {
        var (clusterBase, clusterPrefix) = ParseCidr(options.ClusterCidr);
        var (hostBase, hostPrefix) = ParseCidr(options.NodeIpRange);
        if (clusterPrefix > 24)
        {
            throw new ArgumentException($"cluster CIDR {options.ClusterCidr} is smaller than one /24 per node");
        }

        var maxNodes = 1L << (24 - clusterPrefix);
        var maxHosts = (1L << (32 - hostPrefix)) - 3;
        var zones = options.Zones.Count > 0 ? options.Zones : [""];
        var nodes = new List<SimulatedNode>(options.Nodes);
        var i = 0;
        foreach (var name in options.NodeNames())
        {
            var index = options.FirstIndex + i;
            if (index >= maxNodes || index >= maxHosts)
            {
                throw new ArgumentException($"node index {index} does not fit the cluster CIDR {options.ClusterCidr} or node IP range {options.NodeIpRange}");
            }

            var podNetwork = clusterBase + ((uint)index << 8);
            nodes.Add(new SimulatedNode(name, index, zones[index % zones.Count], podNetwork, ToAddress(hostBase + (uint)index + 2)));
            i++;
        }

        return nodes;
    }

    /// <summary>The next free pod IP (round robin, as host-local IPAM hands them out), or null when the range is full.</summary>
    public string? AllocateIp()
    {
        for (var tried = 0; tried <= LastHost - FirstHost; tried++)
        {
            var host = _next;
            _next = _next == LastHost ? FirstHost : _next + 1;
            if (!_used[host])
            {
                _used[host] = true;
                AllocatedIps++;
                return ToAddress(_podNetwork + (uint)host);
            }
        }

        return null;
    }

    /// <summary>Marks an IP a pod already has (found after a restart) as used; false when it is not in this node's range.</summary>
    public bool Reserve(string ip)
    {
        if (!TryHost(ip, out var host))
        {
            return false;
        }

        if (!_used[host])
        {
            _used[host] = true;
            AllocatedIps++;
        }

        return true;
    }

    public void Release(string? ip)
    {
        if (ip is not null && TryHost(ip, out var host) && _used[host])
        {
            _used[host] = false;
            AllocatedIps--;
        }
    }

    /// <summary>What RegisterNodes sends for this node.</summary>
    public NodeRegistration ToRegistration(AgentOptions options, string bootId)
    {
        var registration = new NodeRegistration
        {
            Name = Name,
            PodCidr = PodCidr,
            ProviderId = "nautilus://" + Name,
            KubeletPort = 10250,
            NodeInfo = new NodeInfo
            {
                MachineId = Hex(Name, 16),
                SystemUuid = new Guid(Convert.FromHexString(Hex("uuid/" + Name, 16))).ToString(),
                BootId = bootId,
                KernelVersion = "6.8.0-nautilus",
                OsImage = "Nautilus simulated node",
                ContainerRuntimeVersion = "nautilus://1.0.0",
                KubeletVersion = options.KubeletVersion,
                KubeProxyVersion = "",
                OperatingSystem = "linux",
                Architecture = "amd64",
            },
        };
        registration.Labels.Add("kubernetes.io/hostname", Name);
        registration.Labels.Add("kubernetes.io/os", "linux");
        registration.Labels.Add("kubernetes.io/arch", "amd64");
        registration.Labels.Add("beta.kubernetes.io/os", "linux");
        registration.Labels.Add("beta.kubernetes.io/arch", "amd64");
        registration.Labels.Add("node.kubernetes.io/instance-type", options.InstanceType);
        registration.Labels.Add("topology.kubernetes.io/region", options.Region);
        if (Zone.Length > 0)
        {
            registration.Labels.Add("topology.kubernetes.io/zone", Zone);
        }

        foreach (var role in options.Roles)
        {
            registration.Labels.Add("node-role.kubernetes.io/" + role, "");
        }

        registration.Annotations.Add("nautilus.io/simulated", "true");
        foreach (var resources in (ReadOnlySpan<Google.Protobuf.Collections.MapField<string, string>>)[registration.Capacity, registration.Allocatable])
        {
            resources.Add("cpu", options.Cpu);
            resources.Add("memory", options.Memory);
            resources.Add("pods", options.Pods.ToString(CultureInfo.InvariantCulture));
            resources.Add("ephemeral-storage", options.EphemeralStorage);
        }

        registration.Addresses.Add(new NodeAddress { Type = "InternalIP", Address = HostIp });
        registration.Addresses.Add(new NodeAddress { Type = "Hostname", Address = Name });
        return registration;
    }

    private bool TryHost(string ip, out int host)
    {
        host = 0;
        if (!IPAddress.TryParse(ip, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }

        var value = ToUInt(address);
        if ((value & 0xFFFFFF00u) != _podNetwork)
        {
            return false;
        }

        host = (int)(value & 0xFF);
        return host is >= FirstHost and <= LastHost;
    }

    internal static (uint Base, int Prefix) ParseCidr(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix is < 0 or > 32)
        {
            throw new ArgumentException($"'{cidr}' is not an IPv4 CIDR such as 10.128.0.0/9");
        }

        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (ToUInt(address) & mask, prefix);
    }

    private static uint ToUInt(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    private static string ToAddress(uint value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value >> 24}.{(value >> 16) & 0xFF}.{(value >> 8) & 0xFF}.{value & 0xFF}");

    private static string Hex(string text, int bytes) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, bytes));
}
