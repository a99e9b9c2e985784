using System.Buffers.Binary;
using System.Text;

namespace Nautilus.Tee.Internal;

/// <summary>
/// The binary encoding of <see cref="AttestationQuote"/> and the canonical bytes its signature
/// covers. Both are stable formats: change them only behind a new version number.
/// <code>
/// quote   = "NTQ" 0x01 | u8 len, format (UTF-8) | i32 version | u8 len, measurement
///           | u8 len, reportData | i64 timestamp (Unix ms) | u16 len, signature
///           | u8 count, { u32 len, DER certificate }*
/// signed  = "nautilus.tee.quote.v1" 0x00 | u8 len, format | i32 version | u8 len, measurement
///           | u8 len, reportData | i64 timestamp (Unix ms)
/// </code>
/// Integers are big-endian. Every variable field is length-prefixed, so no two different field
/// tuples share an encoding.
/// </summary>
internal static class QuoteEncoding
{
    private const byte EncodingVersion = 1;
    private const int MaxFormatLength = 64;
    private const int MaxCertificates = 8;
    private const int MaxCertificateLength = 64 * 1024;
    private static ReadOnlySpan<byte> Magic => "NTQ"u8;
    private static ReadOnlySpan<byte> SignedDomain => "nautilus.tee.quote.v1\0"u8;

    internal static byte[] Encode(AttestationQuote quote)
    {
        ArgumentNullException.ThrowIfNull(quote);
        byte[] format = FormatBytes(quote.Format);
        ReadOnlySpan<byte> measurement = quote.Measurement.Bytes.Span;
        CheckSize(quote.ReportData.Length, AttestationQuote.ReportDataLength, "report data");
        CheckSize(quote.Signature.Length, ushort.MaxValue, "signature");
        CheckSize(quote.CertificateChain.Length, MaxCertificates, "certificate chain");

        int length = Magic.Length + 1 + 1 + format.Length + 4 + 1 + measurement.Length + 1 + quote.ReportData.Length
            + 8 + 2 + quote.Signature.Length + 1;
        foreach (byte[] certificate in quote.CertificateChain)
        {
            CheckSize(certificate.Length, MaxCertificateLength, "certificate");
            length += 4 + certificate.Length;
        }

        var buffer = new byte[length];
        var writer = new SpanWriter(buffer);
        writer.Write(Magic);
        writer.WriteByte(EncodingVersion);
        writer.WriteByte((byte)format.Length);
        writer.Write(format);
        writer.WriteInt32(quote.Version);
        writer.WriteByte((byte)measurement.Length);
        writer.Write(measurement);
        writer.WriteByte((byte)quote.ReportData.Length);
        writer.Write(quote.ReportData);
        writer.WriteInt64(quote.Timestamp.ToUnixTimeMilliseconds());
        writer.WriteUInt16((ushort)quote.Signature.Length);
        writer.Write(quote.Signature);
        writer.WriteByte((byte)quote.CertificateChain.Length);
        foreach (byte[] certificate in quote.CertificateChain)
        {
            writer.WriteUInt32((uint)certificate.Length);
            writer.Write(certificate);
        }

        return buffer;
    }

    internal static AttestationQuote Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new SpanReader(encoded);
        if (!reader.Read(Magic.Length).SequenceEqual(Magic))
        {
            throw new FormatException("Not an attestation quote: bad magic.");
        }

        byte version = reader.ReadByte();
        if (version != EncodingVersion)
        {
            throw new FormatException($"Unknown attestation quote encoding version {version}.");
        }

        string format = DecodeFormat(reader.Read(reader.ReadByte()));
        int quoteVersion = reader.ReadInt32();
        ReadOnlySpan<byte> measurementBytes = reader.Read(reader.ReadByte());
        if (measurementBytes.IsEmpty || measurementBytes.Length > TeeMeasurement.MaxLength)
        {
            throw new FormatException($"Measurement of {measurementBytes.Length} bytes.");
        }

        var measurement = new TeeMeasurement(measurementBytes);
        int reportDataLength = reader.ReadByte();
        if (reportDataLength > AttestationQuote.ReportDataLength)
        {
            throw new FormatException($"Report data of {reportDataLength} bytes.");
        }

        byte[] reportData = reader.Read(reportDataLength).ToArray();
        long timestampMs = reader.ReadInt64();
        if (timestampMs < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || timestampMs > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new FormatException("Timestamp out of range.");
        }

        byte[] signature = reader.Read(reader.ReadUInt16()).ToArray();
        int count = reader.ReadByte();
        if (count > MaxCertificates)
        {
            throw new FormatException($"Certificate chain of {count} certificates.");
        }

        var chain = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            uint certificateLength = reader.ReadUInt32();
            if (certificateLength > MaxCertificateLength)
            {
                throw new FormatException($"Certificate of {certificateLength} bytes.");
            }

            chain[i] = reader.Read((int)certificateLength).ToArray();
        }

        if (!reader.AtEnd)
        {
            throw new FormatException("Trailing bytes after the attestation quote.");
        }

        return new AttestationQuote(format, quoteVersion, measurement, reportData,
            DateTimeOffset.FromUnixTimeMilliseconds(timestampMs), signature, chain);
    }

    /// <summary>The bytes the attestation key signs: every field of the quote except the signature and chain.</summary>
    internal static byte[] SignedPayload(string format, int version, TeeMeasurement measurement, ReadOnlySpan<byte> reportData, DateTimeOffset timestamp)
    {
        byte[] formatBytes = FormatBytes(format);
        ReadOnlySpan<byte> measurementBytes = measurement.Bytes.Span;
        CheckSize(reportData.Length, AttestationQuote.ReportDataLength, "report data");
        var buffer = new byte[SignedDomain.Length + 1 + formatBytes.Length + 4 + 1 + measurementBytes.Length + 1 + reportData.Length + 8];
        var writer = new SpanWriter(buffer);
        writer.Write(SignedDomain);
        writer.WriteByte((byte)formatBytes.Length);
        writer.Write(formatBytes);
        writer.WriteInt32(version);
        writer.WriteByte((byte)measurementBytes.Length);
        writer.Write(measurementBytes);
        writer.WriteByte((byte)reportData.Length);
        writer.Write(reportData);
        writer.WriteInt64(timestamp.ToUnixTimeMilliseconds());
        return buffer;
    }

    private static byte[] FormatBytes(string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        byte[] bytes = Encoding.UTF8.GetBytes(format);
        CheckSize(bytes.Length, MaxFormatLength, "format");
        return bytes;
    }

    private static string DecodeFormat(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxFormatLength)
        {
            throw new FormatException($"Format of {bytes.Length} bytes.");
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException("Format is not UTF-8.", e);
        }
    }

    private static void CheckSize(int length, int max, string what)
    {
        if (length > max)
        {
            throw new FormatException($"The {what} is {length} long; the encoding allows {max}.");
        }
    }

    private ref struct SpanWriter(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _position;

        public void Write(scoped ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer[_position..]);
            _position += bytes.Length;
        }

        public void WriteByte(byte value) => _buffer[_position++] = value;

        public void WriteUInt16(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], value);
            _position += 2;
        }

        public void WriteInt32(int value)
        {
            BinaryPrimitives.WriteInt32BigEndian(_buffer[_position..], value);
            _position += 4;
        }

        public void WriteUInt32(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[_position..], value);
            _position += 4;
        }

        public void WriteInt64(long value)
        {
            BinaryPrimitives.WriteInt64BigEndian(_buffer[_position..], value);
            _position += 8;
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> buffer)
    {
        private readonly ReadOnlySpan<byte> _buffer = buffer;
        private int _position;

        public readonly bool AtEnd => _position == _buffer.Length;

        public ReadOnlySpan<byte> Read(int length)
        {
            if (length < 0 || _buffer.Length - _position < length)
            {
                throw new FormatException("Truncated attestation quote.");
            }

            ReadOnlySpan<byte> slice = _buffer.Slice(_position, length);
            _position += length;
            return slice;
        }

        public byte ReadByte() => Read(1)[0];

        public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Read(2));

        public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Read(4));

        public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Read(4));

        public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Read(8));
    }
}
