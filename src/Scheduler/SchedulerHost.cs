using System.Text.Json.Nodes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Nautilus.Api.V1;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;
using Nautilus.Scheduler.Internal;
using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;
using Nautilus.Scheduler.Internal.Queue;

namespace Nautilus.Scheduler;

/// <summary>
/// Runs the scheduler against an API server, as kube-scheduler does: informers for pods, nodes,
/// namespaces, claims, volumes, services and replica sets feed the cache and the queue; the
/// scheduling loop binds through pods/binding. The same code runs in the server process (over its
/// loopback channel) or on its own (over a channel to the server). An instance also explains decisions (<see cref="ExplainAsync(JsonObject, CancellationToken)"/>)
/// from the live cache while it runs.
/// </summary>
public sealed partial class SchedulerHost
{
    private static readonly ApiResource Namespaces = ApiResource.Namespaces;

    private readonly SchedulerOptions _options;
    private readonly ILoggerFactory _loggers;
    private volatile RunningScheduler? _running;

    /// <summary>What a running scheduler offers to explanations.</summary>
    private sealed record RunningScheduler(SchedulingExplainer Explainer, ClusterEventHandlers Handlers);

    public SchedulerHost(SchedulerOptions options, ILoggerFactory loggers)
    {
        _options = options;
        _loggers = loggers;
    }

    /// <summary>True from the moment the caches are synced until <see cref="RunAsync(CallInvoker, CancellationToken)"/> ends.</summary>
    public bool IsReady => _running is not null;

    /// <summary>Runs over a gRPC channel (or call invoker) to the API server until cancelled.</summary>
    public static Task RunAsync(CallInvoker api, ILoggerFactory loggers, SchedulerOptions options, CancellationToken ct) =>
        new SchedulerHost(options, loggers).RunAsync(api, ct);

    /// <summary>
    /// Runs with an existing client until cancelled. <paramref name="resources"/> serves the
    /// pods/binding create, which <see cref="ApiClient"/> does not expose.
    /// </summary>
    public static Task RunAsync(ApiClient client, Resources.ResourcesClient resources, ILoggerFactory loggers, SchedulerOptions options, CancellationToken ct) =>
        new SchedulerHost(options, loggers).RunAsync(client, resources, ct);

    /// <summary>Runs this instance over a gRPC channel (or call invoker) to the API server until cancelled.</summary>
    public Task RunAsync(CallInvoker api, CancellationToken ct)
    {
        var resources = new Resources.ResourcesClient(api);
        return RunAsync(new ApiClient(resources, new Discovery.DiscoveryClient(api), fieldManager: "kube-scheduler"), resources, ct);
    }

    /// <summary>Runs this instance with an existing client until cancelled.</summary>
    public async Task RunAsync(ApiClient client, Resources.ResourcesClient resources, CancellationToken ct)
    {
        var options = _options;
        var loggers = _loggers;
        var logger = loggers.CreateLogger<SchedulerHost>();
        var time = options.Time;
        var api = new ApiSchedulerClient(client, resources, options.InstanceName, time);
        var profiles = new Dictionary<string, SchedulingFramework>(StringComparer.Ordinal);
        var registry = Registry.InTree();
        var nominator = new Nominator();
        ClusterEventHandlers? handlers = null;
        SchedulingQueue? pending = null;
        using var metrics = new SchedulerMetrics(() => pending?.PendingCounts ?? default);
        var lister = new DeferredLister(() => handlers!);
        foreach (var name in options.Profiles)
        {
            var config = name == "nautilus-scheduler" ? ProfileConfig.NautilusScheduler(name) : ProfileConfig.DefaultScheduler(name);
            config = config.WithPercentageOfNodesToScore(options.PercentageOfNodesToScore);
            profiles[name] = new SchedulingFramework(config, registry, new FrameworkHandle { Api = api, Lister = lister, Time = time, Nominator = nominator, Metrics = metrics });
        }

        var cache = new SchedulerCache(time, options.AssumedPodTtl);
        using var queue = new SchedulingQueue(time, pod => profiles.GetValueOrDefault(pod.SchedulerName), options.PodInitialBackoff, options.PodMaxBackoff, options.PodMaxInUnschedulablePodsDuration);
        pending = queue;
        handlers = new ClusterEventHandlers(cache, queue, profiles.ContainsKey, nominator);

        // The cache keeps its own model of every pod (PodInfo): the informer keeps only the keys.
        var pods = Watch(client, ApiSchedulerClient.Pods, loggers, handlers.PodChanged, cacheObjects: false);
        var nodes = Watch(client, ApiSchedulerClient.Nodes, loggers, handlers.NodeChanged);
        var namespaces = Watch(client, Namespaces, loggers, handlers.NamespaceChanged);
        var claims = Watch(client, ApiSchedulerClient.Claims, loggers, handlers.ClaimChanged);
        var volumes = Watch(client, ApiSchedulerClient.Volumes, loggers, handlers.VolumeChanged);
        var services = Watch(client, ApiSchedulerClient.Services, loggers, handlers.ServiceChanged);
        var replicaSets = Watch(client, ApiSchedulerClient.ReplicaSets, loggers, handlers.ReplicaSetChanged);
        Informer[] informers = [nodes, namespaces, claims, volumes, services, replicaSets, pods];
        var running = new List<Task>();
        foreach (var informer in informers)
        {
            running.Add(informer.RunAsync(ct));
        }

        await using var scheduler = new PodScheduler(cache, queue, profiles, api, time, loggers.CreateLogger<PodScheduler>(), handlers.CurrentPod, options.Parallelism, nominator: nominator, metrics: metrics);
        try
        {
            await Task.WhenAll(nodes.Synced, pods.Synced).WaitAsync(ct).ConfigureAwait(false);
            LogStarted(logger, string.Join(", ", profiles.Keys), cache.NodeCount);
            _running = new RunningScheduler(new SchedulingExplainer(cache, profiles), handlers);
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
        finally
        {
            _running = null;
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>
    /// Where <paramref name="pod"/> (a Pod object, as it would be created) would go and why, without
    /// binding it: every node's filter verdict, every feasible node's score per plugin, the node
    /// that would be chosen. The shape is documented in protos/nautilus/scheduler/v1/scheduler.proto.
    /// </summary>
    /// <exception cref="SchedulerExplainException">The scheduler is not running (503), or no profile serves the pod's schedulerName (400).</exception>
    public ValueTask<JsonObject> ExplainAsync(JsonObject pod, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ct.ThrowIfCancellationRequested();
        var running = Running();
        var meta = pod["metadata"] as JsonObject;
        if (meta?["namespace"] is not JsonValue ns || ns.GetValueKind() != System.Text.Json.JsonValueKind.String || ns.GetValue<string>().Length == 0)
        {
            // A pod posted without a namespace is explained as if created in "default", as kubectl would create it.
            pod = (JsonObject)pod.DeepClone();
            meta = pod["metadata"] as JsonObject ?? [];
            pod["metadata"] = meta;
            meta["namespace"] = "default";
        }

        PodInfo info;
        try
        {
            info = PodInfo.Parse(pod);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or ArgumentException)
        {
            throw new SchedulerExplainException(400, "BadRequest", "the pod cannot be read: " + e.Message);
        }

        return ValueTask.FromResult(running.Explainer.Explain(info));
    }

    /// <summary>Explains an existing pod, as the scheduler's informer sees it; a bound pod is explained as if it were pending again.</summary>
    /// <exception cref="SchedulerExplainException">The scheduler is not running (503), the pod is unknown (404), or no profile serves its schedulerName (400).</exception>
    public ValueTask<JsonObject> ExplainAsync(string ns, string name, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var running = Running();
        var pod = running.Handlers.Get(ns, name) ?? throw new SchedulerExplainException(404, "NotFound", $"pods \"{name}\" not found");
        return ValueTask.FromResult(running.Explainer.Explain(pod));
    }

    private RunningScheduler Running() =>
        _running ?? throw new SchedulerExplainException(503, "ServiceUnavailable", "the scheduler is not running or has not synced its caches yet");

    private static Informer Watch(ApiClient client, ApiResource resource, ILoggerFactory loggers, Action<string, JsonObject?> handler, bool cacheObjects = true)
    {
        var informer = new Informer(client, resource, loggers.CreateLogger<Informer>(), cacheObjects: cacheObjects);
        informer.Subscribe((key, obj) => handler(key, obj?.ToJsonObject()));
        return informer;
    }

    /// <summary>Plugins are built before the handlers that list for them exist.</summary>
    private sealed class DeferredLister(Func<IClusterLister> target) : IClusterLister
    {
        public Dictionary<string, string>? NamespaceLabels(string ns) => target().NamespaceLabels(ns);

        public IEnumerable<KeyValuePair<string, Dictionary<string, string>>> Namespaces() => target().Namespaces();

        public ClaimInfo? GetClaim(string ns, string name) => target().GetClaim(ns, name);

        public VolumeInfo? GetVolume(string name) => target().GetVolume(name);

        public IEnumerable<Dictionary<string, string>> ServiceSelectors(string ns) => target().ServiceSelectors(ns);

        public Internal.Model.LabelSelector? WorkloadSelector(string ns, Internal.Model.ControllerReference owner) => target().WorkloadSelector(ns, owner);
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Scheduler started with profiles {Profiles} and {Nodes} nodes")]
    private static partial void LogStarted(ILogger logger, string profiles, int nodes);
}
