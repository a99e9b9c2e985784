using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nautilus.Server.Hosting.Internal;

/// <summary>Issues and checks the cluster CA and the API server's serving certificate.</summary>
internal static class CertificateIssuer
{
    internal const string CaCommonName = "nautilus-ca";
    internal const string ServingCommonName = "nautilus-apiserver";

    internal static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    internal static readonly TimeSpan ServingLifetime = TimeSpan.FromDays(365);

    /// <summary>Certificates start a little in the past so that a client whose clock lags still accepts them.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The names every serving certificate carries: loopback and the in-cluster service names.</summary>
    internal static readonly string[] ServiceDnsNames =
    [
        "localhost",
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
    ];

    private static readonly IPAddress[] LoopbackAddresses = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>A self-signed ECDSA P-256 CA valid for ten years.</summary>
    internal static X509Certificate2 CreateCa(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={CaCommonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(now - ClockSkew, now + CaLifetime);
    }

    /// <summary>
    /// A serving certificate signed by <paramref name="ca"/>, valid for a year (never past the CA),
    /// for loopback, <paramref name="address"/> and the kubernetes service names, EKU serverAuth.
    /// </summary>
    internal static X509Certificate2 CreateServingCertificate(X509Certificate2 ca, string address, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={ServingCommonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        request.CertificateExtensions.Add(SubjectAlternativeNames(address));

        DateTimeOffset notAfter = now + ServingLifetime;
        if (notAfter > ca.NotAfter)
        {
            notAfter = ca.NotAfter;
        }

        using X509Certificate2 certificate = request.Create(ca, now - ClockSkew, notAfter, NewSerialNumber());
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>A CA that can sign: has its private key, is a CA, and is not about to expire.</summary>
    internal static bool IsUsableCa(X509Certificate2 ca, DateTimeOffset validUntil) =>
        ca.HasPrivateKey
        && ca.NotAfter > validUntil
        && ca.Extensions.OfType<X509BasicConstraintsExtension>().Any(e => e.CertificateAuthority);

    /// <summary>
    /// True when <paramref name="certificate"/> chains to <paramref name="ca"/>, names
    /// <paramref name="address"/>, and is still valid at <paramref name="validUntil"/>.
    /// </summary>
    internal static bool IsUsableServingCertificate(X509Certificate2 certificate, X509Certificate2 ca, string address, DateTimeOffset validUntil)
    {
        if (!certificate.HasPrivateKey || certificate.NotAfter <= validUntil || !NamesAddress(certificate, address))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
        return chain.Build(certificate);
    }

    internal static string ExportPrivateKeyPem(X509Certificate2 certificate)
    {
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey()
            ?? certificate.GetRSAPrivateKey()
            ?? throw new InvalidOperationException($"Certificate {certificate.Subject} has no ECDSA or RSA private key.");
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>
    /// The certificate in the form Kestrel's TLS can use. Linux and macOS accept an ephemeral key
    /// (what PEM loading gives); Windows' SChannel needs the key in a key store, so it goes through PKCS#12.
    /// </summary>
    internal static X509Certificate2 ForTlsServer(X509Certificate2 certificate)
    {
        if (!OperatingSystem.IsWindows())
        {
            return certificate;
        }

        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
        }
    }

    private static X509SubjectAlternativeNameExtension SubjectAlternativeNames(string address)
    {
        var builder = new SubjectAlternativeNameBuilder();
        foreach (IPAddress loopback in LoopbackAddresses)
        {
            builder.AddIpAddress(loopback);
        }

        foreach (string name in ServiceDnsNames)
        {
            builder.AddDnsName(name);
        }

        if (IPAddress.TryParse(address, out IPAddress? ip))
        {
            if (!LoopbackAddresses.Contains(ip))
            {
                builder.AddIpAddress(ip);
            }
        }
        else if (!ServiceDnsNames.Contains(address, StringComparer.OrdinalIgnoreCase))
        {
            builder.AddDnsName(address);
        }

        return new X509SubjectAlternativeNameExtension(builder.Build().RawData);
    }

    private static bool NamesAddress(X509Certificate2 certificate, string address)
    {
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != "2.5.29.17")
            {
                continue;
            }

            var names = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
            return IPAddress.TryParse(address, out IPAddress? ip)
                ? names.EnumerateIPAddresses().Contains(ip)
                : names.EnumerateDnsNames().Contains(address, StringComparer.OrdinalIgnoreCase);
        }

        return false;
    }

    /// <summary>A random, positive 128-bit serial number (RFC 5280 allows up to 20 octets).</summary>
    private static byte[] NewSerialNumber()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }
}
