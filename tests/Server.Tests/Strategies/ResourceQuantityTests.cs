using ResourceQuantity = Nautilus.Controllers.Machinery.ResourceQuantity;

namespace Nautilus.Server.Tests.Strategies;

/// <summary>Quantities as kube-apiserver stores them: apimachinery's canonical form, rounded up to milli scale in resource lists.</summary>
public sealed class ResourceQuantityTests
{
    [TestCase("0.1", "100m")]
    [TestCase("100m", "100m")]
    [TestCase("1000m", "1")]
    [TestCase("1500m", "1500m")]
    [TestCase("1.5", "1500m")]
    [TestCase("1", "1")]
    [TestCase("10", "10")]
    [TestCase("1000", "1k")]
    [TestCase("1100", "1100")]
    [TestCase("2000000000", "2G")]
    [TestCase("1073741824", "1073741824")]
    [TestCase("1Gi", "1Gi")]
    [TestCase("1024Mi", "1Gi")]
    [TestCase("1048576Ki", "1Gi")]
    [TestCase("1.5Gi", "1536Mi")]
    [TestCase("0.5Ki", "512")]
    [TestCase("129M", "129M")]
    [TestCase("12e6", "12e6")]
    [TestCase("1e3", "1e3")]
    [TestCase("1e1", "10")]
    [TestCase("0", "0")]
    [TestCase("0m", "0")]
    [TestCase("0Ki", "0")]
    [TestCase("0.0001", "1m")]
    [TestCase("1.0001", "1001m")]
    [TestCase("-1.5", "-1500m")]
    [TestCase("5E", "5E")]
    [TestCase("+1.5", "1500m")]
    [TestCase("123456789012345678", "123456789012345678")]
    [TestCase("12345678901234567890", "12345678901234567890")]
    [TestCase("99999999999999999999m", "99999999999999999999m")]
    [TestCase("1.23456789012345678901Gi", "1325607178193m")]
    public void CanonicalizeInResourceList_RoundsUpToMilliAndCanonicalizes(string input, string canonical) =>
        Assert.That(ResourceQuantity.Canonicalize(input, roundToMilli: true), Is.EqualTo(canonical));

    [TestCase("1u", "1u")]
    [TestCase("1000n", "1u")]
    [TestCase("0.0000000001", "1n")]
    [TestCase("1.23456789012345678901Gi", "1325607178192992078n")]
    public void CanonicalizeElsewhere_KeepsNanoPrecision(string input, string canonical) =>
        Assert.That(ResourceQuantity.Canonicalize(input, roundToMilli: false), Is.EqualTo(canonical));

    [TestCase("")]
    [TestCase("abc")]
    [TestCase("1Qi")]
    [TestCase("1 Gi")]
    [TestCase("e3")]
    public void NotAQuantity_IsLeftAlone(string input) => Assert.That(ResourceQuantity.Canonicalize(input, roundToMilli: true), Is.Null);

    /// <summary>
    /// Canonicalize decides most quantities without BigInteger ("100m", "128Mi" are canonical as
    /// written): on many generated quantities it must answer as the exact arithmetic does, which
    /// is parsed, rounded and written here with the public exact functions.
    /// </summary>
    [Test]
    public void Canonicalize_AgreesWithExactArithmetic_OnGeneratedQuantities()
    {
        string[] suffixes = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "e3", "E2", "e-2", "K", "Qi", "i", "mi"];
        var random = new Random(1024);
        var inputs = new List<string> { "0", "-0", "+0", "00", "0m", "1024", "1000", "100", "1000m", "1024Ki", "1023Ki", "1025Ki", "8Ei", "1024Ei", "999999999999999999", "1000000000000000000", "1000E", "1000P", "1000n", "1000u" };
        for (var i = 0; i < 100_000; i++)
        {
            var sign = random.Next(6) switch { 0 => "-", 1 => "+", _ => "" };
            var digits = random.Next(4) == 0 ? random.Next(1, 22) : random.Next(1, 5);
            var number = new System.Text.StringBuilder();
            for (var d = 0; d < digits; d++)
            {
                // Zeros are common, and trailing zeros are what the canonical form turns on.
                number.Append(random.Next(3) == 0 ? '0' : (char)('0' + random.Next(10)));
            }

            if (random.Next(5) == 0)
            {
                number.Insert(random.Next(number.Length + 1), '.');
            }

            var value = i % 7 == 0 ? (1024L << random.Next(0, 20)).ToString(System.Globalization.CultureInfo.InvariantCulture) : number.ToString();
            inputs.Add(sign + value + suffixes[random.Next(suffixes.Length)]);
        }

        foreach (var input in inputs)
        {
            foreach (var roundToMilli in (ReadOnlySpan<bool>)[true, false])
            {
                Assert.That(ResourceQuantity.Canonicalize(input, roundToMilli), Is.EqualTo(Exact(input, roundToMilli)), $"{input} (roundToMilli: {roundToMilli})");
            }
        }

        static string? Exact(string text, bool roundToMilli)
        {
            if (!ResourceQuantity.TryGetValue(text, out var mantissa, out var scale) || !ResourceQuantity.TryParse(text, out _, out _, out var format))
            {
                return null;
            }

            var minimum = roundToMilli ? -3 : -9;
            if (scale < minimum)
            {
                var divisor = System.Numerics.BigInteger.Pow(10, minimum - scale);
                var quotient = System.Numerics.BigInteger.DivRem(mantissa, divisor, out var remainder);
                mantissa = remainder.IsZero ? quotient : quotient + mantissa.Sign;
                scale = minimum;
            }

            return ResourceQuantity.Format(mantissa, scale, format);
        }
    }
}
