using System.Buffers.Binary;
using System.Text;

namespace Nautilus.Store.Internal;

internal enum WalOp : byte
{
    Create = 1,
    Update = 2,
    Delete = 3,
}

/// <summary>One durable change. For a delete only the key and uid of <see cref="Object"/> are stored.</summary>
internal readonly record struct WalRecord(long Revision, WalOp Op, ResourceType Type, StoredObject Object);

/// <summary>
/// The on-disk encoding of log records and snapshot entries, in one place so that sealing wraps
/// every byte written. A frame is <c>[u32 length][u32 crc32(body)][body]</c> (little endian),
/// where body is the record payload, sealed when a sealer is configured:
/// <c>[u8 version][i64 revision][u8 op][group][resource][namespace][name][uid][json][labels][fields]</c>,
/// strings and byte arrays length-prefixed (7-bit varint), maps as a count then key/value pairs.
/// The CRC covers what is on disk, so a torn or corrupted frame is detected before unsealing.
/// <para>
/// No frame has an empty body (a record payload starts with its version byte; a sealer only adds
/// to it), so a header of eight zero bytes never starts a frame: it marks where the zero-filled
/// space the log preallocates ahead of its writer begins, the clean end of the records.
/// </para>
/// </summary>
internal sealed class WalRecordCodec(IStorageSealer? sealer)
{
    public const int FrameHeaderSize = 8;
    private const byte PayloadVersion = 1;

    /// <summary>A snapshot entry as the table keeps it: the id of its dictionary (-1: none) and its bytes.</summary>
    private const byte StoredPayloadVersion = 2;

    /// <summary>A snapshot's compression dictionary: its id and content, written before the first entry that uses it.</summary>
    private const byte DictionaryPayloadVersion = 3;

    /// <summary>
    /// A log record of an object as the table keeps it: <see cref="PayloadVersion"/>'s layout with the
    /// id of its dictionary (-1: none) before its bytes. The dictionary's own frame comes earlier in
    /// the same log.
    /// </summary>
    private const byte StoredRecordPayloadVersion = 4;

    /// <summary>Longest frame body accepted when reading; larger lengths mean a corrupt header.</summary>
    public const int MaxFrameBody = 512 * 1024 * 1024;

    /// <summary>Frames encoded for the <see cref="Stream"/> overloads (tests, tools), which copy them out.</summary>
    private WalBatchBuffer? _scratch;

    /// <summary>
    /// Encodes one record as frames into <paramref name="output"/>: a compressed object as it is
    /// kept, preceded by its dictionary the first time the log uses one (<paramref name="written"/>
    /// maps the dictionaries already in this log to their ids; a new log starts with it empty).
    /// </summary>
    public void WriteFrame(WalBatchBuffer output, in WalRecord record, Dictionary<Compression.CompressionDictionary, int> written)
    {
        var obj = record.Object;
        var id = record.Op == WalOp.Delete ? -1 : WriteDictionaryOnce(output, obj, written);
        var start = output.BeginFrame();
        output.WriteByte(id >= 0 ? StoredRecordPayloadVersion : PayloadVersion);
        output.WriteInt64(record.Revision);
        output.WriteByte((byte)record.Op);
        WriteIdentity(output, record.Type, obj);
        if (id >= 0)
        {
            output.WriteInt32(id);
            WriteContent(output, obj.StoredData, obj);
        }
        else if (record.Op == WalOp.Delete)
        {
            output.WriteByte(0);
            output.WriteByte(0);
            output.WriteByte(0);
        }
        else
        {
            WriteContent(output, obj.StoredData, obj);
        }

        EndFrame(output, start);
    }

    /// <summary>The <see cref="Stream"/> form of <see cref="WriteFrame(WalBatchBuffer, in WalRecord, Dictionary{Compression.CompressionDictionary, int})"/>. Not thread-safe (one scratch buffer).</summary>
    public void WriteFrame(Stream output, in WalRecord record, Dictionary<Compression.CompressionDictionary, int> written)
    {
        var scratch = _scratch ??= new WalBatchBuffer();
        scratch.Clear();
        WriteFrame(scratch, record, written);
        output.Write(scratch.WrittenSpan);
    }

    /// <summary>
    /// Encodes one snapshot entry as frames into <paramref name="output"/>: the object as the table
    /// keeps it (compressed, a pod is a few hundred bytes instead of ~5 KB), preceded by its
    /// dictionary the first time one is used (<paramref name="written"/> maps those written to
    /// their ids).
    /// </summary>
    public void WriteSnapshotEntry(WalBatchBuffer output, ResourceType type, StoredObject obj, Dictionary<Compression.CompressionDictionary, int> written)
    {
        var id = WriteDictionaryOnce(output, obj, written);
        var start = output.BeginFrame();
        output.WriteByte(StoredPayloadVersion);
        output.WriteInt64(obj.ResourceVersion);
        WriteIdentity(output, type, obj);
        output.WriteInt32(id);
        WriteContent(output, obj.StoredData, obj);
        EndFrame(output, start);
    }

    /// <summary>The id of the dictionary <paramref name="obj"/> is compressed against (-1: none), its frame written first when <paramref name="written"/> does not hold it yet.</summary>
    private int WriteDictionaryOnce(WalBatchBuffer output, StoredObject obj, Dictionary<Compression.CompressionDictionary, int> written)
    {
        if (obj.StoredDictionary is not { } dictionary)
        {
            return -1;
        }

        if (written.TryGetValue(dictionary, out var id))
        {
            return id;
        }

        id = written.Count;
        written[dictionary] = id;
        var start = output.BeginFrame();
        output.WriteByte(DictionaryPayloadVersion);
        output.WriteInt32(id);
        output.WriteBytes(dictionary.Content);
        EndFrame(output, start);
        return id;
    }

    // Resource, namespace, name and uid: every entry's identity, in log records and snapshots alike.
    private static void WriteIdentity(WalBatchBuffer output, ResourceType type, StoredObject obj)
    {
        output.WriteString(type.Group);
        output.WriteString(type.Resource);
        output.WriteString(obj.Namespace);
        output.WriteString(obj.Name);
        output.WriteString(obj.Uid);
    }

    private static (ResourceType Type, ObjectKey Key, string Uid) ReadIdentity(BinaryReader reader, StringPool pool) =>
        (new ResourceType(pool.Intern(reader.ReadString()), pool.Intern(reader.ReadString())), new ObjectKey(pool.Intern(reader.ReadString()), reader.ReadString()), reader.ReadString());

    // The object's bytes (JSON, or compressed in a snapshot), labels and indexed fields.
    private static void WriteContent(WalBatchBuffer output, ReadOnlySpan<byte> data, StoredObject obj)
    {
        output.WriteBytes(data);
        WriteMap(output, obj.Labels);
        WriteMap(output, obj.Fields);
    }

    /// <summary>Completes the frame <see cref="WalBatchBuffer.BeginFrame"/> opened at <paramref name="start"/>: seals its payload when configured, then fills in its header.</summary>
    private void EndFrame(WalBatchBuffer output, int start)
    {
        if (sealer is not null)
        {
            var sealedBody = sealer.Seal(output.WrittenSpan[(start + FrameHeaderSize)..]);
            output.Truncate(start + FrameHeaderSize);
            output.WriteRaw(sealedBody);
        }

        output.CompleteFrame(start);
    }

    public static void WriteRawFrame(Stream output, ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            // An empty body would write the all-zero header that ends a preallocated log.
            throw new ArgumentException("a frame body is never empty", nameof(body));
        }

        Span<byte> header = stackalloc byte[FrameHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.Compute(body));
        output.Write(header);
        output.Write(body);
    }

    /// <summary>
    /// Reads the frame at the stream's position. Returns null when the data ends cleanly there:
    /// at the end of the stream or at an all-zero header (preallocated space; the caller checks
    /// that only zeros follow). Throws <see cref="InvalidDataException"/> for a torn or corrupt frame.
    /// </summary>
    public static byte[]? ReadRawFrame(Stream input)
    {
        Span<byte> header = stackalloc byte[FrameHeaderSize];
        var read = input.ReadAtLeast(header, FrameHeaderSize, throwOnEndOfStream: false);
        if (read == 0)
        {
            return null;
        }

        if (read < FrameHeaderSize)
        {
            throw new InvalidDataException("torn frame header");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (length == 0 && crc == 0)
        {
            return null;
        }

        if (length > MaxFrameBody || length > input.Length - input.Position)
        {
            throw new InvalidDataException("torn or corrupt frame length");
        }

        var body = new byte[length];
        input.ReadExactly(body);
        if (Crc32.Compute(body) != crc)
        {
            throw new InvalidDataException("frame checksum mismatch");
        }

        return body;
    }

    /// <summary>
    /// Decodes a log frame body (unsealing it first): a record, or a dictionary, which is added to
    /// <paramref name="dictionaries"/> (the log's own, in the order read) and gives null. Throws
    /// <see cref="InvalidDataException"/> when it does not decode.
    /// </summary>
    public WalRecord? Decode(byte[] body, StringPool pool, Dictionary<int, Compression.CompressionDictionary> dictionaries) =>
        DecodeAny(body, pool, dictionaries);

    /// <summary>
    /// Decodes a snapshot frame body: an entry (written as a log record by older snapshots, or as
    /// the table kept it), or a dictionary, which is added to <paramref name="dictionaries"/> and
    /// gives null. Throws <see cref="InvalidDataException"/> when it does not decode.
    /// </summary>
    public WalRecord? DecodeSnapshotFrame(byte[] body, StringPool pool, Dictionary<int, Compression.CompressionDictionary> dictionaries) =>
        DecodeAny(body, pool, dictionaries);

    private WalRecord? DecodeAny(byte[] body, StringPool pool, Dictionary<int, Compression.CompressionDictionary>? dictionaries)
    {
        byte[] payload;
        try
        {
            payload = sealer is null ? body : sealer.Unseal(body);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException("record does not unseal: " + e.Message, e);
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
            switch (reader.ReadByte())
            {
                case PayloadVersion:
                    {
                        var revision = reader.ReadInt64();
                        var op = (WalOp)reader.ReadByte();
                        if (op is not (WalOp.Create or WalOp.Update or WalOp.Delete))
                        {
                            throw new InvalidDataException("unknown record op");
                        }

                        var (type, key, uid) = ReadIdentity(reader, pool);
                        var json = reader.ReadBytes(reader.Read7BitEncodedInt());
                        var labels = ReadMap(reader, pool);
                        var fields = ReadMap(reader, pool);
                        return new WalRecord(revision, op, type, new StoredObject(key, uid, json, labels, fields, op == WalOp.Delete ? 0 : revision));
                    }

                case StoredPayloadVersion when dictionaries is not null:
                    {
                        var revision = reader.ReadInt64();
                        var (type, key, uid) = ReadIdentity(reader, pool);
                        return ReadStored(reader, pool, dictionaries, revision, WalOp.Create, type, key, uid);
                    }

                case StoredRecordPayloadVersion when dictionaries is not null:
                    {
                        var revision = reader.ReadInt64();
                        var op = (WalOp)reader.ReadByte();
                        if (op is not (WalOp.Create or WalOp.Update))
                        {
                            throw new InvalidDataException("unknown record op");
                        }

                        var (type, key, uid) = ReadIdentity(reader, pool);
                        return ReadStored(reader, pool, dictionaries, revision, op, type, key, uid);
                    }

                case DictionaryPayloadVersion when dictionaries is not null:
                    {
                        var id = reader.ReadInt32();
                        var content = reader.ReadBytes(reader.Read7BitEncodedInt());
                        dictionaries[id] = content.Length == 0 ? Compression.CompressionDictionary.Empty : new Compression.CompressionDictionary(content);
                        return null;
                    }

                default:
                    throw new InvalidDataException("unknown record version");
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("truncated record", e);
        }
    }

    // An entry kept as the table keeps it: the id of its dictionary, which an earlier frame defined, then its content.
    private static WalRecord ReadStored(BinaryReader reader, StringPool pool, Dictionary<int, Compression.CompressionDictionary> dictionaries, long revision, WalOp op, ResourceType type, ObjectKey key, string uid)
    {
        var id = reader.ReadInt32();
        Compression.CompressionDictionary? dictionary = null;
        if (id >= 0 && !dictionaries.TryGetValue(id, out dictionary))
        {
            throw new InvalidDataException("entry names an unknown dictionary");
        }

        var data = reader.ReadBytes(reader.Read7BitEncodedInt());
        var labels = ReadMap(reader, pool);
        var fields = ReadMap(reader, pool);
        return new WalRecord(revision, op, type, StoredObject.FromStored(key, uid, data, dictionary, labels, fields, revision));
    }

    private static void WriteMap(WalBatchBuffer output, IReadOnlyDictionary<string, string> map)
    {
        output.WriteVarUInt((uint)map.Count);
        if (map.Count == 0)
        {
            return;
        }

        if (map is CompactMap && map.Keys is string[] keys && map.Values is string[] values)
        {
            // A stored object's maps are compact: their arrays, without an enumerator per map.
            for (var i = 0; i < keys.Length; i++)
            {
                output.WriteString(keys[i]);
                output.WriteString(values[i]);
            }

            return;
        }

        foreach (var (k, v) in map)
        {
            output.WriteString(k);
            output.WriteString(v);
        }
    }

    private static Dictionary<string, string>? ReadMap(BinaryReader reader, StringPool pool)
    {
        var count = reader.Read7BitEncodedInt();
        if (count == 0)
        {
            return null;
        }

        var map = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            // Label keys and field paths repeat across every object; values often do (node names, phases).
            map[pool.Intern(reader.ReadString())] = pool.Intern(reader.ReadString());
        }

        return map;
    }
}

/// <summary>Shares equal strings decoded during recovery, so 150,000 pods do not hold 150,000 copies of "app".</summary>
internal sealed class StringPool
{
    private const int MaxEntries = 1 << 20;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string Intern(string value)
    {
        if (_strings.TryGetValue(value, out var shared))
        {
            return shared;
        }

        if (_strings.Count < MaxEntries)
        {
            _strings[value] = value;
        }

        return value;
    }
}
