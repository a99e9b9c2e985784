using Nautilus.Store.Compression;
using Nautilus.Store.Internal;

namespace Nautilus.Store;

/// <summary>
/// One stored object: its Kubernetes JSON bytes plus the small typed header that selectors and
/// indexes need. Immutable, shared by every reader and watcher. The store keeps the objects it
/// commits compressed against a sibling of the same resource (<see cref="Compress"/>): a pod then
/// costs a few hundred bytes instead of ~5 KB, and each read of <see cref="Json"/> decompresses
/// (microseconds) into an array of its own.
/// </summary>
public sealed class StoredObject
{
    /// <summary>The JSON, or its compressed form when <see cref="_dictionary"/> is set.</summary>
    private readonly byte[] _data;
    private readonly CompressionDictionary? _dictionary;

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
        : this(key, uid, json, null, labels, fields, resourceVersion)
    {
    }

    private StoredObject(ObjectKey key, string uid, byte[] data, CompressionDictionary? dictionary, IReadOnlyDictionary<string, string>? labels, IReadOnlyDictionary<string, string>? fields, long resourceVersion)
    {
        // Labels, fields and the namespace are kept compactly with shared strings: they repeat
        // across many objects and are most of an object's size besides its JSON.
        Key = key.Namespace.Length == 0 ? key : new ObjectKey(SharedStrings.Intern(key.Namespace), key.Name);
        Uid = uid;
        _data = data;
        _dictionary = dictionary;
        Labels = CompactMap.From(labels);
        Fields = CompactMap.From(fields);
        ResourceVersion = resourceVersion;
    }

    private StoredObject(StoredObject header, byte[] data, CompressionDictionary? dictionary, long resourceVersion)
    {
        Key = header.Key;
        Uid = header.Uid;
        Labels = header.Labels;
        Fields = header.Fields;
        ResourceVersion = resourceVersion;
        _data = data;
        _dictionary = dictionary;
    }

    public ObjectKey Key { get; }

    public string Namespace => Key.Namespace;

    public string Name => Key.Name;

    public string Uid { get; }

    /// <summary>The global revision of the last write to this object (metadata.resourceVersion).</summary>
    public long ResourceVersion { get; }

    /// <summary>
    /// Kubernetes JSON with metadata.resourceVersion equal to <see cref="ResourceVersion"/>. The
    /// array is shared, not to be changed; a compressed object returns a new one on every read, so
    /// read it once per use.
    /// </summary>
    public byte[] Json => _dictionary is null ? _data : DictionaryCodec.Decompress(_data, _dictionary);

    /// <summary>The length of <see cref="Json"/>, without decompressing it.</summary>
    public int JsonLength => _dictionary is null ? _data.Length : DictionaryCodec.DecompressedLength(_data);

    /// <summary>Bytes this object's JSON occupies in memory (compressed or not).</summary>
    public int StoredLength => _data.Length;

    /// <summary>Writes <see cref="Json"/> into <paramref name="destination"/> (exactly <see cref="JsonLength"/> bytes) without an intermediate array.</summary>
    public void CopyJsonTo(Span<byte> destination)
    {
        if (_dictionary is null)
        {
            _data.CopyTo(destination);
        }
        else
        {
            DictionaryCodec.Decompress(_data, _dictionary, destination);
        }
    }

    /// <summary>
    /// True when <paramref name="json"/>, stamped with this object's revision, is this object's
    /// JSON byte for byte (kube's GuaranteedUpdate skips such a write): compared in place, with a
    /// compressed object decompressed into a pooled buffer.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="json"/> is not a JSON object.</exception>
    public bool HasContent(ReadOnlySpan<byte> json)
    {
        if (_dictionary is null)
        {
            return ResourceVersionStamp.Matches(json, ResourceVersion, _data);
        }

        var length = JsonLength;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var own = buffer.AsSpan(0, length);
            CopyJsonTo(own);
            return ResourceVersionStamp.Matches(json, ResourceVersion, own);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// True when <see cref="Json"/> contains <paramref name="utf8"/>: a cheap test before a parse
    /// (a compressed object is decompressed into a pooled buffer, not a new array). Callers look
    /// for a member as the store writes it (<c>"deletionTimestamp":</c>), which a string value
    /// cannot contain unescaped, so a miss is certain and a hit is confirmed by parsing.
    /// </summary>
    public bool JsonContains(ReadOnlySpan<byte> utf8)
    {
        if (_dictionary is null)
        {
            return _data.AsSpan().IndexOf(utf8) >= 0;
        }

        var length = JsonLength;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var own = buffer.AsSpan(0, length);
            CopyJsonTo(own);
            return own.IndexOf(utf8) >= 0;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

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
        new(this, ResourceVersionStamp.Write(Json, resourceVersion), null, resourceVersion);

    /// <summary>
    /// <see cref="WithResourceVersion(long)"/> in two steps: the scan of the JSON for where the
    /// revision goes (does not depend on the revision, so the store does it before its lock)...
    /// </summary>
    internal PendingStamp PrepareStamp()
    {
        var json = Json;
        return new PendingStamp(json, ResourceVersionStamp.TryLocate(json, out var edit), edit);
    }

    /// <summary>...and the copy with the revision's digits, which gives the same bytes as <see cref="WithResourceVersion(long)"/>.</summary>
    /// <exception cref="FormatException">The JSON is not a JSON object (found by <see cref="PrepareStamp"/>, thrown here, where the one-step write would throw it).</exception>
    internal StoredObject WithResourceVersion(in PendingStamp stamp, long resourceVersion) =>
        new(this, stamp.Located ? ResourceVersionStamp.Write(stamp.Json, stamp.Edit, resourceVersion) : ResourceVersionStamp.Write(stamp.Json, resourceVersion), null, resourceVersion);

    /// <summary>An object's JSON (read once: a compressed object's is a new array each read) and where its revision goes.</summary>
    internal readonly record struct PendingStamp(byte[] Json, bool Located, ResourceVersionStamp.Edit Edit);

    /// <summary>The same object with its JSON compressed by <paramref name="compressor"/>, or this object when it is not worth it.</summary>
    public StoredObject Compress(ObjectCompressor compressor)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        return _dictionary is null && compressor.TryCompress(_data, out var compressed, out var dictionary)
            ? new StoredObject(this, compressed, dictionary, ResourceVersion)
            : this;
    }

    /// <summary>True when the JSON is kept compressed.</summary>
    public bool IsCompressed => _dictionary is not null;

    /// <summary>The bytes as kept: the JSON, or its compressed form when <see cref="StoredDictionary"/> is set (snapshots write them as they are).</summary>
    internal ReadOnlySpan<byte> StoredData => _data;

    /// <summary>What <see cref="StoredData"/> is compressed against; null when it is the JSON itself.</summary>
    internal CompressionDictionary? StoredDictionary => _dictionary;

    /// <summary>An object read back as it was kept: <paramref name="data"/> compressed against <paramref name="dictionary"/> (or the JSON when null).</summary>
    internal static StoredObject FromStored(ObjectKey key, string uid, byte[] data, CompressionDictionary? dictionary, IReadOnlyDictionary<string, string>? labels, IReadOnlyDictionary<string, string>? fields, long resourceVersion) =>
        new(key, uid, data, dictionary, labels, fields, resourceVersion);
}
