using System.Text.Json.Nodes;
using Nautilus.Store;

namespace Nautilus.Server.Api.Objects;

/// <summary>Builds the <see cref="StoredObject"/> for a Kubernetes object: bytes plus the header selectors need.</summary>
public static class ObjectCodec
{
    public static StoredObject ToStored(ResourceDefinition resource, JsonObject obj)
    {
        var metadata = obj["metadata"] as JsonObject;
        var key = new ObjectKey(KubeJson.GetString(metadata, "namespace") ?? "", KubeJson.GetString(metadata, "name") ?? "");
        Dictionary<string, string>? labels = null;
        if (metadata?["labels"] is JsonObject labelObject && labelObject.Count > 0)
        {
            labels = new Dictionary<string, string>(labelObject.Count, StringComparer.Ordinal);
            for (var i = 0; i < labelObject.Count; i++)
            {
                var (k, v) = labelObject.GetAt(i);
                labels[k] = v is JsonValue value && value.TryGetValue<string>(out var s) ? s : "";
            }
        }

        Dictionary<string, string>? fields = null;
        if (resource.SelectableFields.Length > 0)
        {
            fields = new Dictionary<string, string>(resource.SelectableFields.Length, StringComparer.Ordinal);
            foreach (var path in resource.SelectableFields)
            {
                fields[path] = path == "source" ? KubeJson.FieldValue(obj, "source.component") : KubeJson.FieldValue(obj, path);
            }
        }

        // A placeholder keeps metadata.resourceVersion in its place among the metadata fields;
        // the store overwrites it with the revision of the write.
        if (metadata is not null)
        {
            metadata["resourceVersion"] = "0";
        }

        return new StoredObject(key, KubeJson.GetString(metadata, "uid") ?? "", KubeJson.Serialize(obj), labels, fields);
    }

    /// <summary>A mutable tree of a stored object, for the read-modify-write paths.</summary>
    public static JsonObject ToTree(StoredObject stored) => KubeJson.ParseStored(stored.Json);
}
