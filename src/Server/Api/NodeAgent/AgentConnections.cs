using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Nautilus.Agent.V1;

namespace Nautilus.Server.Api.NodeAgent;

/// <summary>
/// The node agents connected right now: which pod stream serves each node (so a log request for
/// a pod reaches the agent running it), and the log requests waiting for their agent's answer.
/// A newer stream for a node replaces an older one (the agent reconnected).
/// </summary>
public sealed class AgentConnections
{
    private readonly ConcurrentDictionary<string, AgentStream> _byNode = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LogSession> _logSessions = new(StringComparer.Ordinal);

    /// <summary>Number of nodes with a connected agent.</summary>
    public int ConnectedNodes => _byNode.Count;

    /// <summary>Registers the stream serving <paramref name="nodes"/>; dispose the result when the stream ends.</summary>
    public AgentStream Attach(IReadOnlyCollection<string> nodes, IServerStreamWriter<WatchPodsResponse> writer)
    {
        var stream = new AgentStream(this, nodes, writer);
        foreach (var node in nodes)
        {
            _byNode[node] = stream;
        }

        return stream;
    }

    public bool TryGet(string node, out AgentStream stream) => _byNode.TryGetValue(node, out stream!);

    internal void Detach(AgentStream stream)
    {
        foreach (var node in stream.Nodes)
        {
            _byNode.TryRemove(new KeyValuePair<string, AgentStream>(node, stream));
        }
    }

    /// <summary>A log request about to be sent to an agent; the agent's SendLogs call finds it by id.</summary>
    internal LogSession OpenLogSession()
    {
        var session = new LogSession(Guid.NewGuid().ToString("N"), this);
        _logSessions[session.Id] = session;
        return session;
    }

    internal bool TryTakeLogSession(string id, out LogSession session) => _logSessions.TryRemove(id, out session!);

    internal void Forget(LogSession session) => _logSessions.TryRemove(new KeyValuePair<string, LogSession>(session.Id, session));
}

/// <summary>One agent's WatchPods stream. Writes are serialized: pod events and log requests share it.</summary>
public sealed class AgentStream(AgentConnections owner, IReadOnlyCollection<string> nodes, IServerStreamWriter<WatchPodsResponse> writer) : IDisposable
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public IReadOnlyCollection<string> Nodes => nodes;

    public async Task WriteAsync(WatchPodsResponse message, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await writer.WriteAsync(message, ct).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Dispose()
    {
        owner.Detach(this);
        _writeGate.Dispose();
    }
}

/// <summary>
/// One log request between the reader (PodLogs) and the agent's SendLogs call. The agent's first
/// chunk says whether it can serve the request; the data that follows flows through a small
/// bounded channel, so a slow reader slows the agent down instead of buffering without limit.
/// </summary>
internal sealed class LogSession(string id, AgentConnections owner) : IDisposable
{
    private readonly CancellationTokenSource _readerGone = new();

    public string Id => id;

    public TaskCompletionSource<LogChunk> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Channel<ReadOnlyMemory<byte>> Data { get; } = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });

    /// <summary>Fires when the reader no longer wants data: the SendLogs call then ends.</summary>
    public CancellationToken ReaderGone => _readerGone.Token;

    public void Dispose()
    {
        owner.Forget(this);
        // Not disposed: a SendLogs call may still be linking to the token; cancelling is enough.
        _readerGone.Cancel();
        Data.Writer.TryComplete();
    }
}
