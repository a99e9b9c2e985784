using System.Collections.Concurrent;
using Nautilus.Server.Api;

namespace Nautilus.Server.Observability;

/// <summary>The verb kube-apiserver reports in request metrics (metrics.CleanVerb).</summary>
public enum RequestVerb : byte
{
    Get,
    List,
    Watch,
    Post,
    Put,
    Patch,
    Apply,
    Delete,
    Connect,
    Other,
}

/// <summary>The scope label: one named object (or a create), a namespace, the whole cluster, or none for non-resource paths.</summary>
public enum RequestScope : byte
{
    None,
    Resource,
    Namespace,
    Cluster,
}

/// <summary>
/// What a request is, in the labels of kube-apiserver's request metrics. A resource request
/// names its registered <see cref="Resource"/> (whose interned strings become the group, version
/// and resource labels); a non-resource request carries its path as the subresource label, as
/// kube-apiserver labels <c>/healthz</c> or <c>/version</c>.
/// </summary>
public readonly record struct RequestLabels(
    RequestVerb Verb,
    ResourceDefinition? Resource,
    string Subresource,
    RequestScope Scope,
    bool DryRun)
{
    public static RequestLabels NonResource(RequestVerb verb, string path) => new(verb, null, path, RequestScope.None, false);
}

/// <summary>
/// kube-apiserver's own metrics, under its names and labels
/// (k8s.io/apiserver/pkg/endpoints/metrics): apiserver_request_total,
/// apiserver_request_duration_seconds, apiserver_longrunning_requests,
/// apiserver_current_inflight_requests, apiserver_watch_events_total and
/// apiserver_watch_events_sizes, plus etcd_request_duration_seconds for the store.
/// </summary>
public sealed class ApiServerMetrics
{
    /// <summary>apiserver_request_duration_seconds' buckets, as kube-apiserver declares them.</summary>
    public static readonly double[] RequestDurationBuckets =
        [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

    /// <summary>apiserver_watch_events_sizes' buckets: 1 KiB to 128 KiB.</summary>
    public static readonly double[] WatchEventSizeBuckets = Buckets.Exponential(1024, 2, 8);

    private readonly RequestFamily _requests;
    private readonly LongRunningFamily _longRunning;
    private readonly InflightCollector _inflight;
    private readonly CounterFamily _watchEvents;
    private readonly HistogramFamily _watchEventSizes;
    private readonly HistogramFamily _storage;

    public ApiServerMetrics(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        _requests = new RequestFamily();
        registry.Reserve(RequestFamily.TotalName);
        registry.Reserve(RequestFamily.DurationName);
        registry.AddCollector(_requests);
        _longRunning = new LongRunningFamily();
        registry.Reserve(LongRunningFamily.Name);
        registry.AddCollector(_longRunning);
        _inflight = new InflightCollector();
        registry.Reserve(InflightCollector.Name);
        registry.AddCollector(_inflight);
        _watchEvents = registry.CreateCounter("apiserver_watch_events_total", "Number of events sent in watch clients", "group", "version", "kind");
        _watchEventSizes = registry.CreateHistogram("apiserver_watch_events_sizes", "Watch event size distribution in bytes", WatchEventSizeBuckets, "group", "version", "kind");
        _storage = registry.CreateHistogram("etcd_request_duration_seconds", "Etcd request latency in seconds for each operation and object type.", RequestDurationBuckets, "operation", "type");
    }

    public MetricsRegistry Registry { get; }

    /// <summary>Counts a finished request and observes its duration (kube's MonitorRequest).</summary>
    public void RecordRequest(in RequestLabels labels, int code, long startTimestamp)
    {
        var series = _requests.Series(labels);
        series.Duration.ObserveSince(startTimestamp);
        series.Count(code);
    }

    /// <summary>A request that is not long-running has started; <see cref="RequestFinished"/> must follow.</summary>
    public void RequestStarted(bool mutating) => _inflight.Started(mutating);

    public void RequestFinished(bool mutating) => _inflight.Finished(mutating);

    /// <summary>A long-running request (a watch) has started: it counts in apiserver_longrunning_requests until disposed.</summary>
    public Gauge LongRunning(in RequestLabels labels) => _longRunning.Series(labels);

    /// <summary>The counter and size histogram of watch events for one kind.</summary>
    public (Counter Events, Histogram Sizes) WatchEvents(string group, string version, string kind) =>
        (_watchEvents.WithLabels(group, version, kind), _watchEventSizes.WithLabels(group, version, kind));

    /// <summary>The latency histogram of one store operation on one type (etcd_request_duration_seconds).</summary>
    public Histogram Storage(string operation, string type) => _storage.WithLabels(operation, type);

    internal static string VerbText(RequestVerb verb) => verb switch
    {
        RequestVerb.Get => "GET",
        RequestVerb.List => "LIST",
        RequestVerb.Watch => "WATCH",
        RequestVerb.Post => "POST",
        RequestVerb.Put => "PUT",
        RequestVerb.Patch => "PATCH",
        RequestVerb.Apply => "APPLY",
        RequestVerb.Delete => "DELETE",
        RequestVerb.Connect => "CONNECT",
        _ => "other",
    };

    internal static string ScopeText(RequestScope scope) => scope switch
    {
        RequestScope.Resource => "resource",
        RequestScope.Namespace => "namespace",
        RequestScope.Cluster => "cluster",
        _ => "",
    };

    /// <summary>verb, dry_run, group, version, resource, subresource, scope, component.</summary>
    private static string[] LabelValues(in RequestLabels labels)
    {
        var resource = labels.Resource;
        return
        [
            VerbText(labels.Verb),
            labels.DryRun ? "All" : "",
            resource?.Group ?? "",
            resource?.Version ?? "",
            resource?.Plural ?? "",
            labels.Subresource,
            ScopeText(labels.Scope),
            resource is null ? "" : "apiserver",
        ];
    }

    /// <summary>apiserver_request_total and apiserver_request_duration_seconds share one series per label set; the code splits only the counter.</summary>
    private sealed class RequestFamily : IMetricsCollector
    {
        public const string TotalName = "apiserver_request_total";
        public const string DurationName = "apiserver_request_duration_seconds";

        private static readonly string[] TotalLabels = ["verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component", "code"];
        private static readonly string[] DurationLabels = ["verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component"];

        private readonly ConcurrentDictionary<RequestLabels, RequestSeries> _series = new();

        public RequestSeries Series(in RequestLabels labels) =>
            _series.TryGetValue(labels, out var series) ? series : _series.GetOrAdd(labels, static l => new RequestSeries(LabelValues(l)));

        public void Collect(PrometheusWriter writer)
        {
            writer.WriteHeader(TotalName, "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.", "counter");
            Span<string> values = new string[TotalLabels.Length];
            foreach (var (_, series) in _series)
            {
                series.LabelValues.CopyTo(values);
                foreach (var code in series.Codes)
                {
                    values[^1] = code.Text;
                    writer.WriteSample(TotalName, null, TotalLabels, values, code.Value);
                }
            }

            writer.WriteHeader(DurationName, "Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.", "histogram");
            foreach (var (_, series) in _series)
            {
                series.Duration.Write(writer, DurationName, DurationLabels, series.LabelValues);
            }
        }
    }

    private sealed class RequestSeries(string[] labelValues)
    {
        private readonly Lock _gate = new();
        private CodeCount[] _codes = [];

        public string[] LabelValues { get; } = labelValues;

        public Histogram Duration { get; } = new(RequestDurationBuckets);

        public CodeCount[] Codes => Volatile.Read(ref _codes);

        /// <summary>A handful of codes per series: a scan of a copy-on-write array, no lock once the code is known.</summary>
        public void Count(int code)
        {
            foreach (var existing in Volatile.Read(ref _codes))
            {
                if (existing.Code == code)
                {
                    Interlocked.Increment(ref existing.Value);
                    return;
                }
            }

            lock (_gate)
            {
                foreach (var existing in _codes)
                {
                    if (existing.Code == code)
                    {
                        Interlocked.Increment(ref existing.Value);
                        return;
                    }
                }

                var added = new CodeCount(code) { Value = 1 };
                Volatile.Write(ref _codes, [.. _codes, added]);
            }
        }
    }

    private sealed class CodeCount(int code)
    {
        public long Value;

        public int Code { get; } = code;

        public string Text { get; } = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class LongRunningFamily : IMetricsCollector
    {
        public const string Name = "apiserver_longrunning_requests";

        private static readonly string[] Labels = ["verb", "group", "version", "resource", "subresource", "scope", "component"];

        private readonly ConcurrentDictionary<RequestLabels, (string[] Values, Gauge Gauge)> _series = new();

        public Gauge Series(in RequestLabels labels)
        {
            var key = labels with { DryRun = false };
            if (!_series.TryGetValue(key, out var series))
            {
                series = _series.GetOrAdd(key, static l =>
                {
                    var all = LabelValues(l);
                    return ([all[0], all[2], all[3], all[4], all[5], all[6], all[7]], new Gauge());
                });
            }

            return series.Gauge;
        }

        public void Collect(PrometheusWriter writer)
        {
            writer.WriteHeader(Name, "Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.", "gauge");
            foreach (var (_, (values, gauge)) in _series)
            {
                writer.WriteSample(Name, null, Labels, values, gauge.Value);
            }
        }
    }

    /// <summary>
    /// apiserver_current_inflight_requests: the most requests in flight at once (watches excluded,
    /// as kube-apiserver's max-inflight filter excludes long-running requests) since the previous scrape.
    /// </summary>
    private sealed class InflightCollector : IMetricsCollector
    {
        public const string Name = "apiserver_current_inflight_requests";

        private static readonly string[] Labels = ["request_kind"];

        // [0] read-only, [1] mutating; current and high-water mark on separate cache lines.
        private readonly PaddedCounter[] _current = new PaddedCounter[2];
        private readonly PaddedCounter[] _max = new PaddedCounter[2];

        public void Started(bool mutating)
        {
            var kind = mutating ? 1 : 0;
            var now = Interlocked.Increment(ref _current[kind].Value);
            var max = Volatile.Read(ref _max[kind].Value);
            while (now > max)
            {
                var seen = Interlocked.CompareExchange(ref _max[kind].Value, now, max);
                if (seen == max)
                {
                    break;
                }

                max = seen;
            }
        }

        public void Finished(bool mutating) => Interlocked.Decrement(ref _current[mutating ? 1 : 0].Value);

        public void Collect(PrometheusWriter writer)
        {
            writer.WriteHeader(Name, "Maximal number of currently used inflight request limit of this apiserver per request kind in last second.", "gauge");
            for (var kind = 0; kind < 2; kind++)
            {
                var max = Interlocked.Exchange(ref _max[kind].Value, Volatile.Read(ref _current[kind].Value));
                writer.WriteSample(Name, null, Labels, [kind == 0 ? "readOnly" : "mutating"], Math.Max(max, Volatile.Read(ref _current[kind].Value)));
            }
        }
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 64)]
    private struct PaddedCounter
    {
        [System.Runtime.InteropServices.FieldOffset(0)]
        public long Value;
    }
}

/// <summary>Histogram bucket layouts as Prometheus' client libraries build them.</summary>
public static class Buckets
{
    /// <summary>count bounds: start, start*factor, start*factor^2, ...</summary>
    public static double[] Exponential(double start, double factor, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(start);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(factor, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var buckets = new double[count];
        for (var i = 0; i < count; i++)
        {
            buckets[i] = start;
            start *= factor;
        }

        return buckets;
    }

    /// <summary>Prometheus' default buckets (DefBuckets): 5 ms to 10 s.</summary>
    public static double[] Default => [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
}
