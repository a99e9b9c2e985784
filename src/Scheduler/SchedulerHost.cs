using Grpc.Core;
using Microsoft.Extensions.Logging;
using Nautilus.Api.V1;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;
using Nautilus.Scheduler.Internal;
using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Queue;

namespace Nautilus.Scheduler;

/// <summary>
/// Runs the scheduler against an API server, as kube-scheduler does: informers for pods, nodes,
/// namespaces, claims and volumes feed the cache and the queue; the scheduling loop binds through
/// pods/binding. The same code runs in the server process (over its loopback channel) or on its
/// own (over a channel to the server). Runs until cancelled.
/// </summary>
public sealed partial class SchedulerHost
{
    private static readonly ApiResource Namespaces = ApiResource.Namespaces;

    /// <summary>Runs over a gRPC channel (or call invoker) to the API server.</summary>
    public static Task RunAsync(CallInvoker api, ILoggerFactory loggers, SchedulerOptions options, CancellationToken ct)
    {
        var resources = new Resources.ResourcesClient(api);
        return RunAsync(new ApiClient(resources, new Discovery.DiscoveryClient(api)), resources, loggers, options, ct);
    }

    /// <summary>
    /// Runs with an existing client. <paramref name="resources"/> serves the pods/binding create,
    /// which <see cref="ApiClient"/> does not expose.
    /// </summary>
    public static async Task RunAsync(ApiClient client, Resources.ResourcesClient resources, ILoggerFactory loggers, SchedulerOptions options, CancellationToken ct)
    {
        var logger = loggers.CreateLogger<SchedulerHost>();
        var time = options.Time;
        var api = new ApiSchedulerClient(client, resources, options.InstanceName, time);
        var profiles = new Dictionary<string, SchedulingFramework>(StringComparer.Ordinal);
        var registry = Registry.InTree();
        ClusterEventHandlers? handlers = null;
        var lister = new DeferredLister(() => handlers!);
        foreach (var name in options.Profiles)
        {
            var config = name == "nautilus-scheduler" ? ProfileConfig.NautilusScheduler(name) : ProfileConfig.DefaultScheduler(name);
            config = new ProfileConfig { SchedulerName = config.SchedulerName, Plugins = config.Plugins, PercentageOfNodesToScore = options.PercentageOfNodesToScore };
            profiles[name] = new SchedulingFramework(config, registry, new FrameworkHandle { Api = api, Lister = lister, Time = time });
        }

        var cache = new SchedulerCache(time, options.AssumedPodTtl);
        using var queue = new SchedulingQueue(time, pod => profiles.GetValueOrDefault(pod.SchedulerName), options.PodInitialBackoff, options.PodMaxBackoff, options.PodMaxInUnschedulablePodsDuration);
        handlers = new ClusterEventHandlers(cache, queue, profiles.ContainsKey);

        var pods = Watch(client, ApiSchedulerClient.Pods, loggers, handlers.PodChanged);
        var nodes = Watch(client, ApiSchedulerClient.Nodes, loggers, handlers.NodeChanged);
        var namespaces = Watch(client, Namespaces, loggers, handlers.NamespaceChanged);
        var claims = Watch(client, ApiSchedulerClient.Claims, loggers, handlers.ClaimChanged);
        var volumes = Watch(client, ApiSchedulerClient.Volumes, loggers, handlers.VolumeChanged);
        Informer[] informers = [nodes, namespaces, claims, volumes, pods];
        var running = new List<Task>();
        foreach (var informer in informers)
        {
            running.Add(informer.RunAsync(ct));
        }

        await using var scheduler = new PodScheduler(cache, queue, profiles, api, time, loggers.CreateLogger<PodScheduler>(), handlers.CurrentPod, options.Parallelism);
        try
        {
            await Task.WhenAll(nodes.Synced, pods.Synced).WaitAsync(ct).ConfigureAwait(false);
            LogStarted(logger, string.Join(", ", profiles.Keys), cache.NodeCount);
            using var backoffFlush = time.CreateTimer(_ => queue.FlushBackoffCompleted(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            using var unschedulableFlush = time.CreateTimer(_ => queue.FlushUnschedulableLeftover(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
            using var assumedCleanup = time.CreateTimer(_ => cache.CleanupExpiredAssumedPods(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            await using (ct.Register(queue.Close))
            {
                await scheduler.RunAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private static Informer Watch(ApiClient client, ApiResource resource, ILoggerFactory loggers, Action<string, System.Text.Json.Nodes.JsonObject?> handler)
    {
        var informer = new Informer(client, resource, loggers.CreateLogger<Informer>());
        informer.Subscribe(key => handler(key, informer.TryGet(key, out var obj) ? obj : null));
        return informer;
    }

    /// <summary>Plugins are built before the handlers that list for them exist.</summary>
    private sealed class DeferredLister(Func<IClusterLister> target) : IClusterLister
    {
        public Dictionary<string, string>? NamespaceLabels(string ns) => target().NamespaceLabels(ns);

        public IEnumerable<KeyValuePair<string, Dictionary<string, string>>> Namespaces() => target().Namespaces();

        public ClaimInfo? GetClaim(string ns, string name) => target().GetClaim(ns, name);

        public VolumeInfo? GetVolume(string name) => target().GetVolume(name);
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Scheduler started with profiles {Profiles} and {Nodes} nodes")]
    private static partial void LogStarted(ILogger logger, string profiles, int nodes);
}
