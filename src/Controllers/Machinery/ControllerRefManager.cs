using System.Text.Json.Nodes;
using Nautilus.Controllers.Client;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// kube's ControllerRefManager: a controller claims the objects it should own. An object it owns
/// that still matches is kept; one that no longer matches is released (its controller reference
/// removed); a matching orphan is adopted (a controller reference added), unless the controller is
/// being deleted. Adoption first re-reads the controller from the API, so a controller deleted
/// and re-created under the same name (new uid) never adopts what the old one left behind.
/// Both writes are JSON patches guarded by <c>test</c> operations, so a concurrent change of the
/// owner references makes the patch fail (and the caller retry) instead of being overwritten.
/// </summary>
public sealed class ControllerRefManager(ApiClient client, ApiResource controllerResource, JsonObject controller, ControllerReference controllerRef, LabelSelector selector)
{
    private bool? _canAdopt;

    /// <summary>The objects of <paramref name="candidates"/> the controller owns after claiming.</summary>
    public async Task<List<JsonObject>> ClaimAsync(ApiResource resource, IEnumerable<JsonObject> candidates, CancellationToken ct)
    {
        var claimed = new List<JsonObject>();
        Exception? firstError = null;
        foreach (var obj in candidates)
        {
            try
            {
                if (await ClaimObjectAsync(resource, obj, ct).ConfigureAwait(false) is { } owned)
                {
                    claimed.Add(owned);
                }
            }
            catch (ApiStatusException e)
            {
                firstError ??= e;
            }
        }

        if (firstError is not null)
        {
            throw firstError;
        }

        return claimed;
    }

    private async Task<JsonObject?> ClaimObjectAsync(ApiResource resource, JsonObject obj, CancellationToken ct)
    {
        var controllerBeingDeleted = KubeObject.IsBeingDeleted(controller);
        if (KubeObject.ControllerOf(obj) is { } existing)
        {
            if (existing.Uid != controllerRef.Uid)
            {
                return null;
            }

            if (selector.MatchesObject(obj))
            {
                return obj;
            }

            if (!controllerBeingDeleted)
            {
                await ReleaseAsync(resource, obj, ct).ConfigureAwait(false);
            }

            return null;
        }

        if (controllerBeingDeleted || !selector.MatchesObject(obj) || KubeObject.IsBeingDeleted(obj) || KubeObject.Namespace(obj) != KubeObject.Namespace(controller))
        {
            return null;
        }

        _canAdopt ??= await CanAdoptAsync(ct).ConfigureAwait(false);
        if (_canAdopt != true)
        {
            return null;
        }

        return await AdoptAsync(resource, obj, ct).ConfigureAwait(false);
    }

    private async Task<bool> CanAdoptAsync(CancellationToken ct)
    {
        try
        {
            var fresh = await client.GetAsync(controllerResource, KubeObject.Namespace(controller), KubeObject.Name(controller), ct).ConfigureAwait(false);
            return KubeObject.Uid(fresh) == controllerRef.Uid && !KubeObject.IsBeingDeleted(fresh);
        }
        catch (ApiStatusException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    private async Task<JsonObject?> AdoptAsync(ApiResource resource, JsonObject obj, CancellationToken ct)
    {
        var patch = new JsonArray { Test("/metadata/uid", KubeObject.Uid(obj)) };
        if (KubeObject.Metadata(obj)?["ownerReferences"] is JsonArray refs)
        {
            patch.Add(Test("/metadata/ownerReferences", refs.DeepClone()));
            patch.Add(new JsonObject { ["op"] = "add", ["path"] = "/metadata/ownerReferences/-", ["value"] = controllerRef.ToJson() });
        }
        else
        {
            patch.Add(new JsonObject { ["op"] = "add", ["path"] = "/metadata/ownerReferences", ["value"] = new JsonArray { controllerRef.ToJson() } });
        }

        try
        {
            return await client.PatchAsync(resource, KubeObject.Namespace(obj), KubeObject.Name(obj), "application/json-patch+json", patch, ct: ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    private async Task ReleaseAsync(ApiResource resource, JsonObject obj, CancellationToken ct)
    {
        if (KubeObject.Metadata(obj)?["ownerReferences"] is not JsonArray refs)
        {
            return;
        }

        var patch = new JsonArray { Test("/metadata/uid", KubeObject.Uid(obj)) };
        for (var i = refs.Count - 1; i >= 0; i--)
        {
            if (refs[i] is JsonObject r && KubeObject.String(r, "uid") == controllerRef.Uid)
            {
                patch.Add(Test($"/metadata/ownerReferences/{i}/uid", controllerRef.Uid));
                patch.Add(new JsonObject { ["op"] = "remove", ["path"] = $"/metadata/ownerReferences/{i}" });
            }
        }

        try
        {
            await client.PatchAsync(resource, KubeObject.Namespace(obj), KubeObject.Name(obj), "application/json-patch+json", patch, ct: ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (e.IsNotFound)
        {
        }
    }

    private static JsonObject Test(string path, JsonNode? value) => new() { ["op"] = "test", ["path"] = path, ["value"] = value };
}
