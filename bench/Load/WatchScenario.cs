using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Grpc.Core;
using Nautilus.Api.V1;
using Nautilus.Bench;

namespace Nautilus.Load;

/// <summary>
/// Watch fan-out: W watchers on one namespace (REST: one HTTP/1.1 connection each, as client-go
/// opens them; gRPC: streams multiplexed on the scenario's connections), while a writer creates
/// E pods a second in that namespace. Every watcher should receive every ADDED event: reports
/// deliveries, losses and the delay from the create request being sent to each delivery.
/// </summary>
internal static class WatchScenario
{
    private static readonly byte[] NameMarker = "\"name\":\"w-"u8.ToArray();

    public static async Task<ScenarioResult> RunAsync(ServerTarget target, LoadOptions options, ApiClients api, string runId)
    {
        var ns = "watch-" + runId;
        await ApiClients.GrpcCreateAsync(api.Grpc[0], new ResourceRequest { Version = "v1", Resource = "namespaces", Body = ApiClients.Json(KubeObjects.NamespaceJson(ns)) }, null, CancellationToken.None);
        var events = (int)Math.Ceiling(options.EventsPerSecond * options.Duration.TotalSeconds);
        var sent = new long[events];
        var watchers = options.Watchers;
        var delivered = new long[watchers];
        var lags = new List<long>[watchers];
        for (var i = 0; i < watchers; i++)
        {
            lags[i] = new List<long>(events);
        }

        using var stop = new CancellationTokenSource();
        using var watchClient = options.Protocol == Protocol.Rest ? target.CreateRestClient(watchers + 1) : null;
        var started = 0;
        var failures = 0;
        string? firstFailure = null;
        var watchTasks = new Task[watchers];
        for (var w = 0; w < watchers; w++)
        {
            var index = w;
            watchTasks[w] = Task.Run(async () =>
            {
                try
                {
                    if (watchClient is not null)
                    {
                        await WatchRestAsync(watchClient, ns, index, sent, delivered, lags[index], () => Interlocked.Increment(ref started), stop.Token);
                    }
                    else
                    {
                        await WatchGrpcAsync(api.Grpc[index % api.Grpc.Length], ns, index, sent, delivered, lags[index], () => Interlocked.Increment(ref started), stop.Token);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException || (e is RpcException r && r.StatusCode == StatusCode.Cancelled) || stop.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, e.GetType().Name + ": " + e.Message, null);
                }
            });
        }

        var deadline = Stopwatch.StartNew();
        while (Volatile.Read(ref started) + Volatile.Read(ref failures) < watchers && deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            Progress.Write($"  watch: {Volatile.Read(ref started),6:N0}/{watchers:N0} watchers started");
            await Task.Delay(200);
        }

        Progress.Write($"  watch: {Volatile.Read(ref started),6:N0}/{watchers:N0} watchers started in {deadline.Elapsed.TotalSeconds:0.0} s");
        Progress.Done();

        // The writer: E creates a second, on schedule.
        var cpuBefore = await Runner.ServerCpuSecondsAsync(target);
        var writer = new Worker(0);
        var start = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / (double)options.EventsPerSecond;
        var writes = new List<Task>();
        for (var e = 0; e < events; e++)
        {
            var due = start + (long)(e * interval);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            var name = "w-" + e.ToString(CultureInfo.InvariantCulture);
            var request = ApiClients.PodRequest(ns);
            request.Body = ApiClients.Json(KubeObjects.PodJson(ns, name, KubeObjects.NodeName(e % options.Nodes), e));
            Volatile.Write(ref sent[e], Stopwatch.GetTimestamp());
            writes.Add(ApiClients.GrpcCreateAsync(api.Grpc[0], request, writer, CancellationToken.None).AsTask());
            var total = delivered.Sum();
            Progress.Write($"  watch: {e + 1,6:N0}/{events:N0} events written, {total,10:N0} delivered");
        }

        await Task.WhenAll(writes);
        var expected = (long)events * Volatile.Read(ref started);
        var drain = Stopwatch.StartNew();
        while (delivered.Sum() < expected && drain.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        var elapsed = TimeSpan.FromSeconds((double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency);
        Progress.Write($"  watch: {events:N0} events written, {delivered.Sum():N0}/{expected:N0} delivered in {elapsed.TotalSeconds:0.0} s");
        Progress.Done();
        var cpuAfter = await Runner.ServerCpuSecondsAsync(target);
        await stop.CancelAsync();
        await Task.WhenAll(watchTasks);

        var all = lags.SelectMany(l => l).ToArray();
        Array.Sort(all);
        var deliveredTotal = delivered.Sum();
        return new ScenarioResult
        {
            Scenario = "watch",
            Target = target.Name,
            Protocol = options.Protocol.ToString().ToLowerInvariant(),
            Connections = options.Protocol == Protocol.Rest ? watchers : options.Connections,
            Concurrency = watchers,
            Rate = options.EventsPerSecond,
            Requests = deliveredTotal,
            Errors = Math.Max(0, expected - deliveredTotal) + failures,
            Seconds = elapsed.TotalSeconds,
            RequestsPerSecond = deliveredTotal / elapsed.TotalSeconds,
            P50 = Runner.Percentile(all, 0.50),
            P90 = Runner.Percentile(all, 0.90),
            P99 = Runner.Percentile(all, 0.99),
            P999 = Runner.Percentile(all, 0.999),
            Max = all.Length == 0 ? 0 : Runner.Milliseconds(all[^1]),
            FirstError = firstFailure ?? writer.LastError,
            ServerCpuMsPerRequest = cpuBefore is { } before && cpuAfter is { } after && deliveredTotal > 0 ? (after - before) * 1000 / deliveredTotal : null,
            Extra = new Dictionary<string, double>
            {
                ["watchers"] = watchers,
                ["watchers_started"] = Volatile.Read(ref started),
                ["events_written"] = events,
                ["deliveries_expected"] = expected,
                ["deliveries"] = deliveredTotal,
                ["lost"] = Math.Max(0, expected - deliveredTotal),
                ["watchers_failed"] = failures,
            },
        };
    }

    private static async Task WatchRestAsync(HttpClient client, string ns, int index, long[] sent, long[] delivered, List<long> lags, Action started, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/v1/namespaces/{ns}/pods?watch=true&allowWatchBookmarks=true", UriKind.Relative));
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        started();
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[256 * 1024];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
            if (read == 0)
            {
                return;
            }

            filled += read;
            var consumed = 0;
            int newline;
            while ((newline = buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n')) >= 0)
            {
                Deliver(buffer.AsSpan(consumed, newline), index, sent, delivered, lags);
                consumed += newline + 1;
            }

            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
        }
    }

    private static async Task WatchGrpcAsync(Resources.ResourcesClient client, string ns, int index, long[] sent, long[] delivered, List<long> lags, Action started, CancellationToken ct)
    {
        var request = ApiClients.PodRequest(ns);
        request.Watch = "true";
        request.AllowWatchBookmarks = "true";
        using var call = client.List(request, cancellationToken: ct);
        await call.ResponseHeadersAsync;
        started();
        while (await call.ResponseStream.MoveNext(ct))
        {
            Deliver(call.ResponseStream.Current.Data.Span, index, sent, delivered, lags);
        }
    }

    /// <summary>An ADDED event of pod w-N: one delivery of event N, late by now - sent[N].</summary>
    private static void Deliver(ReadOnlySpan<byte> line, int watcher, long[] sent, long[] delivered, List<long> lags)
    {
        if (!line.StartsWith("{\"type\":\"ADDED\""u8))
        {
            return;
        }

        var at = line.IndexOf(NameMarker);
        if (at < 0 || !Utf8Parser.TryParse(line[(at + NameMarker.Length)..], out int sequence, out _) || sequence < 0 || sequence >= sent.Length)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        var sentAt = Volatile.Read(ref sent[sequence]);
        Interlocked.Increment(ref delivered[watcher]);
        if (sentAt != 0)
        {
            lags.Add(now - sentAt);
        }
    }
}
