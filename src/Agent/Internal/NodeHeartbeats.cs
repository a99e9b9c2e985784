using Microsoft.Extensions.Logging;
using Nautilus.Agent.V1;

namespace Nautilus.Agent.Internal;

/// <summary>
/// Registers the nodes, then keeps them alive: each node's Lease is renewed every
/// LeaseRenewInterval and its status re-posted every NodeStatusReportInterval, the nodes spread
/// evenly over the interval and sent in batches, so 5,000 nodes make a steady 500 renewals a
/// second in a few calls, not a burst every 10 s. After the server was unreachable the nodes
/// register again first (the server may have lost them). Until every node has its pod CIDR
/// (assigned by the control plane's node IPAM controller) the nodes that lack one are asked for
/// on every tick, as kubelet waits for spec.podCIDR on its Node.
/// </summary>
internal sealed class NodeHeartbeats(
    V1.NodeAgent.NodeAgentClient client,
    IReadOnlyList<SimulatedNode> nodes,
    AgentPods pods,
    AgentOptions options,
    TimeProvider time,
    ILogger logger)
{
    private readonly string _bootId = Guid.NewGuid().ToString();
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _allCidrsKnown;

    /// <summary>Completes once every node has been registered.</summary>
    public Task Registered => _registered.Task;

    /// <summary>Lease renewals sent and acknowledged since start.</summary>
    public long Renewals { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var retry = Retry.Create(time, e => AgentLog.RegistrationFailed(logger, e));
        await retry.ExecuteAsync(RegisterAllAsync, ct).ConfigureAwait(false);
        AgentLog.Registered(logger, nodes.Count);
        _registered.TrySetResult();

        var n = nodes.Count;
        var start = time.GetUtcNow();
        var nextLease = new DateTimeOffset[n];
        var nextStatus = new DateTimeOffset[n];
        for (var i = 0; i < n; i++)
        {
            // The first renewal is immediate (the Lease must exist); the next ones spread out.
            nextLease[i] = start;
            nextStatus[i] = start + options.NodeStatusReportInterval * ((i + 1.0) / n);
        }

        var tick = options.LeaseRenewInterval / 5 < TimeSpan.FromSeconds(1) ? options.LeaseRenewInterval / 5 : TimeSpan.FromSeconds(1);
        using var timer = new PeriodicTimer(tick, time);
        var first = true;
        var mustRegister = false;
        do
        {
            try
            {
                if (mustRegister)
                {
                    await RegisterAllAsync(ct).ConfigureAwait(false);
                    mustRegister = false;
                }

                await LearnPodCidrsAsync(ct).ConfigureAwait(false);
                await RenewDueAsync(nextLease, first, ct).ConfigureAwait(false);
                first = false;
                await ReportDueStatusAsync(nextStatus, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (Retry.IsTransient(e) && !ct.IsCancellationRequested)
            {
                AgentLog.LeaseRenewalFailed(logger, e);
                mustRegister = true;
            }
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    private async ValueTask RegisterAllAsync(CancellationToken ct)
    {
        for (var offset = 0; offset < nodes.Count; offset += options.BatchSize)
        {
            var request = new RegisterNodesRequest();
            for (var i = offset; i < nodes.Count && i < offset + options.BatchSize; i++)
            {
                request.Nodes.Add(nodes[i].ToRegistration(options, _bootId));
            }

            var response = await client.RegisterNodesAsync(request, cancellationToken: ct).ConfigureAwait(false);
            for (var i = 0; i < response.Results.Count; i++)
            {
                if (response.Results[i].Code >= 300)
                {
                    AgentLog.ItemFailed(logger, request.Nodes[i].Name, "registration", response.Results[i].Code, response.Results[i].Message);
                    throw new IOException($"node {request.Nodes[i].Name} was not registered: {response.Results[i].Message}");
                }
            }
        }
    }

    private async Task LearnPodCidrsAsync(CancellationToken ct)
    {
        if (_allCidrsKnown)
        {
            return;
        }

        var missing = new List<SimulatedNode>();
        foreach (var node in nodes)
        {
            if (node.PodCidr is null)
            {
                missing.Add(node);
            }
        }

        for (var offset = 0; offset < missing.Count; offset += options.BatchSize)
        {
            var request = new GetPodCidrsRequest();
            var count = Math.Min(options.BatchSize, missing.Count - offset);
            for (var j = 0; j < count; j++)
            {
                request.NodeNames.Add(missing[offset + j].Name);
            }

            var response = await client.GetPodCidrsAsync(request, cancellationToken: ct).ConfigureAwait(false);
            for (var j = 0; j < count && j < response.Nodes.Count; j++)
            {
                foreach (var cidr in response.Nodes[j].PodCidrs)
                {
                    if (!cidr.Contains(':', StringComparison.Ordinal))
                    {
                        pods.AssignPodCidr(missing[offset + j], cidr);
                        break;
                    }
                }
            }
        }

        _allCidrsKnown = nodes.All(n => n.PodCidr is not null);
    }

    private async Task RenewDueAsync(DateTimeOffset[] next, bool first, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var interval = options.LeaseRenewInterval;
        var due = Due(next, now);
        for (var offset = 0; offset < due.Count; offset += options.BatchSize)
        {
            var request = new RenewLeasesRequest();
            var count = Math.Min(options.BatchSize, due.Count - offset);
            for (var j = 0; j < count; j++)
            {
                request.Leases.Add(new LeaseRenewal { NodeName = nodes[due[offset + j]].Name, LeaseDurationSeconds = options.LeaseDurationSeconds });
            }

            var response = await client.RenewLeasesAsync(request, cancellationToken: ct).ConfigureAwait(false);
            for (var j = 0; j < count; j++)
            {
                var i = due[offset + j];
                var result = response.Results[j];
                if (result.Code >= 300)
                {
                    AgentLog.ItemFailed(logger, nodes[i].Name, "lease renewal", result.Code, result.Message);
                    continue;
                }

                Renewals++;
                next[i] = first
                    ? now + interval * ((i + 1.0) / nodes.Count)
                    : (next[i] + interval > now ? next[i] + interval : now + interval);
            }
        }
    }

    private async Task ReportDueStatusAsync(DateTimeOffset[] next, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = Due(next, now);
        for (var offset = 0; offset < due.Count; offset += options.BatchSize)
        {
            var request = new RegisterNodesRequest();
            var count = Math.Min(options.BatchSize, due.Count - offset);
            for (var j = 0; j < count; j++)
            {
                request.Nodes.Add(nodes[due[offset + j]].ToRegistration(options, _bootId));
            }

            var response = await client.RegisterNodesAsync(request, cancellationToken: ct).ConfigureAwait(false);
            for (var j = 0; j < count; j++)
            {
                if (response.Results[j].Code < 300)
                {
                    next[due[offset + j]] = now + options.NodeStatusReportInterval;
                }
            }
        }
    }

    private static List<int> Due(DateTimeOffset[] next, DateTimeOffset now)
    {
        var due = new List<int>();
        for (var i = 0; i < next.Length; i++)
        {
            if (next[i] <= now)
            {
                due.Add(i);
            }
        }

        return due;
    }
}
