using Nautilus.Store;
using Nautilus.Tee;

namespace Nautilus.Server.Composition;

/// <summary>
/// Seals every write-ahead log record and snapshot entry through the TEE provider, so the data
/// directory is readable only by an instance with the same measurement on the same platform.
/// </summary>
public sealed class TeeStorageSealer(ITeeProvider tee) : IStorageSealer
{
    // Binds sealed store records to their purpose: a blob sealed for another use does not unseal here.
    private static ReadOnlySpan<byte> Purpose => "nautilus.store/v1"u8;

    public byte[] Seal(ReadOnlySpan<byte> plaintext) => tee.Seal(plaintext, Purpose);

    public byte[] Unseal(ReadOnlySpan<byte> sealedData) => tee.Unseal(sealedData, Purpose);
}
