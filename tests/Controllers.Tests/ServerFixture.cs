using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Api.V1;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Deployments;
using Nautilus.Controllers.Events;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.ReplicaSets;
using Nautilus.Server;
using Nautilus.Server.Hosting;

namespace Nautilus.Controllers.Tests;

/// <summary>
/// One Nautilus server on a free loopback port with a fresh data directory, the workload
/// controllers (ReplicaSet, Deployment, their informers and Events) running against it over a
/// native gRPC channel, and real clients: kubectl, the official Kubernetes client and the
/// controllers' <see cref="ApiClient"/>. Adapted from the E2E tests' fixture.
/// </summary>
public sealed class ServerFixture : IAsyncDisposable
{
    /// <summary>
    /// The server runs as the API server alone (no in-process controller manager or scheduler), so
    /// each test runs exactly the controllers it is about: the fixture runs the ReplicaSet and
    /// Deployment controllers, other tests start theirs; two of each would fight over the same objects.
    /// </summary>
    public static readonly bool ServerRunsWorkloadControllers = false;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly string _root;
    private readonly string _kubectlCacheDirectory;
    private readonly GrpcChannel _channel;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lazy<Kubernetes> _client;
    private Task _controllers = Task.CompletedTask;

    private ServerFixture(NautilusServer server, string root)
    {
        Server = server;
        _root = root;
        _kubectlCacheDirectory = Path.Combine(root, "kubectl-cache");
        _channel = CreateGrpcChannel(server);
        Api = new ApiClient(new Resources.ResourcesClient(_channel), new Discovery.DiscoveryClient(_channel));
        _client = new Lazy<Kubernetes>(() => new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath)));
    }

    public NautilusServer Server { get; }

    public string KubeconfigPath => Server.KubeconfigPath;

    /// <summary>The controllers' API client, over the fixture's gRPC channel.</summary>
    public ApiClient Api { get; }

    /// <summary>The official Kubernetes client, configured from the server's kubeconfig.</summary>
    public Kubernetes Client => _client.Value;

    /// <summary>The ReplicaSet controller the fixture runs (null when the server runs its own).</summary>
    public ReplicaSetController? ReplicaSetController { get; private set; }

    public static async Task<ServerFixture> StartAsync(CancellationToken cancellationToken = default)
    {
        var root = Path.Combine(Path.GetTempPath(), "nautilus-controllers-" + Guid.NewGuid().ToString("N"));
        var options = new ServerOptions
        {
            Address = "127.0.0.1",
            Port = 0,
            DataDirectory = Path.Combine(root, "data"),
            Nodes = 0,
            RunControllers = ServerRunsWorkloadControllers,
            RunScheduler = false,
        };
        NautilusServer server;
        try
        {
            server = await NautilusServer.StartAsync(options, cancellationToken);
        }
        catch
        {
            DeleteDirectory(root);
            throw;
        }

        var fixture = new ServerFixture(server, root);
        if (!ServerRunsWorkloadControllers)
        {
            fixture.StartWorkloadControllers();
        }

        return fixture;
    }

    /// <summary>Wires the controllers exactly as ControllerManager is to: shared informers, one event broadcaster.</summary>
    private void StartWorkloadControllers()
    {
        ILoggerFactory loggers = NullLoggerFactory.Instance;
        var informers = new InformerFactory(Api, loggers);
        var pods = informers.For(WorkloadResources.Pods);
        var replicaSets = informers.For(WorkloadResources.ReplicaSets);
        var deployments = informers.For(WorkloadResources.Deployments);
        var events = new EventBroadcaster(Api, loggers.CreateLogger<EventBroadcaster>());
        var replicaSetController = new ReplicaSetController(Api, replicaSets, pods, events.NewRecorder(ReplicaSetController.ComponentName), loggers.CreateLogger<ReplicaSetController>());
        var deploymentController = new DeploymentController(Api, deployments, replicaSets, pods, events.NewRecorder(DeploymentController.ComponentName), loggers.CreateLogger<DeploymentController>());
        replicaSetController.Start();
        deploymentController.Start();
        ReplicaSetController = replicaSetController;

        var ct = _stopping.Token;
        _controllers = Task.WhenAll(
            informers.RunAsync(ct),
            events.RunAsync(ct),
            replicaSetController.RunAsync(ct),
            deploymentController.RunAsync(ct));
    }

    /// <summary>Runs the machine's kubectl against this server (<c>--kubeconfig</c> is added).</summary>
    public Task<KubectlResult> Kubectl(params string[] args) =>
        Nautilus.Testing.Kubectl.RunAsync("kubectl", KubeconfigPath, _kubectlCacheDirectory, args);

    /// <summary>A fresh namespace for one test.</summary>
    public async Task<string> CreateNamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
        await Api.CreateAsync(ApiResource.Namespaces, "", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } });
        return name;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test at the deadline.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string>? because = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed >= timeout)
            {
                Assert.Fail($"Condition not met within {timeout.TotalSeconds:0.###} s: {because?.Invoke() ?? "(no description)"}");
            }

            await Task.Delay(PollInterval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _controllers;
        }
        catch (OperationCanceledException)
        {
        }

        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        _channel.Dispose();
        _stopping.Dispose();
        await Server.DisposeAsync();
        DeleteDirectory(_root);
    }

    private static GrpcChannel CreateGrpcChannel(NautilusServer server)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            SslOptions =
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { server.Credentials.CaCertificate },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        string authorization = "Bearer " + server.Credentials.AdminToken;
        var token = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("Authorization", authorization);
            return Task.CompletedTask;
        });
        return GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
            Credentials = ChannelCredentials.Create(ChannelCredentials.SecureSsl, token),
        });
    }

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
