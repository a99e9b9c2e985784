using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Nautilus.Agent.V1;

namespace Nautilus.Agent.Internal;

/// <summary>
/// Answers the server's log requests with a simulated container's output: the lines so far
/// (tailLines, sinceSeconds, limitBytes applied) and, with follow, each new line as the container
/// writes it until it stops or the server ends the call (the reader went away). Errors are the
/// ones kubelet gives: a container not started yet, no previous container.
/// </summary>
internal sealed class LogResponder(V1.NodeAgent.NodeAgentClient client, AgentPods pods, AgentOptions options, TimeProvider time, ILogger logger)
{
    private readonly TaskTracker _running = new();

    public void Start(LogRequest request, CancellationToken ct) => _running.Track(ServeAsync(request, ct));

    public Task WhenAllStopped() => _running.WhenAll();

    private readonly record struct Source(SimulatedLog? Log, int ErrorCode, string ErrorMessage, bool Running);

    private async Task ServeAsync(LogRequest request, CancellationToken ct)
    {
        try
        {
            using var call = client.SendLogs(cancellationToken: ct);
            var source = Find(request);
            if (source.Log is null)
            {
                await call.RequestStream.WriteAsync(new LogChunk { RequestId = request.RequestId, ErrorCode = source.ErrorCode, ErrorMessage = source.ErrorMessage }, ct).ConfigureAwait(false);
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                await call.ResponseAsync.ConfigureAwait(false);
                return;
            }

            var log = source.Log;
            var now = time.GetUtcNow();
            var (first, end) = log.History(now, request.TailLines >= 0 ? request.TailLines : null, request.SinceSeconds >= 0 ? request.SinceSeconds : null);
            var budget = request.LimitBytes >= 0 ? request.LimitBytes : long.MaxValue;
            var data = Limit(log.Render(first, end, request.Timestamps), ref budget);
            await call.RequestStream.WriteAsync(new LogChunk { RequestId = request.RequestId, Data = ByteString.CopyFrom(data) }, ct).ConfigureAwait(false);

            var running = source.Running;
            while (request.Follow && running && budget > 0 && !call.ResponseAsync.IsCompleted)
            {
                var wait = log.TimeOf(end) - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    // The server answering SendLogs means the reader is gone.
                    await Task.WhenAny(Task.Delay(wait, time, ct), call.ResponseAsync).ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();
                    if (call.ResponseAsync.IsCompleted)
                    {
                        break;
                    }
                }

                var current = Find(request);
                running = current.Running;
                if (current.Log is null || current.Log.StartedAt != log.StartedAt)
                {
                    // A new instance started: the one followed has exited, and following ends with it, as kubelet's does.
                    break;
                }

                log = current.Log;

                var next = log.LinesAt(time.GetUtcNow());
                if (next > end)
                {
                    var chunk = Limit(log.Render(end, next, request.Timestamps), ref budget);
                    await call.RequestStream.WriteAsync(new LogChunk { RequestId = request.RequestId, Data = ByteString.CopyFrom(chunk) }, ct).ConfigureAwait(false);
                    end = next;
                }
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Cancelled or StatusCode.Unavailable)
        {
            // The server ended the call: the reader went away or the server stopped.
        }
        catch (InvalidOperationException)
        {
            // Writing after the server completed the call.
        }
        catch (Exception e) when (Retry.IsTransient(e))
        {
            AgentLog.LogRequestFailed(logger, request.RequestId, request.Namespace, request.Pod, e);
        }
    }

    private Source Find(LogRequest request) => pods.Read(request.Namespace, request.Pod, pod =>
    {
        if (pod is null || (request.PodUid.Length > 0 && pod.Uid != request.PodUid))
        {
            return new Source(null, 404, $"pod \"{request.Namespace}/{request.Pod}\" not found on this node", false);
        }

        var isInit = false;
        ContainerSpec? spec = null;
        foreach (var c in pod.Containers)
        {
            if (c.Name == request.Container)
            {
                spec = c;
            }
        }

        foreach (var c in pod.InitContainers)
        {
            if (c.Name == request.Container)
            {
                spec = c;
                isInit = true;
            }
        }

        if (spec is not { } container)
        {
            return new Source(null, 400, $"container {request.Container} is not valid for pod {request.Pod}", false);
        }

        var image = PodStatuses.NormalizeImage(container.Image);
        if (request.Previous)
        {
            // kubelet reads lastState.terminated: the instance before the last restart.
            return isInit || pod.Last is not { } last
                ? new Source(null, 400, $"previous terminated container \"{container.Name}\" in pod \"{request.Pod}\" not found", false)
                : new Source(new SimulatedLog(request.Pod, container.Name, image, last.StartedAt, last.FinishedAt, options.LogInterval), 0, "", false);
        }

        if (isInit)
        {
            return (pod.InitFinishedAt ?? pod.StartedAt) is { } initEnd
                ? new Source(new SimulatedLog(request.Pod, container.Name, container.Image, pod.StartTime, initEnd, options.LogInterval), 0, "", false)
                : new Source(null, 400, $"container \"{container.Name}\" in pod \"{request.Pod}\" is waiting to start: PodInitializing", false);
        }

        if (pod.State == PodState.BackOff && pod.Last is { } exited)
        {
            // Waiting to restart: kubelet serves the exited instance (lastState.terminated).
            return new Source(new SimulatedLog(request.Pod, container.Name, image, exited.StartedAt, exited.FinishedAt, options.LogInterval), 0, "", false);
        }

        if (pod.StartedAt is not { } startedAt)
        {
            return new Source(null, 400, $"container \"{container.Name}\" in pod \"{request.Pod}\" is waiting to start: ContainerCreating", false);
        }

        var running = pod.State is PodState.Running or PodState.Stopping;
        var finishedAt = running ? (DateTimeOffset?)null : pod.FinishedAt;
        return new Source(new SimulatedLog(request.Pod, container.Name, image, startedAt, finishedAt, options.LogInterval), 0, "", running);
    });

    private static byte[] Limit(byte[] data, ref long budget)
    {
        if (data.Length > budget)
        {
            data = data.AsSpan(0, (int)budget).ToArray();
        }

        budget -= data.Length;
        return data;
    }
}

/// <summary>Background tasks that must be awaited on shutdown.</summary>
internal sealed class TaskTracker
{
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _tasks = [];

    public void Track(Task task)
    {
        lock (_gate)
        {
            _tasks.Add(task);
        }

        task.ContinueWith(t =>
        {
            lock (_gate)
            {
                _tasks.Remove(t);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public Task WhenAll()
    {
        lock (_gate)
        {
            return Task.WhenAll(_tasks);
        }
    }
}
