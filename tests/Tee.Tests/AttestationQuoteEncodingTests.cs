using System.Security.Cryptography;

namespace Nautilus.Tee.Tests;

public sealed class AttestationQuoteEncodingTests
{
    private static AttestationQuote Sample() => new(
        "simulated",
        1,
        TestMeasurements.A,
        RandomNumberGenerator.GetBytes(AttestationQuote.ReportDataLength),
        DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_123),
        RandomNumberGenerator.GetBytes(96),
        [RandomNumberGenerator.GetBytes(700), RandomNumberGenerator.GetBytes(500)]);

    [Test]
    public void Quote_RoundTripsThroughItsEncoding()
    {
        AttestationQuote quote = Sample();

        AttestationQuote decoded = AttestationQuote.Parse(quote.ToBytes());

        Assert.Multiple(() =>
        {
            Assert.That(decoded, Is.EqualTo(quote));
            Assert.That(decoded.Format, Is.EqualTo(quote.Format));
            Assert.That(decoded.Version, Is.EqualTo(quote.Version));
            Assert.That(decoded.Measurement, Is.EqualTo(quote.Measurement));
            Assert.That(decoded.ReportData, Is.EqualTo(quote.ReportData));
            Assert.That(decoded.Timestamp, Is.EqualTo(quote.Timestamp));
            Assert.That(decoded.Signature, Is.EqualTo(quote.Signature));
            Assert.That(decoded.CertificateChain, Is.EqualTo(quote.CertificateChain));
            Assert.That(decoded.ToBytes(), Is.EqualTo(quote.ToBytes()));
        });
    }

    [Test]
    public void QuotesDifferingInOneChainByte_AreNotEqual()
    {
        AttestationQuote quote = Sample();
        byte[][] chain = [(byte[])quote.CertificateChain[0].Clone(), quote.CertificateChain[1]];
        chain[0][10] ^= 1;

        Assert.That(quote with { CertificateChain = chain }, Is.Not.EqualTo(quote));
    }

    [Test]
    public void EveryTruncation_FailsToParse()
    {
        byte[] encoded = Sample().ToBytes();

        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.That(() => AttestationQuote.Parse(encoded.AsSpan(0, length)), Throws.InstanceOf<FormatException>(), $"length {length}");
        }
    }

    [Test]
    public void TrailingBytes_FailToParse()
    {
        byte[] encoded = [.. Sample().ToBytes(), 0];

        Assert.Multiple(() =>
        {
            Assert.That(() => AttestationQuote.Parse(encoded), Throws.InstanceOf<FormatException>());
            Assert.That(AttestationQuote.TryParse(encoded, out AttestationQuote? quote), Is.False);
            Assert.That(quote, Is.Null);
        });
    }

    [Test]
    public void UnknownEncodingVersion_FailsToParse()
    {
        byte[] encoded = Sample().ToBytes();
        encoded[3] = 2;

        Assert.That(() => AttestationQuote.Parse(encoded), Throws.InstanceOf<FormatException>().With.Message.Contains("version"));
    }

    [Test]
    public void ReportDataLongerThan64Bytes_CannotBeEncoded()
    {
        AttestationQuote quote = Sample() with { ReportData = new byte[65] };

        Assert.That(() => quote.ToBytes(), Throws.InstanceOf<FormatException>());
    }
}
