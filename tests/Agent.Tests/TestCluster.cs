using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using k8s;
using Nautilus.Client;
using Nautilus.Server;
using Nautilus.Server.Hosting;

namespace Nautilus.Agent.Tests;

/// <summary>
/// A Nautilus server (by default without in-process nodes) on a loopback port that stays the same across
/// <see cref="RestartServerAsync"/>, with agents started against it on their own gRPC channel, and
/// the clients a user has: kubectl and the Kubernetes client. Disposing it stops every agent and
/// the server, and deletes the data directory.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly string _root;
    private readonly int _port;
    private readonly List<(NodeAgentHost Agent, GrpcChannel Channel)> _agents = [];
    private Kubernetes? _client;

    private readonly int _inProcessNodes;
    private readonly Func<ServerOptions, ServerOptions>? _configure;

    private TestCluster(string root, int port, int inProcessNodes, Func<ServerOptions, ServerOptions>? configure, NautilusServer server)
    {
        _root = root;
        _port = port;
        _inProcessNodes = inProcessNodes;
        _configure = configure;
        Server = server;
    }

    public NautilusServer? Server { get; private set; }

    public string DataDirectory => Path.Combine(_root, "data");

    public string KubeconfigPath => Path.Combine(DataDirectory, KubeconfigWriter.FileName);

    public Kubernetes Client => _client ??= new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    /// <summary>
    /// Starts a server; <paramref name="inProcessNodes"/> is its own --nodes (simulated in the
    /// server process), <paramref name="configure"/> changes its other options (kept across restarts).
    /// </summary>
    public static async Task<TestCluster> StartAsync(int inProcessNodes = 0, Func<ServerOptions, ServerOptions>? configure = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "nautilus-agent-tests-" + Guid.NewGuid().ToString("N"));
        var port = FreePort();
        var server = await NautilusServer.StartAsync(Options(root, port, inProcessNodes, configure));
        return new TestCluster(root, port, inProcessNodes, configure, server);
    }

    /// <summary>Starts an agent; it is stopped with the cluster unless the test stops it first.</summary>
    public NodeAgentHost StartAgent(AgentOptions options)
    {
        var server = Server ?? throw new InvalidOperationException("the server is stopped");
        var channel = ClusterChannel.Create(new ClusterEndpoint(server.BaseAddress, server.Credentials.AdminToken, server.Credentials.CaCertificate));
        var agent = NodeAgentHost.Start(channel, options);
        _agents.Add((agent, channel));
        return agent;
    }

    public async Task StopAgentAsync(NodeAgentHost agent)
    {
        var index = _agents.FindIndex(a => ReferenceEquals(a.Agent, agent));
        var (_, channel) = _agents[index];
        _agents.RemoveAt(index);
        await agent.DisposeAsync();
        channel.Dispose();
    }

    /// <summary>Stops the server and starts it again on the same port and data directory.</summary>
    public async Task RestartServerAsync()
    {
        await StopServerAsync();
        await StartServerAsync();
    }

    public async Task StopServerAsync()
    {
        if (Server is { } server)
        {
            Server = null;
            await server.DisposeAsync();
        }
    }

    public async Task StartServerAsync() => Server = await NautilusServer.StartAsync(Options(_root, _port, _inProcessNodes, _configure));

    public Task<KubectlResult> Kubectl(params string[] args) =>
        Nautilus.Testing.Kubectl.RunAsync("kubectl", KubeconfigPath, Path.Combine(_root, "kubectl-cache"), args);

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test at the deadline.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed >= timeout)
            {
                Assert.Fail($"Condition not met within {timeout.TotalSeconds:0.###} s: {because}");
            }

            await Task.Delay(PollInterval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (agent, channel) in _agents)
        {
            await agent.DisposeAsync();
            channel.Dispose();
        }

        _agents.Clear();
        _client?.Dispose();
        await StopServerAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static ServerOptions Options(string root, int port, int nodes, Func<ServerOptions, ServerOptions>? configure)
    {
        var options = new ServerOptions { Address = "127.0.0.1", Port = port, DataDirectory = Path.Combine(root, "data"), Nodes = nodes };
        return configure is null ? options : configure(options);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
