using System.Diagnostics;
using System.Text;
using Nautilus.Server.Api;
using Nautilus.Server.Observability;
using Nautilus.Store;

namespace Nautilus.Server.Tests.Observability;

/// <summary>kube-apiserver's request, watch and storage metrics as written at /metrics.</summary>
public sealed class ApiServerMetricsTests
{
    private static readonly ResourceRegistry Registry = BuiltInResources.CreateRegistry();

    private static ResourceDefinition Pods => Registry.All.Single(r => r.Plural == "pods" && r.Group.Length == 0);

    [Test]
    public void RecordRequest_CountsByCodeAndObservesOneDurationSeries()
    {
        var registry = new MetricsRegistry();
        var metrics = new ApiServerMetrics(registry);
        var get = new RequestLabels(RequestVerb.Get, Pods, "", RequestScope.Resource, false);

        metrics.RecordRequest(get, 200, Stopwatch.GetTimestamp());
        metrics.RecordRequest(get, 200, Stopwatch.GetTimestamp());
        metrics.RecordRequest(get, 404, Stopwatch.GetTimestamp());
        var text = MetricsRegistryTests.Scrape(registry);

        const string labels = "verb=\"GET\",dry_run=\"\",group=\"\",version=\"v1\",resource=\"pods\",subresource=\"\",scope=\"resource\",component=\"apiserver\"";
        Assert.That(text, Does.Contain("apiserver_request_total{" + labels + ",code=\"200\"} 2\n"));
        Assert.That(text, Does.Contain("apiserver_request_total{" + labels + ",code=\"404\"} 1\n"));
        Assert.That(text, Does.Contain("apiserver_request_duration_seconds_count{" + labels + "} 3\n"));
        Assert.That(text, Does.Contain("apiserver_request_duration_seconds_bucket{" + labels + ",le=\"60\"} 3\n"));
    }

    [Test]
    public void RecordRequest_NonResourcePath_HasEmptyResourceLabelsAndNoComponent()
    {
        var registry = new MetricsRegistry();
        new ApiServerMetrics(registry).RecordRequest(RequestLabels.NonResource(RequestVerb.Get, "/healthz"), 200, Stopwatch.GetTimestamp());

        Assert.That(MetricsRegistryTests.Scrape(registry), Does.Contain(
            "apiserver_request_total{verb=\"GET\",dry_run=\"\",group=\"\",version=\"\",resource=\"\",subresource=\"/healthz\",scope=\"\",component=\"\",code=\"200\"} 1\n"));
    }

    [Test]
    public void RequestDurationBuckets_AreKubeApiserversBuckets()
    {
        var registry = new MetricsRegistry();
        new ApiServerMetrics(registry).RecordRequest(RequestLabels.NonResource(RequestVerb.Get, "/version"), 200, Stopwatch.GetTimestamp());

        var bounds = MetricsRegistryTests.Scrape(registry).Split('\n')
            .Where(l => l.StartsWith("apiserver_request_duration_seconds_bucket", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("le=\"", StringComparison.Ordinal) + 4)..l.LastIndexOf('"')]);

        Assert.That(bounds, Is.EqualTo(new[]
        {
            "0.005", "0.025", "0.05", "0.1", "0.2", "0.4", "0.6", "0.8", "1", "1.25", "1.5", "2", "3", "4", "5", "6", "8", "10", "15", "20", "30", "45", "60", "+Inf",
        }));
    }

    [Test]
    public void LongRunning_CountsOpenWatchesWithoutDryRunLabel()
    {
        var registry = new MetricsRegistry();
        var metrics = new ApiServerMetrics(registry);
        var watch = new RequestLabels(RequestVerb.Watch, Pods, "", RequestScope.Cluster, false);
        metrics.LongRunning(watch).Inc();
        metrics.LongRunning(watch).Inc();
        metrics.LongRunning(watch).Dec();

        Assert.That(MetricsRegistryTests.Scrape(registry), Does.Contain(
            "apiserver_longrunning_requests{verb=\"WATCH\",group=\"\",version=\"v1\",resource=\"pods\",subresource=\"\",scope=\"cluster\",component=\"apiserver\"} 1\n"));
    }

    [Test]
    public void Inflight_ReportsTheHighWaterMarkSinceTheLastScrape()
    {
        var registry = new MetricsRegistry();
        var metrics = new ApiServerMetrics(registry);
        metrics.RequestStarted(mutating: false);
        metrics.RequestStarted(mutating: false);
        metrics.RequestStarted(mutating: true);
        metrics.RequestFinished(mutating: false);
        metrics.RequestFinished(mutating: false);

        var first = MetricsRegistryTests.Scrape(registry);
        var second = MetricsRegistryTests.Scrape(registry);

        Assert.That(first, Does.Contain("apiserver_current_inflight_requests{request_kind=\"readOnly\"} 2\n"));
        Assert.That(first, Does.Contain("apiserver_current_inflight_requests{request_kind=\"mutating\"} 1\n"));
        Assert.That(second, Does.Contain("apiserver_current_inflight_requests{request_kind=\"readOnly\"} 0\n"), "the mark resets to the current count");
    }

    [Test]
    public async Task InstrumentedStore_CountsWatchEventsByKindAndTimesOperations()
    {
        var registry = new MetricsRegistry();
        var metrics = new ApiServerMetrics(registry);
        await using var store = new InstrumentedObjectStore(new EmbeddedStore(), metrics, Registry);
        var pods = Pods.StorageType;
        using var watch = await store.WatchAsync(pods, new WatchOptions());
        await store.CreateAsync(pods, Pod("a"));
        await store.CreateAsync(pods, Pod("b"));
        _ = await store.GetAsync(pods, new ObjectKey("default", "a"));

        var read = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < 2 && await watch.Events.WaitToReadAsync(deadline.Token))
        {
            while (watch.Events.TryRead(out _))
            {
                read++;
            }
        }

        var text = MetricsRegistryTests.Scrape(registry);
        Assert.That(text, Does.Contain("apiserver_watch_events_total{group=\"\",version=\"v1\",kind=\"Pod\"} 2\n"));
        Assert.That(text, Does.Contain("apiserver_watch_events_sizes_count{group=\"\",version=\"v1\",kind=\"Pod\"} 2\n"));
        Assert.That(text, Does.Contain("etcd_request_duration_seconds_count{operation=\"create\",type=\"pods\"} 2\n"));
        Assert.That(text, Does.Contain("etcd_request_duration_seconds_count{operation=\"get\",type=\"pods\"} 1\n"));
        Assert.That(text, Does.Not.Contain("operation=\"delete\""), "series appear once used");
    }

    [Test]
    public async Task StorageObjects_CountsEachResourceWhenScraped()
    {
        var registry = new MetricsRegistry();
        await using var store = new EmbeddedStore();
        _ = new StorageObjectsCollector(registry, Registry, store);
        await store.CreateAsync(Pods.StorageType, Pod("a"));

        var text = MetricsRegistryTests.Scrape(registry);

        Assert.That(text, Does.Contain("apiserver_storage_objects{resource=\"pods\"} 1\n"));
        Assert.That(text, Does.Contain("apiserver_storage_objects{resource=\"deployments.apps\"} 0\n"));
    }

    [Test]
    public void ProcessCollector_ReportsResidentMemoryAndGcFigures()
    {
        var registry = new MetricsRegistry();
        _ = new ProcessCollector(registry);

        var lines = MetricsRegistryTests.Scrape(registry).Split('\n');
        var rss = double.Parse(lines.Single(l => l.StartsWith("process_resident_memory_bytes ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

        Assert.That(rss, Is.GreaterThan(1024 * 1024));
        Assert.That(lines, Has.Some.StartsWith("dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} "));
        Assert.That(lines, Has.Some.StartsWith("process_cpu_seconds_total "));
    }

    private static StoredObject Pod(string name) =>
        new(new ObjectKey("default", name), "uid-" + name, Encoding.UTF8.GetBytes("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\",\"resourceVersion\":\"0\"}}"));
}
