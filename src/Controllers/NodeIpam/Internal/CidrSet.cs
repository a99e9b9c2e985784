using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Nautilus.Controllers.NodeIpam.Internal;

/// <summary>
/// The node subnets of one IPv4 cluster CIDR, as kube's cidrset hands them out: subnet i is the
/// i-th block of the node mask size; allocation takes the next free one round-robin from the last
/// allocated (so a released subnet is not handed out again at once), occupy marks one a node
/// already has. Not thread-safe: the controller holds a lock.
/// </summary>
internal sealed class CidrSet
{
    private const string Exhausted = "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range";

    private readonly uint _base;
    private readonly int _clusterPrefix;
    private readonly int _nodePrefix;
    private readonly bool[] _used;
    private int _next;

    public CidrSet(string clusterCidr, int nodeMaskSize)
    {
        (_base, _clusterPrefix) = Parse(clusterCidr);
        if (nodeMaskSize < _clusterPrefix || nodeMaskSize > 32)
        {
            throw new ArgumentException("New CIDR set failed; the node CIDR size is too big");
        }

        if (nodeMaskSize - _clusterPrefix > 24)
        {
            throw new ArgumentException($"the node mask size {nodeMaskSize} makes more than 2^24 subnets of {clusterCidr}");
        }

        _nodePrefix = nodeMaskSize;
        _used = new bool[1 << (nodeMaskSize - _clusterPrefix)];
    }

    public int Capacity => _used.Length;

    public int Allocated { get; private set; }

    /// <summary>The next free subnet, or an error once every subnet is taken.</summary>
    public string AllocateNext()
    {
        for (var tried = 0; tried < _used.Length; tried++)
        {
            var candidate = (_next + tried) % _used.Length;
            if (!_used[candidate])
            {
                _used[candidate] = true;
                Allocated++;
                _next = (candidate + 1) % _used.Length;
                return Format(candidate);
            }
        }

        throw new InvalidOperationException(Exhausted);
    }

    /// <summary>Marks a subnet a node already has as taken; false when it is not one of this set's (another range, another size).</summary>
    public bool Occupy(string cidr)
    {
        if (!TryIndex(cidr, out var index))
        {
            return false;
        }

        if (!_used[index])
        {
            _used[index] = true;
            Allocated++;
        }

        return true;
    }

    public void Release(string cidr)
    {
        if (TryIndex(cidr, out var index) && _used[index])
        {
            _used[index] = false;
            Allocated--;
        }
    }

    private bool TryIndex(string cidr, out int index)
    {
        index = 0;
        uint address;
        int prefix;
        try
        {
            (address, prefix) = Parse(cidr);
        }
        catch (ArgumentException)
        {
            return false;
        }

        var clusterMask = _clusterPrefix == 0 ? 0u : uint.MaxValue << (32 - _clusterPrefix);
        if (prefix != _nodePrefix || (address & clusterMask) != _base)
        {
            return false;
        }

        index = (int)((address - _base) >> (32 - _nodePrefix));
        return true;
    }

    private string Format(int index)
    {
        var value = _base + (uint)((ulong)index << (32 - _nodePrefix));
        return string.Create(CultureInfo.InvariantCulture, $"{value >> 24}.{(value >> 16) & 0xFF}.{(value >> 8) & 0xFF}.{value & 0xFF}/{_nodePrefix}");
    }

    /// <summary>An IPv4 CIDR, its address masked to the prefix.</summary>
    internal static (uint Base, int Prefix) Parse(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
        {
            throw new ArgumentException($"invalid CIDR address: {cidr}");
        }

        var bytes = address.GetAddressBytes();
        var value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (value & mask, prefix);
    }
}
