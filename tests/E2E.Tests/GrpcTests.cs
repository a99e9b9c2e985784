using System.Text.Json;
using Google.Api;
using Google.Protobuf;
using Grpc.Core;
using k8s;
using Nautilus.Api.V1;

namespace Nautilus.E2E.Tests;

/// <summary>The resource API over native gRPC (HTTP/2, same port): the generated client a node agent uses.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class GrpcTests
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(20);

    private ServerFixture _server = null!;
    private Resources.ResourcesClient _client = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await ServerFixture.StartAsync();
        _client = new Resources.ResourcesClient(_server.GrpcChannel);
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Create_ReturnsTheStoredObject()
    {
        string ns = await _server.CreateNamespaceAsync("grpc");

        HttpBody created = await _client.CreateAsync(ConfigMapRequest(ns, "over-grpc"), deadline: Deadline());

        using JsonDocument json = JsonDocument.Parse(created.Data.Memory);
        JsonElement metadata = json.RootElement.GetProperty("metadata");
        Assert.That(json.RootElement.GetProperty("kind").GetString(), Is.EqualTo("ConfigMap"));
        Assert.That(metadata.GetProperty("name").GetString(), Is.EqualTo("over-grpc"));
        Assert.That(metadata.GetProperty("namespace").GetString(), Is.EqualTo(ns));
        Assert.That(metadata.GetProperty("uid").GetString(), Is.Not.Empty);
        Assert.That(metadata.GetProperty("resourceVersion").GetString(), Is.Not.Empty);
        Assert.That(json.RootElement.GetProperty("data").GetProperty("key").GetString(), Is.EqualTo("value"));
        var viaRest = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("over-grpc", ns);
        Assert.That(viaRest.Metadata.Uid, Is.EqualTo(metadata.GetProperty("uid").GetString()), "both surfaces see one store");
    }

    [Test]
    public async Task Get_ReturnsTheObject()
    {
        string ns = await _server.CreateNamespaceAsync("grpc");
        HttpBody created = await _client.CreateAsync(ConfigMapRequest(ns, "fetched"), deadline: Deadline());

        HttpBody got = await _client.GetAsync(new ResourceRequest { Version = "v1", Namespace = ns, Resource = "configmaps", Name = "fetched" }, deadline: Deadline());

        Assert.That(got.ContentType, Is.EqualTo("application/json"));
        Assert.That(got.Data.ToStringUtf8(), Is.EqualTo(created.Data.ToStringUtf8()), "GET answers the stored bytes");
    }

    [Test]
    public async Task List_StreamsTheListAsOneMessage()
    {
        string ns = await _server.CreateNamespaceAsync("grpc");
        await _client.CreateAsync(ConfigMapRequest(ns, "first"), deadline: Deadline());
        await _client.CreateAsync(ConfigMapRequest(ns, "second"), deadline: Deadline());

        using AsyncServerStreamingCall<HttpBody> call = _client.List(new ResourceRequest { Version = "v1", Namespace = ns, Resource = "configmaps" }, deadline: Deadline());
        var messages = new List<HttpBody>();
        await foreach (HttpBody message in call.ResponseStream.ReadAllAsync())
        {
            messages.Add(message);
        }

        Assert.That(messages, Has.Count.EqualTo(1));
        using JsonDocument list = JsonDocument.Parse(messages[0].Data.Memory);
        Assert.That(list.RootElement.GetProperty("kind").GetString(), Is.EqualTo("ConfigMapList"));
        Assert.That(list.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString(), Is.Not.Empty);
        Assert.That(list.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()),
            Is.EqualTo(new[] { "first", "second" }));
    }

    [Test]
    public async Task ListWithLabelSelector_ReturnsOnlyMatches()
    {
        string ns = await _server.CreateNamespaceAsync("grpc");
        await _client.CreateAsync(ConfigMapRequest(ns, "labelled", """{"role":"db"}"""), deadline: Deadline());
        await _client.CreateAsync(ConfigMapRequest(ns, "plain"), deadline: Deadline());

        using AsyncServerStreamingCall<HttpBody> call = _client.List(
            new ResourceRequest { Version = "v1", Namespace = ns, Resource = "configmaps", LabelSelector = "role=db" }, deadline: Deadline());
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);

        using JsonDocument list = JsonDocument.Parse(call.ResponseStream.Current.Data.Memory);
        Assert.That(list.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()),
            Is.EqualTo(new[] { "labelled" }));
    }

    [Test]
    public async Task ListWithWatch_StreamsOneEventPerMessage()
    {
        string ns = await _server.CreateNamespaceAsync("grpc");
        string listVersion = await ListResourceVersionAsync(ns);
        using var cancel = new CancellationTokenSource(CallDeadline);
        using AsyncServerStreamingCall<HttpBody> watch = _client.List(
            new ResourceRequest { Version = "v1", Namespace = ns, Resource = "configmaps", Watch = "true", ResourceVersion = listVersion },
            cancellationToken: cancel.Token);

        await _client.CreateAsync(ConfigMapRequest(ns, "watched"), deadline: Deadline());
        await _client.PatchAsync(new ResourceRequest
        {
            Version = "v1", Namespace = ns, Resource = "configmaps", Name = "watched",
            Body = new HttpBody { ContentType = "application/merge-patch+json", Data = ByteString.CopyFromUtf8("""{"data":{"key":"changed"}}""") },
        }, deadline: Deadline());
        await _client.DeleteAsync(new ResourceRequest { Version = "v1", Namespace = ns, Resource = "configmaps", Name = "watched" }, deadline: Deadline());

        var events = new List<(string? Type, string? Key)>();
        for (int i = 0; i < 3; i++)
        {
            Assert.That(await watch.ResponseStream.MoveNext(cancel.Token), Is.True, $"event {i + 1} of 3");
            using JsonDocument e = JsonDocument.Parse(watch.ResponseStream.Current.Data.Memory);
            JsonElement obj = e.RootElement.GetProperty("object");
            Assert.That(obj.GetProperty("metadata").GetProperty("name").GetString(), Is.EqualTo("watched"));
            events.Add((e.RootElement.GetProperty("type").GetString(), obj.GetProperty("data").GetProperty("key").GetString()));
        }

        Assert.That(events, Is.EqualTo(new (string?, string?)[] { ("ADDED", "value"), ("MODIFIED", "changed"), ("DELETED", "changed") }));
    }

    [Test]
    public void GetMissing_IsNotFoundWithKubernetesStatusTrailer()
    {
        var request = new ResourceRequest { Version = "v1", Namespace = "default", Resource = "configmaps", Name = "nope" };

        var error = Assert.ThrowsAsync<RpcException>(async () => await _client.GetAsync(request, deadline: Deadline()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Metadata.Entry? trailer = error.Trailers.Get("kubernetes-status-bin");
        Assert.That(trailer, Is.Not.Null, "the Status travels in the kubernetes-status-bin trailer");
        using JsonDocument status = JsonDocument.Parse(trailer!.ValueBytes);
        Assert.That(status.RootElement.GetProperty("kind").GetString(), Is.EqualTo("Status"));
        Assert.That(status.RootElement.GetProperty("code").GetInt32(), Is.EqualTo(404));
        Assert.That(status.RootElement.GetProperty("reason").GetString(), Is.EqualTo("NotFound"));
        Assert.That(status.RootElement.GetProperty("message").GetString(), Is.EqualTo("configmaps \"nope\" not found"));
    }

    [Test]
    public async Task CreateExisting_IsAlreadyExistsWithStatusTrailer()
    {
        string ns = await _server.CreateNamespaceAsync("grpc");
        await _client.CreateAsync(ConfigMapRequest(ns, "twice"), deadline: Deadline());

        var error = Assert.ThrowsAsync<RpcException>(async () => await _client.CreateAsync(ConfigMapRequest(ns, "twice"), deadline: Deadline()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.AlreadyExists));
        using JsonDocument status = JsonDocument.Parse(error.Trailers.GetValueBytes("kubernetes-status-bin")!);
        Assert.That(status.RootElement.GetProperty("reason").GetString(), Is.EqualTo("AlreadyExists"));
        Assert.That(status.RootElement.GetProperty("code").GetInt32(), Is.EqualTo(409));
    }

    private static ResourceRequest ConfigMapRequest(string ns, string name, string labels = "{}") => new()
    {
        Version = "v1",
        Namespace = ns,
        Resource = "configmaps",
        Body = new HttpBody
        {
            ContentType = "application/json",
            Data = ByteString.CopyFromUtf8(
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + labels + "},\"data\":{\"key\":\"value\"}}"),
        },
    };

    private async Task<string> ListResourceVersionAsync(string ns)
    {
        using AsyncServerStreamingCall<HttpBody> call = _client.List(new ResourceRequest { Version = "v1", Namespace = ns, Resource = "configmaps" }, deadline: Deadline());
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        using JsonDocument list = JsonDocument.Parse(call.ResponseStream.Current.Data.Memory);
        return list.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    private static DateTime Deadline() => DateTime.UtcNow.Add(CallDeadline);
}
