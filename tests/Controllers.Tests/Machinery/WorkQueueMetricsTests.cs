using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.ReplicaSets;

namespace Nautilus.Controllers.Tests.Machinery;

/// <summary>The work queue metrics (client-go's names) as a Prometheus scrape of the server shows them.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed partial class WorkQueueMetricsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private ServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Metrics_ShowWorkQueueDepthAddsRetriesAndDurations_ByControllerName()
    {
        var ns = await _server.CreateNamespaceAsync("wqm");
        const string name = ReplicaSetController.ComponentName;
        var addsBefore = Sample(await ScrapeAsync(), $"workqueue_adds_total{{name=\"{name}\"}}") ?? 0;

        await _server.Api.CreateAsync(WorkloadResources.ReplicaSets, ns, Workloads.ReplicaSet("web", 2, "web"));
        await ServerFixture.WaitUntilAsync(async () => (await _server.PodsAsync(ns)).Count == 2, Deadline, () => "2 pods");

        string text = "";
        await ServerFixture.WaitUntilAsync(
            async () =>
            {
                text = await ScrapeAsync();
                return Sample(text, $"workqueue_adds_total{{name=\"{name}\"}}") > addsBefore
                    && Sample(text, $"workqueue_work_duration_seconds_count{{name=\"{name}\"}}") > 0;
            },
            Deadline,
            () => "adds and work durations of " + name + " in:\n" + text);
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("# TYPE workqueue_depth gauge\n"));
            Assert.That(text, Does.Contain("# TYPE workqueue_adds_total counter\n"));
            Assert.That(text, Does.Contain("# TYPE workqueue_retries_total counter\n"));
            Assert.That(text, Does.Contain("# TYPE workqueue_queue_duration_seconds histogram\n"));
            Assert.That(text, Does.Contain("# TYPE workqueue_work_duration_seconds histogram\n"));
            Assert.That(Sample(text, $"workqueue_depth{{name=\"{name}\"}}"), Is.Not.Null.And.GreaterThanOrEqualTo(0));
            Assert.That(Sample(text, $"workqueue_retries_total{{name=\"{name}\"}}"), Is.Not.Null);
            Assert.That(Sample(text, $"workqueue_queue_duration_seconds_count{{name=\"{name}\"}}"), Is.GreaterThan(0));
            Assert.That(Sample(text, "workqueue_depth{name=\"deployment-controller\"}"), Is.Not.Null, "every queue is exported, busy or not");
        });
    }

    [Test]
    public async Task Depth_IsTheQueuesOwn_ForAListenerThatStartsLate()
    {
        var name = "late-listener-" + Guid.NewGuid().ToString("N");
        var queue = new WorkQueue(name: name);
        queue.Add("ns/a");
        queue.Add("ns/b");
        queue.Add("ns/c");

        // Started after the adds, as a second server's bridge in the same process is: a depth
        // summed from adds and takes would read 0 here and -1 after the take.
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Nautilus.Controllers" && instrument.Name == "workqueue_depth")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        long? depth = null;
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "name", Value: string n } && n == name)
                {
                    depth = value;
                }
            }
        });
        listener.Start();
        long? Observe()
        {
            depth = null;
            listener.RecordObservableInstruments();
            return depth;
        }

        Assert.That(Observe(), Is.EqualTo(3));
        var key = await queue.GetAsync(CancellationToken.None);
        Assert.That(Observe(), Is.EqualTo(2));
        queue.Add(key!); // queued again while processing: counted, as client-go counts it
        Assert.That(Observe(), Is.EqualTo(3));
        queue.Done(key!);
        Assert.That(Observe(), Is.EqualTo(3));
        queue.Dispose();
        Assert.That(Observe(), Is.Null, "a disposed queue leaves the scrape");
    }

    private async Task<string> ScrapeAsync()
    {
        var result = await _server.Kubectl("get", "--raw", "/metrics");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        return result.Stdout;
    }

    /// <summary>The value of the sample named exactly <paramref name="series"/> (name and labels), or null.</summary>
    private static double? Sample(string text, string series)
    {
        foreach (Match m in SampleLine().Matches(text))
        {
            if (m.Groups["series"].Value == series)
            {
                return double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?<series>[^ #\n]+) (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
