using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Nautilus.Server.Observability.Internal;

namespace Nautilus.Server.Observability;

/// <summary>
/// Exports the <see cref="System.Diagnostics.Metrics"/> instruments of every meter named
/// <c>Nautilus.*</c> at <c>/metrics</c>, so that the scheduler, the controllers and the agents
/// report without referencing the server. The instrument's name is the Prometheus name (use
/// Kubernetes' own: <c>scheduler_pod_scheduling_duration_seconds</c>, <c>workqueue_depth</c>),
/// its tags are the labels (string values; others are formatted invariantly), and a histogram's
/// buckets come from its advice (<see cref="InstrumentAdvice{T}.HistogramBucketBoundaries"/>), or
/// Prometheus' defaults. Counter and Histogram become counter and histogram; UpDownCounter,
/// Gauge and the observable instruments become gauges (observable counters: counters), read when scraped.
/// </summary>
public sealed class MeterBridge : IMetricsCollector, IDisposable
{
    /// <summary>Meters whose name starts with this are exported.</summary>
    public const string MeterPrefix = "Nautilus.";

    private readonly MetricsRegistry _registry;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<string, BridgedFamily> _families = new(StringComparer.Ordinal);

    public MeterBridge(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal) && Bridge(instrument) is { } family)
                {
                    listener.EnableMeasurementEvents(instrument, family);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((BridgedFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (instrument, value, tags, state) => ((BridgedFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, state) => ((BridgedFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (instrument, value, tags, state) => ((BridgedFamily)state!).Record(value, tags));
        registry.AddCollector(this);
        _listener.Start();
    }

    public void Collect(PrometheusWriter writer)
    {
        _listener.RecordObservableInstruments();
        foreach (var (_, family) in _families)
        {
            family.Write(writer);
        }
    }

    public void Dispose() => _listener.Dispose();

    private BridgedFamily? Bridge(Instrument instrument)
    {
        var name = Sanitize(instrument.Name);
        var kind = instrument switch
        {
            Counter<long> or Counter<int> or Counter<double> or Counter<float> => BridgedKind.Counter,
            ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> or ObservableCounter<float> => BridgedKind.ObservedCounter,
            Histogram<long> or Histogram<int> or Histogram<double> or Histogram<float> => BridgedKind.Histogram,
            UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double> or UpDownCounter<float> => BridgedKind.UpDown,
            _ when instrument.IsObservable => BridgedKind.ObservedGauge,
            Gauge<long> or Gauge<int> or Gauge<double> or Gauge<float> => BridgedKind.ObservedGauge,
            _ => (BridgedKind?)null,
        };
        if (kind is null)
        {
            return null;
        }

        if (_families.TryGetValue(name, out var existing))
        {
            return existing.Kind == kind ? existing : null;
        }

        try
        {
            _registry.Reserve(name);
        }
        catch (InvalidOperationException)
        {
            // The server itself writes a family of that name.
            return null;
        }

        var buckets = kind == BridgedKind.Histogram ? BucketsOf(instrument) : null;
        return _families.GetOrAdd(name, new BridgedFamily(name, instrument.Description ?? name, kind.Value, buckets));
    }

    private static double[] BucketsOf(Instrument instrument)
    {
        IReadOnlyList<double>? advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries is { } f ? [.. f.Select(v => (double)v)] : null,
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries is { } l ? [.. l.Select(v => (double)v)] : null,
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries is { } i ? [.. i.Select(v => (double)v)] : null,
            _ => null,
        };
        return advised is { Count: > 0 } ? [.. advised] : Buckets.Default;
    }

    /// <summary>Dots and dashes (common in .NET instrument names) become underscores.</summary>
    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (i > 0 && c is >= '0' and <= '9')))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private enum BridgedKind
    {
        Counter,
        ObservedCounter,
        Histogram,
        UpDown,
        ObservedGauge,
    }

    /// <summary>One exported family; its series are keyed by alternating tag names and values.</summary>
    private sealed class BridgedFamily(string name, string help, BridgedKind kind, double[]? buckets)
    {
        [ThreadStatic]
        private static string[]? t_scratch;

        private readonly ConcurrentDictionary<LabelSet, Series> _series = new(LabelSet.Comparer);

        public BridgedKind Kind => kind;

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var series = Find(tags);
            switch (kind)
            {
                case BridgedKind.Counter:
                case BridgedKind.UpDown:
                    series.Value.Add(value);
                    break;
                case BridgedKind.Histogram:
                    series.Histogram!.Observe(value);
                    break;
                default:
                    series.Value.Set(value);
                    break;
            }
        }

        public void Write(PrometheusWriter writer)
        {
            writer.WriteHeader(name, help, kind switch
            {
                BridgedKind.Counter or BridgedKind.ObservedCounter => "counter",
                BridgedKind.Histogram => "histogram",
                _ => "gauge",
            });
            foreach (var (_, series) in _series)
            {
                if (series.Histogram is { } histogram)
                {
                    histogram.Write(writer, name, series.Names, series.Values);
                }
                else
                {
                    writer.WriteSample(name, null, series.Names, series.Values, series.Value.Value);
                }
            }
        }

        private Series Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var length = tags.Length * 2;
            var scratch = t_scratch is { } s && s.Length >= length ? s : t_scratch = new string[Math.Max(8, length)];
            for (var i = 0; i < tags.Length; i++)
            {
                scratch[2 * i] = tags[i].Key;
                scratch[(2 * i) + 1] = tags[i].Value switch
                {
                    null => "",
                    string text => text,
                    IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                    var other => other.ToString() ?? "",
                };
            }

            var key = scratch.AsSpan(0, length);
            var lookup = _series.GetAlternateLookup<ReadOnlySpan<string>>();
            if (lookup.TryGetValue(key, out var series))
            {
                return series;
            }

            var labels = LabelSet.Create(key);
            return _series.GetOrAdd(labels, static (l, family) => family.Create(l), this);
        }

        private Series Create(LabelSet labels)
        {
            var count = labels.Values.Length / 2;
            var names = new string[count];
            var values = new string[count];
            for (var i = 0; i < count; i++)
            {
                names[i] = Sanitize(labels.Values[2 * i]);
                values[i] = labels.Values[(2 * i) + 1];
            }

            return new Series(names, values, new Gauge(), buckets is null ? null : new Histogram(buckets));
        }
    }

    private sealed record Series(string[] Names, string[] Values, Gauge Value, Histogram? Histogram);
}
