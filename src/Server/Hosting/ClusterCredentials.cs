using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Server.Hosting.Internal;

namespace Nautilus.Server.Hosting;

/// <summary>
/// The cluster's identity: a self-signed CA, the API server's serving certificate signed by it,
/// and the admin bearer token. Created on first start and persisted in the data directory
/// (<c>ca.crt</c>, <c>ca.key</c>, <c>apiserver.crt</c>, <c>apiserver.key</c> as PEM, keys and
/// token readable by the owner only, <c>admin.token</c>), loaded on later starts.
/// </summary>
public sealed class ClusterCredentials
{
    internal const string CaCertificateFile = "ca.crt";
    internal const string CaKeyFile = "ca.key";
    internal const string ServingCertificateFile = "apiserver.crt";
    internal const string ServingKeyFile = "apiserver.key";
    internal const string AdminTokenFile = "admin.token";

    /// <summary>A serving certificate that expires sooner than this is re-issued at start.</summary>
    internal static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private ClusterCredentials(X509Certificate2 caCertificate, X509Certificate2 servingCertificate, string adminToken)
    {
        CaCertificate = caCertificate;
        ServingCertificate = servingCertificate;
        AdminToken = adminToken;
    }

    /// <summary>The cluster CA, without its private key: what clients trust.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The API server's certificate with its private key, ready for Kestrel's HTTPS.</summary>
    public X509Certificate2 ServingCertificate { get; }

    /// <summary>The admin bearer token: 32 random bytes, base64url without padding.</summary>
    public string AdminToken { get; }

    /// <summary>
    /// Loads the credentials from <paramref name="dataDirectory"/>, creating what is missing.
    /// A missing or unreadable CA means a new CA and a new serving certificate; a serving
    /// certificate that is not signed by the CA, lacks <paramref name="address"/> in its subject
    /// alternative names, or expires within 30 days is re-issued; a missing token is generated.
    /// </summary>
    /// <param name="address">The bind address (an IP, or a DNS name) the serving certificate must name.</param>
    public static ClusterCredentials LoadOrCreate(
        string dataDirectory,
        string address,
        ILogger? logger = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentException.ThrowIfNullOrEmpty(address);
        logger ??= NullLogger.Instance;
        timeProvider ??= TimeProvider.System;
        DateTimeOffset now = timeProvider.GetUtcNow();

        SecretFiles.CreateDirectory(dataDirectory);
        string caCertificatePath = Path.Combine(dataDirectory, CaCertificateFile);
        string caKeyPath = Path.Combine(dataDirectory, CaKeyFile);
        string servingCertificatePath = Path.Combine(dataDirectory, ServingCertificateFile);
        string servingKeyPath = Path.Combine(dataDirectory, ServingKeyFile);

        X509Certificate2? ca = TryLoad(caCertificatePath, caKeyPath, logger);
        if (ca is null || !CertificateIssuer.IsUsableCa(ca, now + RenewBefore))
        {
            ca?.Dispose();
            ca = CertificateIssuer.CreateCa(now);
            SecretFiles.WriteAtomically(caKeyPath, CertificateIssuer.ExportPrivateKeyPem(ca), secret: true);
            SecretFiles.WriteAtomically(caCertificatePath, ca.ExportCertificatePem(), secret: false);
            HostingLog.CreatedCertificateAuthority(logger, caCertificatePath, ca.NotAfter);
        }

        X509Certificate2? serving = TryLoad(servingCertificatePath, servingKeyPath, logger);
        if (serving is null || !CertificateIssuer.IsUsableServingCertificate(serving, ca, address, now + RenewBefore))
        {
            serving?.Dispose();
            serving = CertificateIssuer.CreateServingCertificate(ca, address, now);
            SecretFiles.WriteAtomically(servingKeyPath, CertificateIssuer.ExportPrivateKeyPem(serving), secret: true);
            SecretFiles.WriteAtomically(servingCertificatePath, serving.ExportCertificatePem(), secret: false);
            HostingLog.IssuedServingCertificate(logger, servingCertificatePath, address, serving.NotAfter);
        }

        string token = LoadOrCreateToken(Path.Combine(dataDirectory, AdminTokenFile), logger);

        // Clients only ever need the CA's public certificate; its key stays on disk, out of memory.
        var caPublic = X509CertificateLoader.LoadCertificate(ca.RawDataMemory.Span);
        ca.Dispose();
        return new ClusterCredentials(caPublic, CertificateIssuer.ForTlsServer(serving), token);
    }

    private static X509Certificate2? TryLoad(string certificatePath, string keyPath, ILogger logger)
    {
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (CryptographicException e)
        {
            HostingLog.UnreadableCertificate(logger, certificatePath, e);
            return null;
        }
    }

    private static string LoadOrCreateToken(string path, ILogger logger)
    {
        if (File.Exists(path))
        {
            string existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0)
            {
                if (!IsToken68(existing))
                {
                    throw new InvalidDataException($"{path} must hold one bearer token (letters, digits and -._~+/= only).");
                }

                return existing;
            }
        }

        string token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        SecretFiles.WriteAtomically(path, token + "\n", secret: true);
        HostingLog.CreatedAdminToken(logger, path);
        return token;
    }

    /// <summary>The token68 syntax of RFC 6750, which every bearer token must follow.</summary>
    private static bool IsToken68(string token)
    {
        foreach (char c in token)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.' or '_' or '~' or '+' or '/' or '='))
            {
                return false;
            }
        }

        return true;
    }
}
