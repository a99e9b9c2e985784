using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Net.Client;
using k8s;
using Nautilus.Server;
using Nautilus.Server.Hosting;

namespace Nautilus.Load;

/// <summary>
/// The server under load and how to reach it: its https URL, the CA that signed its certificate,
/// the bearer token, and (when known) its process, for memory figures. Loopback only.
/// </summary>
internal sealed class ServerTarget : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly NautilusServer? _inProcess;
    private readonly Process? _child;
    private readonly string? _ownedDirectory;

    private ServerTarget(string name, Uri baseAddress, X509Certificate2 ca, string token, int? pid, NautilusServer? inProcess, Process? child, string? ownedDirectory)
    {
        Name = name;
        BaseAddress = baseAddress;
        Ca = ca;
        Token = token;
        Pid = pid;
        _inProcess = inProcess;
        _child = child;
        _ownedDirectory = ownedDirectory;
        if (!IPAddress.TryParse(baseAddress.Host.Trim('[', ']'), out var address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"the load generator drives loopback servers only, not {baseAddress}");
        }
    }

    /// <summary>"nautilus" or "baseline".</summary>
    public string Name { get; }

    public Uri BaseAddress { get; }

    public X509Certificate2 Ca { get; }

    public string Token { get; }

    /// <summary>The server's process id; this process's own when in process; null when unknown.</summary>
    public int? Pid { get; }

    public bool IsInProcess => _inProcess is not null;

    public static async Task<ServerTarget> StartAsync(LoadOptions options, TargetKind kind, string? baselineBody = null)
    {
        switch (kind)
        {
            case TargetKind.InProcess:
            {
                var directory = NewDirectory();
                var serverOptions = ServerOptions.Parse(["--address", "127.0.0.1", "--port", "0", "--nodes", "0", "--data-dir", directory, .. options.ServerArgs])!;
                var server = await NautilusServer.StartAsync(serverOptions);
                return new ServerTarget("nautilus", server.BaseAddress, server.Credentials.CaCertificate, server.Credentials.AdminToken, Environment.ProcessId, server, null, directory);
            }

            case TargetKind.Kubeconfig:
                return FromKubeconfig("nautilus", options.Kubeconfig!, options.ServerPid, null, null);

            case TargetKind.Baseline:
                return await SpawnAsync("baseline", Path.Combine(AppContext.BaseDirectory, "Nautilus.Load.dll"), baselineBody is null ? ["serve-baseline"] : ["serve-baseline", "--body", baselineBody]);

            default:
                return await SpawnAsync("nautilus", Path.Combine(AppContext.BaseDirectory, "nautilus.dll"), ["--address", "127.0.0.1", "--port", "0", "--nodes", "0", .. options.ServerArgs]);
        }
    }

    /// <summary>An HTTP/1.1 client with up to <paramref name="connections"/> keep-alive connections, the bearer token and kubectl's JSON Accept header.</summary>
    public HttpClient CreateRestClient(int connections)
    {
        var client = new HttpClient(CreateHandler(connections), disposeHandler: true)
        {
            BaseAddress = BaseAddress,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromMinutes(5),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        client.DefaultRequestHeaders.UserAgent.ParseAdd("nautilus-load/1.0 (linux/amd64)");
        return client;
    }

    /// <summary>One native gRPC channel on one HTTP/2 connection.</summary>
    public GrpcChannel CreateGrpcChannel()
    {
        var handler = CreateHandler(1);
        handler.EnableMultipleHttp2Connections = false;
        var http = new HttpClient(handler, disposeHandler: true) { DefaultRequestVersion = HttpVersion.Version20, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return GrpcChannel.ForAddress(BaseAddress, new GrpcChannelOptions { HttpClient = http, DisposeHttpClient = true, MaxReceiveMessageSize = null, MaxSendMessageSize = null });
    }

    /// <summary>The server's /metrics exposition.</summary>
    public async Task<string> ScrapeMetricsAsync()
    {
        using var client = CreateRestClient(1);
        return await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    public async ValueTask DisposeAsync()
    {
        if (_inProcess is not null)
        {
            await _inProcess.DisposeAsync();
        }

        if (_child is { HasExited: false })
        {
            _child.Kill(entireProcessTree: true);
            await _child.WaitForExitAsync();
        }

        _child?.Dispose();
        if (_ownedDirectory is not null && Directory.Exists(_ownedDirectory))
        {
            Directory.Delete(_ownedDirectory, recursive: true);
        }
    }

    private SocketsHttpHandler CreateHandler(int connections) => new()
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        SslOptions =
        {
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { Ca },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        },
    };

    private static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "nautilus-load-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Starts a child process that prints "kubeconfig: &lt;path&gt;" once it serves.</summary>
    private static async Task<ServerTarget> SpawnAsync(string name, string assembly, params string[] args)
    {
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{assembly} is missing: build bench/Load first", assembly);
        }

        var directory = NewDirectory();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(directory);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + assembly);
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(StartTimeout);
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(deadline.Token)
                    ?? throw new InvalidOperationException($"{name} exited before serving:\n{errors}");
                if (line.StartsWith("kubeconfig: ", StringComparison.Ordinal))
                {
                    // Keep draining its output so that it never blocks on a full pipe.
                    _ = process.StandardOutput.ReadToEndAsync();
                    return FromKubeconfig(name, line["kubeconfig: ".Length..].Trim(), process.Id, process, directory);
                }
            }
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    private static ServerTarget FromKubeconfig(string name, string path, int? pid, Process? child, string? ownedDirectory)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        var ca = config.SslCaCerts is { Count: > 0 } certs ? certs[0] : throw new InvalidOperationException($"{path} holds no certificate-authority-data");
        var token = config.AccessToken ?? throw new InvalidOperationException($"{path} holds no bearer token");
        var server = new Uri(config.Host.EndsWith('/') ? config.Host : config.Host + "/");
        return new ServerTarget(name, server, ca, token, pid, null, child, ownedDirectory);
    }

    /// <summary>VmRSS of the server process in bytes, or null when its process is unknown.</summary>
    public long? ResidentBytes()
    {
        if (Pid is not { } pid)
        {
            return null;
        }

        foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim()[..^2].Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }
}
