using Nautilus.Controllers.Client;

namespace Nautilus.Controllers.Machinery;

/// <summary>The resources the endpoints, node lifecycle and taint eviction controllers watch (shared informers key on these).</summary>
public static class ClusterResources
{
    public static readonly ApiResource Pods = new("", "v1", "pods", "Pod", true);

    public static readonly ApiResource Services = new("", "v1", "services", "Service", true);

    public static readonly ApiResource Endpoints = new("", "v1", "endpoints", "Endpoints", true);

    public static readonly ApiResource EndpointSlices = new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true);

    public static readonly ApiResource Nodes = new("", "v1", "nodes", "Node", false);

    public static readonly ApiResource Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true);
}
