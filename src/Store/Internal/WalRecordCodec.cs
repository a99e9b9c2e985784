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

    /// <summary>Longest frame body accepted when reading; larger lengths mean a corrupt header.</summary>
    public const int MaxFrameBody = 512 * 1024 * 1024;

    private readonly MemoryStream _scratch = new();

    /// <summary>Encodes one record as a frame into <paramref name="output"/>. Not thread-safe (one scratch buffer).</summary>
    public void WriteFrame(Stream output, in WalRecord record)
    {
        _scratch.SetLength(0);
        using (var writer = new BinaryWriter(_scratch, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(PayloadVersion);
            writer.Write(record.Revision);
            writer.Write((byte)record.Op);
            writer.Write(record.Type.Group);
            writer.Write(record.Type.Resource);
            var obj = record.Object;
            writer.Write(obj.Namespace);
            writer.Write(obj.Name);
            writer.Write(obj.Uid);
            if (record.Op == WalOp.Delete)
            {
                writer.Write7BitEncodedInt(0);
                writer.Write7BitEncodedInt(0);
                writer.Write7BitEncodedInt(0);
            }
            else
            {
                var json = obj.Json;
                writer.Write7BitEncodedInt(json.Length);
                writer.Write(json);
                WriteMap(writer, obj.Labels);
                WriteMap(writer, obj.Fields);
            }
        }

        var payload = _scratch.GetBuffer().AsSpan(0, (int)_scratch.Length);
        WriteRawFrame(output, sealer is null ? payload : sealer.Seal(payload));
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

    /// <summary>Decodes a frame body (unsealing it first). Throws <see cref="InvalidDataException"/> when it does not decode.</summary>
    public WalRecord Decode(byte[] body, StringPool pool)
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
            if (reader.ReadByte() != PayloadVersion)
            {
                throw new InvalidDataException("unknown record version");
            }

            var revision = reader.ReadInt64();
            var op = (WalOp)reader.ReadByte();
            if (op is not (WalOp.Create or WalOp.Update or WalOp.Delete))
            {
                throw new InvalidDataException("unknown record op");
            }

            var type = new ResourceType(pool.Intern(reader.ReadString()), pool.Intern(reader.ReadString()));
            var key = new ObjectKey(pool.Intern(reader.ReadString()), reader.ReadString());
            var uid = reader.ReadString();
            var json = reader.ReadBytes(reader.Read7BitEncodedInt());
            var labels = ReadMap(reader, pool);
            var fields = ReadMap(reader, pool);
            return new WalRecord(revision, op, type, new StoredObject(key, uid, json, labels, fields, op == WalOp.Delete ? 0 : revision));
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("truncated record", e);
        }
    }

    private static void WriteMap(BinaryWriter writer, IReadOnlyDictionary<string, string> map)
    {
        writer.Write7BitEncodedInt(map.Count);
        foreach (var (k, v) in map)
        {
            writer.Write(k);
            writer.Write(v);
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
