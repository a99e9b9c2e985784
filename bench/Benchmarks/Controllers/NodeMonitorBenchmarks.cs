using System.Globalization;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Api.V1;
using Nautilus.Bench;
using Nautilus.Client;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.NodeLifecycle;
using Nautilus.Server;
using Nautilus.Server.Hosting;

namespace Nautilus.Benchmarks.Controllers;

/// <summary>
/// One pass of the node lifecycle controller's health monitor (kube's monitorNodeHealth, every
/// 5 s) over 5,000 nodes (Kubernetes' documented limit) that did not change since the last pass:
/// each Ready, its Lease renewed, every heartbeat inside the grace period, so the pass writes
/// nothing. The nodes and Leases are real objects in a server in this process, cached by the
/// controller's informers; the controller's clock is frozen just after they were written.
/// Allocations are the controller's alone (the server is idle during a pass).
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class NodeMonitorBenchmarks
{
    private const int NodeCount = 5_000;

    private string _directory = null!;
    private NautilusServer _server = null!;
    private Grpc.Net.Client.GrpcChannel _channel = null!;
    private CancellationTokenSource _stop = null!;
    private Task _informers = Task.CompletedTask;
    private NodeLifecycleController _controller = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "nautilus-bench-" + Guid.NewGuid().ToString("N")[..12]);
        _server = await NautilusServer.StartAsync(new ServerOptions
        {
            Address = "127.0.0.1",
            Port = 0,
            DataDirectory = _directory,
            Nodes = 0,
            RunControllers = false,
            RunScheduler = false,
        });
        _channel = ClusterChannel.Create(new ClusterEndpoint(_server.BaseAddress, _server.Credentials.AdminToken, _server.Credentials.CaCertificate));
        var api = new ApiClient(new Resources.ResourcesClient(_channel), new Discovery.DiscoveryClient(_channel));

        var renewTime = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        await Parallel.ForAsync(0, NodeCount, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var name = KubeObjects.NodeName(i);
            await api.CreateAsync(ClusterResources.Nodes, "", (JsonObject)JsonNode.Parse(KubeObjects.NodeJson(name, i))!, ct);
            await api.CreateAsync(ClusterResources.Leases, NodeLifecycleController.LeaseNamespace, Lease(name, renewTime), ct);
        });

        var time = new FrozenTime(DateTimeOffset.UtcNow.AddSeconds(1));
        var informers = new InformerFactory(api, NullLoggerFactory.Instance);
        var nodes = informers.For(ClusterResources.Nodes);
        var leases = informers.For(ClusterResources.Leases);
        var pods = informers.For(WorkloadResources.Pods);
        _controller = new NodeLifecycleController(api, nodes, leases, pods, NullLogger<NodeLifecycleController>.Instance, new NodeLifecycleOptions { TimeProvider = time });
        _stop = new CancellationTokenSource();
        _informers = informers.RunAsync(_stop.Token);
        await Task.WhenAll(nodes.Synced, leases.Synced, pods.Synced);
        if (nodes.Count != NodeCount || leases.Count != NodeCount)
        {
            throw new InvalidOperationException($"informers hold {nodes.Count} nodes and {leases.Count} leases, not {NodeCount}");
        }

        // The first pass registers every node (RegisteredNode, markNodeAsReachable); the measured ones find nothing new.
        await _controller.MonitorNodeHealthAsync(CancellationToken.None);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _stop.CancelAsync();
        try
        {
            await _informers;
        }
        catch (OperationCanceledException)
        {
        }

        _controller.Dispose();
        _channel.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>monitorNodeHealth over 5,000 unchanged, healthy nodes.</summary>
    [Benchmark]
    public Task MonitorPass_5000UnchangedNodes() => _controller.MonitorNodeHealthAsync(CancellationToken.None);

    private static JsonObject Lease(string node, string renewTime) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject { ["name"] = node, ["namespace"] = NodeLifecycleController.LeaseNamespace },
        ["spec"] = new JsonObject { ["holderIdentity"] = node, ["leaseDurationSeconds"] = 40, ["renewTime"] = renewTime },
    };

    /// <summary>A clock that stands still: no heartbeat ages during the run.</summary>
    private sealed class FrozenTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
