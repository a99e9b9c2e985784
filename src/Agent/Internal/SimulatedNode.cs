using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Nautilus.Agent.V1;

namespace Nautilus.Agent.Internal;

/// <summary>
/// One simulated node: its identity (name, zone, addresses) and its pod IP allocator over the pod
/// CIDR the control plane assigned it (spec.podCIDR, from the node IPAM controller). Until that
/// is known the node has no pod IPs, as a kubelet whose network is not ready. The allocator is
/// used under the agent's pod lock.
/// </summary>
internal sealed class SimulatedNode
{
    // Host numbers 2..size-2 of the node's subnet: 0 is the network, 1 the bridge, the last broadcast.
    private const int FirstHost = 2;

    private bool[] _used = [];
    private uint _podNetwork;
    private uint _podMask;
    private int _next = FirstHost;

    // IPs of pods found running (a restarted agent) before the pod CIDR was known.
    private List<string>? _reservedEarly;

    public SimulatedNode(string name, int index, string zone, string hostIp)
    {
        Name = name;
        Index = index;
        Zone = zone;
        HostIp = hostIp;
    }

    public string Name { get; }

    public int Index { get; }

    public string Zone { get; }

    public string HostIp { get; }

    /// <summary>spec.podCIDR once the control plane has assigned it; null before.</summary>
    public string? PodCidr { get; private set; }

    public int AllocatedIps { get; private set; }

    private int LastHost => _used.Length - 2;

    /// <summary>Builds the nodes an agent simulates from its options.</summary>
    public static List<SimulatedNode> Create(AgentOptions options)
    {
        var (hostBase, hostPrefix) = ParseCidr(options.NodeIpRange);
        var maxHosts = (1L << (32 - hostPrefix)) - 3;
        var zones = options.Zones.Count > 0 ? options.Zones : [""];
        var nodes = new List<SimulatedNode>(options.Nodes);
        var i = 0;
        foreach (var name in options.NodeNames())
        {
            var index = options.FirstIndex + i;
            if (index >= maxHosts)
            {
                throw new ArgumentException($"node index {index} does not fit the node IP range {options.NodeIpRange}");
            }

            nodes.Add(new SimulatedNode(name, index, zones[index % zones.Count], ToAddress(hostBase + (uint)index + 2)));
            i++;
        }

        return nodes;
    }

    /// <summary>
    /// Takes the pod CIDR the control plane assigned (the first IPv4 one). Returns true when the
    /// node had none before: its network just became ready. A later different CIDR is ignored, as
    /// kubelet keeps the podCIDR it started pods with.
    /// </summary>
    public bool AssignPodCidr(string cidr)
    {
        if (PodCidr is not null)
        {
            return false;
        }

        var (network, prefix) = ParseCidr(cidr);
        if (prefix > 30)
        {
            throw new ArgumentException($"pod CIDR {cidr} of node {Name} has no room for pods");
        }

        _podNetwork = network;
        _podMask = uint.MaxValue << (32 - prefix);
        _used = new bool[1 << Math.Min(32 - prefix, 16)];
        PodCidr = cidr;
        AllocatedIps = 0;
        foreach (var ip in _reservedEarly ?? [])
        {
            Reserve(ip);
        }

        _reservedEarly = null;
        return true;
    }

    /// <summary>The next free pod IP (round robin, as host-local IPAM hands them out), or null when the range is full or not known yet.</summary>
    public string? AllocateIp()
    {
        if (PodCidr is null)
        {
            return null;
        }

        for (var tried = 0; tried <= LastHost - FirstHost; tried++)
        {
            var host = _next;
            _next = _next >= LastHost ? FirstHost : _next + 1;
            if (!_used[host])
            {
                _used[host] = true;
                AllocatedIps++;
                return ToAddress(_podNetwork + (uint)host);
            }
        }

        return null;
    }

    /// <summary>
    /// Marks an IP a pod already has (found after a restart) as used; false when it is not in this
    /// node's range. Before the range is known the IP is kept and checked once it is.
    /// </summary>
    public bool Reserve(string ip)
    {
        if (PodCidr is null)
        {
            (_reservedEarly ??= []).Add(ip);
            return true;
        }

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
        if (ip is null)
        {
            return;
        }

        if (PodCidr is null)
        {
            _reservedEarly?.Remove(ip);
        }
        else if (TryHost(ip, out var host) && _used[host])
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
        if ((value & _podMask) != _podNetwork || value - _podNetwork >= (uint)_used.Length)
        {
            return false;
        }

        host = (int)(value - _podNetwork);
        return host >= FirstHost && host <= LastHost;
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
