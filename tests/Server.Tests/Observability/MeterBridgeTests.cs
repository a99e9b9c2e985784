using System.Diagnostics.Metrics;
using Nautilus.Server.Observability;

namespace Nautilus.Server.Tests.Observability;

/// <summary>Components report through System.Diagnostics.Metrics; meters named Nautilus.* appear at /metrics.</summary>
[NonParallelizable]
public sealed class MeterBridgeTests
{
    [Test]
    public void Histogram_WithAdvisedBuckets_IsExportedUnderItsName()
    {
        var registry = new MetricsRegistry();
        using var bridge = new MeterBridge(registry);
        using var meter = new Meter("Nautilus.Scheduler.Test" + Guid.NewGuid().ToString("N"));
        var histogram = meter.CreateHistogram<double>("scheduler_pod_scheduling_duration_seconds", "s", "E2e latency for a pod being scheduled.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04] });

        histogram.Record(0.015, new KeyValuePair<string, object?>("attempts", "1"));
        histogram.Record(0.5, new KeyValuePair<string, object?>("attempts", "1"));
        var text = MetricsRegistryTests.Scrape(registry);

        Assert.That(text, Does.Contain("# TYPE scheduler_pod_scheduling_duration_seconds histogram\n"));
        Assert.That(text, Does.Contain("scheduler_pod_scheduling_duration_seconds_bucket{attempts=\"1\",le=\"0.02\"} 1\n"));
        Assert.That(text, Does.Contain("scheduler_pod_scheduling_duration_seconds_bucket{attempts=\"1\",le=\"+Inf\"} 2\n"));
        Assert.That(text, Does.Contain("scheduler_pod_scheduling_duration_seconds_count{attempts=\"1\"} 2\n"));
    }

    [Test]
    public void ObservableGauge_IsReadWhenScraped()
    {
        var registry = new MetricsRegistry();
        using var bridge = new MeterBridge(registry);
        using var meter = new Meter("Nautilus.Controllers.Test" + Guid.NewGuid().ToString("N"));
        var depth = 3;
        meter.CreateObservableGauge("workqueue_depth", () => new Measurement<int>(depth, new KeyValuePair<string, object?>("name", "namespace")), description: "Current depth of workqueue");

        var before = MetricsRegistryTests.Scrape(registry);
        depth = 7;
        var after = MetricsRegistryTests.Scrape(registry);

        Assert.That(before, Does.Contain("workqueue_depth{name=\"namespace\"} 3\n"));
        Assert.That(after, Does.Contain("workqueue_depth{name=\"namespace\"} 7\n"));
    }

    [Test]
    public void Counter_AddsUpAcrossCalls()
    {
        var registry = new MetricsRegistry();
        using var bridge = new MeterBridge(registry);
        using var meter = new Meter("Nautilus.Controllers.Test" + Guid.NewGuid().ToString("N"));
        var adds = meter.CreateCounter<long>("workqueue_adds_total", description: "Total number of adds handled by workqueue");

        adds.Add(2, new KeyValuePair<string, object?>("name", "deployment"));
        adds.Add(1, new KeyValuePair<string, object?>("name", "deployment"));

        Assert.That(MetricsRegistryTests.Scrape(registry), Does.Contain("workqueue_adds_total{name=\"deployment\"} 3\n"));
    }

    [Test]
    public void MeterOutsideNautilus_IsNotExported()
    {
        var registry = new MetricsRegistry();
        using var bridge = new MeterBridge(registry);
        using var meter = new Meter("Other.Library");
        meter.CreateCounter<long>("other_total").Add(1);

        Assert.That(MetricsRegistryTests.Scrape(registry), Does.Not.Contain("other_total"));
    }
}
