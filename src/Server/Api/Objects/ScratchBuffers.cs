using System.Buffers;

namespace Nautilus.Server.Api.Objects;

/// <summary>
/// Growable byte buffers kept per thread, for code that writes JSON and then copies out what it
/// wrote: a pod's serialization used to grow a new buffer from 1 KB to 8 KB on every write.
/// Rented and returned synchronously (a lease never crosses an await); nested rents get their
/// own buffers.
/// </summary>
internal static class ScratchBuffers
{
    private const int Slots = 4;

    /// <summary>A buffer grown past this (a large ConfigMap) is dropped rather than kept by the thread.</summary>
    private const int MaxKeptCapacity = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>?[]? t_free;

    public static Lease Rent()
    {
        var free = t_free ??= new ArrayBufferWriter<byte>?[Slots];
        for (var i = 0; i < free.Length; i++)
        {
            if (free[i] is { } buffer)
            {
                free[i] = null;
                buffer.ResetWrittenCount();
                return new Lease(buffer);
            }
        }

        return new Lease(new ArrayBufferWriter<byte>(4096));
    }

    private static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > MaxKeptCapacity)
        {
            return;
        }

        var free = t_free ??= new ArrayBufferWriter<byte>?[Slots];
        for (var i = 0; i < free.Length; i++)
        {
            if (free[i] is null)
            {
                free[i] = buffer;
                return;
            }
        }
    }

    /// <summary>A rented buffer; disposing it returns the buffer to the thread that disposes it.</summary>
    public readonly struct Lease(ArrayBufferWriter<byte> buffer) : IDisposable
    {
        public ArrayBufferWriter<byte> Buffer { get; } = buffer;

        public void Dispose() => Return(Buffer);
    }
}
