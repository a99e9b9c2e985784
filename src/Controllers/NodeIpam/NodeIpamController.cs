using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Events;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.NodeIpam.Internal;

namespace Nautilus.Controllers.NodeIpam;

/// <summary>
/// kube-controller-manager's node IPAM controller with the RangeAllocator: every Node without
/// spec.podCIDR gets the next free subnet of the cluster CIDR, written to spec.podCIDR and
/// spec.podCIDRs; a deleted Node's subnet is free again. Before the first allocation the subnets
/// of every existing Node are marked taken (the informer has listed them all before workers
/// start), so a restarted control plane never hands out a subnet twice. Node agents learn their
/// subnet from the Node, as kubelet does, and give their pods IPs from it.
/// </summary>
public sealed partial class NodeIpamController : Controller
{
    private readonly ApiClient _client;
    private readonly Informer _nodes;
    private readonly EventRecorder? _events;
    private readonly CidrSet _cidrs;
    private readonly bool _allocate;
    private readonly Lock _gate = new();

    // The subnet this controller holds for each node: allocated (maybe not yet seen on the Node) or
    // occupied. Allocation happens under the lock, the patches outside it, several at once (kube
    // runs 30 CIDR update workers): a burst of 5,000 registrations is not written one by one.
    private readonly Dictionary<string, string> _byNode = new(StringComparer.Ordinal);
    private bool _occupied;

    public NodeIpamController(ApiClient client, Informer nodes, ILogger<NodeIpamController> logger, NodeIpamOptions? options = null, EventRecorder? events = null)
        : base("node-ipam-controller", logger, workers: 4)
    {
        options ??= new NodeIpamOptions();
        _client = client;
        _nodes = nodes;
        _events = events;
        _cidrs = new CidrSet(options.ClusterCidr, options.NodeCidrMaskSize);
        _allocate = options.AllocateNodeCidrs;
    }

    protected override IEnumerable<Informer> Informers => [_nodes];

    /// <summary>Subnets handed out or found on Nodes.</summary>
    public int AllocatedCidrs
    {
        get
        {
            lock (_gate)
            {
                return _cidrs.Allocated;
            }
        }
    }

    /// <summary>Starts watching Nodes; with --allocate-node-cidrs off the controller stays idle.</summary>
    public void Start()
    {
        if (_allocate)
        {
            _nodes.Subscribe(Queue.Add);
        }
    }

    protected override async Task<TimeSpan?> ReconcileAsync(string key, CancellationToken ct)
    {
        string cidr;
        lock (_gate)
        {
            OccupyExisting();
            if (!_nodes.TryGet(key, out var node))
            {
                // Deleted: its subnet goes back to the set.
                if (_byNode.Remove(key, out var released))
                {
                    _cidrs.Release(released);
                    RequeueNodesWithoutCidr();
                }

                return null;
            }

            if (PodCidr(node) is { } existing)
            {
                if (_byNode.TryGetValue(key, out var held) && held != existing)
                {
                    _cidrs.Release(held);
                }

                _byNode[key] = existing;
                _cidrs.Occupy(existing);
                return null;
            }

            if (!_byNode.TryGetValue(key, out var allocated))
            {
                try
                {
                    allocated = _cidrs.AllocateNext();
                }
                catch (InvalidOperationException e)
                {
                    _events?.Event(InvolvedObject.For(node, "v1", "Node"), EventRecorder.Normal, "CIDRNotAvailable", $"Node {key} status is now: CIDRNotAvailable");
                    LogAllocationFailed(Logger, key, e.Message);
                    return TimeSpan.FromSeconds(30);
                }

                _byNode[key] = allocated;
            }

            cidr = allocated;
        }

        // A patch of spec alone, as kube's PatchNodeCIDRs sends it.
        var patch = new JsonObject { ["spec"] = new JsonObject { ["podCIDR"] = cidr, ["podCIDRs"] = new JsonArray(cidr) } };
        try
        {
            await _client.PatchAsync(ClusterResources.Nodes, "", key, "application/merge-patch+json", patch, ct: ct).ConfigureAwait(false);
            LogAllocated(Logger, key, cidr);
        }
        catch (ApiStatusException e) when (e.Code == 404)
        {
            // Gone meanwhile: the delete event releases the subnet.
        }

        return null;
    }

    /// <summary>A subnet came free: nodes still waiting for one (the range was full) try again now.</summary>
    private void RequeueNodesWithoutCidr()
    {
        foreach (var node in _nodes.List())
        {
            if (PodCidr(node) is null)
            {
                Queue.Add(KubeObject.Name(node));
            }
        }
    }

    /// <summary>Once, before the first allocation: the subnets every listed Node already has are taken.</summary>
    private void OccupyExisting()
    {
        if (_occupied)
        {
            return;
        }

        foreach (var node in _nodes.List())
        {
            if (PodCidr(node) is { } cidr && _cidrs.Occupy(cidr))
            {
                _byNode[KubeObject.Name(node)] = cidr;
            }
        }

        _occupied = true;
    }

    private static string? PodCidr(JsonObject node)
    {
        var spec = node["spec"] as JsonObject;
        if (KubeObject.String(spec, "podCIDR") is { Length: > 0 } cidr)
        {
            return cidr;
        }

        return (spec?["podCIDRs"] as JsonArray)?.FirstOrDefault() is JsonValue first && first.TryGetValue<string>(out var fromList) && fromList.Length > 0 ? fromList : null;
    }

    [LoggerMessage(EventId = 2900, Level = LogLevel.Information, Message = "Set node {Node} PodCIDR to {Cidr}")]
    private static partial void LogAllocated(ILogger logger, string node, string cidr);

    [LoggerMessage(EventId = 2901, Level = LogLevel.Warning, Message = "Failed to allocate a pod CIDR for node {Node}: {Error}")]
    private static partial void LogAllocationFailed(ILogger logger, string node, string error);
}
