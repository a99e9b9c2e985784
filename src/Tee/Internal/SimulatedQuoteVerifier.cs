using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nautilus.Tee.Internal;

/// <summary>
/// Verifies quotes of the simulated platform: chain to a trusted root, attestation-key usage,
/// ECDSA P-384 signature over <see cref="QuoteEncoding.SignedPayload"/>, report data, freshness,
/// in that order (nothing is compared before the signature says the fields are authentic).
/// Thread-safe: holds only immutable state.
/// </summary>
internal sealed class SimulatedQuoteVerifier(TrustedRoots trustedRoots, TimeProvider timeProvider, TimeSpan maxAge, TimeSpan maxClockSkew)
{
    internal const string Format = "simulated";
    internal const int Version = 1;

    /// <summary>ECDSA P-384 signatures in IEEE P1363 form: r and s, 48 bytes each.</summary>
    internal const int SignatureLength = 96;

    private const int MaxChainLength = 4;

    internal QuoteVerification Verify(AttestationQuote quote, ReadOnlySpan<byte> expectedReportData)
    {
        ArgumentNullException.ThrowIfNull(quote);
        if (expectedReportData.Length > AttestationQuote.ReportDataLength)
        {
            throw new ArgumentException($"Report data is at most {AttestationQuote.ReportDataLength} bytes.", nameof(expectedReportData));
        }

        if (quote.Format != Format || quote.Version != Version)
        {
            return QuoteVerification.Rejected(QuoteRejection.UnsupportedFormat, $"format {quote.Format} v{quote.Version} is not {Format} v{Version}");
        }

        if (quote.ReportData is not { Length: AttestationQuote.ReportDataLength }
            || quote.Signature is not { Length: SignatureLength }
            || quote.CertificateChain is not { Length: > 0 and <= MaxChainLength })
        {
            return QuoteVerification.Rejected(QuoteRejection.Malformed, "report data, signature or certificate chain has the wrong size");
        }

        var certificates = new List<X509Certificate2>(quote.CertificateChain.Length);
        try
        {
            foreach (byte[] der in quote.CertificateChain)
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(der));
            }
        }
        catch (CryptographicException e)
        {
            DisposeAll(certificates);
            return QuoteVerification.Rejected(QuoteRejection.Malformed, $"certificate does not parse: {e.Message}");
        }

        try
        {
            return VerifyParsed(quote, certificates, expectedReportData);
        }
        finally
        {
            DisposeAll(certificates);
        }
    }

    private QuoteVerification VerifyParsed(AttestationQuote quote, List<X509Certificate2> certificates, ReadOnlySpan<byte> expectedReportData)
    {
        DateTimeOffset now = timeProvider.GetUtcNow();
        X509Certificate2 attestationCertificate = certificates[0];
        string? chainError = ValidateChain(attestationCertificate, certificates, now);
        if (chainError is not null)
        {
            return QuoteVerification.Rejected(QuoteRejection.UntrustedChain, chainError);
        }

        using ECDsa? attestationKey = attestationCertificate.GetECDsaPublicKey();
        if (attestationKey is not { KeySize: 384 })
        {
            return QuoteVerification.Rejected(QuoteRejection.UntrustedChain, "the attestation key is not ECDSA P-384");
        }

        byte[] payload = QuoteEncoding.SignedPayload(quote.Format, quote.Version, quote.Measurement, quote.ReportData, quote.Timestamp);
        if (!attestationKey.VerifyData(payload, quote.Signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            return QuoteVerification.Rejected(QuoteRejection.BadSignature, "the signature does not match the quote under the attestation key");
        }

        Span<byte> expected = stackalloc byte[AttestationQuote.ReportDataLength];
        expected.Clear();
        expectedReportData.CopyTo(expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, quote.ReportData))
        {
            return QuoteVerification.Rejected(QuoteRejection.ReportDataMismatch, "the quote carries other report data than expected");
        }

        if (now - quote.Timestamp > maxAge)
        {
            return QuoteVerification.Rejected(QuoteRejection.Stale, $"the quote is {(now - quote.Timestamp).TotalSeconds:F0}s old; at most {maxAge.TotalSeconds:F0}s is accepted");
        }

        if (quote.Timestamp - now > maxClockSkew)
        {
            return QuoteVerification.Rejected(QuoteRejection.Stale, "the quote is dated in the future");
        }

        return QuoteVerification.Valid(quote.Measurement);
    }

    /// <summary>Null when <paramref name="leaf"/> is an attestation key chaining to a trusted root at <paramref name="now"/>.</summary>
    private string? ValidateChain(X509Certificate2 leaf, List<X509Certificate2> certificates, DateTimeOffset now)
    {
        if (!HasAttestationKeyUsage(leaf))
        {
            return "the leaf certificate is not an attestation key certificate";
        }

        using var chain = new X509Chain();
        X509ChainPolicy policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        foreach (X509Certificate2 root in trustedRoots)
        {
            policy.CustomTrustStore.Add(root);
        }

        for (int i = 1; i < certificates.Count; i++)
        {
            policy.ExtraStore.Add(certificates[i]);
        }

        try
        {
            if (chain.Build(leaf))
            {
                return null;
            }

            var problems = new List<string>();
            foreach (X509ChainStatus status in chain.ChainStatus)
            {
                problems.Add(status.Status.ToString());
            }

            return $"the certificate chain does not lead to a trusted root ({string.Join(", ", problems)})";
        }
        finally
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    private static bool HasAttestationKeyUsage(X509Certificate2 certificate)
    {
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension usage)
            {
                foreach (Oid oid in usage.EnhancedKeyUsages)
                {
                    if (oid.Value == SimulatedVendorCa.AttestationKeyUsageOid)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static void DisposeAll(List<X509Certificate2> certificates)
    {
        foreach (X509Certificate2 certificate in certificates)
        {
            certificate.Dispose();
        }
    }
}
