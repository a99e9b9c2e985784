using System.Buffers;

namespace Nautilus.Server.Api.Printing;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over ArrayPool arrays. Large responses (lists, Tables) are
/// written into rented memory that the response hands to the client and returns after the request
/// (<c>HttpResponse.RegisterForDispose</c>): no large-object-heap array, zeroed and faulted in, per list.
/// </summary>
public sealed class PooledBufferWriter(int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    private byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    private int written;

    public ReadOnlySpan<byte> WrittenSpan => buffer.AsSpan(0, written);

    public ReadOnlyMemory<byte> WrittenMemory => buffer.AsMemory(0, written);

    /// <summary>Bytes written so far.</summary>
    public int WrittenCount => written;

    /// <summary>Goes back to an earlier <see cref="WrittenCount"/>, dropping what was written after it.</summary>
    public void Rewind(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)count, (uint)written, nameof(count));
        written = count;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        written += bytes.Length;
    }

    public void Advance(int count) => written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return buffer.AsMemory(written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return buffer.AsSpan(written);
    }

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Dispose()
    {
        var rented = buffer;
        buffer = [];
        if (rented.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (buffer.Length - written >= needed)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, written + needed));
        buffer.AsSpan(0, written).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = grown;
    }
}
