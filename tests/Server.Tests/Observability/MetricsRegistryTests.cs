using System.Text;
using Nautilus.Server.Observability;

namespace Nautilus.Server.Tests.Observability;

/// <summary>The registry's families and their Prometheus text exposition.</summary>
public sealed class MetricsRegistryTests
{
    [Test]
    public void Counter_WritesHelpTypeAndOneLinePerLabelSet()
    {
        var registry = new MetricsRegistry();
        var requests = registry.CreateCounter("demo_requests_total", "Requests served.", "verb", "code");
        requests.WithLabels("GET", "200").Inc();
        requests.WithLabels("GET", "200").Add(2);
        requests.WithLabels("POST", "201").Inc();

        var text = Scrape(registry);

        Assert.That(text, Does.StartWith("# HELP demo_requests_total Requests served.\n# TYPE demo_requests_total counter\n"));
        Assert.That(text, Does.Contain("demo_requests_total{verb=\"GET\",code=\"200\"} 3\n"));
        Assert.That(text, Does.Contain("demo_requests_total{verb=\"POST\",code=\"201\"} 1\n"));
    }

    [Test]
    public void WithLabels_SameValues_ReturnsTheSameSeries()
    {
        var registry = new MetricsRegistry();
        var family = registry.CreateGauge("demo_depth", "Depth.", "name");

        var first = family.WithLabels("queue-" + 1);
        var second = family.WithLabels("queue-1");

        Assert.That(second, Is.SameAs(first));
    }

    [Test]
    public void WithLabels_WrongNumberOfValues_Throws()
    {
        var family = new MetricsRegistry().CreateCounter("demo_total", "Demo.", "a", "b");

        Assert.Throws<ArgumentException>(() => family.WithLabels("only-one"));
    }

    [Test]
    public void CreateCounter_NameTaken_Throws()
    {
        var registry = new MetricsRegistry();
        registry.CreateCounter("demo_total", "Demo.");

        Assert.Throws<InvalidOperationException>(() => registry.CreateGauge("demo_total", "Again."));
    }

    [TestCase("9starts_with_digit")]
    [TestCase("has-dash")]
    [TestCase("")]
    public void CreateCounter_InvalidName_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateCounter(name, "Demo."));

    [Test]
    public void Histogram_WritesCumulativeBucketsSumAndCount()
    {
        var registry = new MetricsRegistry();
        var family = registry.CreateHistogram("demo_seconds", "Latency.", [0.1, 1, 10], "op");
        var histogram = family.WithLabels("get");
        foreach (var value in (double[])[0.05, 0.1, 0.5, 2, 20])
        {
            histogram.Observe(value);
        }

        var text = Scrape(registry);

        Assert.That(text, Does.Contain(
            "demo_seconds_bucket{op=\"get\",le=\"0.1\"} 2\n" +
            "demo_seconds_bucket{op=\"get\",le=\"1\"} 3\n" +
            "demo_seconds_bucket{op=\"get\",le=\"10\"} 4\n" +
            "demo_seconds_bucket{op=\"get\",le=\"+Inf\"} 5\n" +
            "demo_seconds_sum{op=\"get\"} 22.65\n" +
            "demo_seconds_count{op=\"get\"} 5\n"));
    }

    [Test]
    public void Histogram_BucketsNotAscending_Throws() =>
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateHistogram("demo_seconds", "Latency.", [1, 1]));

    [Test]
    public void LabelValues_AreEscapedAsTheFormatRequires()
    {
        var registry = new MetricsRegistry();
        registry.CreateGauge("demo_info", "Line one\nline \\two.", "path").WithLabels("a\"b\\c\nd").Set(1.5);

        var text = Scrape(registry);

        Assert.That(text, Does.Contain("# HELP demo_info Line one\\nline \\\\two.\n"));
        Assert.That(text, Does.Contain("demo_info{path=\"a\\\"b\\\\c\\nd\"} 1.5\n"));
    }

    [Test]
    public void Gauge_AddAndSet_TrackTheValue()
    {
        var gauge = new MetricsRegistry().CreateGauge("demo_depth", "Depth.").WithLabels();

        gauge.Inc();
        gauge.Add(2.5);
        gauge.Dec();
        var afterAdds = gauge.Value;
        gauge.Set(-4);

        Assert.That((afterAdds, gauge.Value), Is.EqualTo((2.5, -4.0)));
    }

    [Test]
    public void Counter_ConcurrentIncrements_LoseNothing()
    {
        var counter = new MetricsRegistry().CreateCounter("demo_total", "Demo.").WithLabels();

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                counter.Inc();
            }
        });

        Assert.That(counter.Value, Is.EqualTo(80_000));
    }

    [TestCase(double.PositiveInfinity, "+Inf")]
    [TestCase(double.NegativeInfinity, "-Inf")]
    [TestCase(double.NaN, "NaN")]
    [TestCase(0.005, "0.005")]
    [TestCase(60.0, "60")]
    public void FormatNumber_WritesPrometheusNumbers(double value, string expected) =>
        Assert.That(PrometheusWriter.FormatNumber(value), Is.EqualTo(expected));

    internal static string Scrape(MetricsRegistry registry) => Encoding.UTF8.GetString(registry.Scrape());
}
