using System.Globalization;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;
using Nautilus.Store;
using static Nautilus.Server.Api.Allocation.Internal.ServiceFields;

namespace Nautilus.Server.Api.Allocation;

/// <summary>Keeping the reservations in step with the stored services.</summary>
public sealed partial class ServiceAllocator
{
    private static readonly ResourceType Services = new("", "services");

    /// <summary>
    /// Lists every service and reserves what each holds (then completes <see cref="Ready"/>), and
    /// watches services from that list's revision: DELETED releases what the service held,
    /// ADDED/MODIFIED reserve what it holds and release what it gave up. A watch that ends (410
    /// Gone, a slow-watcher cut-off) is replaced by a new list and watch; services that vanished
    /// meanwhile are released then. Alongside, every <see cref="ServiceAllocatorOptions.RepairInterval"/>
    /// reservations pending for longer than <see cref="ServiceAllocatorOptions.PendingGracePeriod"/>
    /// are checked against the store and released unless their service holds them.
    /// Runs until <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task RunAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var repair = RepairLoopAsync(store, cancellationToken);
        try
        {
            await WatchLoopAsync(store, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await repair.ConfigureAwait(false);
        }
    }

    private async Task WatchLoopAsync(IObjectStore store, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await store.ListAsync(Services, new ListOptions(), ct).ConfigureAwait(false);
                Rebuild(list.Items);
                _ready.TrySetResult();
                using var watch = await store.WatchAsync(
                    Services,
                    new WatchOptions { ResourceVersion = list.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
                    ct).ConfigureAwait(false);
                await foreach (var e in watch.Events.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    Apply(e);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is StorageException or System.Threading.Channels.ChannelClosedException)
            {
                Log.WatchRestarted(_logger, e.Message);
            }
            catch (Exception e)
            {
                Log.WatchFailed(_logger, e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Reserves what the listed services hold; releases services seen before and now gone.</summary>
    private void Rebuild(IReadOnlyList<StoredObject> services)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        var held = new List<(StoredObject Service, HashSet<Item> Items)>(services.Count);
        foreach (var service in services)
        {
            present.Add(service.Uid);
            held.Add((service, ItemsOf(service)));
        }

        lock (_gate)
        {
            foreach (var (service, items) in held)
            {
                Observe(service.Uid, service.Key, items);
            }

            foreach (var (uid, owner) in _owners.ToList())
            {
                if (owner.Stored && !present.Contains(uid))
                {
                    ReleaseOwner(uid);
                }
            }
        }
    }

    private void Apply(WatchEvent e)
    {
        if (e.Object is not { } service)
        {
            return;
        }

        switch (e.Type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                var items = ItemsOf(service);
                lock (_gate)
                {
                    Observe(service.Uid, service.Key, items);
                }

                break;
            case WatchEventType.Deleted:
                lock (_gate)
                {
                    ReleaseOwner(service.Uid);
                }

                break;
        }
    }

    private async Task RepairLoopAsync(IObjectStore store, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.RepairInterval, _time, ct).ConfigureAwait(false);
                await RepairAsync(store, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.RepairFailed(_logger, e);
            }
        }
    }

    /// <summary>Settles reservations pending past the grace period: the service's stored object either holds them or they go.</summary>
    internal async Task RepairAsync(IObjectStore store, CancellationToken ct)
    {
        var cutoff = _time.GetUtcNow() - _options.PendingGracePeriod;
        var due = new Dictionary<string, ObjectKey>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var (_, claim) in _claims)
            {
                if (!claim.Confirmed && claim.Since <= cutoff && _owners.TryGetValue(claim.Uid, out var owner))
                {
                    due[claim.Uid] = owner.Key;
                }
            }
        }

        foreach (var (uid, key) in due)
        {
            var stored = await store.GetAsync(Services, key, ct).ConfigureAwait(false);
            var items = stored is not null && stored.Uid == uid ? ItemsOf(stored) : [];
            lock (_gate)
            {
                if (!_owners.TryGetValue(uid, out var owner))
                {
                    continue;
                }

                foreach (var item in owner.Items.ToList())
                {
                    var claim = _claims[item];
                    if (claim.Confirmed || claim.Since > cutoff)
                    {
                        continue;
                    }

                    if (items.Contains(item))
                    {
                        claim.Confirmed = true;
                        owner.Stored = true;
                    }
                    else
                    {
                        Log.ReleasedLeak(_logger, Describe(item), key.ToString());
                        Free(item);
                    }
                }
            }
        }
    }

    /// <summary>What a stored service holds: its cluster IP (when in range), its node ports and health check node port (when in range).</summary>
    private HashSet<Item> ItemsOf(StoredObject stored)
    {
        var items = new HashSet<Item>();
        JsonObject service;
        try
        {
            service = ObjectCodec.ToTree(stored);
        }
        catch (ApiException)
        {
            return items;
        }

        if (SpecOrNull(service) is not { } spec)
        {
            return items;
        }

        if (NeedsClusterIP(spec))
        {
            var ips = ClusterIPs(spec);
            var primary = ips.Count > 0 ? ips[0] : String(spec, "clusterIP");
            if (TryIPOffset(primary, out var offset))
            {
                items.Add(new Item(false, offset));
            }
        }

        foreach (var port in NodePorts(spec))
        {
            AddPort(items, port);
        }

        if (NeedsHealthCheck(spec))
        {
            AddPort(items, Int(spec, "healthCheckNodePort"));
        }

        return items;
    }

    private void AddPort(HashSet<Item> items, int port)
    {
        if (port >= _options.NodePortMin && port <= _options.NodePortMax)
        {
            items.Add(new Item(true, port));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Service {Service} holds {Value}, which {Holder} holds too")]
        public static partial void DoubleAllocation(ILogger logger, string value, string service, string holder);

        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Released {Value} reserved for {Service}, which never stored it")]
        public static partial void ReleasedLeak(ILogger logger, string value, string service);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Service watch ended ({Reason}); listing again")]
        public static partial void WatchRestarted(ILogger logger, string reason);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Service watch failed; retrying")]
        public static partial void WatchFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Service allocation repair failed")]
        public static partial void RepairFailed(ILogger logger, Exception exception);
    }
}
