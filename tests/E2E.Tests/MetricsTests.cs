using System.Globalization;
using System.Net;
using System.Text;
using Grpc.Core;
using k8s;
using k8s.Models;
using Nautilus.Api.V1;

namespace Nautilus.E2E.Tests;

/// <summary>/metrics and the health endpoints of a running server, through real clients.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class MetricsTests
{
    private ServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Metrics_WithoutToken_IsUnauthorized()
    {
        using var anonymous = _server.CreateHttpClient(bearerToken: null);

        using var response = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Metrics_IsPrometheusText()
    {
        using var response = await _server.HttpClient.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.ToString(), Does.StartWith("text/plain; version=0.0.4"));
        Assert.That(text, Does.Contain("# TYPE apiserver_request_total counter\n"));
        Assert.That(text, Does.Contain("# TYPE apiserver_request_duration_seconds histogram\n"));
        Assert.That(text, Does.Contain("# TYPE process_resident_memory_bytes gauge\n"));
    }

    [Test]
    public async Task RestRequests_AreCountedWithKubeApiserverLabelsAndCodes()
    {
        var ns = await _server.CreateNamespaceAsync("metrics");
        await _server.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "present" } }, ns);
        const string get = "verb=\"GET\",dry_run=\"\",group=\"\",version=\"v1\",resource=\"configmaps\",subresource=\"\",scope=\"resource\",component=\"apiserver\"";
        var before = await ScrapeAsync();

        using (await _server.HttpClient.GetAsync(new Uri($"/api/v1/namespaces/{ns}/configmaps/present", UriKind.Relative)))
        using (await _server.HttpClient.GetAsync(new Uri($"/api/v1/namespaces/{ns}/configmaps/absent", UriKind.Relative)))
        using (await _server.HttpClient.GetAsync(new Uri($"/api/v1/namespaces/{ns}/configmaps", UriKind.Relative)))
        {
        }

        var after = await ScrapeAsync();

        Assert.That(Value(after, $"apiserver_request_total{{{get},code=\"200\"}}") - Value(before, $"apiserver_request_total{{{get},code=\"200\"}}"), Is.EqualTo(1));
        Assert.That(Value(after, $"apiserver_request_total{{{get},code=\"404\"}}") - Value(before, $"apiserver_request_total{{{get},code=\"404\"}}"), Is.EqualTo(1));
        const string list = "verb=\"LIST\",dry_run=\"\",group=\"\",version=\"v1\",resource=\"configmaps\",subresource=\"\",scope=\"namespace\",component=\"apiserver\"";
        Assert.That(Value(after, $"apiserver_request_duration_seconds_count{{{list}}}"), Is.GreaterThan(Value(before, $"apiserver_request_duration_seconds_count{{{list}}}")));
    }

    [Test]
    public async Task NativeGrpcCalls_AreCountedWithTheCodeOfTheirStatus()
    {
        var ns = await _server.CreateNamespaceAsync("metrics");
        var client = new Resources.ResourcesClient(_server.GrpcChannel);
        const string get = "verb=\"GET\",dry_run=\"\",group=\"\",version=\"v1\",resource=\"secrets\",subresource=\"\",scope=\"resource\",component=\"apiserver\"";
        var before = await ScrapeAsync();

        var error = Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetAsync(new ResourceRequest { Version = "v1", Namespace = ns, Resource = "secrets", Name = "absent" }, deadline: DateTime.UtcNow.AddSeconds(20)));
        var after = await ScrapeAsync();

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(Value(after, $"apiserver_request_total{{{get},code=\"404\"}}") - Value(before, $"apiserver_request_total{{{get},code=\"404\"}}"), Is.EqualTo(1));
    }

    [Test]
    public async Task Watch_IsLongRunningAndItsEventsAreCounted()
    {
        var ns = await _server.CreateNamespaceAsync("metrics");
        const string watching = "apiserver_longrunning_requests{verb=\"WATCH\",group=\"\",version=\"v1\",resource=\"configmaps\",subresource=\"\",scope=\"namespace\",component=\"apiserver\"}";
        const string events = "apiserver_watch_events_total{group=\"\",version=\"v1\",kind=\"ConfigMap\"}";
        var before = await ScrapeAsync();

        using var watch = await _server.HttpClient.GetAsync(new Uri($"/api/v1/namespaces/{ns}/configmaps?watch=true", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync());
        await _server.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "watched" } }, ns);
        var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var during = await ScrapeAsync();

        Assert.That(line, Does.StartWith("{\"type\":\"ADDED\""));
        Assert.That(Value(during, watching) - Value(before, watching), Is.EqualTo(1));
        // Every watcher of ConfigMaps counts (the server's own controllers may watch them too).
        Assert.That(Value(during, events) - Value(before, events), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task StorageObjects_CountsStoredObjects()
    {
        var ns = await _server.CreateNamespaceAsync("metrics");
        var before = Value(await ScrapeAsync(), "apiserver_storage_objects{resource=\"serviceaccounts\"}");

        for (var i = 0; i < 3; i++)
        {
            await _server.Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "sa-" + i } }, ns);
        }

        Assert.That(Value(await ScrapeAsync(), "apiserver_storage_objects{resource=\"serviceaccounts\"}") - before, Is.EqualTo(3));
    }

    [Test]
    public async Task Writes_AreCountedInTheLogsDiskMetrics()
    {
        var before = await ScrapeAsync();

        var ns = await _server.CreateNamespaceAsync("metrics");
        await _server.Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "sa" } }, ns);

        // etcd's names; each acknowledged write was made durable by a counted sync.
        var after = await ScrapeAsync();
        Assert.That(after, Does.Contain("# TYPE etcd_disk_wal_fsync_duration_seconds histogram\n"));
        Assert.That(after, Does.Contain("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.001\"} "));
        Assert.That(after, Does.Contain("# TYPE etcd_disk_wal_write_bytes_total counter\n"));
        Assert.That(Value(after, "etcd_disk_wal_fsync_duration_seconds_count") - Value(before, "etcd_disk_wal_fsync_duration_seconds_count"), Is.GreaterThanOrEqualTo(1));
        Assert.That(Value(after, "nautilus_store_wal_batch_writes_sum") - Value(before, "nautilus_store_wal_batch_writes_sum"), Is.GreaterThanOrEqualTo(2));
        Assert.That(Value(after, "etcd_disk_wal_write_bytes_total") - Value(before, "etcd_disk_wal_write_bytes_total"), Is.GreaterThan(0));
    }

    [Test]
    public async Task Livez_Verbose_ListsChecksWithoutAToken()
    {
        using var anonymous = _server.CreateHttpClient(bearerToken: null);

        var body = await anonymous.GetStringAsync(new Uri("/livez?verbose", UriKind.Relative));

        Assert.That(body, Is.EqualTo("[+]ping ok\n[+]log ok\n[+]etcd ok\nlivez check passed\n"));
    }

    [TestCase("/healthz", "ok")]
    [TestCase("/readyz", "ok")]
    [TestCase("/readyz/shutdown", "ok")]
    [TestCase("/livez/etcd", "ok")]
    public async Task HealthPaths_AnswerOk(string path, string expected)
    {
        using var response = await _server.HttpClient.GetAsync(new Uri(path, UriKind.Relative));

        Assert.That((response.StatusCode, await response.Content.ReadAsStringAsync()), Is.EqualTo((HttpStatusCode.OK, expected)));
    }

    [Test]
    public async Task Readyz_UnknownCheck_IsNotFound()
    {
        using var response = await _server.HttpClient.GetAsync(new Uri("/readyz/no-such-check", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private async Task<string> ScrapeAsync()
    {
        using var response = await _server.HttpClient.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The value of the sample whose name and labels are exactly <paramref name="series"/>; 0 when absent.</summary>
    private static double Value(string exposition, string series)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(series.Length + 1), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
