using System.Diagnostics.Metrics;

namespace Nautilus.Store.Internal;

/// <summary>
/// The log's disk metrics under etcd's Prometheus names (server/storage/wal/metrics.go and
/// snap/metrics.go), on the <c>Nautilus.Store</c> meter, which the server's /metrics exports with
/// every <c>Nautilus.*</c> meter; and the group commit's size, which etcd has no name for. One
/// instance per store with a log; recording costs no allocation.
/// </summary>
internal sealed class StoreMetrics : IDisposable
{
    public const string MeterName = "Nautilus.Store";

    /// <summary>etcd's ExponentialBuckets(0.001, 2, 14): 1 ms to 8.192 s.</summary>
    private static readonly InstrumentAdvice<double> EtcdDiskBuckets = new()
    {
        HistogramBucketBoundaries = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192],
    };

    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _fsyncDuration;
    private readonly Counter<long> _writeBytes;
    private readonly Histogram<long> _batchWrites;
    private readonly Histogram<double> _snapshotDuration;

    public StoreMetrics()
    {
        _fsyncDuration = _meter.CreateHistogram("etcd_disk_wal_fsync_duration_seconds", null,
            "The latency distributions of fsync called by WAL.", null, EtcdDiskBuckets);
        _writeBytes = _meter.CreateCounter<long>("etcd_disk_wal_write_bytes_total", null, "Total number of bytes written in WAL.");
        _batchWrites = _meter.CreateHistogram<long>("nautilus_store_wal_batch_writes", null,
            "Writes made durable by one WAL sync (group commit).", null,
            new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _snapshotDuration = _meter.CreateHistogram("etcd_debugging_snap_save_total_duration_seconds", null,
            "The total latency distributions of save called by snapshot.", null, EtcdDiskBuckets);
    }

    /// <summary>The meter the instruments are on (tests listen to this instance's alone).</summary>
    public Meter Meter => _meter;

    /// <summary>A batch of <paramref name="writes"/> records, <paramref name="bytes"/> long, was written and synced in <paramref name="sync"/>.</summary>
    public void BatchDurable(int writes, long bytes, TimeSpan sync)
    {
        _fsyncDuration.Record(sync.TotalSeconds);
        _writeBytes.Add(bytes);
        _batchWrites.Record(writes);
    }

    public void SnapshotSaved(TimeSpan duration) => _snapshotDuration.Record(duration.TotalSeconds);

    public void Dispose() => _meter.Dispose();
}
