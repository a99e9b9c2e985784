using System.Text;

namespace Nautilus.Server.Tests.Protobuf;

/// <summary>Builds protobuf messages field by field, the way gogo-protobuf lays them out, for decoder tests.</summary>
internal sealed class ProtoWriter
{
    private readonly List<byte> _bytes = [];

    /// <summary>The kube wire envelope: "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}.</summary>
    public static byte[] Envelope(string apiVersion, string kind, ProtoWriter raw) =>
        [
            .. "k8s\0"u8,
            .. new ProtoWriter()
                .Message(1, t => t.String(1, apiVersion).String(2, kind))
                .Bytes(2, raw.ToArray())
                .String(3, string.Empty)
                .String(4, string.Empty)
                .ToArray(),
        ];

    public ProtoWriter Varint(int field, long value)
    {
        Key(field, 0);
        WriteVarint(unchecked((ulong)value));
        return this;
    }

    public ProtoWriter Bool(int field, bool value) => Varint(field, value ? 1 : 0);

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, 2);
        WriteVarint((ulong)value.Length);
        _bytes.AddRange(value);
        return this;
    }

    public ProtoWriter Message(int field, Action<ProtoWriter> build)
    {
        var inner = new ProtoWriter();
        build(inner);
        return Bytes(field, inner.ToArray());
    }

    public ProtoWriter Fixed32(int field, uint value)
    {
        Key(field, 5);
        _bytes.AddRange(BitConverter.GetBytes(value));
        return this;
    }

    public ProtoWriter Fixed64(int field, ulong value)
    {
        Key(field, 1);
        _bytes.AddRange(BitConverter.GetBytes(value));
        return this;
    }

    /// <summary>A map entry {key=1, value=2} with a string value.</summary>
    public ProtoWriter Entry(int field, string key, string value) => Message(field, e => e.String(1, key).String(2, value));

    /// <summary>A map entry whose value is a message.</summary>
    public ProtoWriter Entry(int field, string key, Action<ProtoWriter> value) => Message(field, e => e.String(1, key).Message(2, value));

    /// <summary>Appends raw bytes as they are (for malformed input).</summary>
    public ProtoWriter Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    private void Key(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        _bytes.Add((byte)value);
    }
}
