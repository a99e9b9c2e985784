namespace Nautilus.Server.Api.Allocation;

/// <summary>Configuration of <see cref="ServiceAllocator"/> (kube-apiserver's --service-cluster-ip-range and --service-node-port-range).</summary>
public sealed record ServiceAllocatorOptions
{
    /// <summary>The IPv4 range cluster IPs come from. Its network and broadcast addresses are never allocated; its first host
    /// address (10.96.0.1 by default) goes only to a request that names it, as it belongs to the <c>kubernetes</c> service.
    /// Prefix lengths from /12 (kube-apiserver's largest) to /30 are accepted.</summary>
    public string ServiceCidr { get; init; } = "10.96.0.0/12";

    public int NodePortMin { get; init; } = 30000;

    public int NodePortMax { get; init; } = 32767;

    /// <summary>How often <see cref="ServiceAllocator.RunAsync"/> looks for reservations that no stored service took up
    /// (updates that failed after allocating, dry-run updates): kube-apiserver's repair loop.</summary>
    public TimeSpan RepairInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a reservation may wait for its service to appear in the store before repair releases it.</summary>
    public TimeSpan PendingGracePeriod { get; init; } = TimeSpan.FromMinutes(1);
}
