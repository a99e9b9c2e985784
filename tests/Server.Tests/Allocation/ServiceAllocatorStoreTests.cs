using System.Text.Json.Nodes;
using Nautilus.Server.Api.Allocation;
using Nautilus.Server.Api.Objects;
using Nautilus.Store;

namespace Nautilus.Server.Tests.Allocation;

/// <summary>
/// The allocator kept in step with the services in an <see cref="EmbeddedStore"/>: rebuilt from a
/// list on start, releasing on deletion and on updates that give values up, whatever wrote them.
/// </summary>
public sealed class ServiceAllocatorStoreTests
{
    private static readonly ResourceType Services = new("", "services");
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private EmbeddedStore _store = null!;
    private CancellationTokenSource _stop = null!;

    [SetUp]
    public void SetUp()
    {
        _store = new EmbeddedStore();
        _stop = new CancellationTokenSource();
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        await _store.DisposeAsync();
    }

    [Test]
    public async Task Start_ReservesWhatStoredServicesHold()
    {
        var nodePort = ServiceJson.Create("web", clusterIP: "10.96.0.40", type: "NodePort", ports: [(80, 30100)]);
        var balancer = ServiceJson.Create("lb", clusterIP: "10.96.3.3", type: "LoadBalancer", ports: [(80, 30101)]);
        balancer["spec"]!["externalTrafficPolicy"] = "Local";
        balancer["spec"]!["healthCheckNodePort"] = 30102;
        var headless = ServiceJson.Create("db", clusterIP: "None");
        await StoreAsync(nodePort);
        await StoreAsync(balancer);
        await StoreAsync(headless);
        var allocator = new ServiceAllocator();

        var run = allocator.RunAsync(_store, _stop.Token);
        await allocator.Ready.WaitAsync(Deadline);

        Assert.Multiple(() =>
        {
            Assert.That(allocator.HasClusterIP("10.96.0.40"), Is.True);
            Assert.That(allocator.HasClusterIP("10.96.3.3"), Is.True);
            Assert.That(allocator.HasNodePort(30100) && allocator.HasNodePort(30101) && allocator.HasNodePort(30102), Is.True);
            Assert.That(allocator.ClusterIPCount, Is.EqualTo(2));
            Assert.That(allocator.NodePortCount, Is.EqualTo(3));
            Assert.That(run.IsCompleted, Is.False);
        });
        Assert.Throws<Nautilus.Server.Api.ApiException>(() => allocator.AllocateOnCreate(ServiceJson.Create("other", clusterIP: "10.96.0.40"), dryRun: false));
    }

    [Test]
    public async Task DeletedFromTheStore_IsReleased()
    {
        var allocator = await StartAsync();
        var service = ServiceJson.Create("web", type: "NodePort", ports: [(80, 0)]);
        allocator.AllocateOnCreate(service, dryRun: false);
        await StoreAsync(service);
        var ip = service["spec"]!["clusterIP"]!.GetValue<string>();
        var port = service["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>();

        // Removed by any code path: here straight from the store, as namespace deletion would.
        await _store.DeleteAsync(Services, new ObjectKey("default", "web"));

        await WaitUntilAsync(() => !allocator.HasClusterIP(ip) && !allocator.HasNodePort(port));
        Assert.That(allocator.ClusterIPCount + allocator.NodePortCount, Is.Zero);
    }

    [Test]
    public async Task DeletedWhileNotWatching_IsReleasedByTheNextList()
    {
        var allocator = new ServiceAllocator();
        using (var first = new CancellationTokenSource())
        {
            var run = allocator.RunAsync(_store, first.Token);
            await allocator.Ready.WaitAsync(Deadline);
            await StoreAsync(ServiceJson.Create("web", clusterIP: "10.96.0.50"));
            await WaitUntilAsync(() => allocator.HasClusterIP("10.96.0.50"));
            await first.CancelAsync();
            await run.WaitAsync(Deadline);
        }

        await _store.DeleteAsync(Services, new ObjectKey("default", "web"));
        var inFlight = ServiceJson.Create("in-flight", clusterIP: "10.96.0.51");
        allocator.AllocateOnCreate(inFlight, dryRun: false);
        _ = allocator.RunAsync(_store, _stop.Token);

        await WaitUntilAsync(() => !allocator.HasClusterIP("10.96.0.50"));
        // Never seen stored: the list does not release it, as its create may still be on its way.
        Assert.That(allocator.HasClusterIP("10.96.0.51"), Is.True);
    }

    [Test]
    public async Task ReservationOfACreateThatNeverLanded_IsReleasedByRepair()
    {
        var clock = new ManualClock();
        var allocator = new ServiceAllocator(new ServiceAllocatorOptions { PendingGracePeriod = TimeSpan.FromMinutes(1) }, clock);
        allocator.AllocateOnCreate(ServiceJson.Create("lost", clusterIP: "10.96.0.52"), dryRun: false);

        clock.Advance(TimeSpan.FromMinutes(2));
        await allocator.RepairAsync(_store, CancellationToken.None);

        Assert.That(allocator.HasClusterIP("10.96.0.52"), Is.False);
    }

    [Test]
    public async Task UpdateStoredAsClusterIP_ReleasesTheNodePorts()
    {
        var allocator = await StartAsync();
        var old = ServiceJson.Create("web", type: "NodePort", ports: [(80, 0)]);
        allocator.AllocateOnCreate(old, dryRun: false);
        await StoreAsync(old);
        var port = old["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>();
        var updated = (JsonObject)old.DeepClone();
        updated["spec"]!["type"] = "ClusterIP";

        allocator.UpdateAllocations(updated, old);
        Assert.That(allocator.HasNodePort(port), Is.True, "released only once the update is stored");
        await ReplaceAsync(updated);

        await WaitUntilAsync(() => !allocator.HasNodePort(port));
        Assert.That(allocator.HasClusterIP(updated["spec"]!["clusterIP"]!.GetValue<string>()), Is.True);
    }

    [Test]
    public async Task UpdateStoredAsExternalName_ReleasesTheAddress()
    {
        var allocator = await StartAsync();
        var old = ServiceJson.Create("web", clusterIP: "10.96.0.60");
        allocator.AllocateOnCreate(old, dryRun: false);
        await StoreAsync(old);
        var updated = (JsonObject)old.DeepClone();
        updated["spec"]!["type"] = "ExternalName";
        updated["spec"]!["externalName"] = "example.com";

        allocator.UpdateAllocations(updated, old);
        await ReplaceAsync(updated);

        await WaitUntilAsync(() => !allocator.HasClusterIP("10.96.0.60"));
    }

    [Test]
    public async Task WrittenBehindTheAllocatorsBack_IsReservedFromTheWatch()
    {
        var allocator = await StartAsync();

        await StoreAsync(ServiceJson.Create("web", clusterIP: "10.96.0.70"));

        await WaitUntilAsync(() => allocator.HasClusterIP("10.96.0.70"));
    }

    [Test]
    public async Task Repair_ReleasesReservationsNoStoredServiceTookUp()
    {
        var clock = new ManualClock();
        var allocator = new ServiceAllocator(new ServiceAllocatorOptions { PendingGracePeriod = TimeSpan.FromMinutes(1) }, clock);
        var stored = ServiceJson.Create("web", type: "ClusterIP");
        allocator.AllocateOnCreate(stored, dryRun: false);
        await StoreAsync(stored);
        // An update that allocated node ports and then failed validation: never stored.
        var failed = (JsonObject)stored.DeepClone();
        failed["spec"]!["type"] = "NodePort";
        allocator.UpdateAllocations(failed, stored);
        var leaked = failed["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>();

        await allocator.RepairAsync(_store, CancellationToken.None);
        var keptWithinGrace = allocator.HasNodePort(leaked);
        clock.Advance(TimeSpan.FromMinutes(2));
        await allocator.RepairAsync(_store, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(keptWithinGrace, Is.True);
            Assert.That(allocator.HasNodePort(leaked), Is.False);
            Assert.That(allocator.HasClusterIP(stored["spec"]!["clusterIP"]!.GetValue<string>()), Is.True, "the stored service holds its address");
        });
    }

    [Test]
    public async Task Host_StartsOnceStoredServicesAreReserved_AndStops()
    {
        await StoreAsync(ServiceJson.Create("web", clusterIP: "10.96.0.80"));
        var allocator = new ServiceAllocator();
        using var host = new ServiceAllocatorHost(allocator, _store);

        await host.StartAsync(CancellationToken.None);
        var reservedAtStart = allocator.HasClusterIP("10.96.0.80");
        await host.StopAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.That(reservedAtStart, Is.True);
    }

    private async Task<ServiceAllocator> StartAsync()
    {
        var allocator = new ServiceAllocator();
        _ = allocator.RunAsync(_store, _stop.Token);
        await allocator.Ready.WaitAsync(Deadline);
        return allocator;
    }

    private async Task StoreAsync(JsonObject service)
    {
        var meta = service["metadata"]!;
        var key = new ObjectKey(meta["namespace"]!.GetValue<string>(), meta["name"]!.GetValue<string>());
        await _store.CreateAsync(Services, new StoredObject(key, meta["uid"]!.GetValue<string>(), KubeJson.Serialize(service)));
    }

    private async Task ReplaceAsync(JsonObject service)
    {
        var meta = service["metadata"]!;
        var key = new ObjectKey(meta["namespace"]!.GetValue<string>(), meta["name"]!.GetValue<string>());
        var next = new StoredObject(key, meta["uid"]!.GetValue<string>(), KubeJson.Serialize(service));
        await _store.GuaranteedUpdateAsync(Services, key, (_, _) => ValueTask.FromResult(next));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            await Task.Delay(5, deadline.Token);
        }
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
