using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.GarbageCollection.Internal;

/// <summary>One entry of metadata.ownerReferences.</summary>
internal sealed record OwnerReference(string ApiVersion, string Kind, string Name, string Uid, bool? Controller, bool? BlockOwnerDeletion)
{
    public bool BlocksOwnerDeletion => BlockOwnerDeletion == true;

    /// <summary>The owner's coordinates as seen from a dependent in <paramref name="dependentNamespace"/>.</summary>
    public ObjectReference Coordinates(string dependentNamespace) => new(ApiVersion, Kind, dependentNamespace, Name, Uid);

    /// <summary>Whether this reference names the object at <paramref name="identity"/> (apiVersion, kind, name and uid).</summary>
    public bool MatchesCoordinates(ObjectReference identity) =>
        Uid == identity.Uid && Name == identity.Name && Kind == identity.Kind && ApiVersion == identity.ApiVersion;

    /// <summary>The references an informer cached (controller and blockOwnerDeletion: true, or null for false and absent alike).</summary>
    public static List<OwnerReference> FromCached(CachedObject obj)
    {
        var result = new List<OwnerReference>(obj.OwnerReferences.Count);
        foreach (var r in obj.OwnerReferences)
        {
            if (r.Uid.Length > 0)
            {
                result.Add(new OwnerReference(r.ApiVersion, r.Kind, r.Name, r.Uid, r.Controller ? true : null, r.BlockOwnerDeletion ? true : null));
            }
        }

        return result;
    }

    public static List<OwnerReference> Parse(JsonObject obj)
    {
        var result = new List<OwnerReference>();
        foreach (var reference in KubeFields.Objects(KubeFields.Metadata(obj), "ownerReferences"))
        {
            var uid = KubeFields.String(reference, "uid");
            if (string.IsNullOrEmpty(uid))
            {
                continue;
            }

            result.Add(new OwnerReference(
                KubeFields.String(reference, "apiVersion") ?? "",
                KubeFields.String(reference, "kind") ?? "",
                KubeFields.String(reference, "name") ?? "",
                uid,
                KubeFields.Bool(reference, "controller"),
                KubeFields.Bool(reference, "blockOwnerDeletion")));
        }

        return result;
    }
}
