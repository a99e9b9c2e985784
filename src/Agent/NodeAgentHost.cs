using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Agent.Internal;

namespace Nautilus.Agent;

/// <summary>
/// A running agent: the simulated nodes of <see cref="AgentOptions"/> on one gRPC channel. It
/// registers the nodes and renews their Leases, streams the pods bound to them, runs each pod's
/// lifecycle and reports it, answers log requests, and reconnects (resuming its pod stream)
/// whenever the server goes away. Disposing it stops everything: the nodes stop renewing their
/// Leases, as a stopped kubelet does.
/// </summary>
public sealed class NodeAgentHost : IAsyncDisposable
{
    private static readonly TimeSpan ClockTick = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stopping;
    private readonly NodeHeartbeats _heartbeats;
    private readonly PodStream _stream;
    private readonly AgentPods _pods;
    private readonly LogResponder _logs;
    private readonly Task _running;
    private readonly TimeProvider _time;

    private NodeAgentHost(GrpcChannel channel, AgentOptions options, ILoggerFactory loggers, TimeProvider time, CancellationToken stopping)
    {
        _time = time;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var client = new V1.NodeAgent.NodeAgentClient(channel);
        var nodes = SimulatedNode.Create(options);
        var byName = new Dictionary<string, SimulatedNode>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            byName.Add(node.Name, node);
        }

        NodeNames = [.. byName.Keys];
        var defaults = new PodTimings(options.PodStartDelay, options.PodRunDuration, options.PodStopDelay) { RestartBackOff = options.RestartBackOff, MaxRestartBackOff = options.MaxRestartBackOff };
        var queue = new PodReportQueue();
        _pods = new AgentPods(new PodLifecycle(byName, defaults, time), queue);
        var logger = loggers.CreateLogger("Nautilus.Agent");
        _heartbeats = new NodeHeartbeats(client, nodes, _pods, options, time, logger);
        _logs = new LogResponder(client, _pods, options, time, logger);
        var token = _stopping.Token;
        _stream = new PodStream(client, NodeNames, _pods, request => _logs.Start(request, token), time, logger);
        var reporter = new PodReporter(client, queue, options, time, logger);
        _running = Task.WhenAll(
            RunUntilStoppedAsync(_heartbeats.RunAsync, token),
            RunUntilStoppedAsync(_stream.RunAsync, token),
            RunUntilStoppedAsync(reporter.RunAsync, token),
            RunUntilStoppedAsync(RunClockAsync, token));
    }

    /// <summary>The names of the simulated nodes.</summary>
    public IReadOnlyList<string> NodeNames { get; }

    /// <summary>Completes once every node has been registered with the server.</summary>
    public Task Registered => _heartbeats.Registered;

    /// <summary>Pods on this agent's nodes that it is tracking.</summary>
    public int PodCount => _pods.Count;

    /// <summary>Lease renewals acknowledged by the server since start.</summary>
    public long LeaseRenewals => _heartbeats.Renewals;

    /// <summary>The resourceVersion the pod stream resumes from after a reconnect.</summary>
    public string PodStreamResourceVersion => _stream.ResourceVersion;

    /// <summary>
    /// Starts the agent on <paramref name="channel"/> (which the caller keeps owning). It stops
    /// when <paramref name="stopping"/> fires (a host shutting down: its open streams must not
    /// hold the server's graceful shutdown) or when disposed.
    /// </summary>
    public static NodeAgentHost Start(GrpcChannel channel, AgentOptions options, ILoggerFactory? loggers = null, TimeProvider? time = null, CancellationToken stopping = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Nodes < 1)
        {
            throw new ArgumentException("an agent simulates at least one node", nameof(options));
        }

        return new NodeAgentHost(channel, options, loggers ?? NullLoggerFactory.Instance, time ?? TimeProvider.System, stopping);
    }

    /// <summary>Completes when the agent stops: after <see cref="DisposeAsync"/>, or with the error that stopped it.</summary>
    public Task Completion => _running;

    /// <summary>Runs one of the agent's loops; being stopped is its normal end.</summary>
    private static async Task RunUntilStoppedAsync(Func<CancellationToken, Task> loop, CancellationToken ct)
    {
        try
        {
            await Task.Run(() => loop(ct), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException)
        {
        }
    }

    private async Task RunClockAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(ClockTick, _time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            _pods.Advance();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        await _logs.WhenAllStopped().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
