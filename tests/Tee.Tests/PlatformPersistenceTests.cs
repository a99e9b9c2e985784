using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

namespace Nautilus.Tee.Tests;

public sealed class PlatformPersistenceTests
{
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("ctx");

    private TempDirectory _directory = null!;

    [SetUp]
    public void SetUp() => _directory = new TempDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    private SimulatedTeeProvider NewProvider(string? directory = null) =>
        new(new SimulatedTeeOptions { DataDirectory = directory ?? _directory.Path, Measurement = TestMeasurements.A });

    [Test]
    public void NewProviderOnTheSameDirectory_UnsealsWhatThePreviousOneSealed()
    {
        byte[] plaintext = RandomNumberGenerator.GetBytes(256);
        byte[] sealedData;
        using (SimulatedTeeProvider before = NewProvider())
        {
            sealedData = before.Seal(plaintext, Context);
        }

        using SimulatedTeeProvider after = NewProvider();

        Assert.That(after.Unseal(sealedData, Context), Is.EqualTo(plaintext));
    }

    [Test]
    public void ProviderOnAnotherDirectory_CannotUnseal()
    {
        using SimulatedTeeProvider first = NewProvider();
        using var otherDirectory = new TempDirectory();
        using SimulatedTeeProvider second = NewProvider(otherDirectory.Path);

        byte[] sealedData = first.Seal(RandomNumberGenerator.GetBytes(16), Context);

        Assert.That(() => second.Unseal(sealedData, Context), Throws.InstanceOf<SealingException>());
    }

    [Test]
    public async Task NewProviderOnTheSameDirectory_VerifiesQuotesOfThePreviousOne()
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        AttestationQuote quote;
        string rootThumbprint;
        using (SimulatedTeeProvider before = NewProvider())
        {
            quote = await before.GetQuoteAsync(nonce);
            rootThumbprint = before.VendorRootCertificate.Thumbprint;
        }

        using SimulatedTeeProvider after = NewProvider();
        QuoteVerification result = await after.VerifyQuoteAsync(quote, nonce);

        Assert.Multiple(() =>
        {
            Assert.That(after.VendorRootCertificate.Thumbprint, Is.EqualTo(rootThumbprint));
            Assert.That(result.IsValid, Is.True, result.Reason);
        });
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Unix file modes only.")]
    [UnsupportedOSPlatform("windows")]
    public void PlatformSecrets_AreOwnerOnlyFiles()
    {
        string nested = Path.Combine(_directory.Path, "tee");
        using SimulatedTeeProvider provider = NewProvider(nested);

        const UnixFileMode ownerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Multiple(() =>
        {
            Assert.That(File.GetUnixFileMode(Path.Combine(nested, "sealing-root.key")), Is.EqualTo(ownerReadWrite));
            Assert.That(File.GetUnixFileMode(Path.Combine(nested, "vendor-root.pem")), Is.EqualTo(ownerReadWrite));
            Assert.That(new FileInfo(Path.Combine(nested, "sealing-root.key")).Length, Is.EqualTo(32));
            Assert.That(Directory.GetFiles(nested), Has.Length.EqualTo(2), "no temporary files left behind");
        });
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Unix file modes only.")]
    [UnsupportedOSPlatform("windows")]
    public void SecretReadableByOthers_RefusedAtStartup()
    {
        NewProvider().Dispose();
        string secret = Path.Combine(_directory.Path, "sealing-root.key");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        Assert.That(() => NewProvider(), Throws.InstanceOf<UnauthorizedAccessException>());
    }

    [Test]
    public void CorruptRootSecret_RefusedAtStartup()
    {
        NewProvider().Dispose();
        File.WriteAllBytes(Path.Combine(_directory.Path, "sealing-root.key"), new byte[7]);

        Assert.That(() => NewProvider(), Throws.InstanceOf<InvalidDataException>());
    }

    [Test]
    public void ProvidersStartingConcurrentlyOnANewDirectory_ShareOnePlatformSecret()
    {
        string fresh = Path.Combine(_directory.Path, "fresh");
        SimulatedTeeProvider[] providers = [.. Enumerable.Range(0, 8).AsParallel().Select(_ => NewProvider(fresh))];
        try
        {
            byte[] sealedData = providers[0].Seal([42], Context);

            Assert.That(providers.Select(p => p.Unseal(sealedData, Context)[0]), Is.All.EqualTo(42));
        }
        finally
        {
            foreach (SimulatedTeeProvider provider in providers)
            {
                provider.Dispose();
            }
        }
    }
}
