using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nautilus.Tee.Internal;

namespace Nautilus.Tee;

/// <summary>
/// A software stand-in for a TEE that behaves like one to its callers: quotes are ECDSA P-384
/// signatures by an attestation key whose certificate a simulated vendor root issued (chain
/// [attestation key, root], as SEV-SNP's [VCEK, ASK/ARK]); sealing keys are derived from a
/// platform secret and the measurement. It protects nothing: its secrets are ordinary files or
/// memory. With <see cref="SimulatedTeeOptions.DataDirectory"/>, the root sealing secret
/// (<c>sealing-root.key</c>) and the vendor root (<c>vendor-root.pem</c>) persist there, so a
/// restarted instance with the same measurement unseals what it sealed and its quotes chain to the
/// same root; the attestation key is new for each instance.
/// </summary>
public sealed class SimulatedTeeProvider : ITeeProvider, IDisposable
{
    internal const string RootSecretFileName = "sealing-root.key";
    internal const string VendorRootFileName = "vendor-root.pem";

    private readonly TimeProvider _timeProvider;
    private readonly MeasurementSealer _sealer;
    private readonly SimulatedQuoteVerifier _verifier;
    private readonly Lock _signingLock = new();
    private readonly ECDsa _attestationKey;
    private readonly byte[][] _chain;
    private bool _disposed;

    /// <exception cref="UnauthorizedAccessException">A secret file in the data directory is accessible to group or others.</exception>
    /// <exception cref="InvalidDataException">A secret file in the data directory is corrupt.</exception>
    public SimulatedTeeProvider(SimulatedTeeOptions? options = null)
    {
        options ??= new SimulatedTeeOptions();
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        _timeProvider = options.TimeProvider;
        DateTimeOffset now = _timeProvider.GetUtcNow();
        Measurement = options.Measurement ?? TeeMeasurement.OfAssembly(Assembly.GetEntryAssembly() ?? typeof(SimulatedTeeProvider).Assembly);

        byte[] rootSecret;
        X509Certificate2 vendorRoot;
        if (options.DataDirectory is { } directory)
        {
            PlatformSecretFile.EnsureDirectory(directory);
            rootSecret = PlatformSecretFile.ReadOrCreate(
                Path.Combine(directory, RootSecretFileName),
                () => RandomNumberGenerator.GetBytes(MeasurementSealer.RootSecretSize));
            if (rootSecret.Length != MeasurementSealer.RootSecretSize)
            {
                throw new InvalidDataException($"{Path.Combine(directory, RootSecretFileName)} is {rootSecret.Length} bytes, not {MeasurementSealer.RootSecretSize}.");
            }

            vendorRoot = SimulatedVendorCa.ImportRootPem(PlatformSecretFile.ReadOrCreateText(
                Path.Combine(directory, VendorRootFileName),
                () =>
                {
                    using X509Certificate2 created = SimulatedVendorCa.CreateRoot(now);
                    return SimulatedVendorCa.ExportRootPem(created);
                }));
        }
        else
        {
            rootSecret = RandomNumberGenerator.GetBytes(MeasurementSealer.RootSecretSize);
            vendorRoot = SimulatedVendorCa.CreateRoot(now);
        }

        try
        {
            _sealer = new MeasurementSealer(rootSecret, Measurement);
            using X509Certificate2 attestationCertificate = SimulatedVendorCa.IssueAttestationKey(vendorRoot, now, out _attestationKey);
            _chain = [attestationCertificate.RawData, vendorRoot.RawData];
            VendorRootCertificate = X509CertificateLoader.LoadCertificate(vendorRoot.RawData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rootSecret);
            vendorRoot.Dispose();
        }

        TrustedRoots = options.TrustedRoots ?? new TrustedRoots([VendorRootCertificate]);
        _verifier = new SimulatedQuoteVerifier(TrustedRoots, _timeProvider, options.MaxQuoteAge, options.MaxClockSkew);
    }

    /// <summary>Always "simulated".</summary>
    public string Kind => SimulatedQuoteVerifier.Format;

    public TeeMeasurement Measurement { get; }

    /// <summary>
    /// The simulated vendor root (public part) this instance's quotes chain to; give it to
    /// verifiers elsewhere (<see cref="SimulatedTeeOptions.TrustedRoots"/>) so they accept them.
    /// </summary>
    public X509Certificate2 VendorRootCertificate { get; }

    /// <summary>The roots <see cref="VerifyQuoteAsync"/> accepts.</summary>
    public TrustedRoots TrustedRoots { get; }

    public ValueTask<AttestationQuote> GetQuoteAsync(ReadOnlyMemory<byte> reportData, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();
        if (reportData.Length > AttestationQuote.ReportDataLength)
        {
            throw new ArgumentException($"Report data is at most {AttestationQuote.ReportDataLength} bytes.", nameof(reportData));
        }

        var paddedReportData = new byte[AttestationQuote.ReportDataLength];
        reportData.Span.CopyTo(paddedReportData);

        // The encoding keeps milliseconds: truncate so that a decoded quote equals this one.
        DateTimeOffset timestamp = DateTimeOffset.FromUnixTimeMilliseconds(_timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        byte[] payload = QuoteEncoding.SignedPayload(Kind, SimulatedQuoteVerifier.Version, Measurement, paddedReportData, timestamp);
        byte[] signature;
        lock (_signingLock)
        {
            signature = _attestationKey.SignData(payload, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        byte[][] chain = [(byte[])_chain[0].Clone(), (byte[])_chain[1].Clone()];
        return ValueTask.FromResult(new AttestationQuote(Kind, SimulatedQuoteVerifier.Version, Measurement, paddedReportData, timestamp, signature, chain));
    }

    public ValueTask<QuoteVerification> VerifyQuoteAsync(AttestationQuote quote, ReadOnlyMemory<byte> expectedReportData, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_verifier.Verify(quote, expectedReportData.Span));
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _sealer.Seal(plaintext, associatedData);
    }

    public byte[] Unseal(ReadOnlySpan<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _sealer.Unseal(sealedData, associatedData);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _sealer.Dispose();
        _attestationKey.Dispose();
    }
}
