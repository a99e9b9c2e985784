using System.Net;
using System.Net.Http.Headers;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Discovery;
using Nautilus.Server.Api.OpenApi;
using Nautilus.Server.Api.Services;

namespace Nautilus.Server.Tests.Services;

/// <summary>
/// DiscoveryService behind JSON transcoding on a loopback port: the status codes, content types
/// and headers a REST client sees.
/// </summary>
public sealed class DiscoveryServiceTests
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        builder.Services.AddSingleton(BuiltInResources.CreateRegistry());
        builder.Services.AddSingleton<DiscoveryDocuments>();
        builder.Services.AddSingleton<OpenApiDocuments>();
        builder.Services.AddGrpc().AddJsonTranscoding();
        _app = builder.Build();
        _app.MapGrpcService<DiscoveryService>();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return await _http.SendAsync(request);
    }

    [Test]
    public async Task GetApis_WithKubectlAccept_AnswersAggregatedDiscoveryWithItsExactContentType()
    {
        using var response = await GetAsync("/apis", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // NonValidated: the bytes on the wire (the parsed header re-renders parameters with "; ").
        Assert.That(response.Content.Headers.NonValidated["Content-Type"].ToString(), Is.EqualTo(DiscoveryDocuments.AggregatedV2ContentType));
        Assert.That(response.Headers.Vary, Does.Contain("Accept"));
        var list = KubernetesJson.Deserialize<V2APIGroupDiscoveryList>(await response.Content.ReadAsStringAsync());
        Assert.That(list.Items.Select(i => i.Metadata.Name), Does.Contain("apps"));
    }

    [Test]
    public async Task GetApi_WithPlainJson_AnswersApiVersionsWithTheAddressReached()
    {
        using var response = await GetAsync("/api", "application/json");

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var versions = KubernetesJson.Deserialize<V1APIVersions>(await response.Content.ReadAsStringAsync());
        Assert.That(versions.ServerAddressByClientCIDRs.Single().ServerAddress, Is.EqualTo("127.0.0.1:" + _http.BaseAddress!.Port));
    }

    [Test]
    public async Task GetVersion_Answers132()
    {
        using var response = await GetAsync("/version");

        var info = KubernetesJson.Deserialize<VersionInfo>(await response.Content.ReadAsStringAsync());
        Assert.That((info.Major, info.Minor), Is.EqualTo(("1", "32")));
    }

    [TestCase("/apis/apps/v1", "apps/v1")]
    [TestCase("/api/v1", "v1")]
    public async Task GetGroupVersion_AnswersItsResourceList(string path, string groupVersion)
    {
        using var response = await GetAsync(path, "application/json, */*");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var list = KubernetesJson.Deserialize<V1APIResourceList>(await response.Content.ReadAsStringAsync());
        Assert.That(list.GroupVersion, Is.EqualTo(groupVersion));
    }

    [TestCase("/apis/nope/v1")]
    [TestCase("/apis/nope")]
    [TestCase("/api/v2")]
    public async Task GetUnknownGroupOrVersion_Answers404Status(string path)
    {
        using var response = await GetAsync(path);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var status = KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync());
        Assert.Multiple(() =>
        {
            Assert.That(status.Reason, Is.EqualTo("NotFound"));
            Assert.That(status.Message, Is.EqualTo("the server could not find the requested resource"));
            Assert.That(status.Code, Is.EqualTo(404));
        });
    }

    [Test]
    public async Task GetApis_UnacceptableMediaType_Answers406()
    {
        using var response = await GetAsync("/apis", "text/html");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotAcceptable));
        Assert.That(KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync()).Reason, Is.EqualTo("NotAcceptable"));
    }

    [Test]
    public async Task GetOpenApiV3_FollowingTheIndex_AnswersTheDocumentAsImmutable()
    {
        using var index = await GetAsync("/openapi/v3");
        var url = System.Text.Json.Nodes.JsonNode.Parse(await index.Content.ReadAsStringAsync())!["paths"]!["apis/apps/v1"]!["serverRelativeURL"]!.GetValue<string>();

        using var response = await GetAsync(url, "application/json");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.CacheControl?.ToString(), Is.EqualTo("public, immutable"));
        Assert.That(response.Headers.ETag?.Tag, Is.EqualTo("\"" + url[(url.IndexOf("hash=", StringComparison.Ordinal) + 5)..] + "\""));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"openapi\":\"3.0.0\""));
    }

    [Test]
    public async Task GetOpenApiV3_StaleHash_RedirectsToTheCurrentDocument()
    {
        using var response = await GetAsync("/openapi/v3/apis/apps/v1?hash=0123", "application/json");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MovedPermanently));
        Assert.That(response.Headers.Location?.OriginalString, Does.StartWith("/openapi/v3/apis/apps/v1?hash=").And.Not.EndWith("=0123"));
    }

    [Test]
    public async Task GetOpenApiV2_KubectlProtobufAccept_AnswersProtobuf()
    {
        using var response = await GetAsync("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(OpenApiDocuments.V2ProtobufContentType));
    }

    [Test]
    public async Task GetOpenApiV2_UnacceptableMediaType_AnswersBare406()
    {
        using var response = await GetAsync("/openapi/v2", "application/vnd.kubernetes.protobuf");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotAcceptable));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task GetOpenApiV2_Json_AnswersSwagger()
    {
        using var response = await GetAsync("/openapi/v2", new MediaTypeWithQualityHeaderValue("application/json").ToString());

        Assert.That(await response.Content.ReadAsStringAsync(), Does.StartWith("{\"swagger\":\"2.0\""));
    }
}
