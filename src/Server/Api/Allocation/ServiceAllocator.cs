using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Server.Api.Allocation.Internal;
using Nautilus.Store;
using static Nautilus.Server.Api.Allocation.Internal.ServiceFields;

namespace Nautilus.Server.Api.Allocation;

/// <summary>
/// Cluster IPs and node ports of Services, allocated synchronously on create and update as
/// kube-apiserver's service REST storage does (pkg/registry/core/service/storage/alloc.go over
/// the bitmap ipallocator and portallocator): one IPv4 service CIDR, single stack.
/// <para>
/// Memory is authoritative. A reservation made by <see cref="AllocateOnCreate"/> or
/// <see cref="UpdateAllocations"/> is pending until the service carrying it is seen in the store
/// through <see cref="RunAsync"/>, which also releases what deleted services held (whatever
/// removed them: DELETE, deletecollection, namespace deletion), releases what an update dropped
/// once that update is stored (type changes, removed ports), and re-reserves what stored
/// services hold after a restart. Reading the store only ever adds to what is reserved,
/// except for services the store shows gone and reservations no stored service took up within
/// <see cref="ServiceAllocatorOptions.PendingGracePeriod"/> (kube's repair loop).
/// </para>
/// <para>Thread-safe: one lock guards the bitmaps and the ledger; every operation under it is a
/// few bitmap word operations.</para>
/// </summary>
public sealed partial class ServiceAllocator
{
    private static readonly ResourceDefinition ServiceResource = new()
    {
        Group = "", Version = "v1", Kind = "Service", Plural = "services", Singular = "service", Namespaced = true,
    };

    private readonly Lock _gate = new();
    private readonly ServiceAllocatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random = new();
    private readonly uint _network;
    private readonly string _cidr;
    private readonly AllocationBitmap _ips;
    private readonly AllocationBitmap _ports;
    private readonly string _portRange;
    private readonly Dictionary<Item, Claim> _claims = [];
    private readonly Dictionary<string, Owner> _owners = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServiceAllocator(ServiceAllocatorOptions? options = null, TimeProvider? time = null, ILogger<ServiceAllocator>? logger = null)
    {
        _options = options ?? new ServiceAllocatorOptions();
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        if (!IPNetwork.TryParse(_options.ServiceCidr, out var network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"ServiceCidr {_options.ServiceCidr} is not an IPv4 CIDR", nameof(options));
        }

        if (network.PrefixLength is < 12 or > 30)
        {
            throw new ArgumentException($"ServiceCidr {_options.ServiceCidr} must have a prefix length from /12 to /30", nameof(options));
        }

        if (_options.NodePortMin < 1 || _options.NodePortMax > 65535 || _options.NodePortMax < _options.NodePortMin)
        {
            throw new ArgumentException($"node port range {_options.NodePortMin}-{_options.NodePortMax} is not valid", nameof(options));
        }

        _network = ToUInt32(network.BaseAddress);
        _cidr = network.ToString();
        var rangeSize = 1 << (32 - network.PrefixLength);

        // Offsets count from the first host address: the network and broadcast addresses are
        // outside the bitmap, so they can be neither allocated nor released. Offset 0 (the
        // kubernetes service's address) is never chosen dynamically.
        _ips = new AllocationBitmap(rangeSize - 2, StaticSubrange(rangeSize, min: 16, max: 256, step: 16), dynamicFloor: 1);
        var portCount = _options.NodePortMax - _options.NodePortMin + 1;
        _ports = new AllocationBitmap(portCount, StaticSubrange(portCount, min: 16, max: 128, step: 32));
        _portRange = $"{_options.NodePortMin}-{_options.NodePortMax}";
    }

    /// <summary>The service CIDR in canonical form (e.g. 10.96.0.0/12).</summary>
    public string ServiceCidr => _cidr;

    /// <summary>Completes once <see cref="RunAsync"/> has reserved what the stored services hold. Serve
    /// creates only after it, or a restarted server could hand out an address a stored service has.</summary>
    public Task Ready => _ready.Task;

    /// <summary>
    /// Allocates for a new service (kube's allocateCreate): fills spec.ipFamilyPolicy and
    /// spec.ipFamilies, a cluster IP (the requested one, or a random free one) into spec.clusterIP
    /// and spec.clusterIPs unless the service is headless or ExternalName, a node port for every
    /// port of a NodePort or LoadBalancer service that lacks one, and spec.healthCheckNodePort for
    /// a LoadBalancer with externalTrafficPolicy Local. metadata.uid must be set: reservations
    /// belong to it.
    /// <para>With <paramref name="dryRun"/> nothing is reserved and the fields are filled as kube
    /// fills them: the CIDR's network address for a dynamic cluster IP, 32769 upwards for dynamic
    /// node ports; requested values are checked (a requested cluster IP for its range only).</para>
    /// </summary>
    /// <exception cref="ApiException">422 for a requested IP or port that is taken or out of range; 500 when a range is full.</exception>
    public void AllocateOnCreate(JsonObject service, bool dryRun)
    {
        var (uid, key) = Identity(service, required: !dryRun);
        var spec = Spec(service);
        NormalizeClusterIPs(spec, null);
        InitIPFamilyFields(key.Name, spec, null);
        lock (_gate)
        {
            var op = new Operation(this, uid, key, dryRun);
            try
            {
                AllocClusterIPs(op, key.Name, spec);
                if (NeedsNodePort(spec))
                {
                    InitNodePorts(op, key.Name, spec);
                }

                if (NeedsHealthCheck(spec))
                {
                    AllocHealthCheckNodePort(op, spec);
                }
            }
            catch
            {
                op.Rollback();
                throw;
            }
        }

        Reorder(spec);
    }

    /// <summary>
    /// Undoes <see cref="AllocateOnCreate"/> for a service that was not stored after all (call it
    /// from CreateAborted): releases every reservation of its metadata.uid that no stored object
    /// has been seen to hold. A no-op after a dry run, and idempotent.
    /// </summary>
    public void ReleaseFor(JsonObject service)
    {
        var (uid, _) = Identity(service, required: false);
        if (uid.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_owners.TryGetValue(uid, out var owner))
            {
                foreach (var item in owner.Items.ToList())
                {
                    if (!_claims[item].Confirmed)
                    {
                        Free(item);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Allocates for an update (kube's PrepareForUpdate allocation steps and allocateUpdate):
    /// keeps the allocated values a client left out (patchAllocatedValues), syncs clusterIP and
    /// clusterIPs, drops the allocated fields a type change makes meaningless, refuses a changed
    /// cluster IP, and allocates what the new type needs: a cluster IP when leaving ExternalName,
    /// node ports when becoming NodePort or LoadBalancer (or for new ports), a health check node
    /// port when starting to need one. What the update gives up is released once it is stored
    /// (seen by <see cref="RunAsync"/>), never before, so a failed update loses nothing.
    /// Reservations of an update that is not stored are released by repair after
    /// <see cref="ServiceAllocatorOptions.PendingGracePeriod"/>.
    /// </summary>
    /// <param name="service">The new object, changed in place.</param>
    /// <param name="old">The stored object.</param>
    /// <exception cref="ApiException">422 as on create, and for a cluster IP that changed; 500 when a range is full.</exception>
    public void UpdateAllocations(JsonObject service, JsonObject old, bool dryRun = false)
    {
        var (uid, key) = Identity(old, required: !dryRun);
        var spec = Spec(service);
        var oldSpec = SpecOrNull(old) ?? [];
        PatchAllocatedValues(spec, oldSpec);
        NormalizeClusterIPs(spec, oldSpec);
        DropTypeDependentFields(spec, oldSpec);
        ValidateClusterIPsUpdate(key.Name, spec, oldSpec);
        InitIPFamilyFields(key.Name, spec, oldSpec);
        lock (_gate)
        {
            var op = new Operation(this, uid, key, dryRun);
            try
            {
                UpdateClusterIPs(op, key.Name, spec, oldSpec);
                if (NeedsNodePort(spec))
                {
                    UpdateNodePorts(op, key.Name, spec, oldSpec);
                }

                if (!NeedsHealthCheck(oldSpec) && NeedsHealthCheck(spec))
                {
                    AllocHealthCheckNodePort(op, spec);
                }
            }
            catch
            {
                op.Rollback();
                throw;
            }
        }

        Reorder(spec);
    }

    /// <summary>Whether the address is reserved (pending or held by a stored service).</summary>
    internal bool HasClusterIP(string ip)
    {
        lock (_gate)
        {
            return TryIPOffset(ip, out var offset) && _ips.Has(offset);
        }
    }

    internal bool HasNodePort(int port)
    {
        lock (_gate)
        {
            return port >= _options.NodePortMin && port <= _options.NodePortMax && _ports.Has(port - _options.NodePortMin);
        }
    }

    internal int ClusterIPCount
    {
        get
        {
            lock (_gate)
            {
                return _ips.Count;
            }
        }
    }

    internal int NodePortCount
    {
        get
        {
            lock (_gate)
            {
                return _ports.Count;
            }
        }
    }

    // ---- create and update steps, in kube's order and with kube's messages ----

    /// <summary>NormalizeClusterIPs (strategy.go): keeps spec.clusterIP and spec.clusterIPs in step.</summary>
    private static void NormalizeClusterIPs(JsonObject spec, JsonObject? oldSpec)
    {
        var clusterIP = String(spec, "clusterIP");
        var clusterIPs = ClusterIPs(spec);
        if (oldSpec is null)
        {
            if (clusterIP.Length > 0 && clusterIPs.Count == 0)
            {
                SetStrings(spec, "clusterIPs", [clusterIP]);
            }

            return;
        }

        var oldClusterIP = String(oldSpec, "clusterIP");
        var oldClusterIPs = ClusterIPs(oldSpec);
        if (oldClusterIPs.Count > 0 && clusterIPs.Count == 0 && oldClusterIP == clusterIP)
        {
            SetStrings(spec, "clusterIPs", oldClusterIPs);
            clusterIPs = oldClusterIPs;
        }

        if (oldClusterIP != clusterIP)
        {
            if (oldClusterIP.Length > 0 && clusterIP.Length == 0 && SameStrings(oldClusterIPs, clusterIPs))
            {
                spec.Remove("clusterIPs");
            }

            if (clusterIP.Length > 0 && SameStrings(oldClusterIPs, clusterIPs))
            {
                SetStrings(spec, "clusterIPs", [clusterIP]);
            }
        }
    }

    /// <summary>patchAllocatedValues (strategy.go): values the client left out of an update are the stored ones.</summary>
    private static void PatchAllocatedValues(JsonObject spec, JsonObject oldSpec)
    {
        if (NeedsClusterIP(oldSpec) && NeedsClusterIP(spec))
        {
            if (String(spec, "clusterIP").Length == 0 && String(oldSpec, "clusterIP") is { Length: > 0 } oldClusterIP)
            {
                spec["clusterIP"] = oldClusterIP;
            }

            if (ClusterIPs(spec).Count == 0 && ClusterIPs(oldSpec) is { Count: > 0 } oldClusterIPs)
            {
                SetStrings(spec, "clusterIPs", oldClusterIPs);
            }
        }

        if (NeedsNodePort(oldSpec) && NeedsNodePort(spec))
        {
            // Ports both versions name explicitly cannot be patched in elsewhere.
            var used = NodePorts(oldSpec).ToHashSet();
            used.IntersectWith(NodePorts(spec));
            var byName = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var port in Ports(oldSpec))
            {
                byName[String(port, "name")] = NodePortOf(port);
            }

            foreach (var port in Ports(spec))
            {
                if (NodePortOf(port) == 0 && byName.TryGetValue(String(port, "name"), out var oldValue) && oldValue != 0 && !used.Contains(oldValue))
                {
                    SetNodePort(port, oldValue);
                }
            }
        }

        if (NeedsHealthCheck(oldSpec) && NeedsHealthCheck(spec) && Int(spec, "healthCheckNodePort") == 0 && Int(oldSpec, "healthCheckNodePort") is var hc and not 0)
        {
            spec["healthCheckNodePort"] = hc;
        }
    }

    /// <summary>The allocated part of dropTypeDependentFields (strategy.go): a type change that makes an
    /// allocated value meaningless drops it, unless the client changed it too (validation then objects).</summary>
    private static void DropTypeDependentFields(JsonObject spec, JsonObject oldSpec)
    {
        if (NeedsClusterIP(oldSpec) && !NeedsClusterIP(spec))
        {
            if (SameStrings(ClusterIPs(oldSpec), ClusterIPs(spec)))
            {
                spec.Remove("clusterIP");
                spec.Remove("clusterIPs");
            }

            if (SameStrings(IPFamilies(oldSpec), IPFamilies(spec)))
            {
                spec.Remove("ipFamilies");
            }

            if (IPFamilyPolicy(oldSpec) == IPFamilyPolicy(spec))
            {
                spec.Remove("ipFamilyPolicy");
            }
        }

        // Users may add, remove or change ports as long as they add no node port of their own.
        if (NeedsNodePort(oldSpec) && !NeedsNodePort(spec) && NodePorts(oldSpec).ToHashSet().IsSupersetOf(NodePorts(spec)))
        {
            foreach (var port in Ports(spec))
            {
                SetNodePort(port, 0);
            }
        }

        if (NeedsHealthCheck(oldSpec) && !NeedsHealthCheck(spec) && Int(oldSpec, "healthCheckNodePort") == Int(spec, "healthCheckNodePort"))
        {
            spec.Remove("healthCheckNodePort");
        }
    }

    /// <summary>validateUpgradeDowngradeClusterIPs (validation.go): a cluster IP may not change once set.</summary>
    private static void ValidateClusterIPsUpdate(string name, JsonObject spec, JsonObject oldSpec)
    {
        if (Type(spec) == ExternalName || Type(oldSpec) == ExternalName)
        {
            return;
        }

        if (IsHeadlessClusterIPService(spec) && IsHeadlessClusterIPService(oldSpec))
        {
            return;
        }

        var oldIPs = ClusterIPs(oldSpec);
        var ips = ClusterIPs(spec);
        var value = GoStringSlice(ips);
        var causes = new List<StatusCause>();
        if (oldIPs.Count == ips.Count)
        {
            for (var i = 0; i < oldIPs.Count; i++)
            {
                if (oldIPs[i] != ips[i])
                {
                    causes.Add(Invalid($"spec.clusterIPs[{i}]", value, "may not change once set"));
                }
            }
        }
        else if (oldIPs.Count > ips.Count)
        {
            if (ips.Count == 0)
            {
                causes.Add(Invalid("spec.clusterIPs[0]", value, "primary clusterIP can not be unset"));
            }
            else if (oldIPs[0] != ips[0])
            {
                causes.Add(Invalid("spec.clusterIPs[0]", value, "may not change once set"));
            }

            if (ips.Count == 1 && IPFamilyPolicy(spec) != SingleStack)
            {
                causes.Add(Invalid("spec.clusterIPs[0]", value, "the secondary cluster IP can only be released by setting the IPFamilyPolicy to SingleStack"));
            }
        }
        else if (oldIPs.Count > 0 && ips[0] != oldIPs[0])
        {
            causes.Add(Invalid("spec.clusterIPs[0]", value, "may not change once set"));
        }

        ThrowIfAny(name, causes);
    }

    private static bool IsHeadlessClusterIPService(JsonObject spec) => Type(spec) == "ClusterIP" && ClusterIPs(spec) is [ClusterIPNone];

    /// <summary>initIPFamilyFields (alloc.go) on a cluster whose only family is IPv4.</summary>
    private static void InitIPFamilyFields(string name, JsonObject spec, JsonObject? oldSpec)
    {
        if (Type(spec) == ExternalName || (oldSpec is not null && IsMatchingPreferDualStack(spec, oldSpec)))
        {
            return;
        }

        var policy = IPFamilyPolicy(spec);
        if (policy is null)
        {
            policy = oldSpec is not null && IPFamilyPolicy(oldSpec) is { } oldPolicy
                ? oldPolicy
                : String(spec, "clusterIP") == ClusterIPNone && !HasSelector(spec) ? RequireDualStack : SingleStack;
            spec["ipFamilyPolicy"] = policy;
        }

        var ips = ClusterIPs(spec);
        var families = IPFamilies(spec);
        var causes = new List<StatusCause>();

        // The part of ValidateServiceClusterIPsRelatedFields that allocation cannot do without.
        for (var i = 0; i < ips.Count; i++)
        {
            if (!(i == 0 && ips[i] == ClusterIPNone) && FamilyOf(ips[i]) is null)
            {
                causes.Add(Invalid($"spec.clusterIPs[{i}]", GoQuote(ips[i]), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
            }
        }

        ThrowIfAny(name, causes);

        var ipsChanged = false;
        if (oldSpec is not null)
        {
            if (policy == SingleStack)
            {
                if (SameStrings(ClusterIPs(oldSpec), ips) && ips.Count > 1)
                {
                    ips.RemoveRange(1, ips.Count - 1);
                    ipsChanged = true;
                }

                if (SameStrings(IPFamilies(oldSpec), families) && families.Count > 1)
                {
                    families.RemoveRange(1, families.Count - 1);
                }
            }
            else
            {
                if (ips.Count > 0 && ips.Count < ClusterIPs(oldSpec).Count)
                {
                    causes.Add(Invalid("spec.ipFamilyPolicy", GoQuote(policy), "must be 'SingleStack' to release the secondary cluster IP"));
                }

                if (families.Count > 0 && families.Count < IPFamilies(oldSpec).Count)
                {
                    causes.Add(Invalid("spec.ipFamilyPolicy", GoQuote(policy), "must be 'SingleStack' to release the secondary IP family"));
                }
            }
        }

        if (policy == SingleStack)
        {
            if (ips.Count == 2)
            {
                causes.Add(Invalid("spec.ipFamilyPolicy", GoQuote(policy), "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
            }

            if (families.Count == 2)
            {
                causes.Add(Invalid("spec.ipFamilyPolicy", GoQuote(policy), "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
            }
        }

        for (var i = 0; i < ips.Count && ips[i] != ClusterIPNone; i++)
        {
            var family = FamilyOf(ips[i])!;
            if (i >= families.Count)
            {
                if (family != IPv4)
                {
                    causes.Add(Invalid($"spec.clusterIPs[{i}]", GoStringSlice(ips), $"{family} is not configured on this cluster"));
                }
                else
                {
                    families.Add(family);
                }
            }
        }

        ThrowIfAny(name, causes);

        if (ipsChanged)
        {
            SetStrings(spec, "clusterIPs", ips);
        }

        if (String(spec, "clusterIP") == ClusterIPNone && !HasSelector(spec))
        {
            // Headless without selector: any family goes, on any cluster.
            if (families.Count == 0)
            {
                families.Add(IPv4);
            }

            if (families.Count < 2 && policy != SingleStack)
            {
                families.Add(families[0] == IPv4 ? IPv6 : IPv4);
            }

            SetStrings(spec, "ipFamilies", families);
            return;
        }

        if (policy == RequireDualStack)
        {
            causes.Add(Invalid("spec.ipFamilyPolicy", GoQuote(policy), "this cluster is not configured for dual-stack services"));
        }

        for (var i = 0; i < families.Count; i++)
        {
            if (families[i] != IPv4)
            {
                causes.Add(Invalid($"spec.ipFamilies[{i}]", GoQuote(families[i]), "not configured on this cluster"));
            }
        }

        ThrowIfAny(name, causes);
        if (families.Count == 0)
        {
            families.Add(IPv4);
        }

        SetStrings(spec, "ipFamilies", families);
    }

    private static bool IsMatchingPreferDualStack(JsonObject spec, JsonObject oldSpec) =>
        IPFamilyPolicy(spec) == PreferDualStack
        && Type(oldSpec) == Type(spec)
        && Type(spec) is "ClusterIP" or NodePort or LoadBalancer
        && (IPFamilyPolicy(oldSpec) ?? PreferDualStack) == PreferDualStack
        && SameStrings(ClusterIPs(oldSpec), ClusterIPs(spec))
        && SameStrings(IPFamilies(oldSpec), IPFamilies(spec));

    /// <summary>allocClusterIPs: one address per family (here IPv4 only), the requested one or any.</summary>
    private void AllocClusterIPs(Operation op, string name, JsonObject spec)
    {
        if (Type(spec) == ExternalName || IsHeadless(spec))
        {
            return;
        }

        var ips = ClusterIPs(spec);
        var families = IPFamilies(spec);
        while (ips.Count < families.Count)
        {
            ips.Add("");
        }

        for (var i = 0; i < families.Count; i++)
        {
            if (ips[i].Length == 0)
            {
                ips[i] = op.AllocateNextIP();
            }
            else if (op.AllocateIP(ips[i]) is { } error)
            {
                throw ApiException.Invalid(ServiceResource, name, [Invalid("spec.clusterIPs", GoStringSlice(ips), $"failed to allocate IP {ips[i]}: {error}")]);
            }
        }

        if (ips.Count > 0)
        {
            spec["clusterIP"] = ips[0];
            SetStrings(spec, "clusterIPs", ips);
        }
    }

    /// <summary>UpdateClusterIPs (alloc.go) for one family: leaving ExternalName allocates; entering it releases once stored.</summary>
    private void UpdateClusterIPs(Operation op, string name, JsonObject spec, JsonObject oldSpec)
    {
        if (IsMatchingPreferDualStack(spec, oldSpec))
        {
            return;
        }

        if (Type(oldSpec) == ExternalName && Type(spec) != ExternalName)
        {
            AllocClusterIPs(op, name, spec);
        }
    }

    /// <summary>initNodePorts (alloc.go): ports with the same port number share one node port.</summary>
    private void InitNodePorts(Operation op, string name, JsonObject spec)
    {
        var ports = Ports(spec);
        var byServicePort = new Dictionary<int, int>();
        var allocate = ShouldAllocateNodePorts(spec);
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var requested = NodePortOf(port);
            if (requested == 0 && !allocate)
            {
                continue;
            }

            var servicePort = Int(port, "port");
            var shared = byServicePort.GetValueOrDefault(servicePort);
            if (shared == 0)
            {
                var np = FindRequestedNodePort(servicePort, ports);
                if (np != 0)
                {
                    if (op.AllocatePort(np) is { } error)
                    {
                        throw ApiException.Invalid(ServiceResource, name, [Invalid($"spec.ports[{i}].nodePort", np.ToString(CultureInfo.InvariantCulture), error)]);
                    }
                }
                else
                {
                    np = op.AllocateNextPort();
                    if (np < 0)
                    {
                        throw Internal("failed to allocate a nodePort: range is full");
                    }
                }

                SetNodePort(port, np);
                byServicePort[servicePort] = np;
            }
            else if (requested != shared)
            {
                if (requested == 0)
                {
                    SetNodePort(port, shared);
                }
                else if (op.AllocatePort(requested) is { } error)
                {
                    throw ApiException.Invalid(ServiceResource, name, [Invalid($"spec.ports[{i}].nodePort", requested.ToString(CultureInfo.InvariantCulture), error)]);
                }
            }
        }
    }

    private static int FindRequestedNodePort(int servicePort, List<JsonObject> ports)
    {
        foreach (var port in ports)
        {
            if (Int(port, "port") == servicePort && NodePortOf(port) is var np and not 0)
            {
                return np;
            }
        }

        return 0;
    }

    /// <summary>updateNodePorts (alloc.go): node ports the old object did not have are allocated; dropped ones are released once stored.</summary>
    private void UpdateNodePorts(Operation op, string name, JsonObject spec, JsonObject oldSpec)
    {
        var oldNodePorts = NodePorts(oldSpec);
        var allocated = new HashSet<int>();
        var seen = new List<(string Protocol, int NodePort)>();
        var allocate = ShouldAllocateNodePorts(spec);
        var ports = Ports(spec);
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var np = NodePortOf(port);
            if (np == 0 && !allocate)
            {
                continue;
            }

            if (np != 0)
            {
                if (!oldNodePorts.Contains(np) && !allocated.Contains(np))
                {
                    if (op.AllocatePort(np) is { } error)
                    {
                        throw ApiException.Invalid(ServiceResource, name, [Invalid($"spec.ports[{i}].nodePort", np.ToString(CultureInfo.InvariantCulture), error)]);
                    }

                    allocated.Add(np);
                }
            }
            else
            {
                np = op.AllocateNextPort();
                if (np < 0)
                {
                    throw Internal("failed to allocate a nodePort: range is full");
                }

                SetNodePort(port, np);
            }

            var entry = (Protocol(port), np);
            if (seen.Contains(entry))
            {
                throw Internal($"duplicate nodePort: {{{entry.Item1} {entry.np}}}");
            }

            seen.Add(entry);
        }
    }

    /// <summary>allocHealthCheckNodePort (alloc.go). kube answers its failures with 500, not 422.</summary>
    private static void AllocHealthCheckNodePort(Operation op, JsonObject spec)
    {
        var requested = Int(spec, "healthCheckNodePort");
        if (requested != 0)
        {
            if (op.AllocatePort(requested) is { } error)
            {
                throw Internal($"failed to allocate requested HealthCheck NodePort {requested}: {error}");
            }

            return;
        }

        var port = op.AllocateNextPort();
        if (port < 0)
        {
            throw Internal("failed to allocate a HealthCheck NodePort 0: range is full");
        }

        spec["healthCheckNodePort"] = port;
    }

    // ---- helpers ----

    private static (string Uid, ObjectKey Key) Identity(JsonObject service, bool required)
    {
        var metadata = service["metadata"] as JsonObject;
        var uid = metadata is null ? "" : String(metadata, "uid");
        if (required && uid.Length == 0)
        {
            throw new InvalidOperationException("metadata.uid must be set before allocating: reservations belong to it");
        }

        return (uid, new ObjectKey(metadata is null ? "" : String(metadata, "namespace"), metadata is null ? "" : String(metadata, "name")));
    }

    private static StatusCause Invalid(string field, string value, string detail) => new("FieldValueInvalid", $"Invalid value: {value}: {detail}", field);

    private static void ThrowIfAny(string name, List<StatusCause> causes)
    {
        if (causes.Count > 0)
        {
            throw ApiException.Invalid(ServiceResource, name, causes);
        }
    }

    /// <summary>apierrors.NewInternalError.</summary>
    private static ApiException Internal(string message) =>
        new(500, "InternalError", $"Internal error occurred: {message}", causes: [new StatusCause("", message, "")]);

    /// <summary>IPv4 or IPv6 for an address Go's ParseIPSloppy accepts (IPv4 octets may have leading zeros), null otherwise.</summary>
    private static string? FamilyOf(string ip) =>
        ParseIPv4(ip, out _) ? IPv4 : ip.Contains(':', StringComparison.Ordinal) && IPAddress.TryParse(ip, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetworkV6 ? IPv6 : null;

    /// <summary>Strict dotted quad (System.Net also takes "10.96.5" and "167772165", which Go does not).</summary>
    private static bool ParseIPv4(string text, out uint value)
    {
        value = 0;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit))
            {
                return false;
            }

            var octet = int.Parse(part, CultureInfo.InvariantCulture);
            if (octet > 255)
            {
                return false;
            }

            value = (value << 8) | (uint)octet;
        }

        return true;
    }

    private bool TryIPOffset(string ip, out int offset)
    {
        offset = -1;
        if (!ParseIPv4(ip, out var value))
        {
            return false;
        }

        var distance = (long)value - _network - 1;
        if (distance < 0 || distance >= _ips.Size)
        {
            return false;
        }

        offset = (int)distance;
        return true;
    }

    private string IPAt(int offset) => FormatIPv4(_network + 1 + (uint)offset);

    private static string FormatIPv4(uint value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}");

    private static uint ToUInt32(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    /// <summary>calculateRangeOffset: min(max(min, size/step), max), 0 for tiny ranges (KEP-3070, KEP-3668).</summary>
    private static int StaticSubrange(int size, int min, int max, int step) =>
        size <= min ? 0 : Math.Clamp(size / step, min, max);
}
