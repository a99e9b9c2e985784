using System.Buffers;

namespace Nautilus.Server.Observability;

/// <summary>
/// The server's metrics, written at <c>/metrics</c> in the Prometheus text format (0.0.4) under
/// kube-apiserver's names. Families are created once at startup; a series handle obtained with
/// <c>WithLabels</c> is cached by the caller and then costs one interlocked add per update, with
/// no allocation. Values that are cheaper to read when scraped (object counts, process figures)
/// come from <see cref="IMetricsCollector"/>s.
/// </summary>
/// <remarks>
/// Components outside <c>src/Server</c> (scheduler, controllers) do not reference this type:
/// they publish <see cref="System.Diagnostics.Metrics"/> instruments on a meter whose name starts
/// with <c>Nautilus.</c>, and <see cref="MeterBridge"/> writes them here.
/// </remarks>
public sealed class MetricsRegistry
{
    private readonly Lock _gate = new();
    private readonly List<IMetricsCollector> _collectors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private IMetricsCollector[] _snapshot = [];

    /// <summary>A counter family: a monotonically increasing count per label set.</summary>
    public CounterFamily CreateCounter(string name, string help, params string[] labelNames) =>
        Add(new CounterFamily(name, help, labelNames));

    /// <summary>A gauge family: a value per label set that goes up and down.</summary>
    public GaugeFamily CreateGauge(string name, string help, params string[] labelNames) =>
        Add(new GaugeFamily(name, help, labelNames));

    /// <summary>A histogram family with fixed upper bounds (ascending; +Inf is implied).</summary>
    public HistogramFamily CreateHistogram(string name, string help, double[] buckets, params string[] labelNames) =>
        Add(new HistogramFamily(name, help, buckets, labelNames));

    /// <summary>Adds a collector that writes its own families when scraped, after the families created here.</summary>
    public void AddCollector(IMetricsCollector collector)
    {
        ArgumentNullException.ThrowIfNull(collector);
        lock (_gate)
        {
            _collectors.Add(collector);
            _snapshot = [.. _collectors];
        }
    }

    /// <summary>Writes every family in the Prometheus text format.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var writer = new PrometheusWriter(output);
        foreach (var collector in Volatile.Read(ref _snapshot))
        {
            collector.Collect(writer);
        }
    }

    /// <summary>The exposition as bytes (for tests and the endpoint).</summary>
    public byte[] Scrape()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private T Add<T>(T family)
        where T : MetricFamily
    {
        lock (_gate)
        {
            if (!_names.Add(family.Name))
            {
                throw new InvalidOperationException($"metric {family.Name} is already registered");
            }

            _collectors.Add(family);
            _snapshot = [.. _collectors];
        }

        return family;
    }

    /// <summary>Reserves a family name written by a collector, so that no two sources write the same family.</summary>
    internal void Reserve(string name)
    {
        lock (_gate)
        {
            if (!_names.Add(name))
            {
                throw new InvalidOperationException($"metric {name} is already registered");
            }
        }
    }
}

/// <summary>Writes families when the registry is scraped.</summary>
public interface IMetricsCollector
{
    void Collect(PrometheusWriter writer);
}
