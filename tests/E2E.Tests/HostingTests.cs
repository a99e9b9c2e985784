using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using k8s;
using Nautilus.Api.V1;

namespace Nautilus.E2E.Tests;

/// <summary>The server's front door: TLS, credentials, kubeconfig and authentication, seen by real clients.</summary>
[TestFixture]
public sealed class HostingTests
{
    /// <summary>kube-apiserver's answer to a request it cannot authenticate, byte for byte.</summary>
    private const string UnauthorizedStatus =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""";

    private ServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task KubectlVersion_PrintsServerVersion()
    {
        string gitVersion = await ServerGitVersion();

        KubectlResult result = await _server.Kubectl("version");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout, Does.Contain($"Server Version: {gitVersion}"));
    }

    [Test]
    public async Task OfficialClient_ReadsServerVersion()
    {
        string gitVersion = await ServerGitVersion();

        var version = await _server.Client.Version.GetCodeAsync();

        Assert.That(version.GitVersion, Is.EqualTo(gitVersion));
    }

    [Test]
    public void Kubeconfig_HoldsServerCaDataAndToken()
    {
        Assert.That(File.Exists(_server.KubeconfigPath), Is.True, _server.KubeconfigPath);

        var config = KubernetesClientConfiguration.LoadKubeConfig(_server.KubeconfigPath);

        Assert.That(config.CurrentContext, Is.EqualTo("nautilus"));
        var cluster = config.Clusters.Single(c => c.Name == "nautilus").ClusterEndpoint;
        Assert.That(new Uri(cluster.Server), Is.EqualTo(_server.BaseAddress));
        string caPem = Encoding.ASCII.GetString(Convert.FromBase64String(cluster.CertificateAuthorityData));
        Assert.That(caPem, Is.EqualTo(_server.Credentials.CaCertificate.ExportCertificatePem()));
        var user = config.Users.Single(u => u.Name == "admin").UserCredentials;
        Assert.That(user.Token, Is.EqualTo(_server.AdminToken));
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(_server.KubeconfigPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
    }

    [Test]
    public async Task RequestWithoutToken_Gets401WithKubernetesStatus()
    {
        using HttpClient anonymous = _server.CreateHttpClient(bearerToken: null);

        using HttpResponseMessage response = await anonymous.GetAsync("api/v1/namespaces");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That((await response.Content.ReadAsStringAsync()).TrimEnd('\n'), Is.EqualTo(UnauthorizedStatus));
    }

    [Test]
    public async Task RequestWithWrongToken_Gets401WithKubernetesStatus()
    {
        using HttpClient impostor = _server.CreateHttpClient(bearerToken: "not-the-admin-token");

        using HttpResponseMessage response = await impostor.GetAsync("api/v1/namespaces");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await response.Content.ReadAsStringAsync()).TrimEnd('\n'), Is.EqualTo(UnauthorizedStatus));
    }

    [Test]
    public async Task KubectlWithWrongToken_ReportsUnauthorized()
    {
        KubectlResult result = await _server.Kubectl("--token", "not-the-admin-token", "get", "--raw", "/api/v1/namespaces");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr, Does.Contain("Unauthorized"));
    }

    [Test]
    public async Task VersionWithoutToken_Succeeds()
    {
        using HttpClient anonymous = _server.CreateHttpClient(bearerToken: null);

        using HttpResponseMessage response = await anonymous.GetAsync("version");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using JsonDocument version = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(version.RootElement.GetProperty("gitVersion").GetString(), Does.StartWith("v1."));
    }

    [Test]
    public void GrpcCallWithoutToken_GetsUnauthenticated()
    {
        using var channel = _server.CreateGrpcChannel(bearerToken: null);
        var client = new Resources.ResourcesClient(channel);

        var error = Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = client.List(new ResourceRequest { Version = "v1", Resource = "namespaces" });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
    }

    [Test]
    public async Task GrpcCallWithToken_ListsNamespaces()
    {
        var client = new Resources.ResourcesClient(_server.GrpcChannel);

        using var call = client.List(new ResourceRequest { Version = "v1", Resource = "namespaces" });
        bool received = await call.ResponseStream.MoveNext(CancellationToken.None);

        Assert.That(received, Is.True);
        using JsonDocument list = JsonDocument.Parse(call.ResponseStream.Current.Data.Memory);
        Assert.That(list.RootElement.GetProperty("kind").GetString(), Is.EqualTo("NamespaceList"));
    }

    [Test]
    public async Task Restart_OnSameDataDirectory_ReusesCredentials()
    {
        string dataDirectory = Path.Combine(Path.GetTempPath(), "nautilus-e2e-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            string caThumbprint;
            string token;
            await using (ServerFixture first = await ServerFixture.StartAsync(dataDirectory))
            {
                caThumbprint = first.Credentials.CaCertificate.Thumbprint;
                token = first.AdminToken;
            }

            await using ServerFixture second = await ServerFixture.StartAsync(dataDirectory);

            Assert.That(second.Credentials.CaCertificate.Thumbprint, Is.EqualTo(caThumbprint));
            Assert.That(second.AdminToken, Is.EqualTo(token));
            KubectlResult result = await second.Kubectl("get", "--raw", "/api/v1/namespaces");
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    /// <summary>
    /// The server process watches no files: run from a directory, it neither walks that tree for
    /// inotify watches at start (from / that took 24 s) nor wakes on every write beneath it (its
    /// own log, when the data directory is inside the working directory).
    /// </summary>
    [Test]
    [Platform("Linux")]
    public async Task ServerProcess_WatchesNoFilesUnderItsWorkingDirectory()
    {
        string root = Path.Combine(Path.GetTempPath(), "nautilus-e2e-cwd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "tree", "a", "b"));
        var startInfo = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "nautilus.dll"), "--address", "127.0.0.1", "--port", "0", "--data-dir", "data", "--nodes", "0", "--controllers=false", "--scheduler=false" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new Process { StartInfo = startInfo };
        server.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.StartsWith("kubeconfig: ", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        server.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        try
        {
            server.Start();
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.That(File.Exists(Path.Combine(root, "data", "kubeconfig")), Is.True, output.ToString());

            string[] inotify = Directory.GetFiles($"/proc/{server.Id}/fd")
                .Select(fd => new FileInfo(fd).LinkTarget)
                .Where(target => target is not null && target.Contains("inotify", StringComparison.Ordinal))
                .ToArray()!;
            Assert.That(inotify, Is.Empty, "the server holds an inotify descriptor");
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }

            await server.WaitForExitAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task<string> ServerGitVersion()
    {
        using JsonDocument version = JsonDocument.Parse(await _server.HttpClient.GetStringAsync("version"));
        return version.RootElement.GetProperty("gitVersion").GetString()!;
    }
}
