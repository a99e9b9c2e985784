using System.Security.Cryptography;
using System.Text;

namespace Nautilus.Tee.Tests;

public sealed class SealingTests
{
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("nautilus.store/wal");

    private TempDirectory _directory = null!;
    private SimulatedTeeProvider _provider = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = new TempDirectory();
        _provider = NewProvider(TestMeasurements.A);
    }

    [TearDown]
    public void TearDown()
    {
        _provider.Dispose();
        _directory.Dispose();
    }

    private SimulatedTeeProvider NewProvider(TeeMeasurement measurement) =>
        new(new SimulatedTeeOptions { DataDirectory = _directory.Path, Measurement = measurement });

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(4096)]
    [TestCase(1 << 20)]
    public void SealThenUnseal_ReturnsThePlaintext(int length)
    {
        byte[] plaintext = RandomNumberGenerator.GetBytes(length);

        byte[] sealedData = _provider.Seal(plaintext, Context);
        byte[] unsealed = _provider.Unseal(sealedData, Context);

        Assert.Multiple(() =>
        {
            // SequenceEqual: NUnit's element-wise comparer takes seconds on a megabyte.
            Assert.That(unsealed.AsSpan().SequenceEqual(plaintext), Is.True, "unsealed differs from plaintext");
            Assert.That(sealedData, Has.Length.EqualTo(1 + 12 + 16 + length));
            Assert.That(sealedData[0], Is.EqualTo(1));
        });
    }

    [Test]
    public void SealingTheSamePlaintextTwice_GivesDifferentCiphertexts()
    {
        byte[] plaintext = Encoding.UTF8.GetBytes("{\"kind\":\"Secret\"}");

        byte[] first = _provider.Seal(plaintext, Context);
        byte[] second = _provider.Seal(plaintext, Context);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.Not.EqualTo(second));
            Assert.That(first.AsSpan(29).IndexOf(plaintext), Is.EqualTo(-1), "plaintext visible in the sealed bytes");
        });
    }

    [TestCase(0, TestName = "TamperedVersionByte_Rejected")]
    [TestCase(1, TestName = "TamperedNonce_Rejected")]
    [TestCase(13, TestName = "TamperedTag_Rejected")]
    [TestCase(29, TestName = "TamperedFirstCiphertextByte_Rejected")]
    [TestCase(-1, TestName = "TamperedLastCiphertextByte_Rejected")]
    public void TamperedSealedData_Rejected(int offset)
    {
        byte[] sealedData = _provider.Seal(RandomNumberGenerator.GetBytes(64), Context);
        sealedData[offset >= 0 ? offset : sealedData.Length + offset] ^= 0x01;

        Assert.That(() => _provider.Unseal(sealedData, Context), Throws.InstanceOf<SealingException>());
    }

    [Test]
    public void TruncatedSealedData_Rejected()
    {
        byte[] sealedData = _provider.Seal(RandomNumberGenerator.GetBytes(64), Context);

        Assert.Multiple(() =>
        {
            Assert.That(() => _provider.Unseal(sealedData.AsSpan(0, sealedData.Length - 1), Context), Throws.InstanceOf<SealingException>());
            Assert.That(() => _provider.Unseal(sealedData.AsSpan(0, 28), Context), Throws.InstanceOf<SealingException>());
            Assert.That(() => _provider.Unseal([], Context), Throws.InstanceOf<SealingException>());
        });
    }

    [Test]
    public void WrongAssociatedData_Rejected()
    {
        byte[] sealedData = _provider.Seal(RandomNumberGenerator.GetBytes(64), Context);

        Assert.Multiple(() =>
        {
            Assert.That(() => _provider.Unseal(sealedData, Encoding.ASCII.GetBytes("nautilus.store/snapshot")), Throws.InstanceOf<SealingException>());
            Assert.That(() => _provider.Unseal(sealedData, []), Throws.InstanceOf<SealingException>());
        });
    }

    [Test]
    public void ProviderWithAnotherMeasurementOnTheSamePlatform_CannotUnseal()
    {
        byte[] plaintext = RandomNumberGenerator.GetBytes(64);
        byte[] sealedData = _provider.Seal(plaintext, Context);
        using SimulatedTeeProvider sameMeasurement = NewProvider(TestMeasurements.A);
        using SimulatedTeeProvider otherMeasurement = NewProvider(TestMeasurements.B);

        Assert.Multiple(() =>
        {
            Assert.That(sameMeasurement.Unseal(sealedData, Context), Is.EqualTo(plaintext), "control: same platform secret and measurement");
            Assert.That(() => otherMeasurement.Unseal(sealedData, Context), Throws.InstanceOf<SealingException>());
        });
    }

    [Test]
    public void InMemoryProvidersWithTheSameMeasurement_CannotUnsealEachOther()
    {
        using var first = new SimulatedTeeProvider(new SimulatedTeeOptions { Measurement = TestMeasurements.A });
        using var second = new SimulatedTeeProvider(new SimulatedTeeOptions { Measurement = TestMeasurements.A });
        byte[] sealedData = first.Seal(RandomNumberGenerator.GetBytes(64), Context);

        Assert.That(() => second.Unseal(sealedData, Context), Throws.InstanceOf<SealingException>());
    }

    [Test]
    public async Task ConcurrentSealAndUnseal_AllRoundTrip()
    {
        byte[][] plaintexts = [.. Enumerable.Range(0, 64).Select(i => RandomNumberGenerator.GetBytes(1000 + i))];

        bool[] results = await Task.WhenAll(plaintexts.Select(p => Task.Run(() =>
        {
            for (int i = 0; i < 50; i++)
            {
                if (!_provider.Unseal(_provider.Seal(p, Context), Context).AsSpan().SequenceEqual(p))
                {
                    return false;
                }
            }

            return true;
        })));

        Assert.That(results, Is.All.True);
    }

    [Test]
    public void UseAfterDispose_Throws()
    {
        using SimulatedTeeProvider provider = NewProvider(TestMeasurements.A);
        provider.Dispose();

        Assert.That(() => provider.Seal([1], Context), Throws.InstanceOf<ObjectDisposedException>());
    }
}
