using System.Collections.Concurrent;
using System.Diagnostics;
using Nautilus.Server.Observability.Internal;

namespace Nautilus.Server.Observability;

/// <summary>One named metric with its label names; its series are created on first use of a label set.</summary>
public abstract class MetricFamily : IMetricsCollector
{
    private protected MetricFamily(string name, string help, string[] labelNames, string type)
    {
        PrometheusWriter.ValidateName(name);
        foreach (var label in labelNames)
        {
            PrometheusWriter.ValidateName(label);
        }

        Name = name;
        Help = help;
        LabelNames = labelNames;
        Type = type;
    }

    public string Name { get; }

    public string Help { get; }

    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>counter, gauge or histogram.</summary>
    public string Type { get; }

    public abstract void Collect(PrometheusWriter writer);
}

/// <summary>A family whose series are looked up by label values without allocating once they exist.</summary>
public abstract class MetricFamily<TSeries> : MetricFamily
    where TSeries : class
{
    private readonly ConcurrentDictionary<LabelSet, TSeries> _series = new(LabelSet.Comparer);
    private readonly ConcurrentDictionary<LabelSet, TSeries>.AlternateLookup<ReadOnlySpan<string>> _lookup;
    private readonly string[] _labelNames;

    private protected MetricFamily(string name, string help, string[] labelNames, string type)
        : base(name, help, labelNames, type)
    {
        _labelNames = labelNames;
        _lookup = _series.GetAlternateLookup<ReadOnlySpan<string>>();
    }

    /// <summary>
    /// The series for these label values (in the family's label order), created on first use.
    /// Cache the handle on hot paths: the lookup hashes every value.
    /// </summary>
    public TSeries WithLabels(params ReadOnlySpan<string> values)
    {
        if (values.Length != _labelNames.Length)
        {
            throw new ArgumentException($"{Name} has {_labelNames.Length} labels, got {values.Length} values", nameof(values));
        }

        if (_lookup.TryGetValue(values, out var series))
        {
            return series;
        }

        return _series.GetOrAdd(LabelSet.Create(values), static (_, family) => family.CreateSeries(), this);
    }

    public override void Collect(PrometheusWriter writer)
    {
        writer.WriteHeader(Name, Help, Type);
        foreach (var (labels, series) in _series)
        {
            Write(writer, _labelNames, labels.Values, series);
        }
    }

    private protected abstract TSeries CreateSeries();

    private protected abstract void Write(PrometheusWriter writer, string[] labelNames, string[] labelValues, TSeries series);
}

/// <summary>A monotonically increasing count.</summary>
public sealed class Counter
{
    private long _value;

    public long Value => Volatile.Read(ref _value);

    public void Inc() => Interlocked.Increment(ref _value);

    public void Add(long amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        Interlocked.Add(ref _value, amount);
    }
}

/// <summary>A value that goes up and down.</summary>
public sealed class Gauge
{
    private long _bits;

    public double Value => BitConverter.Int64BitsToDouble(Volatile.Read(ref _bits));

    public void Set(double value) => Volatile.Write(ref _bits, BitConverter.DoubleToInt64Bits(value));

    public void Inc() => Add(1);

    public void Dec() => Add(-1);

    public void Add(double amount)
    {
        var current = Volatile.Read(ref _bits);
        while (true)
        {
            var next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(current) + amount);
            var seen = Interlocked.CompareExchange(ref _bits, next, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

/// <summary>Observations counted into fixed buckets, with their sum (a Prometheus histogram).</summary>
public sealed class Histogram
{
    private static readonly double TicksToSeconds = 1.0 / Stopwatch.Frequency;

    private readonly double[] _bounds;

    /// <summary>Per bucket (not cumulative); the last one is +Inf.</summary>
    private readonly long[] _counts;
    private long _sumBits;

    internal Histogram(double[] bounds)
    {
        _bounds = bounds;
        _counts = new long[bounds.Length + 1];
    }

    public long Count
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                total += Volatile.Read(ref _counts[i]);
            }

            return total;
        }
    }

    public double Sum => BitConverter.Int64BitsToDouble(Volatile.Read(ref _sumBits));

    public void Observe(double value)
    {
        var bounds = _bounds;
        var i = 0;
        while (i < bounds.Length && value > bounds[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        var current = Volatile.Read(ref _sumBits);
        while (true)
        {
            var next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(current) + value);
            var seen = Interlocked.CompareExchange(ref _sumBits, next, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Observes the seconds since <paramref name="startTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/> value).</summary>
    public void ObserveSince(long startTimestamp) => Observe((Stopwatch.GetTimestamp() - startTimestamp) * TicksToSeconds);

    internal void Write(PrometheusWriter writer, string name, string[] labelNames, string[] labelValues)
    {
        long cumulative = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            cumulative += Volatile.Read(ref _counts[i]);
            writer.WriteBucket(name, labelNames, labelValues, i < _bounds.Length ? _bounds[i] : double.PositiveInfinity, cumulative);
        }

        writer.WriteSample(name, "_sum", labelNames, labelValues, Sum);
        writer.WriteSample(name, "_count", labelNames, labelValues, cumulative);
    }
}

public sealed class CounterFamily : MetricFamily<Counter>
{
    internal CounterFamily(string name, string help, string[] labelNames)
        : base(name, help, labelNames, "counter")
    {
    }

    private protected override Counter CreateSeries() => new();

    private protected override void Write(PrometheusWriter writer, string[] labelNames, string[] labelValues, Counter series) =>
        writer.WriteSample(Name, null, labelNames, labelValues, series.Value);
}

public sealed class GaugeFamily : MetricFamily<Gauge>
{
    internal GaugeFamily(string name, string help, string[] labelNames)
        : base(name, help, labelNames, "gauge")
    {
    }

    private protected override Gauge CreateSeries() => new();

    private protected override void Write(PrometheusWriter writer, string[] labelNames, string[] labelValues, Gauge series) =>
        writer.WriteSample(Name, null, labelNames, labelValues, series.Value);
}

public sealed class HistogramFamily : MetricFamily<Histogram>
{
    private readonly double[] _buckets;

    internal HistogramFamily(string name, string help, double[] buckets, string[] labelNames)
        : base(name, help, labelNames, "histogram")
    {
        for (var i = 1; i < buckets.Length; i++)
        {
            if (!(buckets[i] > buckets[i - 1]))
            {
                throw new ArgumentException("histogram buckets must ascend", nameof(buckets));
            }
        }

        _buckets = [.. buckets];
    }

    public IReadOnlyList<double> Buckets => _buckets;

    private protected override Histogram CreateSeries() => new(_buckets);

    private protected override void Write(PrometheusWriter writer, string[] labelNames, string[] labelValues, Histogram series) =>
        series.Write(writer, Name, labelNames, labelValues);
}
