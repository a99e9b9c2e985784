using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.ResourceQuota;

/// <summary>
/// kube's resourcequota controller: keeps each ResourceQuota's status.hard equal to spec.hard and
/// status.used equal to what the namespace uses of every resource named there. Level-triggered:
/// a quota is recomputed from the informer caches when it changes, when an object of a kind it
/// counts changes in its namespace (replenishment), and every <see cref="DefaultResyncPeriod"/>.
/// The informer for a counted kind is started the first time a quota names it (kube's quota
/// monitors), so kinds no quota counts cost nothing. Status is written only when it changed.
/// </summary>
public sealed partial class ResourceQuotaController : Controller
{
    public const string ComponentName = "resourcequota-controller";

    public static readonly ApiResource ResourceQuotas = new("", "v1", "resourcequotas", "ResourceQuota", true);

    /// <summary>kube-controller-manager's --resource-quota-sync-period default.</summary>
    public static readonly TimeSpan DefaultResyncPeriod = TimeSpan.FromMinutes(5);

    private readonly ApiClient _client;
    private readonly InformerFactory _informers;
    private readonly Informer _quotas;
    private readonly TimeProvider _time;
    private readonly TimeSpan _resync;

    /// <summary>The informer of each counted kind, by (group, resource); null for a kind the server does not serve.</summary>
    private readonly ConcurrentDictionary<(string Group, string Resource), Informer?> _monitors = new();
    private readonly SemaphoreSlim _discovery = new(1, 1);
    private List<ApiResource>? _served;

    public ResourceQuotaController(ApiClient client, InformerFactory informers, ILogger<ResourceQuotaController> logger, TimeProvider? time = null, TimeSpan? resyncPeriod = null)
        : base(ComponentName, logger)
    {
        _client = client;
        _informers = informers;
        _time = time ?? TimeProvider.System;
        _resync = resyncPeriod ?? DefaultResyncPeriod;
        _quotas = informers.For(ResourceQuotas);
    }

    /// <summary>
    /// Starts watching ResourceQuotas; the kinds they count are watched once a quota names them.
    /// As kube's controller, an update is looked at only when spec.hard changed: status updates
    /// are this controller's own or admission's charges, and recounting on every charge would race
    /// the creates still in flight (their pods not yet in the cache) and undo their charges.
    /// </summary>
    public void Start() => ResourceEventHandler.Subscribe(
        _quotas,
        onAdd: quota => Queue.Add(KubeObject.Key(quota)),
        onUpdate: (old, current) =>
        {
            if (!SameHard(old, current))
            {
                Queue.Add(KubeObject.Key(current));
            }
        },
        onDelete: quota => Queue.Add(KubeObject.Key(quota)));

    private static bool SameHard(JsonObject old, JsonObject current)
    {
        var before = (old["spec"] as JsonObject)?["hard"] as JsonObject;
        var after = (current["spec"] as JsonObject)?["hard"] as JsonObject;
        var a = QuotaEvaluation.ResourceList(before);
        var b = QuotaEvaluation.ResourceList(after);
        return SameQuantities(a, b, before?.Count ?? 0, after?.Count ?? 0);
    }

    protected override IEnumerable<Informer> Informers => [_quotas];

    protected override async Task<TimeSpan?> ReconcileAsync(string key, CancellationToken ct)
    {
        if (!_quotas.TryGet(key, out var quota))
        {
            return null;
        }

        for (var attempt = 0; ; attempt++)
        {
            var status = await ComputeStatusAsync(quota, ct).ConfigureAwait(false);
            if (status is null)
            {
                return _resync;
            }

            var update = (JsonObject)quota.DeepClone();
            update["status"] = status;
            try
            {
                await _client.UpdateAsync(ResourceQuotas, KubeObject.Namespace(quota), KubeObject.Name(quota), update, "status", ct).ConfigureAwait(false);
                return _resync;
            }
            catch (ApiStatusException e) when (e.IsConflict && attempt < 3)
            {
                // Admission charged the quota meanwhile (or the spec changed): start again from the stored object.
                quota = await _client.GetAsync(ResourceQuotas, KubeObject.Namespace(quota), KubeObject.Name(quota), ct).ConfigureAwait(false);
            }
            catch (ApiStatusException e) when (e.IsNotFound)
            {
                return null;
            }
        }
    }

    /// <summary>syncResourceQuota: the status the quota should have, or null when it has it already.</summary>
    private async Task<JsonObject?> ComputeStatusAsync(JsonObject quota, CancellationToken ct)
    {
        var ns = KubeObject.Namespace(quota);
        var specHard = (quota["spec"] as JsonObject)?["hard"] as JsonObject ?? [];
        var status = quota["status"] as JsonObject;
        var statusHard = status?["hard"] as JsonObject;
        var statusUsed = status?["used"] as JsonObject;

        // What was observed before stays for names no evaluator recomputes, as kube keeps it; then the fresh counts.
        var used = QuotaEvaluation.ResourceList(statusUsed);
        var hard = QuotaEvaluation.ResourceList(specHard);
        var now = _time.GetUtcNow();
        foreach (var group in specHard.Select(p => p.Key).GroupBy(QuotaEvaluation.ChargedBy))
        {
            if (group.Key is not { } counted || QuotaEvaluation.IsIgnored(counted.Group, counted.Resource))
            {
                continue;
            }

            var informer = await MonitorAsync(counted.Group, counted.Resource, ct).ConfigureAwait(false);
            if (informer is null)
            {
                continue;
            }

            await informer.Synced.WaitAsync(ct).ConfigureAwait(false);
            var sum = new Dictionary<string, Quantity>(StringComparer.Ordinal);
            foreach (var cached in informer.ByNamespace(ns))
            {
                var obj = cached.ToJsonObject();
                if (QuotaEvaluation.MatchesScopes(quota, counted.Group, counted.Resource, obj))
                {
                    QuotaEvaluation.AddTo(sum, QuotaEvaluation.Usage(counted.Group, counted.Resource, obj, now));
                }
            }

            foreach (var name in group)
            {
                used[name] = sum.TryGetValue(name, out var value) ? Quantity.Zero.Add(value) : Quantity.Zero;
            }
        }

        var usedJson = new JsonObject();
        foreach (var name in specHard.Select(p => p.Key).Order(StringComparer.Ordinal))
        {
            if (used.TryGetValue(name, out var value))
            {
                usedJson[name] = value.ToString();
            }
        }

        var dirty = statusHard is null || statusUsed is null || !SameQuantities(hard, QuotaEvaluation.ResourceList(statusHard), specHard.Count, statusHard.Count)
            || !SameQuantities(QuotaEvaluation.ResourceList(usedJson), QuotaEvaluation.ResourceList(statusUsed), usedJson.Count, statusUsed.Count);
        return dirty ? new JsonObject { ["hard"] = specHard.DeepClone(), ["used"] = usedJson } : null;
    }

    /// <summary>quota.Equals: the same names with equal quantities (1000m equals 1).</summary>
    private static bool SameQuantities(Dictionary<string, Quantity> a, Dictionary<string, Quantity> b, int countA, int countB)
    {
        if (countA != countB || a.Count != b.Count)
        {
            return false;
        }

        foreach (var (name, value) in a)
        {
            if (!b.TryGetValue(name, out var other) || value.CompareTo(other) != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The shared informer of a counted kind, started and subscribed on first use; null when the server does not serve it.</summary>
    private async Task<Informer?> MonitorAsync(string group, string resource, CancellationToken ct)
    {
        if (_monitors.TryGetValue((group, resource), out var known))
        {
            return known;
        }

        await _discovery.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_monitors.TryGetValue((group, resource), out known))
            {
                return known;
            }

            var served = Find(_served, group, resource);
            if (served is null)
            {
                // A kind served since the last look (or the first look): ask discovery again.
                _served = await _client.DiscoverAsync(ct).ConfigureAwait(false);
                served = Find(_served, group, resource);
            }

            Informer? informer = null;
            if (served is { Namespaced: true })
            {
                informer = served == ResourceQuotas ? _quotas : _informers.For(served);
                var counted = served;
                ResourceEventHandler.Subscribe(
                    informer,
                    onUpdate: (old, current) =>
                    {
                        if (UsageMayHaveChanged(counted, old, current))
                        {
                            Replenish(KubeObject.Namespace(current));
                        }
                    },
                    onDelete: deleted => Replenish(KubeObject.Namespace(deleted)));
            }

            _monitors[(group, resource)] = informer;
            return informer;
        }
        finally
        {
            _discovery.Release();
        }
    }

    private static ApiResource? Find(List<ApiResource>? served, string group, string resource) =>
        served?.Find(r => r.Group == group && r.Resource == resource);

    /// <summary>
    /// kube's update filter: an update replenishes only when what the object is charged changed
    /// (a pod that finished, a resized one, a service of another type) or, for pods, when the spec
    /// that quota scopes look at changed. Creates never replenish: admission charged them already,
    /// and a recount racing in-flight creates would forget charges and let a limit be passed.
    /// </summary>
    private bool UsageMayHaveChanged(ApiResource resource, JsonObject old, JsonObject current)
    {
        var now = _time.GetUtcNow();
        var before = QuotaEvaluation.Usage(resource.Group, resource.Resource, old, now);
        var after = QuotaEvaluation.Usage(resource.Group, resource.Resource, current, now);
        if (!SameQuantities(before, after, before.Count, after.Count))
        {
            return true;
        }

        return resource.Group.Length == 0 && resource.Resource == "pods" && !JsonNode.DeepEquals(old["spec"], current["spec"]);
    }

    /// <summary>replenishQuota: an object of a counted kind was deleted or its usage changed, so every quota of its namespace is looked at again.</summary>
    private void Replenish(string ns)
    {
        if (ns.Length == 0)
        {
            return;
        }

        foreach (var quota in _quotas.ByNamespace(ns))
        {
            Queue.Add(quota.Key);
        }
    }
}
