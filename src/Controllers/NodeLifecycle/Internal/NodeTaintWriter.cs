using System.Text.Json.Nodes;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.NodeLifecycle.Internal;

/// <summary>
/// controllerutil.SwapNodeControllerTaint: adds taints (stamped with timeAdded) and removes
/// others in one write of spec.taints, a merge patch carrying the resourceVersion it was
/// computed from; a conflict re-reads the node and tries again.
/// </summary>
internal sealed class NodeTaintWriter(ApiClient client, TimeProvider time)
{
    private const int Attempts = 5;

    /// <summary>Returns false when the node is gone; true once the node carries <paramref name="add"/> and none of <paramref name="remove"/>.</summary>
    public async Task<bool> SwapAsync(JsonObject node, IReadOnlyList<Taint> add, IReadOnlyList<Taint> remove, CancellationToken ct)
    {
        var current = node;
        for (var attempt = 1; ; attempt++)
        {
            var taints = Taint.Of(current);
            var next = taints.Where(t => !remove.Any(r => r.Matches(t))).ToList();
            var now = KubeFields.FormatTime(time.GetUtcNow());
            foreach (var taint in add)
            {
                if (!Taint.Exists(next, taint))
                {
                    next.Add(taint with { TimeAdded = now });
                }
            }

            if (next.Count == taints.Count && next.All(t => Taint.Exists(taints, t)))
            {
                return true;
            }

            var list = new JsonArray();
            foreach (var taint in next)
            {
                list.Add(taint.ToJson());
            }

            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject { ["resourceVersion"] = KubeFields.ResourceVersion(current) },
                ["spec"] = new JsonObject { ["taints"] = list.Count > 0 ? list : null },
            };
            try
            {
                await client.PatchAsync(ClusterResources.Nodes, "", KubeFields.Name(current), "application/merge-patch+json", patch, ct: ct).ConfigureAwait(false);
                return true;
            }
            catch (ApiStatusException e) when (e.IsNotFound)
            {
                return false;
            }
            catch (ApiStatusException e) when (e.IsConflict && attempt < Attempts)
            {
                try
                {
                    current = await client.GetAsync(ClusterResources.Nodes, "", KubeFields.Name(current), ct).ConfigureAwait(false);
                }
                catch (ApiStatusException notFound) when (notFound.IsNotFound)
                {
                    return false;
                }
            }
        }
    }
}
