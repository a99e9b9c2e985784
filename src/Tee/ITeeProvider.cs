namespace Nautilus.Tee;

/// <summary>
/// The trusted execution environment this process runs in: its launch measurement, attestation
/// quotes that bind caller data to that measurement, verification of such quotes, and sealing
/// that only an instance with the same measurement can undo. Implementations must be thread-safe.
/// </summary>
public interface ITeeProvider
{
    /// <summary>"simulated", "sev-snp", "tdx", "nitro": what produced this instance's quotes.</summary>
    string Kind { get; }

    /// <summary>The launch measurement of this instance; constant for its lifetime.</summary>
    TeeMeasurement Measurement { get; }

    /// <summary>
    /// A quote signed by the platform's attestation key over (measurement, report data, time).
    /// <paramref name="reportData"/> is at most <see cref="AttestationQuote.ReportDataLength"/>
    /// bytes chosen by the caller (a nonce, the hash of a TLS public key); the quote carries it
    /// zero-padded to exactly that length, as hardware reports do.
    /// </summary>
    /// <exception cref="ArgumentException">reportData is longer than 64 bytes.</exception>
    ValueTask<AttestationQuote> GetQuoteAsync(ReadOnlyMemory<byte> reportData, CancellationToken ct = default);

    /// <summary>
    /// Checks that <paramref name="quote"/> chains to a root this verifier trusts, that its
    /// signature covers its contents, that it carries <paramref name="expectedReportData"/>
    /// (zero-padded as in <see cref="GetQuoteAsync"/>) and that it is fresh. Never throws for a bad
    /// quote: the result says why it was rejected. Whether the measurement is acceptable is the
    /// caller's policy; the result carries it.
    /// </summary>
    ValueTask<QuoteVerification> VerifyQuoteAsync(AttestationQuote quote, ReadOnlyMemory<byte> expectedReportData, CancellationToken ct = default);

    /// <summary>
    /// Authenticated encryption under a key bound to this instance's measurement (and the
    /// platform's secret): only an instance with the same measurement on the same platform can
    /// unseal. <paramref name="associatedData"/> is authenticated, not stored: Unseal must be
    /// given the same bytes.
    /// </summary>
    byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData);

    /// <summary>The inverse of <see cref="Seal"/>.</summary>
    /// <exception cref="SealingException">
    /// The data is malformed or tampered with, the associated data differs, or it was sealed under
    /// another measurement or platform secret.
    /// </exception>
    byte[] Unseal(ReadOnlySpan<byte> sealedData, ReadOnlySpan<byte> associatedData);
}
