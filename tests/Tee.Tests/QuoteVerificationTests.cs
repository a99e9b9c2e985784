using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nautilus.Tee.Internal;

namespace Nautilus.Tee.Tests;

public sealed class QuoteVerificationTests
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private ManualTimeProvider _clock = null!;
    private SimulatedTeeProvider _provider = null!;
    private byte[] _nonce = null!;

    [SetUp]
    public void SetUp()
    {
        _clock = new ManualTimeProvider(Start);
        _provider = new SimulatedTeeProvider(new SimulatedTeeOptions { Measurement = TestMeasurements.A, TimeProvider = _clock });
        _nonce = RandomNumberGenerator.GetBytes(32);
    }

    [TearDown]
    public void TearDown() => _provider.Dispose();

    [Test]
    public async Task QuoteWithMatchingReportData_Verifies()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote, _nonce);

        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.True, result.Reason);
            Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.None));
            Assert.That(result.Measurement, Is.EqualTo(TestMeasurements.A));
        });
    }

    [Test]
    public async Task Quote_CarriesMeasurementPaddedReportDataAndTwoCertificateChain()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);

        byte[] expectedReportData = new byte[AttestationQuote.ReportDataLength];
        _nonce.CopyTo(expectedReportData, 0);
        using X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(quote.CertificateChain[0]);
        Assert.Multiple(() =>
        {
            Assert.That(quote.Format, Is.EqualTo("simulated"));
            Assert.That(quote.Measurement, Is.EqualTo(TestMeasurements.A));
            Assert.That(quote.ReportData, Is.EqualTo(expectedReportData));
            Assert.That(quote.Timestamp, Is.EqualTo(Start));
            Assert.That(quote.CertificateChain, Has.Length.EqualTo(2));
            Assert.That(quote.CertificateChain[1], Is.EqualTo(_provider.VendorRootCertificate.RawData));
            Assert.That(leaf.Issuer, Is.EqualTo(_provider.VendorRootCertificate.Subject));
            Assert.That(leaf.GetECDsaPublicKey()!.KeySize, Is.EqualTo(384));
        });
    }

    [Test]
    public async Task OtherExpectedReportData_RejectedAsMismatch()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote, RandomNumberGenerator.GetBytes(32));

        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.False);
            Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.ReportDataMismatch));
            Assert.That(result.Measurement, Is.Null);
        });
    }

    [Test]
    public async Task ReportDataWithTrailingZeros_DiffersFromShorterExpectedOnlyByPadding_Verifies()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(new byte[] { 1, 2, 3, 0, 0 });

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote, new byte[] { 1, 2, 3 });

        Assert.That(result.IsValid, Is.True, result.Reason);
    }

    [Test]
    public void ReportDataLongerThan64Bytes_Throws()
    {
        Assert.That(async () => await _provider.GetQuoteAsync(new byte[65]), Throws.ArgumentException);
    }

    [Test]
    public async Task TamperedReportDataPresentedAsExpected_RejectedAsBadSignature()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);
        byte[] forged = (byte[])quote.ReportData.Clone();
        forged[0] ^= 0x01;

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote with { ReportData = forged }, forged);

        Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.BadSignature));
    }

    [Test]
    public async Task TamperedMeasurement_RejectedAsBadSignature()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote with { Measurement = TestMeasurements.B }, _nonce);

        Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.BadSignature));
    }

    [Test]
    public async Task TamperedTimestamp_RejectedAsBadSignature()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote with { Timestamp = quote.Timestamp.AddSeconds(1) }, _nonce);

        Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.BadSignature));
    }

    [Test]
    public async Task TamperedSignature_RejectedAsBadSignature()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);
        byte[] signature = (byte[])quote.Signature.Clone();
        signature[^1] ^= 0x80;

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote with { Signature = signature }, _nonce);

        Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.BadSignature));
    }

    [Test]
    public async Task SignatureByAnotherKeyUnderGenuineChain_RejectedAsBadSignature()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);
        using var attackerKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        byte[] payload = QuoteEncoding.SignedPayload(quote.Format, quote.Version, TestMeasurements.B, quote.ReportData, quote.Timestamp);
        byte[] signature = attackerKey.SignData(payload, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote with { Measurement = TestMeasurements.B, Signature = signature }, _nonce);

        Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.BadSignature));
    }

    [Test]
    public async Task VerifierWithAnotherTrustedRoot_RejectsAsUntrustedChain()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);
        using var otherPlatform = new SimulatedTeeProvider(new SimulatedTeeOptions { Measurement = TestMeasurements.A, TimeProvider = _clock });

        QuoteVerification result = await otherPlatform.VerifyQuoteAsync(quote, _nonce);

        Assert.Multiple(() =>
        {
            Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.UntrustedChain));
            Assert.That(result.Measurement, Is.Null);
        });
    }

    [Test]
    public async Task VerifierGivenTheSimulatorRootSeparately_Verifies()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);
        using var verifier = new SimulatedTeeProvider(new SimulatedTeeOptions
        {
            Measurement = TestMeasurements.B,
            TimeProvider = _clock,
            TrustedRoots = TrustedRoots.FromDer([_provider.VendorRootCertificate.RawData]),
        });

        QuoteVerification result = await verifier.VerifyQuoteAsync(quote, _nonce);

        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.True, result.Reason);
            Assert.That(result.Measurement, Is.EqualTo(TestMeasurements.A));
        });
    }

    [Test]
    public async Task QuoteSignedUnderAttackerRootCarriedInTheQuote_RejectedAsUntrustedChain()
    {
        AttestationQuote genuine = await _provider.GetQuoteAsync(_nonce);
        using X509Certificate2 attackerRoot = SimulatedVendorCa.CreateRoot(Start);
        using X509Certificate2 attackerLeaf = SimulatedVendorCa.IssueAttestationKey(attackerRoot, Start, out ECDsa attackerKey);
        using (attackerKey)
        {
            byte[] payload = QuoteEncoding.SignedPayload(genuine.Format, genuine.Version, TestMeasurements.B, genuine.ReportData, genuine.Timestamp);
            AttestationQuote forged = genuine with
            {
                Measurement = TestMeasurements.B,
                Signature = attackerKey.SignData(payload, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
                CertificateChain = [attackerLeaf.RawData, attackerRoot.RawData],
            };

            QuoteVerification result = await _provider.VerifyQuoteAsync(forged, _nonce);

            Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.UntrustedChain));
        }
    }

    [Test]
    public async Task LeafIssuedByTrustedRootWithoutAttestationUsage_RejectedAsUntrustedChain()
    {
        using X509Certificate2 root = SimulatedVendorCa.CreateRoot(Start);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=not an attestation key", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using X509Certificate2 leaf = request.Create(root, Start.AddMinutes(-1), Start.AddDays(1), [1, 2, 3, 4]);
        using var verifier = new SimulatedTeeProvider(new SimulatedTeeOptions
        {
            Measurement = TestMeasurements.A,
            TimeProvider = _clock,
            TrustedRoots = new TrustedRoots([root]),
        });
        var reportData = new byte[AttestationQuote.ReportDataLength];
        byte[] payload = QuoteEncoding.SignedPayload("simulated", 1, TestMeasurements.A, reportData, Start);
        var quote = new AttestationQuote("simulated", 1, TestMeasurements.A, reportData, Start,
            key.SignData(payload, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            [leaf.RawData, root.RawData]);

        QuoteVerification result = await verifier.VerifyQuoteAsync(quote, ReadOnlyMemory<byte>.Empty);

        Assert.Multiple(() =>
        {
            Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.UntrustedChain));
            Assert.That(result.Reason, Does.Contain("attestation key"));
        });
    }

    [Test]
    public async Task ChainWithoutIntermediateOrRoot_StillVerifiesAgainstTrustedRoot()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote with { CertificateChain = [quote.CertificateChain[0]] }, _nonce);

        Assert.That(result.IsValid, Is.True, result.Reason);
    }

    [Test]
    public async Task ChainOfOnlyTheRoot_RejectedAsUntrustedChain()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote with { CertificateChain = [quote.CertificateChain[1]] }, _nonce);

        Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.UntrustedChain));
    }

    [Test]
    public async Task GarbageCertificate_RejectedAsMalformed()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote with { CertificateChain = [[0x30, 0x03, 0x01, 0x02, 0x03]] }, _nonce);

        Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.Malformed));
    }

    [Test]
    public async Task OtherFormat_RejectedAsUnsupported()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote with { Format = "sev-snp" }, _nonce);

        Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.UnsupportedFormat));
    }

    [Test]
    public async Task QuoteWithinMaxAge_Verifies()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);
        _clock.Advance(TimeSpan.FromMinutes(4));

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote, _nonce);

        Assert.That(result.IsValid, Is.True, result.Reason);
    }

    [Test]
    public async Task QuoteOlderThanMaxAge_RejectedAsStale()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromMilliseconds(1));

        QuoteVerification result = await _provider.VerifyQuoteAsync(quote, _nonce);

        Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.Stale));
    }

    [Test]
    public async Task QuoteFromBeyondClockSkew_RejectedAsStale()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);
        var laggingClock = new ManualTimeProvider(Start - TimeSpan.FromMinutes(2));
        using var verifier = new SimulatedTeeProvider(new SimulatedTeeOptions
        {
            Measurement = TestMeasurements.A,
            TimeProvider = laggingClock,
            TrustedRoots = _provider.TrustedRoots,
        });

        QuoteVerification result = await verifier.VerifyQuoteAsync(quote, _nonce);

        Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.Stale));
    }

    [Test]
    public async Task QuoteVerifiedAfterAttestationCertificateExpired_RejectedAsUntrustedChain()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);
        var farFuture = new ManualTimeProvider(Start + TimeSpan.FromDays(30 * 365));
        using var verifier = new SimulatedTeeProvider(new SimulatedTeeOptions
        {
            Measurement = TestMeasurements.A,
            TimeProvider = farFuture,
            TrustedRoots = _provider.TrustedRoots,
            MaxQuoteAge = TimeSpan.MaxValue / 2,
        });

        QuoteVerification result = await verifier.VerifyQuoteAsync(quote, _nonce);

        Assert.That(result.Rejection, Is.EqualTo(QuoteRejection.UntrustedChain));
    }

    [Test]
    public async Task QuoteDecodedFromItsEncoding_Verifies()
    {
        AttestationQuote quote = await _provider.GetQuoteAsync(_nonce);

        AttestationQuote decoded = AttestationQuote.Parse(quote.ToBytes());
        QuoteVerification result = await _provider.VerifyQuoteAsync(decoded, _nonce);

        Assert.That(result.IsValid, Is.True, result.Reason);
    }
}
