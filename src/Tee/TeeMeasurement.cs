using System.Reflection;
using System.Security.Cryptography;

namespace Nautilus.Tee;

/// <summary>
/// A launch measurement: the digest of what the TEE loaded (SEV-SNP MEASUREMENT, TDX MRTD, Nitro
/// PCR0), 1 to 64 bytes. Immutable; equal when the bytes are equal.
/// </summary>
public sealed record TeeMeasurement
{
    /// <summary>The longest measurement any supported platform produces (SHA-512).</summary>
    public const int MaxLength = 64;

    private readonly byte[] _bytes;

    /// <exception cref="ArgumentException">Empty or longer than <see cref="MaxLength"/>.</exception>
    public TeeMeasurement(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || bytes.Length > MaxLength)
        {
            throw new ArgumentException($"A measurement is 1 to {MaxLength} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
        Hex = Convert.ToHexStringLower(_bytes);
    }

    /// <summary>The measurement bytes (a copy-free read-only view).</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>Lower-case hex of <see cref="Bytes"/>.</summary>
    public string Hex { get; }

    /// <exception cref="FormatException">Not hex.</exception>
    public static TeeMeasurement FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return new TeeMeasurement(Convert.FromHexString(hex));
    }

    /// <summary>
    /// The SHA-384 of an assembly's file, standing in for a launch measurement: a different build
    /// measures differently. A single-file app (no assembly location) measures its executable.
    /// </summary>
    public static TeeMeasurement OfAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        string? path = string.IsNullOrEmpty(assembly.Location) ? Environment.ProcessPath : assembly.Location;
        if (string.IsNullOrEmpty(path))
        {
            throw new InvalidOperationException($"Cannot find the file of assembly {assembly.FullName} to measure it.");
        }

        using FileStream stream = File.OpenRead(path);
        return new TeeMeasurement(SHA384.HashData(stream));
    }

    public bool Equals(TeeMeasurement? other) =>
        other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => Hex;
}
