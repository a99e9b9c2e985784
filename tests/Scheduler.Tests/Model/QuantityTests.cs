using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Tests.Model;

public class QuantityTests
{
    private static IEnumerable<TestCaseData> MilliCases()
    {
        yield return new TestCaseData("100m", 100L).SetName("Milli_100m");
        yield return new TestCaseData("1", 1000L).SetName("Milli_WholeCore");
        yield return new TestCaseData("1.5", 1500L).SetName("Milli_Fraction");
        yield return new TestCaseData("0.0001", 1L).SetName("Milli_RoundsUp");
        yield return new TestCaseData("2e3", 2_000_000L).SetName("Milli_Exponent");
        yield return new TestCaseData("1E-3", 1L).SetName("Milli_NegativeExponent");
        yield return new TestCaseData("250000u", 250L).SetName("Milli_Micro");
        yield return new TestCaseData("1k", 1_000_000L).SetName("Milli_Kilo");
    }

    private static IEnumerable<TestCaseData> UnitCases()
    {
        yield return new TestCaseData("128Mi", 128L * 1024 * 1024).SetName("Units_Mebibytes");
        yield return new TestCaseData("1Gi", 1L << 30).SetName("Units_Gibibyte");
        yield return new TestCaseData("1.5Gi", 3L << 29).SetName("Units_FractionalBinary");
        yield return new TestCaseData("1Ki", 1024L).SetName("Units_Kibibyte");
        yield return new TestCaseData("1M", 1_000_000L).SetName("Units_Mega");
        yield return new TestCaseData("1G", 1_000_000_000L).SetName("Units_Giga");
        yield return new TestCaseData("1E", 1_000_000_000_000_000_000L).SetName("Units_Exa");
        yield return new TestCaseData("2Ei", 2L << 60).SetName("Units_Exbibyte");
        yield return new TestCaseData("100m", 1L).SetName("Units_MilliRoundsUp");
        yield return new TestCaseData("1e3", 1000L).SetName("Units_Exponent");
        yield return new TestCaseData("12e6", 12_000_000L).SetName("Units_ExponentLarge");
        yield return new TestCaseData("16Ei", long.MaxValue).SetName("Units_OverflowClamps");
        yield return new TestCaseData("110", 110L).SetName("Units_Plain");
        yield return new TestCaseData("bogus", 0L).SetName("Units_InvalidIsZero");
        yield return new TestCaseData("1Q", 0L).SetName("Units_UnknownSuffixIsZero");
    }

    [TestCaseSource(nameof(MilliCases))]
    public void ToMilli_ParsesAsKubernetes(string quantity, long expected) =>
        Assert.That(Quantity.ToMilli(quantity), Is.EqualTo(expected));

    [TestCaseSource(nameof(UnitCases))]
    public void ToUnits_ParsesAsKubernetes(string quantity, long expected) =>
        Assert.That(Quantity.ToUnits(quantity), Is.EqualTo(expected));
}
