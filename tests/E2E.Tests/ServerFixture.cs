using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using k8s;
using Nautilus.Server;
using Nautilus.Server.Hosting;

namespace Nautilus.E2E.Tests;

/// <summary>
/// One Nautilus server on a free loopback port with a fresh data directory, and real clients for
/// it: kubectl, the official Kubernetes client, an HttpClient and a gRPC channel, all trusting
/// the cluster CA (and nothing else) and carrying the admin token. A test fixture starts one in
/// <c>[OneTimeSetUp]</c> and disposes it in <c>[OneTimeTearDown]</c>.
/// </summary>
public sealed class ServerFixture : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The temporary root this fixture created and deletes; null when the caller owns the data directory.</summary>
    private readonly string? _ownedRoot;
    private readonly string _kubectlCacheDirectory;
    private readonly Lazy<Kubernetes> _client;
    private readonly Lazy<HttpClient> _httpClient;
    private readonly Lazy<GrpcChannel> _grpcChannel;

    private ServerFixture(NautilusServer server, string dataDirectory, string? ownedRoot, string kubectlCacheDirectory)
    {
        Server = server;
        DataDirectory = dataDirectory;
        _ownedRoot = ownedRoot;
        _kubectlCacheDirectory = kubectlCacheDirectory;
        _client = new Lazy<Kubernetes>(() => new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath)));
        _httpClient = new Lazy<HttpClient>(() => CreateHttpClient(AdminToken));
        _grpcChannel = new Lazy<GrpcChannel>(() => CreateGrpcChannel(AdminToken));
    }

    public NautilusServer Server { get; }

    public string DataDirectory { get; }

    /// <summary>https://127.0.0.1:&lt;port&gt;/</summary>
    public Uri BaseAddress => Server.BaseAddress;

    public string KubeconfigPath => Server.KubeconfigPath;

    public ClusterCredentials Credentials => Server.Credentials;

    public string AdminToken => Server.Credentials.AdminToken;

    /// <summary>The official Kubernetes client, configured from the server's kubeconfig.</summary>
    public Kubernetes Client => _client.Value;

    /// <summary>An HttpClient on <see cref="BaseAddress"/> with the admin token.</summary>
    public HttpClient HttpClient => _httpClient.Value;

    /// <summary>A native gRPC channel (HTTP/2 over TLS, same port) with the admin token.</summary>
    public GrpcChannel GrpcChannel => _grpcChannel.Value;

    /// <summary>
    /// Starts a server on 127.0.0.1, port 0, with no simulated nodes. Without
    /// <paramref name="dataDirectory"/> it uses a fresh temporary directory, deleted on dispose;
    /// with one (to restart on the same state) the directory is left to the caller.
    /// </summary>
    /// <param name="apiServerOnly">Without the in-process scheduler and controllers, as kube-apiserver's integration tests run it: for tests of API semantics that must not race with controllers writing the same objects.</param>
    /// <param name="nodes">Simulated nodes the server runs in process (node agents over native gRPC).</param>
    /// <param name="scheduler">False runs the server as <c>--scheduler=false</c> does, for a scheduler in a process of its own.</param>
    public static async Task<ServerFixture> StartAsync(string? dataDirectory = null, bool apiServerOnly = false, int nodes = 0, bool scheduler = true, CancellationToken cancellationToken = default)
    {
        string? ownedRoot = null;
        if (dataDirectory is null)
        {
            ownedRoot = Path.Combine(Path.GetTempPath(), "nautilus-e2e-" + Guid.NewGuid().ToString("N"));
            dataDirectory = Path.Combine(ownedRoot, "data");
        }

        string kubectlCache = Path.Combine(ownedRoot ?? Path.GetTempPath(), "kubectl-cache-" + Guid.NewGuid().ToString("N"));
        var options = new ServerOptions
        {
            Address = "127.0.0.1",
            Port = 0,
            DataDirectory = dataDirectory,
            Nodes = nodes,
            RunControllers = !apiServerOnly,
            RunScheduler = !apiServerOnly && scheduler,
        };
        try
        {
            NautilusServer server = await NautilusServer.StartAsync(options, cancellationToken);
            return new ServerFixture(server, dataDirectory, ownedRoot, kubectlCache);
        }
        catch
        {
            DeleteDirectory(ownedRoot);
            throw;
        }
    }

    /// <summary>An HttpClient on <see cref="BaseAddress"/> trusting only the cluster CA, with <paramref name="bearerToken"/> if not null.</summary>
    public HttpClient CreateHttpClient(string? bearerToken)
    {
        var client = new HttpClient(CreateHandler(), disposeHandler: true) { BaseAddress = BaseAddress };
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        return client;
    }

    /// <summary>A gRPC channel to the server trusting only the cluster CA, sending <paramref name="bearerToken"/> if not null.</summary>
    public GrpcChannel CreateGrpcChannel(string? bearerToken)
    {
        var options = new GrpcChannelOptions { HttpHandler = CreateHandler(), DisposeHttpClient = true };
        if (bearerToken is not null)
        {
            string authorization = "Bearer " + bearerToken;
            var token = CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("Authorization", authorization);
                return Task.CompletedTask;
            });
            options.Credentials = ChannelCredentials.Create(ChannelCredentials.SecureSsl, token);
        }

        return GrpcChannel.ForAddress(BaseAddress, options);
    }

    /// <summary>Runs the machine's kubectl against this server (<c>--kubeconfig</c> is added).</summary>
    public Task<KubectlResult> Kubectl(params string[] args) => RunKubectl("kubectl", stdin: null, args);

    /// <summary>
    /// Runs one kubectl minor version directly, bypassing the dispatcher on PATH (which runs the
    /// minor matching the server's): the <c>kubectl.1.NN</c> installed beside it, or null when
    /// this machine has no such binary.
    /// </summary>
    public Task<KubectlResult>? KubectlMinor(int minor, params string[] args) =>
        VersionedKubectl(minor) is { } executable ? RunKubectl(executable, stdin: null, args) : null;

    /// <summary>Runs kubectl with <paramref name="stdin"/> on its standard input (for <c>-f -</c>).</summary>
    public Task<KubectlResult> KubectlInput(string stdin, params string[] args) => RunKubectl("kubectl", stdin, args);

    /// <summary>Runs kubectl with <paramref name="environment"/> added to its environment (for <c>EDITOR</c> in <c>kubectl edit</c>).</summary>
    public Task<KubectlResult> KubectlWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunKubectl("kubectl", stdin: null, args, environment);

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; fails the test with
    /// <paramref name="because"/> if it still does not at the deadline. Exceptions from the condition propagate.
    /// </summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string? because = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed >= timeout)
            {
                Assert.Fail($"Condition not met within {timeout.TotalSeconds:0.###} s: {because ?? "(no description)"}");
            }

            await Task.Delay(PollInterval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        if (_httpClient.IsValueCreated)
        {
            _httpClient.Value.Dispose();
        }

        if (_grpcChannel.IsValueCreated)
        {
            _grpcChannel.Value.Dispose();
        }

        await Server.DisposeAsync();
        DeleteDirectory(_ownedRoot ?? _kubectlCacheDirectory);
    }

    private SocketsHttpHandler CreateHandler() => new()
    {
        SslOptions =
        {
            // Standard validation (host name included) with the cluster CA as the only root.
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { Credentials.CaCertificate },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        },
    };

    private static string? VersionedKubectl(int minor)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var dispatcher = new FileInfo(Path.Combine(directory, "kubectl"));
            if (!dispatcher.Exists)
            {
                continue;
            }

            var target = dispatcher.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dispatcher.FullName;
            var versioned = Path.Combine(Path.GetDirectoryName(target)!, "kubectl.1." + minor);
            return File.Exists(versioned) ? versioned : null;
        }

        return null;
    }

    private Task<KubectlResult> RunKubectl(string executable, string? stdin, string[] args, IReadOnlyDictionary<string, string>? environment = null) =>
        Nautilus.Testing.Kubectl.RunAsync(executable, KubeconfigPath, _kubectlCacheDirectory, args, stdin, environment);

    private static void DeleteDirectory(string? path)
    {
        if (path is not null && Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
