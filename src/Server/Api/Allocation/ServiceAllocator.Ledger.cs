using Nautilus.Server.Api.Allocation.Internal;
using Nautilus.Store;

namespace Nautilus.Server.Api.Allocation;

/// <summary>Who holds what: every reserved address and node port has one claim, owned by a service uid.</summary>
public sealed partial class ServiceAllocator
{
    /// <summary>A reserved value: an address (as its bitmap offset) or a node port (as the port number).</summary>
    internal readonly record struct Item(bool IsPort, int Value);

    /// <summary>Pending until a stored object of <see cref="Uid"/> is seen holding the value.</summary>
    private sealed class Claim(string uid, DateTimeOffset since)
    {
        public string Uid { get; } = uid;

        public DateTimeOffset Since { get; } = since;

        public bool Confirmed { get; set; }
    }

    private sealed class Owner(ObjectKey key)
    {
        public ObjectKey Key { get; } = key;

        /// <summary>Seen in the store at least once.</summary>
        public bool Stored { get; set; }

        public HashSet<Item> Items { get; } = [];
    }

    private AllocationBitmap BitmapOf(Item item) => item.IsPort ? _ports : _ips;

    private int BitOf(Item item) => item.IsPort ? item.Value - _options.NodePortMin : item.Value;

    private Owner OwnerOf(string uid, ObjectKey key)
    {
        if (!_owners.TryGetValue(uid, out var owner))
        {
            owner = new Owner(key);
            _owners[uid] = owner;
        }

        return owner;
    }

    /// <summary>Records a claim on a value whose bit the caller has just set.</summary>
    private void AddClaim(Item item, string uid, ObjectKey key, bool confirmed)
    {
        _claims[item] = new Claim(uid, _time.GetUtcNow()) { Confirmed = confirmed };
        OwnerOf(uid, key).Items.Add(item);
    }

    private void Free(Item item)
    {
        if (!_claims.Remove(item, out var claim))
        {
            return;
        }

        BitmapOf(item).Release(BitOf(item));
        if (_owners.TryGetValue(claim.Uid, out var owner))
        {
            owner.Items.Remove(item);
            if (owner.Items.Count == 0)
            {
                _owners.Remove(claim.Uid);
            }
        }
    }

    /// <summary>
    /// The stored object of <paramref name="uid"/> holds exactly <paramref name="items"/>: claims them
    /// (re-reserving free ones), and releases what it held before and holds no more. Pending claims
    /// of the uid that it does not hold stay: an update carrying them may still be on its way.
    /// </summary>
    private void Observe(string uid, ObjectKey key, HashSet<Item> items)
    {
        foreach (var item in items)
        {
            if (_claims.TryGetValue(item, out var claim))
            {
                if (claim.Uid == uid)
                {
                    claim.Confirmed = true;
                }
                else if (_owners.TryGetValue(claim.Uid, out var other))
                {
                    Log.DoubleAllocation(_logger, Describe(item), key.ToString(), other.Key.ToString());
                }

                continue;
            }

            BitmapOf(item).TryAllocate(BitOf(item));
            AddClaim(item, uid, key, confirmed: true);
        }

        if (_owners.TryGetValue(uid, out var owner))
        {
            owner.Stored = true;
            foreach (var item in owner.Items.ToList())
            {
                if (!items.Contains(item) && _claims[item].Confirmed)
                {
                    Free(item);
                }
            }
        }
    }

    /// <summary>Everything <paramref name="uid"/> holds goes: its object is gone from the store.</summary>
    private void ReleaseOwner(string uid)
    {
        if (_owners.TryGetValue(uid, out var owner))
        {
            foreach (var item in owner.Items.ToList())
            {
                Free(item);
            }
        }
    }

    private string Describe(Item item) => item.IsPort ? $"node port {item.Value}" : $"cluster IP {IPAt(item.Value)}";

    /// <summary>
    /// One allocation request's reservations, with kube's ipallocator/portallocator semantics
    /// (including their dry-run shims). Used under <see cref="_gate"/>; <see cref="Rollback"/>
    /// undoes exactly what this operation reserved.
    /// </summary>
    private sealed class Operation(ServiceAllocator allocator, string uid, ObjectKey key, bool dryRun)
    {
        private readonly List<Item> _reserved = [];
        private readonly List<int> _dryRunPorts = [];

        /// <summary>ipallocator Range.Allocate: null on success, else the allocator's error text.</summary>
        public string? AllocateIP(string ip)
        {
            if (!allocator.TryIPOffset(ip, out var offset))
            {
                var shown = ParseForDisplay(ip);
                return $"the provided IP ({shown}) is not in the valid range. The range of valid IPs is {allocator._cidr}";
            }

            if (dryRun)
            {
                // kube's dry-run range does not look at what is taken.
                return null;
            }

            return Reserve(new Item(false, offset)) ? null : "provided IP is already allocated";
        }

        /// <summary>ipallocator Range.AllocateNext; a dry run answers with the CIDR's network address, as kube's does.</summary>
        public string AllocateNextIP()
        {
            if (dryRun)
            {
                return FormatIPv4(allocator._network);
            }

            if (!allocator._ips.TryAllocateNext(allocator._random, out var offset))
            {
                throw Internal("failed to allocate a serviceIP: range is full");
            }

            Record(new Item(false, offset));
            return allocator.IPAt(offset);
        }

        /// <summary>PortAllocationOperation.Allocate: null on success, else the allocator's error text.</summary>
        public string? AllocatePort(int port)
        {
            var inRange = port >= allocator._options.NodePortMin && port <= allocator._options.NodePortMax;
            if (dryRun)
            {
                if ((inRange && allocator._ports.Has(port - allocator._options.NodePortMin)) || _dryRunPorts.Contains(port))
                {
                    return "provided port is already allocated";
                }

                _dryRunPorts.Add(port);
                return null;
            }

            if (!inRange)
            {
                return $"provided port is not in the valid range. The range of valid ports is {allocator._portRange}";
            }

            return Reserve(new Item(true, port)) ? null : "provided port is already allocated";
        }

        /// <summary>PortAllocationOperation.AllocateNext; -1 when the range is full. A dry run counts up from 32769 (or
        /// from the highest port this operation took), as kube's does.</summary>
        public int AllocateNextPort()
        {
            if (dryRun)
            {
                var next = (_dryRunPorts.Count == 0 ? 32768 : _dryRunPorts.Max()) + 1;
                _dryRunPorts.Add(next);
                return next;
            }

            if (!allocator._ports.TryAllocateNext(allocator._random, out var bit))
            {
                return -1;
            }

            var port = bit + allocator._options.NodePortMin;
            Record(new Item(true, port));
            return port;
        }

        public void Rollback()
        {
            foreach (var item in _reserved)
            {
                if (allocator._claims.TryGetValue(item, out var claim) && claim.Uid == uid && !claim.Confirmed)
                {
                    allocator.Free(item);
                }
            }

            _reserved.Clear();
        }

        private bool Reserve(Item item)
        {
            if (!allocator.BitmapOf(item).TryAllocate(allocator.BitOf(item)))
            {
                return false;
            }

            Record(item);
            return true;
        }

        private void Record(Item item)
        {
            allocator.AddClaim(item, uid, key, confirmed: false);
            _reserved.Add(item);
        }

        /// <summary>Go prints the parsed net.IP: leading zeros go.</summary>
        private static string ParseForDisplay(string ip) => ParseIPv4(ip, out var value) ? FormatIPv4(value) : ip;
    }
}
