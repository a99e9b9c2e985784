using Nautilus.Tee.Internal;

namespace Nautilus.Tee;

/// <summary>
/// Attestation evidence: the platform's statement that an instance with <see cref="Measurement"/>
/// produced <see cref="ReportData"/> at <see cref="Timestamp"/>, signed by an attestation key whose
/// certificate chain (<see cref="CertificateChain"/>, DER, leaf first, root last) leads to a vendor
/// root. Nothing in a quote is trusted until <see cref="ITeeProvider.VerifyQuoteAsync"/> says so.
/// Equal when every field is equal byte for byte. <see cref="ToBytes"/> and <see cref="Parse"/>
/// are a stable binary encoding (for gRPC <c>bytes</c> fields and files).
/// </summary>
/// <param name="Format">Which platform's quote this is; the same strings as <see cref="ITeeProvider.Kind"/>.</param>
/// <param name="Version">The version of that platform's quote layout.</param>
/// <param name="ReportData">Caller data, zero-padded to <see cref="ReportDataLength"/> bytes by the platform.</param>
/// <param name="Timestamp">When the quote was produced, to the millisecond.</param>
/// <param name="Signature">The attestation key's signature over the platform's canonical encoding of the other fields.</param>
/// <param name="CertificateChain">DER certificates, attestation key first, vendor root last.</param>
public sealed record AttestationQuote(
    string Format,
    int Version,
    TeeMeasurement Measurement,
    byte[] ReportData,
    DateTimeOffset Timestamp,
    byte[] Signature,
    byte[][] CertificateChain)
{
    /// <summary>The report data field size, as in SEV-SNP and TDX reports.</summary>
    public const int ReportDataLength = 64;

    /// <summary>The stable binary encoding; <see cref="Parse"/> reads it back into an equal quote.</summary>
    /// <exception cref="FormatException">A field is too large for the encoding.</exception>
    public byte[] ToBytes() => QuoteEncoding.Encode(this);

    /// <summary>Reads the encoding written by <see cref="ToBytes"/>; says nothing about validity.</summary>
    /// <exception cref="FormatException">Truncated, trailing bytes, unknown encoding version, or impossible sizes.</exception>
    public static AttestationQuote Parse(ReadOnlySpan<byte> encoded) => QuoteEncoding.Decode(encoded);

    public static bool TryParse(ReadOnlySpan<byte> encoded, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AttestationQuote? quote)
    {
        try
        {
            quote = QuoteEncoding.Decode(encoded);
            return true;
        }
        catch (FormatException)
        {
            quote = null;
            return false;
        }
    }

    public bool Equals(AttestationQuote? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (Format != other.Format
            || Version != other.Version
            || !Measurement.Equals(other.Measurement)
            || Timestamp != other.Timestamp
            || !ReportData.AsSpan().SequenceEqual(other.ReportData)
            || !Signature.AsSpan().SequenceEqual(other.Signature)
            || CertificateChain.Length != other.CertificateChain.Length)
        {
            return false;
        }

        for (int i = 0; i < CertificateChain.Length; i++)
        {
            if (!CertificateChain[i].AsSpan().SequenceEqual(other.CertificateChain[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Format);
        hash.Add(Version);
        hash.Add(Measurement);
        hash.Add(Timestamp);
        hash.AddBytes(ReportData);
        hash.AddBytes(Signature);
        return hash.ToHashCode();
    }
}
