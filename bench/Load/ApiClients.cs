using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Api;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Nautilus.Api.V1;
using Nautilus.Bench;

namespace Nautilus.Load;

/// <summary>The seeded cluster's shape: pod i lives in namespace i % namespaces on node i % nodes.</summary>
internal sealed record ClusterShape(int Pods, int Nodes, int Namespaces)
{
    public (string Namespace, string Name, string Node) Pod(int index) => KubeObjects.Placement(index, Namespaces, Nodes);
}

/// <summary>REST and native gRPC clients on a fixed number of connections, with the requests the scenarios send.</summary>
internal sealed class ApiClients : IDisposable
{
    /// <summary>kubectl's Accept header for get/list (a Table, falling back to JSON).</summary>
    public const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private static readonly byte[] ContinueMarker = "\"continue\":\""u8.ToArray();

    private readonly GrpcChannel[] _channels;

    public ApiClients(ServerTarget target, int connections)
    {
        Rest = target.CreateRestClient(connections);
        _channels = new GrpcChannel[connections];
        Grpc = new Resources.ResourcesClient[connections];
        for (var i = 0; i < connections; i++)
        {
            _channels[i] = target.CreateGrpcChannel();
            Grpc[i] = new Resources.ResourcesClient(_channels[i]);
        }
    }

    public HttpClient Rest { get; }

    public Resources.ResourcesClient[] Grpc { get; }

    public Resources.ResourcesClient GrpcFor(Worker worker) => Grpc[worker.Index % Grpc.Length];

    public static ResourceRequest PodRequest(string ns, string name = "", string subresource = "") =>
        new() { Version = "v1", Namespace = ns, Resource = "pods", Name = name, Subresource = subresource };

    public static HttpBody Json(byte[] json) => new() { ContentType = "application/json", Data = UnsafeByteOperations.UnsafeWrap(json) };

    /// <summary>Sends a request and reads the whole answer; the first bytes (the list metadata) are kept in the worker's buffer.</summary>
    public async ValueTask<(bool Ok, int Prefix)> SendAsync(HttpRequestMessage request, Worker worker, CancellationToken ct)
    {
        using var response = await Rest.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = worker.Buffer;
        var prefix = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(prefix < 4096 ? prefix : 4096), ct).ConfigureAwait(false)) > 0)
        {
            worker.Bytes += read;
            if (prefix < 4096)
            {
                prefix += read;
            }
        }

        if (!response.IsSuccessStatusCode)
        {
            worker.LastError ??= $"{(int)response.StatusCode} {request.Method} {request.RequestUri}: {Encoding.UTF8.GetString(buffer, 0, Math.Min(prefix, 300))}";
            return (false, Math.Min(prefix, 4096));
        }

        return (true, Math.Min(prefix, 4096));
    }

    public async ValueTask<bool> GetAsync(string path, Worker worker, CancellationToken ct, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (accept is not null)
        {
            request.Headers.Accept.Clear();
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return (await SendAsync(request, worker, ct).ConfigureAwait(false)).Ok;
    }

    /// <summary>A paginated list as kubectl and informers read it: pages of <paramref name="limit"/> until no continue token is left.</summary>
    public async ValueTask<bool> ListAllPagesAsync(string path, int limit, Worker worker, CancellationToken ct, string? accept = null)
    {
        string? token = null;
        do
        {
            var uri = path + (path.Contains('?') ? "&" : "?") + "limit=" + limit.ToString(CultureInfo.InvariantCulture)
                + (token is null ? "" : "&continue=" + Uri.EscapeDataString(token));
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(uri, UriKind.Relative));
            if (accept is not null)
            {
                request.Headers.Accept.Clear();
                request.Headers.TryAddWithoutValidation("Accept", accept);
            }

            var (ok, prefix) = await SendAsync(request, worker, ct).ConfigureAwait(false);
            if (!ok)
            {
                return false;
            }

            token = ContinueToken(worker.Buffer.AsSpan(0, prefix));
        }
        while (token is not null);
        return true;
    }

    /// <summary>The same over native gRPC: one List message per page.</summary>
    public async ValueTask<bool> GrpcListAllPagesAsync(string ns, int limit, Worker worker, CancellationToken ct)
    {
        var client = GrpcFor(worker);
        string? token = null;
        do
        {
            var request = PodRequest(ns);
            request.Limit = limit.ToString(CultureInfo.InvariantCulture);
            request.Continue = token ?? "";
            using var call = client.List(request, cancellationToken: ct);
            token = null;
            while (await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
            {
                var data = call.ResponseStream.Current.Data.Span;
                worker.Bytes += data.Length;
                token = ContinueToken(data[..Math.Min(data.Length, 4096)]);
            }
        }
        while (token is not null);
        return true;
    }

    public async ValueTask<bool> PostAsync(string path, byte[] json, Worker worker, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent(json) };
        return (await SendAsync(request, worker, ct).ConfigureAwait(false)).Ok;
    }

    public async ValueTask<bool> PutAsync(string path, byte[] json, Worker worker, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(path, UriKind.Relative)) { Content = JsonContent(json) };
        return (await SendAsync(request, worker, ct).ConfigureAwait(false)).Ok;
    }

    public async ValueTask<bool> PatchAsync(string path, byte[] json, string contentType, Worker worker, CancellationToken ct)
    {
        var content = new ByteArrayContent(json);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri(path, UriKind.Relative)) { Content = content };
        return (await SendAsync(request, worker, ct).ConfigureAwait(false)).Ok;
    }

    /// <summary>Creates an object over gRPC; true when created or already there (seeding is repeatable).</summary>
    public static async ValueTask<bool> GrpcCreateAsync(Resources.ResourcesClient client, ResourceRequest request, Worker? worker, CancellationToken ct)
    {
        try
        {
            var created = await client.CreateAsync(request, cancellationToken: ct).ConfigureAwait(false);
            if (worker is not null)
            {
                worker.Bytes += created.Data.Length;
            }

            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            return worker is null;
        }
    }

    /// <summary>Creates namespaces, nodes and pods (bound to their nodes) over gRPC, skipping what exists.</summary>
    public async Task SeedAsync(int namespaces, (int From, int To) nodes, (int From, int To) pods, ClusterShape shape, int concurrency = 32)
    {
        for (var i = 0; i < namespaces; i++)
        {
            await GrpcCreateAsync(Grpc[0], new ResourceRequest { Version = "v1", Resource = "namespaces", Body = Json(KubeObjects.NamespaceJson(KubeObjects.Namespace(i))) }, null, CancellationToken.None);
        }

        await ParallelAsync("nodes", nodes.From, nodes.To, concurrency, async (i, client) =>
            await GrpcCreateAsync(client, new ResourceRequest { Version = "v1", Resource = "nodes", Body = Json(KubeObjects.NodeJson(KubeObjects.NodeName(i), i)) }, null, CancellationToken.None));
        await ParallelAsync("pods", pods.From, pods.To, concurrency, async (i, client) =>
        {
            var (ns, name, node) = shape.Pod(i);
            var request = PodRequest(ns);
            request.Body = Json(KubeObjects.PodJson(ns, name, node, i));
            await GrpcCreateAsync(client, request, null, CancellationToken.None);
        });
    }

    private async Task ParallelAsync(string what, int from, int to, int concurrency, Func<int, Resources.ResourcesClient, Task> create)
    {
        if (to <= from)
        {
            return;
        }

        var next = from - 1;
        var done = 0;
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var client = Grpc[w % Grpc.Length];
            int i;
            while ((i = Interlocked.Increment(ref next)) < to)
            {
                await create(i, client);
                Interlocked.Increment(ref done);
            }
        })).ToArray();
        var all = Task.WhenAll(workers);
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(1000));
            var seconds = (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency;
            Progress.Write(string.Create(CultureInfo.InvariantCulture, $"  seeding {what}: {from + Volatile.Read(ref done),9:N0}/{to:N0}  ({Volatile.Read(ref done) / seconds,8:N0}/s)   "));
        }

        await all;
        Progress.Done();
    }

    public static string? ContinueToken(ReadOnlySpan<byte> prefix)
    {
        var at = prefix.IndexOf(ContinueMarker);
        if (at < 0)
        {
            return null;
        }

        var rest = prefix[(at + ContinueMarker.Length)..];
        var end = rest.IndexOf((byte)'"');
        return end <= 0 ? null : Encoding.ASCII.GetString(rest[..end]);
    }

    private static ByteArrayContent JsonContent(byte[] json)
    {
        var content = new ByteArrayContent(json);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return content;
    }

    public void Dispose()
    {
        Rest.Dispose();
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}
