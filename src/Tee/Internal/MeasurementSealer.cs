using System.Security.Cryptography;
using System.Text;

namespace Nautilus.Tee.Internal;

/// <summary>
/// AES-256-GCM under a key derived by HKDF-SHA256 from the platform's root sealing secret and the
/// measurement, so another measurement (or another platform) derives another key and cannot
/// unseal. Sealed layout: <c>[version = 1][nonce, 12][tag, 16][ciphertext]</c>. Nonces are random:
/// safe for up to 2^32 seals under one key (NIST SP 800-38D), far beyond what a control plane
/// seals in a measurement's lifetime. Thread-safe.
/// </summary>
internal sealed class MeasurementSealer : IDisposable
{
    internal const byte FormatVersion = 1;
    internal const int NonceSize = 12;
    internal const int TagSize = 16;
    internal const int Overhead = 1 + NonceSize + TagSize;
    internal const int RootSecretSize = 32;

    private static readonly byte[] Salt = Encoding.ASCII.GetBytes("nautilus.tee.seal");
    private static ReadOnlySpan<byte> InfoPrefix => "aes-256-gcm/v1 measurement:"u8;

    // AesGcm instances must not be used concurrently; sealing is I/O-bound (log records), so an
    // uncontended lock costs less than a key schedule per call.
    private readonly Lock _lock = new();
    private readonly AesGcm _aes;

    internal MeasurementSealer(ReadOnlySpan<byte> rootSecret, TeeMeasurement measurement)
    {
        if (rootSecret.Length != RootSecretSize)
        {
            throw new ArgumentException($"The root sealing secret is {RootSecretSize} bytes.", nameof(rootSecret));
        }

        ReadOnlySpan<byte> measurementBytes = measurement.Bytes.Span;
        Span<byte> info = stackalloc byte[InfoPrefix.Length + measurementBytes.Length];
        InfoPrefix.CopyTo(info);
        measurementBytes.CopyTo(info[InfoPrefix.Length..]);
        Span<byte> key = stackalloc byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, rootSecret, key, Salt, info);
        _aes = new AesGcm(key, TagSize);
        CryptographicOperations.ZeroMemory(key);
    }

    internal byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[Overhead + plaintext.Length];
        output[0] = FormatVersion;
        Span<byte> nonce = output.AsSpan(1, NonceSize);
        Span<byte> tag = output.AsSpan(1 + NonceSize, TagSize);
        Span<byte> ciphertext = output.AsSpan(Overhead);
        RandomNumberGenerator.Fill(nonce);
        lock (_lock)
        {
            _aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        }

        return output;
    }

    internal byte[] Unseal(ReadOnlySpan<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        if (sealedData.Length < Overhead || sealedData[0] != FormatVersion)
        {
            throw new SealingException("The sealed data is malformed.");
        }

        ReadOnlySpan<byte> nonce = sealedData.Slice(1, NonceSize);
        ReadOnlySpan<byte> tag = sealedData.Slice(1 + NonceSize, TagSize);
        ReadOnlySpan<byte> ciphertext = sealedData[Overhead..];
        var plaintext = new byte[ciphertext.Length];
        try
        {
            lock (_lock)
            {
                _aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            }
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new SealingException("The sealed data was tampered with, has other associated data, or was sealed under another measurement.", e);
        }

        return plaintext;
    }

    public void Dispose() => _aes.Dispose();
}
