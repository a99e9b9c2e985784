using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Nautilus.Agent.V1;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Api.NodeAgent;

/// <summary>v1.PodLogOptions as the pods/log endpoint reads them from the query. Null means unset.</summary>
public sealed record PodLogOptions
{
    public string Container { get; init; } = "";

    public bool Follow { get; init; }

    public bool Previous { get; init; }

    public bool Timestamps { get; init; }

    public long? TailLines { get; init; }

    public long? SinceSeconds { get; init; }

    public long? LimitBytes { get; init; }

    /// <summary>Reads the query parameters of GET pods/{name}/log; invalid values are the 400/422 kube-apiserver answers.</summary>
    public static PodLogOptions Parse(string container, string follow, string previous, string timestamps, string tailLines, string sinceSeconds, string limitBytes)
    {
        var options = new PodLogOptions
        {
            Container = container,
            Follow = Bool("follow", follow),
            Previous = Bool("previous", previous),
            Timestamps = Bool("timestamps", timestamps),
            TailLines = Int("tailLines", tailLines),
            SinceSeconds = Int("sinceSeconds", sinceSeconds),
            LimitBytes = Int("limitBytes", limitBytes),
        };
        if (options.TailLines is < 0)
        {
            throw Invalid("tailLines", options.TailLines.Value, "must be greater than or equal to 0");
        }

        if (options.SinceSeconds is < 1)
        {
            throw Invalid("sinceSeconds", options.SinceSeconds.Value, "must be greater than 0");
        }

        if (options.LimitBytes is < 1)
        {
            throw Invalid("limitBytes", options.LimitBytes.Value, "must be greater than 0");
        }

        return options;
    }

    private static bool Bool(string name, string value) => value switch
    {
        "" or "false" or "0" or "False" or "FALSE" or "f" or "F" => false,
        "true" or "1" or "True" or "TRUE" or "t" or "T" => true,
        _ => throw ApiException.BadRequest($"invalid {name}: {value}"),
    };

    private static long? Int(string name, string value) =>
        value.Length == 0 ? null
        : long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
        : throw ApiException.BadRequest($"invalid {name}: {value}");

    private static ApiException Invalid(string field, long value, string detail)
    {
        var message = $"Invalid value: {value.ToString(CultureInfo.InvariantCulture)}: {detail}";
        return new ApiException(422, "Invalid", $"PodLogOptions \"\" is invalid: {field}: {message}", "", "", "PodLogOptions",
            [new StatusCause("FieldValueInvalid", message, field)]);
    }
}

/// <summary>
/// pods/{name}/log: resolves the container as kube-apiserver does, then asks the agent running
/// the pod's node for the log over its WatchPods stream and relays what the agent sends on its
/// SendLogs call. The body is text/plain; with follow it is a stream that lasts until the
/// container stops or the reader goes away.
/// </summary>
public sealed class PodLogs(ResourceHandler handler, AgentConnections connections)
{
    /// <summary>How long an agent has to start answering a log request.</summary>
    public static readonly TimeSpan AgentAnswerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Checks the request and waits for the agent's first answer, so every failure is known
    /// before the response starts. Throws <see cref="ApiException"/> with kube-apiserver's (or
    /// kubelet's) status; dispose the result to stop the stream.
    /// </summary>
    public async Task<PodLogStream> OpenAsync(string ns, string name, PodLogOptions options, CancellationToken ct)
    {
        if (!handler.Registry.TryGet("", "v1", "pods", out var pods))
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        var pod = ObjectCodec.ToTree(await handler.GetAsync(pods, ns, name, ct).ConfigureAwait(false));
        var container = ChooseContainer(pod, name, options.Container);
        var nodeName = KubeJson.GetString(pod["spec"] as JsonObject, "nodeName") ?? "";
        if (nodeName.Length == 0)
        {
            // kube-apiserver has no location for an unscheduled pod and answers an empty log.
            return PodLogStream.Empty;
        }

        if (!connections.TryGet(nodeName, out var agent))
        {
            throw new ApiException(500, "InternalError", $"the node agent of node \"{nodeName}\" is not connected");
        }

        var session = connections.OpenLogSession();
        try
        {
            var request = new LogRequest
            {
                RequestId = session.Id,
                Namespace = ns,
                Pod = name,
                PodUid = KubeJson.GetString(pod["metadata"] as JsonObject, "uid") ?? "",
                Container = container,
                Follow = options.Follow,
                Previous = options.Previous,
                Timestamps = options.Timestamps,
                TailLines = options.TailLines ?? -1,
                SinceSeconds = options.SinceSeconds ?? -1,
                LimitBytes = options.LimitBytes ?? -1,
            };
            await agent.WriteAsync(new WatchPodsResponse { LogRequest = request }, ct).ConfigureAwait(false);
            LogChunk first;
            try
            {
                first = await session.First.Task.WaitAsync(AgentAnswerTimeout, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new ApiException(500, "InternalError", $"the node agent of node \"{nodeName}\" did not answer the log request");
            }

            if (first.ErrorCode != 0)
            {
                throw new ApiException(first.ErrorCode, ReasonFor(first.ErrorCode), first.ErrorMessage);
            }

            return new PodLogStream(session, first.Data.Memory);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The whole log as one body (no follow), for a unary response.</summary>
    public async Task<byte[]> ReadAllAsync(string ns, string name, PodLogOptions options, CancellationToken ct)
    {
        await using var stream = await OpenAsync(ns, name, options with { Follow = false }, ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await foreach (var chunk in stream.ReadAsync(ct).ConfigureAwait(false))
        {
            buffer.Write(chunk.Span);
        }

        return buffer.ToArray();
    }

    /// <summary>kube's validateContainer: the only container when none is named, else a named one of the pod's.</summary>
    internal static string ChooseContainer(JsonObject pod, string podName, string container)
    {
        var spec = pod["spec"] as JsonObject;
        var names = new List<string>();
        foreach (var field in (ReadOnlySpan<string>)["initContainers", "containers", "ephemeralContainers"])
        {
            foreach (var c in spec?[field] as JsonArray ?? [])
            {
                if (KubeJson.GetString(c as JsonObject, "name") is { } n)
                {
                    names.Add(n);
                }
            }
        }

        if (container.Length > 0)
        {
            return names.Contains(container)
                ? container
                : throw ApiException.BadRequest($"container {container} is not valid for pod {podName}");
        }

        var containers = spec?["containers"] as JsonArray ?? [];
        return containers.Count switch
        {
            1 => KubeJson.GetString(containers[0] as JsonObject, "name") ?? "",
            0 => throw ApiException.BadRequest($"a container name must be specified for pod {podName}"),
            _ => throw ApiException.BadRequest($"a container name must be specified for pod {podName}, choose one of: [{string.Join(' ', names)}]"),
        };
    }

    private static string ReasonFor(int code) => code switch
    {
        400 => "BadRequest",
        404 => "NotFound",
        _ => "InternalError",
    };
}

/// <summary>The log bytes of one request, as the agent sends them. Disposing it ends the agent's SendLogs call.</summary>
public sealed class PodLogStream : IAsyncDisposable
{
    public static readonly PodLogStream Empty = new(null, ReadOnlyMemory<byte>.Empty);

    private readonly LogSession? _session;
    private readonly ReadOnlyMemory<byte> _first;

    internal PodLogStream(LogSession? session, ReadOnlyMemory<byte> first)
    {
        _session = session;
        _first = first;
    }

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        if (!_first.IsEmpty)
        {
            yield return _first;
        }

        if (_session is null)
        {
            yield break;
        }

        await foreach (var chunk in _session.Data.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            yield return chunk;
        }
    }

    public ValueTask DisposeAsync()
    {
        _session?.Dispose();
        return ValueTask.CompletedTask;
    }
}
