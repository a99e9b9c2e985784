using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.ResourceQuota;
using Nautilus.Server.Api.Objects;
using Nautilus.Store;

namespace Nautilus.Server.Api.Admission;

/// <summary>
/// kube's ResourceQuota admission plugin (apiserver/pkg/admission/plugin/resourcequota) on
/// creates: every quota of the namespace that covers the object (it tracks a resource the object
/// uses and its scopes match) must have room for the object's usage, or the create is denied with
/// 403 and kube's message. An admitted create is charged to status.used at once, each quota by a
/// compare-and-swap that checks the limit again on the stored quota, so concurrent creates cannot
/// together pass a limit; the quota controller later recounts from the objects themselves.
/// </summary>
internal sealed class ResourceQuotaAdmission(IObjectStore store, ResourceRegistry registry, TimeProvider time)
{
    private static readonly ResourceType ResourceQuotas = new("", "resourcequotas");

    private readonly ResourceDefinition? _quotaDefinition = registry.TryGet("", "v1", "resourcequotas", out var definition) ? definition : null;

    /// <summary>
    /// Admits the create of <paramref name="obj"/> (defaulted and validated). Without any
    /// ResourceQuota in the store, the common case, this is one count read and no allocation; with
    /// quotas elsewhere, one namespace-indexed list that is empty for this namespace.
    /// </summary>
    public ValueTask AdmitCreateAsync(ResourceDefinition resource, string ns, string name, JsonObject obj, bool dryRun, CancellationToken ct)
    {
        if (!resource.Namespaced || _quotaDefinition is null || store.Count(ResourceQuotas) == 0 || QuotaEvaluation.IsIgnored(resource.Group, resource.Plural))
        {
            return ValueTask.CompletedTask;
        }

        return AdmitWithQuotasAsync(resource, ns, name, obj, dryRun, ct);
    }

    private async ValueTask AdmitWithQuotasAsync(ResourceDefinition resource, string ns, string name, JsonObject obj, bool dryRun, CancellationToken ct)
    {
        var list = await store.ListAsync(ResourceQuotas, new ListOptions { Namespace = ns }, ct).ConfigureAwait(false);
        if (list.Items.Count == 0)
        {
            return;
        }

        // CheckRequest: the covering quotas; a pod missing a tracked cpu/memory value, or a quota whose usage is not known yet, is denied.
        var covering = new List<(string Name, string[] Tracked)>();
        foreach (var stored in list.Items)
        {
            var quota = ObjectCodec.ToTree(stored);
            var status = quota["status"] as JsonObject;
            var hard = status?["hard"] as JsonObject;
            var tracked = Tracked(hard, resource);
            if (tracked.Length == 0 || !QuotaEvaluation.MatchesScopes(quota, resource.Group, resource.Plural, obj))
            {
                continue;
            }

            if (resource.Group.Length == 0 && resource.Plural == "pods" && QuotaEvaluation.PodConstraintsViolation(obj, tracked) is { } violation)
            {
                throw ApiException.Forbidden(resource, name, $"failed quota: {stored.Name}: {violation}");
            }

            var used = status?["used"] as JsonObject;
            if (Array.Exists(tracked, r => used?.ContainsKey(r) != true))
            {
                throw ApiException.Forbidden(resource, name, $"status unknown for quota: {stored.Name}, resources: {string.Join(',', tracked.Order(StringComparer.Ordinal))}");
            }

            covering.Add((stored.Name, tracked));
        }

        if (covering.Count == 0)
        {
            return;
        }

        var usage = QuotaEvaluation.Usage(resource.Group, resource.Plural, obj, time.GetUtcNow());
        foreach (var (key, value) in usage)
        {
            if (value.IsZero)
            {
                usage.Remove(key);
            }
        }

        if (usage.Count == 0)
        {
            return;
        }

        // Every quota is checked before any is charged, so a denied create charges nothing.
        foreach (var (quotaName, _) in covering)
        {
            var stored = list.Items.First(i => i.Name == quotaName);
            _ = Charge(resource, name, ObjectCodec.ToTree(stored), usage);
        }

        if (dryRun)
        {
            return;
        }

        foreach (var (quotaName, _) in covering)
        {
            try
            {
                await store.GuaranteedUpdateAsync(ResourceQuotas, new ObjectKey(ns, quotaName), (current, _) =>
                {
                    var quota = ObjectCodec.ToTree(current!);
                    if (!Charge(resource, name, quota, usage))
                    {
                        return ValueTask.FromResult(current!);
                    }

                    ResourceHandler.Metadata(quota).Remove("resourceVersion");
                    return ValueTask.FromResult(ObjectCodec.ToStored(_quotaDefinition!, quota));
                }, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.KeyNotFound)
            {
                // The quota was deleted since the check: there is nothing to charge.
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="usage"/> (masked to what the quota tracks) to the quota's status.used in
    /// <paramref name="quota"/>; throws kube's "exceeded quota" Forbidden when that would pass
    /// status.hard. False when the quota tracks nothing the object uses.
    /// </summary>
    private static bool Charge(ResourceDefinition resource, string name, JsonObject quota, Dictionary<string, Quantity> usage)
    {
        var status = quota["status"] as JsonObject;
        var hardList = status?["hard"] as JsonObject;
        var hard = QuotaEvaluation.ResourceList(hardList);
        var usedJson = status?["used"] as JsonObject;
        var used = QuotaEvaluation.ResourceList(usedJson);
        var requested = new SortedDictionary<string, Quantity>(StringComparer.Ordinal);
        foreach (var (resourceName, value) in usage)
        {
            if (hard.ContainsKey(resourceName))
            {
                requested[resourceName] = value;
            }
        }

        if (requested.Count == 0)
        {
            return false;
        }

        var exceeded = new List<string>();
        var next = new Dictionary<string, Quantity>(StringComparer.Ordinal);
        foreach (var (resourceName, value) in requested)
        {
            var total = (used.TryGetValue(resourceName, out var current) ? current : Quantity.Zero).Add(value);
            next[resourceName] = total;
            if (total.CompareTo(hard[resourceName]) > 0)
            {
                exceeded.Add(resourceName);
            }
        }

        if (exceeded.Count > 0)
        {
            throw ApiException.Forbidden(resource, name, string.Concat(
                "exceeded quota: ", KubeObjectName(quota), ", requested: ", PrettyPrint(exceeded, requested), ", used: ",
                PrettyPrint(exceeded, used), ", limited: ", PrettyPrint(exceeded, hard)));
        }

        usedJson ??= [];
        foreach (var (resourceName, value) in next)
        {
            usedJson[resourceName] = value.ToString();
        }

        if (status is null)
        {
            quota["status"] = status = [];
        }

        status["used"] = usedJson;
        return true;
    }

    /// <summary>The names in a quota's status.hard that the evaluator of <paramref name="resource"/> matches (MatchingResources).</summary>
    private static string[] Tracked(JsonObject? hard, ResourceDefinition resource)
    {
        if (hard is null || hard.Count == 0)
        {
            return [];
        }

        var tracked = new List<string>();
        foreach (var (resourceName, _) in hard)
        {
            if (QuotaEvaluation.ChargedBy(resourceName) is { } counted && counted.Group == resource.Group && counted.Resource == resource.Plural)
            {
                tracked.Add(resourceName);
            }
        }

        return [.. tracked];
    }

    /// <summary>prettyPrint: <c>name=value</c> pairs sorted by name, joined by commas (a name missing from the list is 0).</summary>
    private static string PrettyPrint(List<string> names, IReadOnlyDictionary<string, Quantity> values) =>
        string.Join(',', names.Order(StringComparer.Ordinal).Select(n => n + "=" + (values.TryGetValue(n, out var v) ? v : Quantity.Zero)));

    private static string KubeObjectName(JsonObject obj) => (obj["metadata"] as JsonObject)?["name"]?.GetValue<string>() ?? "";
}
