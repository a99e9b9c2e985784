using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Nautilus.Store;

namespace Nautilus.Server.Api.Printing;

/// <summary>
/// Answers <c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c> as kube-apiserver does
/// (pkg/printers/storage TableConvertor, apiserver endpoints/handlers/response.go asTable): a
/// <c>meta.k8s.io</c> Table whose columns and cells are kube's printers' for the kind, and whose
/// rows carry the object as <c>includeObject</c> asks.
/// </summary>
/// <remarks>
/// Objects are read with <see cref="JsonDocument"/> (pooled, no node trees) and the Table written
/// with one <see cref="Utf8JsonWriter"/> into pooled memory; row metadata is copied from the stored
/// bytes, never re-serialized.
/// </remarks>
public sealed class TableConvertor(TimeProvider time)
{
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

    private const string MetaV1 = "meta.k8s.io/v1";
    private const string MetaV1Beta1 = "meta.k8s.io/v1beta1";

    /// <summary>
    /// Content negotiation as kube-apiserver's (negotiation.NegotiateMediaTypeOptions): clauses by
    /// quality, then the first one a serializer accepts decides. True when that clause asks for a
    /// <c>meta.k8s.io</c> v1 or v1beta1 Table in JSON; <paramref name="tableApiVersion"/> is then the
    /// Table's apiVersion. False for plain JSON (or protobuf) coming first, or no usable clause.
    /// </summary>
    /// <remarks>
    /// A Table in YAML (<c>application/yaml;as=Table</c>) is skipped: Nautilus writes JSON only.
    /// A clause asking for another conversion (<c>as=PartialObjectMetadata</c>) answers false.
    /// </remarks>
    public static bool WantsTable(string? accept, out string tableApiVersion)
    {
        tableApiVersion = "";
        if (string.IsNullOrWhiteSpace(accept))
        {
            return false;
        }

        // Clients send a handful of distinct headers: each is negotiated once.
        if (Negotiated.TryGetValue(accept, out var known))
        {
            tableApiVersion = known;
            return known.Length > 0;
        }

        var wants = Negotiate(accept, out tableApiVersion);
        if (Negotiated.Count < MaxNegotiated)
        {
            Negotiated.TryAdd(accept, tableApiVersion);
        }

        return wants;
    }

    private const int MaxNegotiated = 256;

    // Accept header → the Table apiVersion it asks for, "" for none.
    private static readonly ConcurrentDictionary<string, string> Negotiated = new(StringComparer.Ordinal);

    private static bool Negotiate(string accept, out string tableApiVersion)
    {
        tableApiVersion = "";

        foreach (var clause in AcceptClause.Parse(accept))
        {
            foreach (var (type, subtype) in Serializers)
            {
                if (!clause.Matches(type, subtype))
                {
                    continue;
                }

                if (clause.As is null && clause.Group is null && clause.Version is null)
                {
                    // Plain media type: the object itself.
                    return false;
                }

                if (clause.Group != "meta.k8s.io" || clause.Version is not ("v1" or "v1beta1"))
                {
                    continue;
                }

                if (clause.As == "Table" && subtype == "json")
                {
                    tableApiVersion = clause.Version == "v1" ? MetaV1 : MetaV1Beta1;
                    return true;
                }

                if (clause.As is "PartialObjectMetadata" or "PartialObjectMetadataList")
                {
                    return false;
                }
            }
        }

        return false;
    }

    // The serializers kube-apiserver offers for built-in types, in its order.
    private static readonly (string Type, string Subtype)[] Serializers =
        [("application", "json"), ("application", "yaml"), ("application", "vnd.kubernetes.protobuf")];

    /// <summary>The includeObject query parameter: None, Metadata (the default) or Object; anything else is a 400.</summary>
    public static IncludeObjectPolicy ParseIncludeObject(string? value) => value switch
    {
        null or "" or "Metadata" => IncludeObjectPolicy.Metadata,
        "None" => IncludeObjectPolicy.None,
        "Object" => IncludeObjectPolicy.Object,
        _ => throw ApiException.BadRequest($"unrecognized includeObject value: \"{value}\""),
    };

    /// <summary>
    /// A list as a Table: the kind's columnDefinitions, one row per object (objects are the bytes
    /// a client of <paramref name="resource"/> sees), metadata copied from the list.
    /// <paramref name="versions"/>, when given, are the stored objects the bytes were read from:
    /// rows are cached per stored version (<see cref="RowOf"/>).
    /// </summary>
    /// <remarks>The Table is written into rented memory: the caller disposes the writer once the response is sent.</remarks>
    public PooledBufferWriter ListTable(ResourceDefinition resource, IReadOnlyList<byte[]> objects, string resourceVersion, string? continueToken, long? remainingItemCount, IncludeObjectPolicy include, string tableApiVersion, IReadOnlyList<object>? versions = null)
    {
        long size = 0;
        for (var i = 0; i < objects.Count; i++)
        {
            size += objects[i].Length;
        }

        return ListTable(resource, objects.Count, size, i => objects[i], i => versions?[i] ?? objects[i], resourceVersion, continueToken, remainingItemCount, include, tableApiVersion);
    }

    /// <summary>
    /// A list of stored objects as a Table: each object is decompressed into one reused buffer for
    /// its row (rows are cached per stored object), so the list allocates no array per object.
    /// </summary>
    /// <remarks>The Table is written into rented memory: the caller disposes the writer once the response is sent.</remarks>
    public PooledBufferWriter ListTable(ResourceDefinition resource, IReadOnlyList<StoredObject> stored, string resourceVersion, string? continueToken, long? remainingItemCount, IncludeObjectPolicy include, string tableApiVersion)
    {
        if (resource.FromStorage is not null)
        {
            return ListTable(resource, [.. stored.Select(item => resource.Encode(item.Json))], resourceVersion, continueToken, remainingItemCount, include, tableApiVersion, stored);
        }

        long size = 0;
        var largest = 0;
        for (var i = 0; i < stored.Count; i++)
        {
            var length = stored[i].JsonLength;
            size += length;
            largest = Math.Max(largest, length);
        }

        var scratch = ArrayPool<byte>.Shared.Rent(Math.Max(largest, 1));
        try
        {
            return ListTable(resource, stored.Count, size, i =>
            {
                var length = stored[i].JsonLength;
                stored[i].CopyJsonTo(scratch.AsSpan(0, length));
                return scratch.AsMemory(0, length);
            }, i => stored[i], resourceVersion, continueToken, remainingItemCount, include, tableApiVersion);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private PooledBufferWriter ListTable(ResourceDefinition resource, int count, long size, Func<int, ReadOnlyMemory<byte>> item, Func<int, object> version, string resourceVersion, string? continueToken, long? remainingItemCount, IncludeObjectPolicy include, string tableApiVersion)
    {
        var printer = ResourcePrinter.For(resource);
        var now = time.GetUtcNow();

        // Rows are roughly the object's metadata (or the whole object) plus a few hundred bytes of cells.
        var estimate = 1024 + printer.ColumnDefinitionsJson.Length + count * 256L + (include == IncludeObjectPolicy.None ? 0 : include == IncludeObjectPolicy.Object ? size : size / 2);
        var buffer = new PooledBufferWriter((int)Math.Min(estimate, Array.MaxLength / 2));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteHeader(writer, tableApiVersion, resourceVersion, continueToken, remainingItemCount);
            writer.WritePropertyName("columnDefinitions"u8);
            writer.WriteRawValue(printer.ColumnDefinitionsJson, skipInputValidation: true);
            writer.WritePropertyName("rows"u8);
            if (count == 0 && printer.EmptyRowsAreNull)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStartArray();
                for (var i = 0; i < count; i++)
                {
                    WriteRow(writer, printer, item(i), version(i), include, tableApiVersion, now);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return buffer;
    }

    /// <summary>One object (GET of an item) as a Table with one row; metadata.resourceVersion is the object's.</summary>
    /// <param name="version">The stored object <paramref name="obj"/> was read from, if any: its row is cached.</param>
    public byte[] ObjectTable(ResourceDefinition resource, byte[] obj, IncludeObjectPolicy include, string tableApiVersion, object? version = null) =>
        WatchEventTable(resource, obj, include, tableApiVersion, includeColumnDefinitions: true, version);

    /// <summary>
    /// The object of one watch event when the watch asked for a Table: a one-row Table per event.
    /// kube-apiserver (handlers/watch.go watchEmbeddedEncoder) sends columnDefinitions with the first
    /// event it encodes only and <c>"columnDefinitions":null</c> on every later one: pass true for
    /// the first event of the stream (whatever its type) and false afterwards. ERROR events carry a
    /// Status, which is never converted.
    /// </summary>
    public byte[] WatchEventTable(ResourceDefinition resource, byte[] obj, IncludeObjectPolicy include, string tableApiVersion, bool includeColumnDefinitions, object? version = null)
    {
        var printer = ResourcePrinter.For(resource);
        var now = time.GetUtcNow();
        version ??= obj;
        var row = RowOf(printer, obj, version);
        using var buffer = new PooledBufferWriter(printer.ColumnDefinitionsJson.Length + 512 + (include == IncludeObjectPolicy.None ? 0 : obj.Length));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteHeader(writer, tableApiVersion, row.ResourceVersion, null, null);
            writer.WritePropertyName("columnDefinitions"u8);
            if (includeColumnDefinitions)
            {
                writer.WriteRawValue(printer.ColumnDefinitionsJson, skipInputValidation: true);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WritePropertyName("rows"u8);
            writer.WriteStartArray();
            WriteRow(writer, printer, obj, version, include, tableApiVersion, now);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // {"kind":"Table","apiVersion":...,"metadata":{ListMeta, empty members omitted}
    private static void WriteHeader(Utf8JsonWriter writer, string tableApiVersion, string resourceVersion, string? continueToken, long? remainingItemCount)
    {
        writer.WriteStartObject();
        writer.WriteString("kind"u8, "Table"u8);
        writer.WriteString("apiVersion"u8, tableApiVersion);
        writer.WritePropertyName("metadata"u8);
        writer.WriteStartObject();
        if (resourceVersion.Length > 0)
        {
            writer.WriteString("resourceVersion"u8, resourceVersion);
        }

        if (!string.IsNullOrEmpty(continueToken))
        {
            writer.WriteString("continue"u8, continueToken);
        }

        if (remainingItemCount is { } remaining)
        {
            writer.WriteNumber("remainingItemCount"u8, remaining);
        }

        writer.WriteEndObject();
    }

    // metav1.TableRow: {"cells":[...],"conditions":[...]?,"object":...}. RawExtension has no
    // omitempty effect in Go, so IncludeObject=None writes "object":null.
    private static void WriteRow(Utf8JsonWriter writer, ResourcePrinter printer, ReadOnlyMemory<byte> obj, object version, IncludeObjectPolicy include, string tableApiVersion, DateTimeOffset now)
    {
        var row = RowOf(printer, obj, version);
        writer.WriteStartObject();
        writer.WritePropertyName("cells"u8);
        row.Cells.WriteTo(writer, now);
        if (row.Conditions is { } conditions)
        {
            writer.WritePropertyName("conditions"u8);
            writer.WriteRawValue(conditions, skipInputValidation: true);
        }

        writer.WritePropertyName("object"u8);
        switch (include)
        {
            case IncludeObjectPolicy.Object:
                writer.WriteRawValue(obj.Span, skipInputValidation: true);
                break;
            case IncludeObjectPolicy.Metadata:
                writer.WriteStartObject();
                writer.WriteString("kind"u8, "PartialObjectMetadata"u8);
                writer.WriteString("apiVersion"u8, tableApiVersion);
                writer.WritePropertyName("metadata"u8);
                writer.WriteRawValue(row.MetadataLength > 0 ? obj.Span.Slice(row.MetadataStart, row.MetadataLength) : """{"creationTimestamp":null}"""u8, skipInputValidation: true);
                writer.WriteEndObject();
                break;
            default:
                writer.WriteNullValue();
                break;
        }

        writer.WriteEndObject();
    }

    // Rows rendered once per stored object version: stored objects are immutable and shared by every
    // reader, so their identity is the key (the object's bytes when no stored object is known), and
    // a row lives exactly as long as its object version. The durations in a row are holes filled
    // when it is printed (see RowCells); the metadata is a range of the object's bytes, which are
    // the same for every read of one version.
    private static readonly ConditionalWeakTable<object, CachedRow> Rows = new();

    private sealed record CachedRow(ResourcePrinter Printer, RowCells Cells, byte[]? Conditions, int MetadataStart, int MetadataLength, string ResourceVersion, int ObjectLength);

    private static CachedRow RowOf(ResourcePrinter printer, ReadOnlyMemory<byte> obj, object version)
    {
        if (Rows.TryGetValue(version, out var row) && row.Printer == printer && row.ObjectLength == obj.Length)
        {
            return row;
        }

        row = RenderRow(printer, obj);
        Rows.AddOrUpdate(version, row);
        return row;
    }

    private static CachedRow RenderRow(ResourcePrinter printer, ReadOnlyMemory<byte> obj)
    {
        using var document = JsonDocument.Parse(obj, DocumentOptions);
        var root = document.RootElement;
        var cells = new CellWriter();
        printer.WriteCells(cells, root);

        byte[]? conditions = null;
        var conditionsBuffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(conditionsBuffer, WriterOptions))
        {
            writer.WriteStartObject();
            printer.WriteConditions(writer, root);
            writer.WriteEndObject();
        }

        if (conditionsBuffer.WrittenCount > 2)
        {
            // {"conditions":[...]}: keep the value only.
            using var wrapper = JsonDocument.Parse(conditionsBuffer.WrittenMemory);
            conditions = JsonMarshal.GetRawUtf8Value(wrapper.RootElement.GetProperty("conditions"u8)).ToArray();
        }

        // JsonDocument.Parse reads the array in place, so the metadata's raw value lies inside it.
        var (start, length) = (0, 0);
        var metadata = root.Get("metadata");
        if (metadata.ValueKind == JsonValueKind.Object)
        {
            var raw = JsonMarshal.GetRawUtf8Value(metadata);
            start = (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(obj.Span), ref MemoryMarshal.GetReference(raw));
            length = raw.Length;
            if (start < 0 || start + length > obj.Length)
            {
                throw new InvalidOperationException("metadata outside the object's bytes");
            }
        }

        return new CachedRow(printer, cells.Complete(), conditions, start, length, metadata.Str("resourceVersion"), obj.Length);
    }
}
