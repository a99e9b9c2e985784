using System.Buffers.Binary;
using System.Text;

namespace Nautilus.Store.Internal;

/// <summary>
/// A growable byte buffer that frames are encoded straight into, in
/// <see cref="BinaryWriter"/>'s layout (little endian, 7-bit length prefixes, strings as UTF-8):
/// the log encodes a whole batch here and writes it with one call. Not thread-safe.
/// </summary>
internal sealed class WalBatchBuffer
{
    /// <summary>A batch buffer larger than this is dropped after use (a rare batch of huge objects).</summary>
    private const int RetainedBytes = 4 << 20;
    private const int InitialBytes = 64 << 10;

    private byte[] _buffer = new byte[InitialBytes];
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Clear()
    {
        _length = 0;
        if (_buffer.Length > RetainedBytes)
        {
            _buffer = new byte[InitialBytes];
        }
    }

    /// <summary>Reserves a frame header; <see cref="CompleteFrame"/> fills it in once the body follows it.</summary>
    public int BeginFrame()
    {
        var start = _length;
        Reserve(WalRecordCodec.FrameHeaderSize);
        _length += WalRecordCodec.FrameHeaderSize;
        return start;
    }

    /// <summary>Writes the header of the frame begun at <paramref name="start"/>: its body's length and CRC.</summary>
    public void CompleteFrame(int start)
    {
        var bodyStart = start + WalRecordCodec.FrameHeaderSize;
        var body = _buffer.AsSpan(bodyStart, _length - bodyStart);
        if (body.IsEmpty)
        {
            // An empty body would write the all-zero header that ends a preallocated log.
            throw new InvalidOperationException("a frame body is never empty");
        }

        var header = _buffer.AsSpan(start, WalRecordCodec.FrameHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.Compute(body));
    }

    public void Truncate(int length) => _length = length;

    public void WriteByte(byte value)
    {
        Reserve(1);
        _buffer[_length++] = value;
    }

    public void WriteInt32(int value)
    {
        Reserve(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteInt64(long value)
    {
        Reserve(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>As <see cref="BinaryWriter.Write7BitEncodedInt(int)"/> for a value that is not negative.</summary>
    public void WriteVarUInt(uint value)
    {
        Reserve(5);
        var buffer = _buffer;
        var at = _length;
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[at++] = (byte)value;
        _length = at;
    }

    /// <summary>Length-prefixed bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteVarUInt((uint)bytes.Length);
        WriteRaw(bytes);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>As <see cref="BinaryWriter.Write(string)"/>: the UTF-8 byte count (7-bit encoded), then the bytes.</summary>
    public void WriteString(string value)
    {
        if (value.Length <= 127 / 3)
        {
            // At most 127 bytes of UTF-8: a one-byte prefix, written once the bytes are encoded.
            Reserve(1 + (value.Length * 3));
            var count = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 1));
            _buffer[_length] = (byte)count;
            _length += 1 + count;
            return;
        }

        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((uint)byteCount);
        Reserve(byteCount);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    private void Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(count);
        }
    }

    private void Grow(int count)
    {
        var size = Math.Max(_buffer.Length * 2L, (long)_length + count);
        if (size > Array.MaxLength)
        {
            size = Math.Max(Array.MaxLength, _length + count);
        }

        Array.Resize(ref _buffer, (int)size);
    }
}
