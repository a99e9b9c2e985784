using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Google.Api;
using Google.Protobuf;
using Grpc.Net.Client;
using Nautilus.Api.V1;
using Nautilus.Bench;
using Nautilus.Server;
using Nautilus.Server.Hosting;

namespace Nautilus.Benchmarks.RequestPath;

/// <summary>
/// Whole requests through a real server in this process, on a loopback port with TLS: REST over
/// HTTP/1.1 (one keep-alive connection, bearer token, as kubectl sends them) and native gRPC over
/// HTTP/2. 1,000 pods in 10 namespaces. Allocations include the server's (the counter is process-wide).
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class RequestPathBenchmarks
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private string _directory = null!;
    private NautilusServer _server = null!;
    private HttpClient _http = null!;
    private GrpcChannel _channel = null!;
    private Resources.ResourcesClient _grpc = null!;
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "nautilus-bench-" + Guid.NewGuid().ToString("N")[..12]);
        _server = await NautilusServer.StartAsync(new ServerOptions { Address = "127.0.0.1", Port = 0, DataDirectory = _directory, Nodes = 0 });
        var handler = Handler(1);
        _http = new HttpClient(handler) { BaseAddress = _server.BaseAddress, DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.Credentials.AdminToken);
        var grpcHttp = new HttpClient(Handler(int.MaxValue));
        grpcHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.Credentials.AdminToken);
        _channel = GrpcChannel.ForAddress(_server.BaseAddress, new GrpcChannelOptions { HttpClient = grpcHttp, DisposeHttpClient = true, MaxReceiveMessageSize = null });
        _grpc = new Resources.ResourcesClient(_channel);

        for (var i = 0; i < 10; i++)
        {
            await _grpc.CreateAsync(new ResourceRequest { Version = "v1", Resource = "namespaces", Body = Json(KubeObjects.NamespaceJson(KubeObjects.Namespace(i))) });
        }

        for (var i = 0; i < 1000; i++)
        {
            var (ns, name, node) = KubeObjects.Placement(i, 10, 100);
            await _grpc.CreateAsync(new ResourceRequest { Version = "v1", Resource = "pods", Namespace = ns, Body = Json(KubeObjects.PodJson(ns, name, node, i)) });
        }

    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _http.Dispose();
        _channel.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>kubectl get pod -o json, or any client's GET.</summary>
    [Benchmark]
    public Task<byte[]> RestGetPod() => _http.GetByteArrayAsync(new Uri("/api/v1/namespaces/ns-2/pods/web-42", UriKind.Relative));

    /// <summary>kubectl get pod NAME: a one-row Table.</summary>
    [Benchmark]
    public async Task<byte[]> RestGetPodAsTable()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/namespaces/ns-2/pods/web-42", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Accept", TableAccept);
        using var response = await _http.SendAsync(request);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>kubectl get pods -n ns-7: a Table of 100 pods.</summary>
    [Benchmark]
    public async Task<byte[]> RestListNamespaceAsTable()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/namespaces/ns-7/pods?limit=500", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Accept", TableAccept);
        using var response = await _http.SendAsync(request);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>An informer's list of a namespace: 100 pods as JSON.</summary>
    [Benchmark]
    public Task<byte[]> RestListNamespace() => _http.GetByteArrayAsync(new Uri("/api/v1/namespaces/ns-7/pods", UriKind.Relative));

    /// <summary>A kubelet's status report.</summary>
    [Benchmark]
    public async Task<HttpStatusCode> RestUpdateStatus()
    {
        using var content = new ByteArrayContent(KubeObjects.PodStatusJson("ns-2", "web-42", 42, Interlocked.Increment(ref _next)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PutAsync(new Uri("/api/v1/namespaces/ns-2/pods/web-42/status", UriKind.Relative), content);
        return response.StatusCode;
    }

    /// <summary>kubectl create then delete of one pod (two requests).</summary>
    [Benchmark]
    public async Task<HttpStatusCode> RestCreateAndDelete()
    {
        var name = "bench-" + Interlocked.Increment(ref _next);
        using var content = new ByteArrayContent(KubeObjects.PodJson("ns-3", name, "node-3", 3));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using (var created = await _http.PostAsync(new Uri("/api/v1/namespaces/ns-3/pods", UriKind.Relative), content))
        {
            created.EnsureSuccessStatusCode();
        }

        using var deleted = await _http.DeleteAsync(new Uri($"/api/v1/namespaces/ns-3/pods/{name}?gracePeriodSeconds=0", UriKind.Relative));
        return deleted.StatusCode;
    }

    /// <summary>A node agent's GET over native gRPC.</summary>
    [Benchmark]
    public async Task<int> GrpcGetPod() =>
        (await _grpc.GetAsync(new ResourceRequest { Version = "v1", Resource = "pods", Namespace = "ns-2", Name = "web-42" })).Data.Length;

    /// <summary>A node agent's list of a namespace over native gRPC (100 pods).</summary>
    [Benchmark]
    public async Task<int> GrpcListNamespace()
    {
        using var call = _grpc.List(new ResourceRequest { Version = "v1", Resource = "pods", Namespace = "ns-7" });
        var bytes = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            bytes += call.ResponseStream.Current.Data.Length;
        }

        return bytes;
    }

    /// <summary>A scrape of /metrics.</summary>
    [Benchmark]
    public Task<byte[]> RestScrapeMetrics() => _http.GetByteArrayAsync(new Uri("/metrics", UriKind.Relative));

    private SocketsHttpHandler Handler(int connections) => new()
    {
        MaxConnectionsPerServer = connections,
        SslOptions =
        {
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { _server.Credentials.CaCertificate },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        },
    };

    private static HttpBody Json(byte[] json) => new() { ContentType = "application/json", Data = UnsafeByteOperations.UnsafeWrap(json) };
}
