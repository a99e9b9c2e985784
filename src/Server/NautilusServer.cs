using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Grpc.Net.Client;
using Nautilus.Controllers;
using Nautilus.Controllers.Client;
using Nautilus.Scheduler;
using Nautilus.Agent;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Allocation;
using Nautilus.Server.Api.Discovery;
using Nautilus.Server.Api.NodeAgent;
using Nautilus.Server.Api.OpenApi;
using Nautilus.Server.Api.Printing;
using Nautilus.Server.Api.Services;
using Nautilus.Server.Composition;
using Nautilus.Server.Hosting;
using Nautilus.Server.Observability;
using Nautilus.Store;
using Nautilus.Tee;

namespace Nautilus.Server;

/// <summary>
/// The control plane in one process: composes the store, the API machinery and (as they land)
/// the scheduler, controllers and TEE provider behind one TLS port that serves REST (HTTP/1.1)
/// and native gRPC (HTTP/2).
/// </summary>
public sealed class NautilusServer : IAsyncDisposable
{
    private static readonly string[] InitialNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    private static readonly TeeMeasurement SimulatedMeasurement =
        new(System.Security.Cryptography.SHA384.HashData("nautilus simulated platform v1"u8));

    private readonly WebApplication _app;

    private readonly GrpcChannel _loopback;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _controllers;
    private readonly Task _scheduler;
    private readonly NodeAgentHost? _nodes;

    private NautilusServer(WebApplication app, ServerOptions options, Uri baseAddress, string kubeconfigPath, ClusterCredentials credentials)
    {
        _app = app;
        _loopback = LoopbackChannel.Create(baseAddress, credentials);
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var client = new ApiClient(new Nautilus.Api.V1.Resources.ResourcesClient(_loopback), new Nautilus.Api.V1.Discovery.DiscoveryClient(_loopback));
        var manager = new ControllerManager(client, loggers, options.NodeIpam);
        _controllers = options.RunControllers ? Task.Run(() => manager.RunAsync(_stopping.Token)) : Task.CompletedTask;
        _scheduler = options.RunScheduler
            ? Task.Run(() => app.Services.GetRequiredService<SchedulerHost>().RunAsync(_loopback.CreateCallInvoker(), _stopping.Token))
            : Task.CompletedTask;

        _nodes = options.Nodes > 0
            ? NodeAgentHost.Start(_loopback, new AgentOptions { Nodes = options.Nodes }, loggers, stopping: _stopping.Token)
            : null;

        // Components that watch the API over the loopback channel stop first, so Kestrel's
        // graceful shutdown does not wait for their open watches.
        app.Lifetime.ApplicationStopping.Register(_stopping.Cancel);
        BaseAddress = baseAddress;
        KubeconfigPath = kubeconfigPath;
        Credentials = credentials;
    }

    /// <summary>https://address:port/ the server listens on.</summary>
    public Uri BaseAddress { get; }

    public string KubeconfigPath { get; }

    public ClusterCredentials Credentials { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the server: opens the store, binds the port, seeds the initial namespaces and writes the kubeconfig.</summary>
    public static async Task<NautilusServer> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        var credentials = ClusterCredentials.LoadOrCreate(options.DataDirectory, options.Address);

        // No appsettings.json and no file watching: the default content root is the working
        // directory, and reloadable configuration watches that whole tree through inotify — every
        // log write under it (a data directory inside the working directory) then woke a watcher
        // thread, and starting from a large tree added a watch per directory.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 3 * 1024 * 1024;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Listen(IPAddress.Parse(options.Address), options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(credentials.ServingCertificate);
            });
        });

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ServiceAllocator(new ServiceAllocatorOptions(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ServiceAllocator>>()));
        services.AddSingleton(sp => BuiltInResources.CreateRegistry(sp.GetRequiredService<ServiceAllocator>()));
        services.AddHostedService<ServiceAllocatorHost>();
        services.AddHostedService<IdleMemoryTrimmer>();
        services.AddSingleton<ITeeProvider>(sp => new SimulatedTeeProvider(new SimulatedTeeOptions
        {
            DataDirectory = Path.Combine(options.DataDirectory, "tee"),
            // The simulated platform measures a fixed identity, so a rebuilt server still reads its
            // own data; a hardware provider measures the real launch image.
            Measurement = SimulatedMeasurement,
            TimeProvider = sp.GetRequiredService<TimeProvider>(),
        }));
        services.AddNautilusObservability();
        services.AddSingleton<IObjectStore>(sp => new InstrumentedObjectStore(
            new EmbeddedStore(new EmbeddedStoreOptions
            {
                DataDirectory = Path.Combine(options.DataDirectory, "store"),
                TimeProvider = sp.GetRequiredService<TimeProvider>(),
                Sealer = new TeeStorageSealer(sp.GetRequiredService<ITeeProvider>()),
            }),
            sp.GetRequiredService<ApiServerMetrics>(),
            sp.GetRequiredService<ResourceRegistry>()));
        services.AddSingleton<GracefulDeletion>();
        services.AddHostedService(sp => sp.GetRequiredService<GracefulDeletion>());
        services.AddSingleton<ResourceHandler>();
        services.AddSingleton<Subresources>();
        services.AddSingleton<TableConvertor>();
        services.AddSingleton<ListWatch>();
        services.AddNodeAgentApi();
        services.AddSingleton<DiscoveryDocuments>();
        services.AddSingleton(sp => new OpenApiDocuments(sp.GetRequiredService<ResourceRegistry>()));
        services.AddSingleton(sp => new SchedulerHost(new SchedulerOptions(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddGrpc(grpc =>
        {
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<ResourceMetricsInterceptor>();
            grpc.MaxReceiveMessageSize = 3 * 1024 * 1024;
            grpc.MaxSendMessageSize = null;
        }).AddJsonTranscoding();

        var app = builder.Build();
        app.UseBearerTokenAuthentication(credentials.AdminToken);
        app.UseRequestMetrics();
        app.MapGrpcService<ResourcesService>();
        app.MapGrpcService<DiscoveryService>();
        app.MapGrpcService<SchedulerExplainService>();
        app.MapNodeAgentApi();
        app.MapNautilusObservability();

        await SeedNamespacesAsync(app.Services, cancellationToken).ConfigureAwait(false);
        await SeedPriorityClassesAsync(app.Services, cancellationToken).ConfigureAwait(false);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var host = IPAddress.Parse(options.Address).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{options.Address}]" : options.Address;
        var baseAddress = new Uri($"https://{host}:{port}/");
        var kubeconfig = KubeconfigWriter.Write(options.DataDirectory, baseAddress, credentials);
        return new NautilusServer(app, options, baseAddress, kubeconfig, credentials);
    }

    private static async Task SeedNamespacesAsync(IServiceProvider services, CancellationToken ct)
    {
        var handler = services.GetRequiredService<ResourceHandler>();
        handler.Registry.TryGet("", "v1", "namespaces", out var namespaces);
        foreach (var name in InitialNamespaces)
        {
            if (await handler.Store.GetAsync(namespaces.StorageType, new ObjectKey("", name), ct).ConfigureAwait(false) is null)
            {
                var body = Encoding.UTF8.GetBytes($"{{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{{\"name\":\"{name}\"}}}}");
                await handler.CreateAsync(namespaces, "", body, new WriteOptions(), ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The system priority classes, as kube-apiserver's scheduling post-start hook creates them when missing.</summary>
    private static async Task SeedPriorityClassesAsync(IServiceProvider services, CancellationToken ct)
    {
        var handler = services.GetRequiredService<ResourceHandler>();
        handler.Registry.TryGet("scheduling.k8s.io", "v1", "priorityclasses", out var priorityClasses);
        foreach (var system in Api.Strategies.PriorityClassStrategy.SystemClasses)
        {
            if (await handler.Store.GetAsync(priorityClasses.StorageType, new ObjectKey("", system.Name), ct).ConfigureAwait(false) is null)
            {
                var body = new System.Text.Json.Nodes.JsonObject
                {
                    ["apiVersion"] = "scheduling.k8s.io/v1",
                    ["kind"] = "PriorityClass",
                    ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = system.Name },
                    ["value"] = system.Value,
                    ["description"] = system.Description,
                };
                await handler.CreateAsync(priorityClasses, "", Encoding.UTF8.GetBytes(body.ToJsonString()), new WriteOptions { FieldManager = "kube-apiserver" }, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Completes when the host shuts down (Ctrl+C or SIGTERM).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var component in new[] { _controllers, _scheduler })
        {
            try
            {
                await component.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (_nodes is not null)
        {
            await _nodes.DisposeAsync().ConfigureAwait(false);
        }

        _loopback.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
