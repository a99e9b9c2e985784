namespace Nautilus.Server.Api.Protobuf.Internal;

/// <summary>Protobuf wire types (the low three bits of a field key).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// One field of a protobuf message as it sits on the wire: its number, wire type and either the
/// scalar bits (varint, fixed32, fixed64) or the payload of a length-delimited field.
/// </summary>
internal readonly ref struct ProtoField
{
    public ProtoField(int number, WireType wireType, ulong scalar, ReadOnlySpan<byte> payload)
    {
        Number = number;
        WireType = wireType;
        Scalar = scalar;
        Payload = payload;
    }

    public int Number { get; }

    public WireType WireType { get; }

    /// <summary>The value of a varint, fixed32 or fixed64 field.</summary>
    public ulong Scalar { get; }

    /// <summary>The bytes of a length-delimited field.</summary>
    public ReadOnlySpan<byte> Payload { get; }
}

/// <summary>
/// A forward-only reader over the fields of one protobuf message. It never allocates; malformed
/// input raises <see cref="ProtoFormatException"/> worded as gogo-protobuf's errors are.
/// Groups (wire types 3 and 4) are deprecated and never written by Kubernetes: they are rejected.
/// </summary>
internal ref struct ProtoWireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ProtoWireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Reads the next field; false at the end of the message.</summary>
    public bool TryRead(out ProtoField field)
    {
        if (_position >= _data.Length)
        {
            field = default;
            return false;
        }

        var key = ReadVarint();
        var number = key >> 3;
        var wireType = (WireType)(key & 7);
        if (number == 0 || number > 536_870_911)
        {
            throw new ProtoFormatException($"proto: illegal tag {number} (wire type {(int)wireType})");
        }

        switch (wireType)
        {
            case WireType.Varint:
                field = new ProtoField((int)number, wireType, ReadVarint(), default);
                return true;
            case WireType.Fixed64:
                field = new ProtoField((int)number, wireType, ReadFixed(8), default);
                return true;
            case WireType.Fixed32:
                field = new ProtoField((int)number, wireType, ReadFixed(4), default);
                return true;
            case WireType.LengthDelimited:
                var length = ReadVarint();
                if (length > int.MaxValue)
                {
                    throw new ProtoFormatException("proto: negative length found during unmarshaling");
                }

                if ((ulong)_position + length > (ulong)_data.Length)
                {
                    throw new ProtoFormatException("unexpected EOF");
                }

                field = new ProtoField((int)number, wireType, 0, _data.Slice(_position, (int)length));
                _position += (int)length;
                return true;
            case WireType.StartGroup:
            case WireType.EndGroup:
                throw new ProtoFormatException($"proto: groups are not supported (field {number})");
            default:
                throw new ProtoFormatException($"proto: illegal wireType {(int)wireType}");
        }
    }

    /// <summary>Decodes a varint from the start of a span (for packed repeated fields).</summary>
    public static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length)
            {
                throw new ProtoFormatException("unexpected EOF");
            }

            var b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new ProtoFormatException("proto: integer overflow");
    }

    private ulong ReadVarint() => ReadVarint(_data, ref _position);

    private ulong ReadFixed(int size)
    {
        if (_position + size > _data.Length)
        {
            throw new ProtoFormatException("unexpected EOF");
        }

        ulong value = 0;
        for (var i = size - 1; i >= 0; i--)
        {
            value = (value << 8) | _data[_position + i];
        }

        _position += size;
        return value;
    }
}

/// <summary>Malformed protobuf input; the message is what gogo-protobuf reports for the same fault.</summary>
internal sealed class ProtoFormatException(string message) : Exception(message);
