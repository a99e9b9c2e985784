namespace Nautilus.Controllers.NodeIpam;

/// <summary>kube-controller-manager's node IPAM flags (--allocate-node-cidrs, --cluster-cidr, --node-cidr-mask-size), with Nautilus' defaults.</summary>
public sealed record NodeIpamOptions
{
    /// <summary>Give every node without spec.podCIDR one from <see cref="ClusterCidr"/>. kube defaults it off; Nautilus' simulated nodes need it.</summary>
    public bool AllocateNodeCidrs { get; init; } = true;

    /// <summary>The IPv4 range pods get their IPs from (kubeadm's and flannel's usual 10.244.0.0/16).</summary>
    public string ClusterCidr { get; init; } = "10.244.0.0/16";

    /// <summary>The prefix length of each node's subnet (kube's IPv4 default 24: 254 pod IPs a node).</summary>
    public int NodeCidrMaskSize { get; init; } = 24;

    /// <summary>Throws <see cref="ArgumentException"/> (kube-controller-manager's message) when the CIDR or mask size cannot work.</summary>
    public void Validate() => _ = new Internal.CidrSet(ClusterCidr, NodeCidrMaskSize);
}
