using System.Buffers;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Nautilus.Api.V1;
using Nautilus.Server.Observability;
using Nautilus.Store;

namespace Nautilus.Benchmarks.Observability;

/// <summary>
/// What metrics cost on the request path: labelling a request, recording it (counter by code and
/// duration histogram), the raw counter and histogram, the instrumented store's Get against the
/// bare store's, and a whole /metrics exposition.
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class ObservabilityBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private MetricsRegistry _registry = null!;
    private ApiServerMetrics _metrics = null!;
    private RequestLabels _labels;
    private ResourceRequest _request = null!;
    private Counter _counter = null!;
    private Histogram _histogram = null!;
    private CounterFamily _family = null!;
    private EmbeddedStore _bare = null!;
    private InstrumentedObjectStore _instrumented = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _registry = new MetricsRegistry();
        _metrics = new ApiServerMetrics(_registry);
        _request = new ResourceRequest { Version = "v1", Resource = "pods", Namespace = "ns-2", Name = "web-42" };
        _labels = ResourceMetricsInterceptor.Classify(Pods.Registry, "Get", _request, null);
        _family = _registry.CreateCounter("bench_total", "Bench.", "a", "b", "c");
        _counter = _family.WithLabels("x", "y", "z");
        _histogram = _registry.CreateHistogram("bench_seconds", "Bench.", ApiServerMetrics.RequestDurationBuckets).WithLabels();

        // A registry as a busy server's: every resource and verb seen.
        foreach (var resource in Pods.Registry.All)
        {
            foreach (var verb in (ReadOnlySpan<RequestVerb>)[RequestVerb.Get, RequestVerb.List, RequestVerb.Post, RequestVerb.Put])
            {
                _metrics.RecordRequest(new RequestLabels(verb, resource, "", RequestScope.Namespace, false), 200, Stopwatch.GetTimestamp());
            }
        }

        _bare = new EmbeddedStore();
        _instrumented = new InstrumentedObjectStore(new EmbeddedStore(), _metrics, Pods.Registry);
        await _bare.CreateAsync(Pods.Type, Pods.Stored(42));
        await _instrumented.CreateAsync(Pods.Type, Pods.Stored(42));
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _bare.DisposeAsync();
        await _instrumented.DisposeAsync();
    }

    /// <summary>The interceptor's work: kube's verb, scope and resource labels from the parsed request.</summary>
    [Benchmark]
    public RequestLabels ClassifyRequest() => ResourceMetricsInterceptor.Classify(Pods.Registry, "Get", _request, null);

    /// <summary>The middleware's work at the end of a request: apiserver_request_total and the duration histogram.</summary>
    [Benchmark]
    public void RecordRequest() => _metrics.RecordRequest(_labels, 200, Stopwatch.GetTimestamp());

    [Benchmark]
    public void CounterInc() => _counter.Inc();

    [Benchmark]
    public void HistogramObserve() => _histogram.Observe(0.0042);

    /// <summary>A series found by its label values (callers that do not cache the handle).</summary>
    [Benchmark]
    public Counter WithLabelsLookup() => _family.WithLabels("x", "y", "z");

    [Benchmark(Baseline = true)]
    public ValueTask<StoredObject?> BareGet() => _bare.GetAsync(Pods.Type, new ObjectKey("ns-2", "web-42"));

    [Benchmark]
    public ValueTask<StoredObject?> InstrumentedGet() => _instrumented.GetAsync(Pods.Type, new ObjectKey("ns-2", "web-42"));

    /// <summary>The whole exposition (about 80 request series with their histograms).</summary>
    [Benchmark]
    public int Scrape()
    {
        _output.ResetWrittenCount();
        _registry.WriteTo(_output);
        return _output.WrittenCount;
    }
}
