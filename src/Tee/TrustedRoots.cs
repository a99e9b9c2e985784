using System.Collections;
using System.Security.Cryptography.X509Certificates;

namespace Nautilus.Tee;

/// <summary>
/// The vendor root certificates a verifier accepts quotes under (AMD ARK, Intel SGX root, AWS
/// Nitro root, or the simulator's root). Holds public certificates only: private keys given to
/// the constructor are dropped. Immutable.
/// </summary>
public sealed class TrustedRoots : IReadOnlyCollection<X509Certificate2>
{
    private readonly X509Certificate2[] _roots;

    public TrustedRoots(IEnumerable<X509Certificate2> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        _roots = [.. roots.Select(r => X509CertificateLoader.LoadCertificate(r.RawData))];
    }

    /// <summary>Roots from DER encodings, e.g. as shipped to a node agent.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">An encoding is not a certificate.</exception>
    public static TrustedRoots FromDer(IEnumerable<byte[]> derCertificates)
    {
        ArgumentNullException.ThrowIfNull(derCertificates);
        return new TrustedRoots(derCertificates.Select(d => X509CertificateLoader.LoadCertificate(d)));
    }

    public int Count => _roots.Length;

    public IEnumerator<X509Certificate2> GetEnumerator() => ((IEnumerable<X509Certificate2>)_roots).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
