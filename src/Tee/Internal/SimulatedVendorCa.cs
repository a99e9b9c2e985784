using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nautilus.Tee.Internal;

/// <summary>
/// The simulated platform vendor's PKI, shaped like AMD's (ARK → VCEK): a self-signed ECDSA P-384
/// root and attestation-key certificates it issues, marked with <see cref="AttestationKeyUsageOid"/>.
/// </summary>
internal static class SimulatedVendorCa
{
    /// <summary>
    /// The extended key usage an attestation key certificate must carry; a certificate the root
    /// issued for anything else cannot sign quotes. A UUID-based OID (2.25), owned by nobody else.
    /// </summary>
    internal const string AttestationKeyUsageOid = "2.25.216744937458155618442170349402390457661";

    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RootLifetime = TimeSpan.FromDays(20 * 365);

    /// <summary>A new root with its private key.</summary>
    internal static X509Certificate2 CreateRoot(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=Nautilus Simulated TEE Vendor Root, O=Nautilus (simulated)", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(now - Backdate, now + RootLifetime);
    }

    /// <summary>A root and its private key as one PEM text (certificate, then PKCS#8 key).</summary>
    internal static string ExportRootPem(X509Certificate2 root)
    {
        using ECDsa key = root.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The vendor root has no private key.");
        return root.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    internal static X509Certificate2 ImportRootPem(string pem)
    {
        X509Certificate2 root = X509Certificate2.CreateFromPem(pem, pem);
        if (!root.HasPrivateKey || root.GetECDsaPublicKey() is not { KeySize: 384 })
        {
            root.Dispose();
            throw new InvalidDataException("The stored simulated vendor root is not an ECDSA P-384 certificate with its key.");
        }

        return root;
    }

    /// <summary>
    /// A new attestation key and its certificate issued by <paramref name="root"/>, valid as long as
    /// the root. The certificate carries the public key only.
    /// </summary>
    internal static X509Certificate2 IssueAttestationKey(X509Certificate2 root, DateTimeOffset now, out ECDsa attestationKey)
    {
        attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=Nautilus Simulated TEE Attestation Key, O=Nautilus (simulated)", attestationKey, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(AttestationKeyUsageOid)], critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        DateTimeOffset notBefore = now - Backdate;
        if (notBefore < root.NotBefore)
        {
            notBefore = root.NotBefore;
        }

        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // RFC 5280: serial numbers are positive.
        return request.Create(root, notBefore, root.NotAfter, serial);
    }
}
