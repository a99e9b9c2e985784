using System.Text.Json.Nodes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Nautilus.Agent.V1;

namespace Nautilus.Agent.Internal;

/// <summary>
/// One WatchPods stream for all the nodes of the process. It keeps the resourceVersion of the
/// last event it applied and resumes from it after a failure, so no pod is lost or seen twice; when
/// the server no longer has that version (OUT_OF_RANGE) it starts over with the current set, and
/// pods missing from that set are forgotten. Why one stream and not one per node: the server
/// serves it with one watcher and one HTTP/2 stream, where 5,000 per-node streams would hold 5,000
/// of each on both sides for the same events (a single-node agent still gets the per-node index).
/// </summary>
internal sealed class PodStream(
    V1.NodeAgent.NodeAgentClient client,
    IReadOnlyList<string> nodeNames,
    AgentPods pods,
    Action<LogRequest> onLogRequest,
    TimeProvider time,
    ILogger logger)
{
    private string _resourceVersion = "";

    /// <summary>The resourceVersion the stream would resume from.</summary>
    public string ResourceVersion => _resourceVersion;

    public async Task RunAsync(CancellationToken ct)
    {
        var retry = Retry.Create(time, e => AgentLog.StreamFailed(logger, e));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await retry.ExecuteAsync(ConnectAsync, ct).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.OutOfRange)
            {
                AgentLog.StreamExpired(logger, _resourceVersion);
                _resourceVersion = "";
            }
        }
    }

    /// <summary>
    /// One connection. Throws (and is retried with backoff) when it fails before delivering
    /// anything; a stream that worked and then ended returns, so the next one starts without delay.
    /// </summary>
    private async ValueTask ConnectAsync(CancellationToken ct)
    {
        var request = new WatchPodsRequest { ResourceVersion = _resourceVersion };
        request.NodeNames.AddRange(nodeNames);
        if (_resourceVersion.Length == 0)
        {
            pods.BeginInitialSet();
        }

        using var call = client.WatchPods(request, cancellationToken: ct);
        var delivered = false;
        try
        {
            while (await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
            {
                if (!delivered)
                {
                    delivered = true;
                    AgentLog.StreamConnected(logger, nodeNames.Count, request.ResourceVersion);
                }

                Apply(call.ResponseStream.Current);
            }

            if (!delivered)
            {
                throw new IOException("the pod stream ended before delivering anything");
            }
        }
        catch (Exception e) when (delivered && Retry.IsTransient(e) && !ct.IsCancellationRequested)
        {
            AgentLog.StreamFailed(logger, e);
        }
    }

    private void Apply(WatchPodsResponse message)
    {
        switch (message.EventCase)
        {
            case WatchPodsResponse.EventOneofCase.Pod:
                var e = message.Pod;
                if (JsonNode.Parse(e.Pod.Span) is JsonObject pod)
                {
                    if (e.Type == PodEvent.Types.Type.Deleted)
                    {
                        pods.Delete(pod);
                    }
                    else
                    {
                        pods.Upsert(pod);
                    }
                }

                // The initial set's events carry each pod's own version, not the set's: the
                // stream can resume only after the closing bookmark.
                if (!e.Initial)
                {
                    _resourceVersion = e.ResourceVersion;
                }

                break;
            case WatchPodsResponse.EventOneofCase.Bookmark:
                if (message.Bookmark.InitialEventsEnd)
                {
                    pods.EndInitialSet();
                }

                _resourceVersion = message.Bookmark.ResourceVersion;
                break;
            case WatchPodsResponse.EventOneofCase.LogRequest:
                onLogRequest(message.LogRequest);
                break;
        }
    }
}
