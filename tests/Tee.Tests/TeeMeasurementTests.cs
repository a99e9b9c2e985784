namespace Nautilus.Tee.Tests;

public sealed class TeeMeasurementTests
{
    [Test]
    public void MeasurementFromHex_EqualsMeasurementFromBytes()
    {
        var fromBytes = new TeeMeasurement([0xDE, 0xAD, 0xBE, 0xEF]);

        TeeMeasurement fromHex = TeeMeasurement.FromHex("DEADbeef");

        Assert.Multiple(() =>
        {
            Assert.That(fromHex, Is.EqualTo(fromBytes));
            Assert.That(fromHex.GetHashCode(), Is.EqualTo(fromBytes.GetHashCode()));
            Assert.That(fromHex.Hex, Is.EqualTo("deadbeef"));
            Assert.That(fromHex.Bytes.ToArray(), Is.EqualTo(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }));
        });
    }

    [Test]
    public void DifferentBytes_AreDifferentMeasurements()
    {
        Assert.That(TestMeasurements.A, Is.Not.EqualTo(TestMeasurements.B));
    }

    [TestCase(0)]
    [TestCase(65)]
    public void MeasurementOfImpossibleLength_Throws(int length)
    {
        Assert.That(() => new TeeMeasurement(new byte[length]), Throws.ArgumentException);
    }

    [Test]
    public void AssemblyMeasurement_IsStableSha384AndDiffersBetweenAssemblies()
    {
        TeeMeasurement tee = TeeMeasurement.OfAssembly(typeof(ITeeProvider).Assembly);

        Assert.Multiple(() =>
        {
            Assert.That(tee.Bytes.Length, Is.EqualTo(48));
            Assert.That(TeeMeasurement.OfAssembly(typeof(ITeeProvider).Assembly), Is.EqualTo(tee));
            Assert.That(TeeMeasurement.OfAssembly(typeof(TeeMeasurementTests).Assembly), Is.Not.EqualTo(tee));
        });
    }

    [Test]
    public void ProviderWithoutExplicitMeasurement_MeasuresTheEntryAssembly()
    {
        using var provider = new SimulatedTeeProvider();

        Assert.That(provider.Measurement.Bytes.Length, Is.EqualTo(48));
    }
}
