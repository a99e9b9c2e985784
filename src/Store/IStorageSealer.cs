namespace Nautilus.Store;

/// <summary>
/// Seals what the store writes to disk (log records and snapshot entries), e.g. with a key that
/// the TEE binds to the enclave measurement. Seal and Unseal must be inverse; Unseal must throw
/// when the data was not sealed by a matching key or was tampered with (authenticated
/// encryption), which recovery treats like a corrupt record. Called from the log writer thread
/// and during recovery; must be thread-safe.
/// </summary>
public interface IStorageSealer
{
    byte[] Seal(ReadOnlySpan<byte> plaintext);

    byte[] Unseal(ReadOnlySpan<byte> sealedData);
}
