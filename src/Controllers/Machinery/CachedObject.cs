using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nautilus.Store;
using Nautilus.Store.Compression;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// One object in an <see cref="Informer"/>'s cache: its JSON as the server sent it, less
/// metadata.managedFields (kube-controller-manager's informers trim them the same way: no
/// controller reads them), and the metadata the indexes and event handlers look at. A JsonNode
/// tree is built only when a controller asks for the object (<see cref="ToJsonObject"/>): a
/// parsed pod costs ~10x its bytes, and most cached objects are never read between two changes.
/// A few status fields are read as well (phase and the Ready condition), so that the walks over
/// every pod of a ReplicaSet that run on each of its reconciles parse nothing. Immutable, so shared
/// by every reader.
/// </summary>
public sealed class CachedObject
{
    private static readonly ControllerReference[] NoOwners = [];
    private static readonly string[] NoFinalizers = [];

    /// <summary>The JSON, or its compressed form when <see cref="_dictionary"/> is set.</summary>
    private readonly byte[] _json;
    private readonly CompressionDictionary? _dictionary;
    private readonly string? _readySince;

    private CachedObject(byte[] json, string ns, string name, string uid, string resourceVersion, ObjectLabels labels, ControllerReference[] owners, string[] finalizers, bool beingDeleted, string? nodeName, in StatusFields status)
    {
        Phase = status.Phase;
        ReadyStatus = status.ReadyStatus;
        _readySince = status.ReadySince;
        _json = json;
        Namespace = ns;
        Name = name;
        Uid = uid;
        ResourceVersion = resourceVersion;
        Labels = labels;
        OwnerReferences = owners;
        Finalizers = finalizers;
        IsBeingDeleted = beingDeleted;
        NodeName = nodeName;
        Key = ns.Length == 0 ? name : string.Concat(ns, "/", name);
    }

    private CachedObject(CachedObject header, byte[] json, CompressionDictionary? dictionary)
    {
        Phase = header.Phase;
        ReadyStatus = header.ReadyStatus;
        _readySince = header._readySince;
        _json = json;
        _dictionary = dictionary;
        Namespace = header.Namespace;
        Name = header.Name;
        Uid = header.Uid;
        ResourceVersion = header.ResourceVersion;
        Labels = header.Labels;
        OwnerReferences = header.OwnerReferences;
        Finalizers = header.Finalizers;
        IsBeingDeleted = header.IsBeingDeleted;
        NodeName = header.NodeName;
        Key = header.Key;
    }

    /// <summary>namespace/name, or name for cluster-scoped objects: the informer's and work queues' key.</summary>
    public string Key { get; }

    public string Namespace { get; }

    public string Name { get; }

    public string Uid { get; }

    public string ResourceVersion { get; }

    public ObjectLabels Labels { get; }

    /// <summary>metadata.ownerReferences.</summary>
    public IReadOnlyList<ControllerReference> OwnerReferences { get; }

    public IReadOnlyList<string> Finalizers { get; }

    /// <summary>metadata.deletionTimestamp is set.</summary>
    public bool IsBeingDeleted { get; }

    /// <summary>spec.nodeName (pods), or null when absent or empty.</summary>
    public string? NodeName { get; }

    /// <summary>status.phase, or null.</summary>
    public string? Phase { get; }

    /// <summary>The status of the status.conditions entry of type Ready ("True", "False", "Unknown"), or null.</summary>
    public string? ReadyStatus { get; }

    /// <summary>The Ready condition's lastTransitionTime, or null.</summary>
    public DateTimeOffset? ReadySince => _readySince is { } s
        && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    /// <summary>controller.IsPodActive: not Succeeded, not Failed, not being deleted.</summary>
    public bool IsActivePod => Phase is not ("Succeeded" or "Failed") && !IsBeingDeleted;

    /// <summary>podutil.IsPodReady.</summary>
    public bool IsReady => ReadyStatus == "True";

    /// <summary>podutil.IsPodAvailable: ready for at least <paramref name="minReadySeconds"/>.</summary>
    public bool IsAvailable(long minReadySeconds, DateTimeOffset now) =>
        IsReady && (minReadySeconds == 0 || (ReadySince is { } since && since.AddSeconds(minReadySeconds) < now));

    /// <summary>The cached JSON (UTF-8), managedFields removed.</summary>
    public ReadOnlySpan<byte> Utf8Json => _dictionary is null ? _json : DictionaryCodec.Decompress(_json, _dictionary);

    /// <summary>The owner reference with <c>controller: true</c>, if any (metav1.GetControllerOf).</summary>
    public ControllerReference? ControllerOf()
    {
        foreach (var owner in OwnerReferences)
        {
            if (owner.Controller)
            {
                return owner;
            }
        }

        return null;
    }

    /// <summary>A new JsonNode tree of the object: the caller's to read or change.</summary>
    public JsonObject ToJsonObject() => JsonNode.Parse(Utf8Json) as JsonObject ?? [];

    /// <summary>The same object with its JSON compressed by <paramref name="compressor"/> (the informer's, one per resource), when that is worth it.</summary>
    public CachedObject Compress(ObjectCompressor compressor) =>
        _dictionary is null && compressor.TryCompress(_json, out var compressed, out var dictionary) ? new CachedObject(this, compressed, dictionary) : this;

    public override string ToString() => Encoding.UTF8.GetString(Utf8Json);

    /// <summary>Caches an object the controller holds as a tree (one it just wrote, or a test's).</summary>
    public static CachedObject FromJson(JsonObject obj) => FromUtf8(JsonSerializer.SerializeToUtf8Bytes(obj));

    /// <summary>Reads the object from its JSON. Copies the bytes (less managedFields) into an array of their exact size.</summary>
    /// <exception cref="JsonException">The JSON is malformed or not an object.</exception>
    public static CachedObject FromUtf8(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a Kubernetes object must be a JSON object");
        }

        var meta = new MetadataFields();
        var status = default(StatusFields);
        string? nodeName = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadMetadata(ref reader, json, ref meta);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("spec"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isNodeName = reader.ValueTextEquals("nodeName"u8);
                        reader.Read();
                        if (isNodeName && reader.TokenType == JsonTokenType.String && !reader.ValueSpan.IsEmpty)
                        {
                            nodeName = SharedStrings.Intern(reader.GetString()!);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadStatus(ref reader, ref status);
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        byte[] bytes;
        if (meta.CutStart >= 0)
        {
            var (start, end) = WidenToMember(json, meta.CutStart, meta.CutEnd);
            bytes = new byte[json.Length - (end - start)];
            json[..start].CopyTo(bytes);
            json[end..].CopyTo(bytes.AsSpan(start));
        }
        else
        {
            bytes = json.ToArray();
        }

        return new CachedObject(
            bytes,
            meta.Namespace ?? "",
            meta.Name ?? "",
            meta.Uid ?? "",
            meta.ResourceVersion ?? "",
            meta.Labels is { Count: > 0 } labels ? new ObjectLabels([.. labels]) : ObjectLabels.Empty,
            meta.Owners is { Count: > 0 } owners ? [.. owners] : NoOwners,
            meta.Finalizers is { Count: > 0 } finalizers ? [.. finalizers] : NoFinalizers,
            meta.BeingDeleted,
            nodeName,
            status);
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ref MetadataFields meta)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("managedFields"u8))
            {
                meta.CutStart = (int)reader.TokenStartIndex;
                reader.Read();
                reader.Skip();
                meta.CutEnd = (int)reader.BytesConsumed;
                continue;
            }

            var field = reader.ValueTextEquals("name"u8) ? 1
                : reader.ValueTextEquals("namespace"u8) ? 2
                : reader.ValueTextEquals("uid"u8) ? 3
                : reader.ValueTextEquals("resourceVersion"u8) ? 4
                : reader.ValueTextEquals("deletionTimestamp"u8) ? 5
                : reader.ValueTextEquals("labels"u8) ? 6
                : reader.ValueTextEquals("ownerReferences"u8) ? 7
                : reader.ValueTextEquals("finalizers"u8) ? 8
                : 0;
            reader.Read();
            switch (field)
            {
                case 1 when reader.TokenType == JsonTokenType.String:
                    meta.Name = reader.GetString();
                    break;
                case 2 when reader.TokenType == JsonTokenType.String:
                    meta.Namespace = SharedStrings.Intern(reader.GetString()!);
                    break;
                case 3 when reader.TokenType == JsonTokenType.String:
                    meta.Uid = reader.GetString();
                    break;
                case 4 when reader.TokenType == JsonTokenType.String:
                    meta.ResourceVersion = reader.GetString();
                    break;
                case 5:
                    meta.BeingDeleted = reader.TokenType == JsonTokenType.String;
                    break;
                case 6 when reader.TokenType == JsonTokenType.StartObject:
                    meta.Labels = ReadLabels(ref reader);
                    break;
                case 7 when reader.TokenType == JsonTokenType.StartArray:
                    meta.Owners = ReadOwners(ref reader);
                    break;
                case 8 when reader.TokenType == JsonTokenType.StartArray:
                    meta.Finalizers = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            meta.Finalizers.Add(SharedStrings.Intern(reader.GetString()!));
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    private static void ReadStatus(ref Utf8JsonReader reader, ref StatusFields status)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("phase"u8) ? 1 : reader.ValueTextEquals("conditions"u8) ? 2 : 0;
            reader.Read();
            if (field == 1 && reader.TokenType == JsonTokenType.String)
            {
                status.Phase = SharedStrings.Intern(reader.GetString()!);
            }
            else if (field == 2 && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    bool isReady = false;
                    string? conditionStatus = null, since = null;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var member = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("status"u8) ? 2 : reader.ValueTextEquals("lastTransitionTime"u8) ? 3 : 0;
                        reader.Read();
                        if (member != 0 && reader.TokenType == JsonTokenType.String)
                        {
                            switch (member)
                            {
                                case 1:
                                    isReady = reader.ValueTextEquals("Ready"u8);
                                    break;
                                case 2:
                                    conditionStatus = SharedStrings.Intern(reader.GetString()!);
                                    break;
                                default:
                                    since = reader.GetString();
                                    break;
                            }
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    if (isReady)
                    {
                        status.ReadyStatus = conditionStatus;
                        status.ReadySince = since;
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static List<string> ReadLabels(ref Utf8JsonReader reader)
    {
        var pairs = new List<string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = SharedStrings.Intern(reader.GetString()!);
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                pairs.Add(key);
                pairs.Add(SharedStrings.Intern(reader.GetString()!));
            }
            else
            {
                reader.Skip();
            }
        }

        return pairs;
    }

    private static List<ControllerReference> ReadOwners(ref Utf8JsonReader reader)
    {
        var owners = new List<ControllerReference>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            string apiVersion = "", kind = "", name = "", uid = "";
            bool controller = false, block = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueTextEquals("apiVersion"u8) ? 1
                    : reader.ValueTextEquals("kind"u8) ? 2
                    : reader.ValueTextEquals("name"u8) ? 3
                    : reader.ValueTextEquals("uid"u8) ? 4
                    : reader.ValueTextEquals("controller"u8) ? 5
                    : reader.ValueTextEquals("blockOwnerDeletion"u8) ? 6
                    : 0;
                reader.Read();
                switch (field)
                {
                    case 1 when reader.TokenType == JsonTokenType.String:
                        apiVersion = SharedStrings.Intern(reader.GetString()!);
                        break;
                    case 2 when reader.TokenType == JsonTokenType.String:
                        kind = SharedStrings.Intern(reader.GetString()!);
                        break;
                    case 3 when reader.TokenType == JsonTokenType.String:
                        name = SharedStrings.Intern(reader.GetString()!);
                        break;
                    case 4 when reader.TokenType == JsonTokenType.String:
                        uid = SharedStrings.Intern(reader.GetString()!);
                        break;
                    case 5:
                        controller = reader.TokenType == JsonTokenType.True;
                        break;
                    case 6:
                        block = reader.TokenType == JsonTokenType.True;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            owners.Add(new ControllerReference(apiVersion, kind, name, uid, controller, block));
        }

        return owners;
    }

    /// <summary>
    /// The bytes to cut so that the member at [<paramref name="start"/>, <paramref name="end"/>)
    /// (name through value) leaves valid JSON: with the comma after it, or else the one before it.
    /// </summary>
    private static (int Start, int End) WidenToMember(ReadOnlySpan<byte> json, int start, int end)
    {
        var after = end;
        while (after < json.Length && IsWhitespace(json[after]))
        {
            after++;
        }

        if (after < json.Length && json[after] == (byte)',')
        {
            return (start, after + 1);
        }

        var before = start - 1;
        while (before >= 0 && IsWhitespace(json[before]))
        {
            before--;
        }

        return before >= 0 && json[before] == (byte)',' ? (before, end) : (start, end);
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private struct StatusFields
    {
        public string? Phase;
        public string? ReadyStatus;
        public string? ReadySince;
    }

    private struct MetadataFields
    {
        public MetadataFields()
        {
        }

        public string? Name;
        public string? Namespace;
        public string? Uid;
        public string? ResourceVersion;
        public bool BeingDeleted;
        public List<string>? Labels;
        public List<ControllerReference>? Owners;
        public List<string>? Finalizers;
        public int CutStart = -1;
        public int CutEnd = -1;
    }
}
