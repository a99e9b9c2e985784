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
}
