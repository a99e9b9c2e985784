using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Nautilus.Benchmarks.Scheduler;
using Nautilus.Controllers.Client;
using Nautilus.Server;
using Nautilus.Server.Composition;
using Nautilus.Server.Hosting;

namespace Nautilus.SchedulerLoad;

/// <summary>
/// scheduler_perf through the API: a real server in this process on a free loopback port (fresh
/// data directory, durable store, in-process scheduler over its loopback channel); the workload's
/// nodes and init pods are created and bound, then the measured pods are created as fast as the
/// API takes them (<see cref="Concurrency"/> requests in flight over native gRPC) while a pod watch
/// notes when each is bound. Reports pods/s from the first create to the last binding, and each
/// pod's create-to-bound latency (queueing included, as kube's pod_scheduling_sli_duration).
/// </summary>
internal static class ApiLoad
{
    private const int Concurrency = 64;
    private static readonly ApiResource Pods = new("", "v1", "pods", "Pod", true);
    private static readonly ApiResource Nodes = new("", "v1", "nodes", "Node", false);
    private static readonly ApiResource Namespaces = new("", "v1", "namespaces", "Namespace", false);

    public static async Task<SchedulingRunResult> RunAsync(SchedulerPerfWorkload workload, TextWriter log)
    {
        var root = Path.Combine(Path.GetTempPath(), "nautilus-schedulerload-" + Guid.NewGuid().ToString("N"));
        var server = await NautilusServer.StartAsync(new ServerOptions { Address = "127.0.0.1", Port = 0, DataDirectory = root, Nodes = 0 });
        try
        {
            using var channel = LoopbackChannel.Create(server.BaseAddress, server.Credentials);
            var resources = new Nautilus.Api.V1.Resources.ResourcesClient(channel);
            var client = new ApiClient(resources, new Nautilus.Api.V1.Discovery.DiscoveryClient(channel));
            using var stop = new CancellationTokenSource();

            foreach (var ns in new[] { SchedulerPerfWorkload.Namespace(false), SchedulerPerfWorkload.Namespace(true) })
            {
                await client.CreateAsync(Namespaces, "", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
            }

            var sw = Stopwatch.StartNew();
            await ForEachAsync(workload.Nodes, async i =>
            {
                var node = workload.Node(i);
                var status = node["status"]!.DeepClone();
                var created = await client.CreateAsync(Nodes, "", node);
                created["status"] = status;
                await client.UpdateAsync(Nodes, "", created["metadata"]!["name"]!.GetValue<string>(), created, "status");
            });
            log.WriteLine($"  {workload.Nodes} nodes created in {sw.ElapsedMilliseconds} ms");

            var bound = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            var (_, rv) = await client.ListAsync(Pods);
            var watch = Task.Run(async () =>
            {
                try
                {
                    await foreach (var e in client.WatchAsync(Pods, null, rv, ct: stop.Token))
                    {
                        if (e.Object["spec"]?["nodeName"] is JsonValue { } node && node.GetValue<string>().Length > 0)
                        {
                            var meta = e.Object["metadata"]!;
                            bound.TryAdd(meta["namespace"]!.GetValue<string>() + "/" + meta["name"]!.GetValue<string>(), Stopwatch.GetTimestamp());
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });

            sw.Restart();
            await ForEachAsync(workload.InitPods, async i => await client.CreateAsync(Pods, SchedulerPerfWorkload.Namespace(false), workload.InitPod(i)));
            await WaitAsync(() => bound.Count >= workload.InitPods, TimeSpan.FromMinutes(5));
            log.WriteLine($"  {workload.InitPods} init pods created and bound in {sw.ElapsedMilliseconds} ms");

            var created = new long[workload.MeasurePods];
            var start = Stopwatch.GetTimestamp();
            await ForEachAsync(workload.MeasurePods, async i =>
            {
                created[i] = Stopwatch.GetTimestamp();
                await client.CreateAsync(Pods, SchedulerPerfWorkload.Namespace(true), workload.MeasurePod(i));
            });
            log.WriteLine($"  {workload.MeasurePods} pods created in {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0} ms");
            var all = workload.InitPods + workload.MeasurePods;
            await WaitAsync(() => bound.Count >= all, TimeSpan.FromMinutes(10));
            await stop.CancelAsync();
            await watch;

            var latencies = new double[workload.MeasurePods];
            long last = start;
            for (var i = 0; i < workload.MeasurePods; i++)
            {
                var at = bound[SchedulerPerfWorkload.Namespace(true) + "/pod-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)];
                latencies[i] = Stopwatch.GetElapsedTime(created[i], at).TotalMicroseconds;
                last = Math.Max(last, at);
            }

            return SchedulingRunResult.From(workload.Name, workload.Nodes, workload.MeasurePods, workload.MeasurePods, Stopwatch.GetElapsedTime(start, last), latencies);
        }
        finally
        {
            await server.DisposeAsync();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static Task ForEachAsync(int count, Func<int, Task> body) =>
        Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) => await body(i));

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException("pods were not all bound within " + timeout);
            }

            await Task.Delay(20);
        }
    }
}
