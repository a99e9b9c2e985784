using Nautilus.Store.Internal;

namespace Nautilus.Store;

/// <summary>
/// One stored object: its Kubernetes JSON bytes plus the small typed header that selectors and
/// indexes need. Immutable: the bytes are shared by every reader and watcher, never copied.
/// </summary>
public sealed class StoredObject
{
    /// <param name="key">Namespace and name.</param>
    /// <param name="uid">metadata.uid.</param>
    /// <param name="json">The object serialized as Kubernetes JSON. The store writes
    /// metadata.resourceVersion into these bytes when it commits them.</param>
    /// <param name="labels">metadata.labels.</param>
    /// <param name="fields">Values of the selectable fields beyond metadata.name and
    /// metadata.namespace (for pods: spec.nodeName, status.phase, ...).</param>
    /// <param name="resourceVersion">0 until the store commits the object.</param>
    public StoredObject(
        ObjectKey key,
        string uid,
        byte[] json,
        IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyDictionary<string, string>? fields = null,
        long resourceVersion = 0)
    {
        // Labels, fields and the namespace are kept compactly with shared strings: they repeat
        // across many objects and are most of an object's size besides its JSON.
        Key = key.Namespace.Length == 0 ? key : new ObjectKey(StringInterner.Intern(key.Namespace), key.Name);
        Uid = uid;
        Json = json;
        Labels = CompactMap.From(labels);
        Fields = CompactMap.From(fields);
        ResourceVersion = resourceVersion;
    }

    public ObjectKey Key { get; }

    public string Namespace => Key.Namespace;

    public string Name => Key.Name;

    public string Uid { get; }

    /// <summary>The global revision of the last write to this object (metadata.resourceVersion).</summary>
    public long ResourceVersion { get; }

    /// <summary>Kubernetes JSON with metadata.resourceVersion equal to <see cref="ResourceVersion"/>.</summary>
    public byte[] Json { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>The value of a selectable field: metadata.name, metadata.namespace, or one of <see cref="Fields"/>.</summary>
    public string? GetField(string path) => path switch
    {
        "metadata.name" => Key.Name,
        "metadata.namespace" => Key.Namespace,
        _ => Fields.TryGetValue(path, out var value) ? value : null,
    };

    /// <summary>The same object committed at <paramref name="resourceVersion"/>, with the revision written into its bytes.</summary>
    public StoredObject WithResourceVersion(long resourceVersion) =>
        new(Key, Uid, ResourceVersionStamp.Write(Json, resourceVersion), Labels, Fields, resourceVersion);
}
