using System.Diagnostics.Metrics;
using static Nautilus.Store.Tests.TestSupport;

namespace Nautilus.Store.Tests;

public sealed class StoreMetricsTests : DataDirectoryTests
{
    /// <summary>Every measurement of one store's meter, by instrument name.</summary>
    private sealed class Recorded : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Lock _gate = new();
        private readonly Dictionary<string, List<double>> _values = [];

        public Recorded(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument.Name, value));
            _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument.Name, value));
            _listener.Start();
        }

        public List<double> Of(string name)
        {
            lock (_gate)
            {
                return _values.TryGetValue(name, out var list) ? [.. list] : [];
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Add(string name, double value)
        {
            lock (_gate)
            {
                if (!_values.TryGetValue(name, out var list))
                {
                    _values[name] = list = [];
                }

                list.Add(value);
            }
        }
    }

    [Test]
    public async Task Log_RecordsEverySyncedBatch_ItsWrites_BytesAndFsyncTime()
    {
        // Arrange
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory });
        using var recorded = new Recorded(store.Metrics!.Meter);

        // Act: a burst that can share syncs, then writes one at a time.
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => store.CreateAsync(Pods, Pod("ns", "burst-" + i)).AsTask()));
        for (var i = 0; i < 10; i++)
        {
            await store.CreateAsync(Pods, Pod("ns", "one-" + i));
        }

        // Assert: each acknowledged write was counted in the batch that made it durable, before the acknowledgement.
        var batches = recorded.Of("nautilus_store_wal_batch_writes");
        var syncs = recorded.Of("etcd_disk_wal_fsync_duration_seconds");
        Assert.That(batches.Sum(), Is.EqualTo(60));
        Assert.That(batches, Has.Count.InRange(11, 60)); // the ten sequential writes each waited for their own sync
        Assert.That(syncs, Has.Count.EqualTo(batches.Count));
        Assert.That(syncs, Has.All.GreaterThan(0.0));
        Assert.That(recorded.Of("etcd_disk_wal_write_bytes_total").Sum(), Is.EqualTo(store.Log!.LogicalBytes));
    }

    [Test]
    public async Task Snapshot_RecordsItsSaveDuration()
    {
        // Arrange
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions { DataDirectory = DataDirectory, SnapshotThresholdBytes = 2 * 1024 });
        using var recorded = new Recorded(store.Metrics!.Meter);

        // Act
        for (var i = 0; i < 40; i++)
        {
            await store.CreateAsync(Pods, Pod("ns", "p" + i, extra: new string('x', 200)));
        }

        await store.Log!.WaitForSnapshotAsync();

        // Assert: a save is recorded before it is counted (another may have begun since the wait).
        var written = store.Log.SnapshotsWritten;
        var saves = recorded.Of("etcd_debugging_snap_save_total_duration_seconds");
        Assert.That(written, Is.GreaterThanOrEqualTo(1));
        Assert.That(saves, Has.Count.GreaterThanOrEqualTo(written));
        Assert.That(saves, Has.All.GreaterThan(0.0));
    }

    [Test]
    public async Task InMemoryStore_HasNoLogMetrics()
    {
        await using var store = new EmbeddedStore();

        Assert.That(store.Metrics, Is.Null);
    }
}
