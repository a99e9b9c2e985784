using System.Security.Cryptography;

namespace Nautilus.Server.Api.Objects;

/// <summary>
/// metadata.uid of a new object: a random (version 4) UUID from a cryptographic source, as kube's
/// uuid.NewUUID gives. <see cref="Guid.NewGuid"/> reads the kernel's random source with a system
/// call per uid on Linux; <see cref="RandomNumberGenerator"/> draws from OpenSSL's generator, which
/// is seeded from the kernel and runs in process.
/// </summary>
internal static class Uids
{
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);

        // RFC 9562 byte order: the version in the high nibble of byte 6, the variant (10) in the top bits of byte 8.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }
}
