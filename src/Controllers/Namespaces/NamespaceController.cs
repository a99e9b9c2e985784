using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Namespaces;

/// <summary>
/// Finishes namespace deletion as kube-controller-manager's namespace controller does: once a
/// namespace is Terminating, deletes every namespaced object in it, waits until none is left,
/// then removes the <c>kubernetes</c> finalizer (namespaces/finalize) so the namespace goes.
/// </summary>
public sealed class NamespaceController(ApiClient client, Informer namespaces, ILogger<NamespaceController> logger)
    : Controller("namespace-controller", logger)
{
    private const string Finalizer = "kubernetes";
    private List<ApiResource>? _namespaced;

    protected override IEnumerable<Informer> Informers => [namespaces];

    public void Start() => namespaces.Subscribe(Queue.Add);

    protected override async Task<TimeSpan?> ReconcileAsync(string key, CancellationToken ct)
    {
        if (!namespaces.TryGet(key, out var ns))
        {
            return null;
        }

        var meta = ns["metadata"] as JsonObject;
        var spec = ns["spec"] as JsonObject;
        if (meta?["deletionTimestamp"] is null || spec?["finalizers"] is not JsonArray finalizers || !finalizers.Any(f => f?.GetValue<string>() == Finalizer))
        {
            return null;
        }

        _namespaced ??= (await client.DiscoverAsync(ct).ConfigureAwait(false)).Where(r => r.Namespaced).ToList();
        var remaining = 0;
        foreach (var resource in _namespaced)
        {
            var (items, _) = await client.ListAsync(resource, key, ct: ct).ConfigureAwait(false);
            if (items.Count == 0)
            {
                continue;
            }

            remaining += items.Count;
            try
            {
                await client.DeleteCollectionAsync(resource, key, ct).ConfigureAwait(false);
            }
            catch (ApiStatusException e) when (e.Code == 405)
            {
                foreach (var item in items)
                {
                    var name = (item["metadata"] as JsonObject)?["name"]?.GetValue<string>() ?? "";
                    await client.DeleteAsync(resource, key, name, ct: ct).ConfigureAwait(false);
                }
            }
        }

        if (remaining > 0)
        {
            // Objects with finalizers or grace periods take time to go: look again shortly.
            return TimeSpan.FromMilliseconds(250);
        }

        var kept = new JsonArray();
        foreach (var f in finalizers)
        {
            if (f?.GetValue<string>() != Finalizer)
            {
                kept.Add(f?.GetValue<string>());
            }
        }

        var update = (JsonObject)ns.DeepClone();
        ((JsonObject)update["spec"]!)["finalizers"] = kept;
        try
        {
            await client.UpdateAsync(ApiResource.Namespaces, "", key, update, "finalize", ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (e.IsNotFound)
        {
        }

        return null;
    }
}
