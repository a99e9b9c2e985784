using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Nautilus.Server.Api.Protobuf.Internal;

/// <summary>
/// Turns a protobuf-encoded Kubernetes object into the JSON that Go's json.Marshal writes for the
/// same Go struct: the protobuf decoder of kube-apiserver followed by its JSON encoder.
/// </summary>
/// <remarks>
/// Each field of the schema is looked up by scanning the message (length-delimited fields are
/// skipped, not descended into), so fields come out in Go struct order whatever their order on
/// the wire. A non-repeated field that appears more than once takes its last value (proto merges
/// embedded messages; no Go client writes a field twice).
/// </remarks>
internal static class ProtoJsonTranscoder
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = 128,
    };

    /// <summary>Go's zero time.Time (0001-01-01T00:00:00Z) in Unix seconds: it marshals as null.</summary>
    private const long GoZeroTimeUnixSeconds = -62135596800;

    /// <summary>Transcodes one message, prefixed with kind and apiVersion when they are given (TypeMeta, inlined first).</summary>
    public static byte[] Transcode(ProtoMessageSchema schema, ReadOnlySpan<byte> message, string? kind = null, string? apiVersion = null)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, message.Length * 3));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            if (!string.IsNullOrEmpty(kind))
            {
                writer.WriteString("kind"u8, kind);
            }

            if (!string.IsNullOrEmpty(apiVersion))
            {
                writer.WriteString("apiVersion"u8, apiVersion);
            }

            WriteFields(writer, schema, message);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteFields(Utf8JsonWriter writer, ProtoMessageSchema schema, ReadOnlySpan<byte> message)
    {
        foreach (var field in schema.Fields)
        {
            switch (field.Shape)
            {
                case ProtoFieldShape.Repeated:
                    WriteRepeated(writer, field, message);
                    break;
                case ProtoFieldShape.Map:
                    WriteMap(writer, field, message);
                    break;
                case ProtoFieldShape.Pointer:
                    if (TryFindLast(field, message, out var pointee))
                    {
                        writer.WritePropertyName(field.JsonName);
                        WriteValue(writer, field.Kind, field.Message, field, pointee.WireType, pointee.Scalar, pointee.Payload, present: true);
                    }
                    else if (!field.OmitEmpty)
                    {
                        writer.WriteNull(field.JsonName);
                    }

                    break;
                case ProtoFieldShape.Inline:
                    if (TryFindLast(field, message, out var embedded))
                    {
                        ExpectWireType(field, embedded.WireType, WireType.LengthDelimited);
                    }

                    WriteFields(writer, field.Message!, embedded.Payload);
                    break;
                default:
                    WriteStructField(writer, field, message);
                    break;
            }
        }
    }

    /// <summary>A non-pointer field: Go always has a value, the zero value when the wire does not carry one.</summary>
    private static void WriteStructField(Utf8JsonWriter writer, ProtoFieldSchema field, ReadOnlySpan<byte> message)
    {
        var present = TryFindLast(field, message, out var found);
        if (present)
        {
            ExpectWireType(field, found.WireType, ExpectedWireType(field.Kind));
        }

        switch (field.Kind)
        {
            case ProtoValueKind.String:
            case ProtoValueKind.Bytes:
                if (field.OmitEmpty && found.Payload.IsEmpty)
                {
                    return;
                }

                break;
            case ProtoValueKind.Bool:
            case ProtoValueKind.Int32:
            case ProtoValueKind.Int64:
                if (field.OmitEmpty && ScalarIsZero(field.Kind, found.Scalar))
                {
                    return;
                }

                break;
        }

        writer.WritePropertyName(field.JsonName);
        WriteValue(writer, field.Kind, field.Message, field, found.WireType, found.Scalar, found.Payload, present);
    }

    private static void WriteRepeated(Utf8JsonWriter writer, ProtoFieldSchema field, ReadOnlySpan<byte> message)
    {
        var reader = new ProtoWireReader(message);
        var any = false;
        while (reader.TryRead(out var item))
        {
            if (item.Number != field.Number)
            {
                continue;
            }

            if (!any)
            {
                any = true;
                writer.WritePropertyName(field.JsonName);
                writer.WriteStartArray();
            }

            if (item.WireType == WireType.LengthDelimited && IsVarintKind(field.Kind))
            {
                // Packed encoding: proto3 writers and newer proto2 writers pack repeated scalars.
                var payload = item.Payload;
                var position = 0;
                while (position < payload.Length)
                {
                    var value = ProtoWireReader.ReadVarint(payload, ref position);
                    WriteValue(writer, field.Kind, null, field, WireType.Varint, value, default, present: true);
                }
            }
            else
            {
                WriteValue(writer, field.Kind, field.Message, field, item.WireType, item.Scalar, item.Payload, present: true);
            }
        }

        if (any)
        {
            writer.WriteEndArray();
        }
        else if (!field.OmitEmpty)
        {
            writer.WriteNull(field.JsonName);
        }
    }

    private static void WriteMap(Utf8JsonWriter writer, ProtoFieldSchema field, ReadOnlySpan<byte> message)
    {
        // Go maps keep the last value for a repeated key and json.Marshal sorts the keys by their bytes.
        Dictionary<string, Range>? entries = null;
        var reader = new ProtoWireReader(message);
        while (reader.TryRead(out var item))
        {
            if (item.Number != field.Number)
            {
                continue;
            }

            ExpectWireType(field, item.WireType, WireType.LengthDelimited);
            var key = string.Empty;
            var value = new Range(0, 0);
            var hasValue = false;
            var entry = new ProtoWireReader(item.Payload);
            while (entry.TryRead(out var part))
            {
                if (part.Number == 1)
                {
                    ExpectWireType(field, part.WireType, WireType.LengthDelimited);
                    key = DecodeString(part.Payload);
                }
                else if (part.Number == 2)
                {
                    // Every map in the Kubernetes API has string, bytes or message values.
                    ExpectWireType(field, part.WireType, WireType.LengthDelimited);
                    var start = OffsetOf(message, part.Payload);
                    value = new Range(start, start + part.Payload.Length);
                    hasValue = true;
                }
            }

            entries ??= new Dictionary<string, Range>(StringComparer.Ordinal);
            entries[key] = hasValue ? value : new Range(0, 0);
        }

        if (entries is null)
        {
            if (!field.OmitEmpty)
            {
                writer.WriteNull(field.JsonName);
            }

            return;
        }

        var keys = entries.Keys.ToArray();
        Array.Sort(keys, Utf8Order.Instance);
        writer.WritePropertyName(field.JsonName);
        writer.WriteStartObject();
        foreach (var key in keys)
        {
            writer.WritePropertyName(key);
            var value = entries[key];
            WriteValue(writer, field.Kind, field.Message, field, WireType.LengthDelimited, 0, message[value], present: true);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(
        Utf8JsonWriter writer,
        ProtoValueKind kind,
        ProtoMessageSchema? schema,
        ProtoFieldSchema field,
        WireType wireType,
        ulong scalar,
        ReadOnlySpan<byte> payload,
        bool present)
    {
        if (present)
        {
            ExpectWireType(field, wireType, ExpectedWireType(kind));
        }

        switch (kind)
        {
            case ProtoValueKind.String:
                WriteUtf8String(writer, payload);
                break;
            case ProtoValueKind.Bytes:
                // A nil []byte marshals as null; a present field decodes to a non-nil (maybe empty) slice.
                if (present)
                {
                    writer.WriteBase64StringValue(payload);
                }
                else
                {
                    writer.WriteNullValue();
                }

                break;
            case ProtoValueKind.Bool:
                writer.WriteBooleanValue(scalar != 0);
                break;
            case ProtoValueKind.Int32:
                writer.WriteNumberValue(unchecked((int)scalar));
                break;
            case ProtoValueKind.Int64:
                writer.WriteNumberValue(unchecked((long)scalar));
                break;
            case ProtoValueKind.Message:
                writer.WriteStartObject();
                WriteFields(writer, schema!, payload);
                writer.WriteEndObject();
                break;
            case ProtoValueKind.Time:
                WriteTime(writer, payload, micro: false);
                break;
            case ProtoValueKind.MicroTime:
                WriteTime(writer, payload, micro: true);
                break;
            case ProtoValueKind.Quantity:
                WriteQuantity(writer, payload);
                break;
            case ProtoValueKind.IntOrString:
                WriteIntOrString(writer, payload);
                break;
            case ProtoValueKind.RawExtension:
            case ProtoValueKind.FieldsV1:
                WriteEmbeddedJson(writer, payload, field);
                break;
            case ProtoValueKind.Duration:
                WriteDuration(writer, payload);
                break;
            default:
                throw new InvalidOperationException($"unknown value kind {kind}");
        }
    }

    private static void WriteTime(Utf8JsonWriter writer, ReadOnlySpan<byte> payload, bool micro)
    {
        long seconds = 0;
        long nanos = 0;
        var reader = new ProtoWireReader(payload);
        while (reader.TryRead(out var part))
        {
            if (part.Number == 1 && part.WireType == WireType.Varint)
            {
                seconds = unchecked((long)part.Scalar);
            }
            else if (part.Number == 2 && part.WireType == WireType.Varint)
            {
                nanos = unchecked((int)part.Scalar);
            }
        }

        // An empty message is Go's zero time (Time.Unmarshal of no bytes), and so is year 1 exactly.
        seconds += Math.DivRem(nanos, 1_000_000_000L, out nanos);
        if (nanos < 0)
        {
            seconds--;
            nanos += 1_000_000_000L;
        }

        if (payload.IsEmpty || (seconds == GoZeroTimeUnixSeconds && nanos == 0))
        {
            writer.WriteNullValue();
            return;
        }

        if (seconds < GoZeroTimeUnixSeconds || seconds > 253402300799)
        {
            throw new ProtoFormatException("Time.MarshalJSON: year outside of range [0,9999]");
        }

        var time = DateTime.UnixEpoch.AddSeconds(seconds);
        Span<char> text = stackalloc char[32];
        var format = micro ? "yyyy'-'MM'-'dd'T'HH':'mm':'ss" : "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'";
        time.TryFormat(text, out var written, format, CultureInfo.InvariantCulture);
        if (micro)
        {
            text[written++] = '.';
            (nanos / 1000).TryFormat(text[written..], out var digits, "D6", CultureInfo.InvariantCulture);
            written += digits;
            text[written++] = 'Z';
        }

        writer.WriteStringValue(text[..written]);
    }

    private static void WriteQuantity(Utf8JsonWriter writer, ReadOnlySpan<byte> payload)
    {
        ReadOnlySpan<byte> text = default;
        var reader = new ProtoWireReader(payload);
        while (reader.TryRead(out var part))
        {
            if (part.Number == 1 && part.WireType == WireType.LengthDelimited)
            {
                text = part.Payload;
            }
        }

        // The zero Quantity marshals as "0"; Go clients always write the canonical string.
        if (text.IsEmpty)
        {
            writer.WriteStringValue("0"u8);
        }
        else
        {
            WriteUtf8String(writer, text);
        }
    }

    private static void WriteIntOrString(Utf8JsonWriter writer, ReadOnlySpan<byte> payload)
    {
        ulong type = 0;
        ulong intValue = 0;
        ReadOnlySpan<byte> stringValue = default;
        var reader = new ProtoWireReader(payload);
        while (reader.TryRead(out var part))
        {
            switch (part.Number)
            {
                case 1 when part.WireType == WireType.Varint:
                    type = part.Scalar;
                    break;
                case 2 when part.WireType == WireType.Varint:
                    intValue = part.Scalar;
                    break;
                case 3 when part.WireType == WireType.LengthDelimited:
                    stringValue = part.Payload;
                    break;
            }
        }

        switch (type)
        {
            case 0:
                writer.WriteNumberValue(unchecked((int)intValue));
                break;
            case 1:
                WriteUtf8String(writer, stringValue);
                break;
            default:
                throw new ProtoFormatException("impossible IntOrString.Type");
        }
    }

    private static void WriteEmbeddedJson(Utf8JsonWriter writer, ReadOnlySpan<byte> payload, ProtoFieldSchema field)
    {
        var reader = new ProtoWireReader(payload);
        var found = false;
        ReadOnlySpan<byte> raw = default;
        while (reader.TryRead(out var part))
        {
            if (part.Number == 1 && part.WireType == WireType.LengthDelimited)
            {
                raw = part.Payload;
                found = true;
            }
        }

        if (!found)
        {
            writer.WriteNullValue();
            return;
        }

        try
        {
            writer.WriteRawValue(raw);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new ProtoFormatException($"json: error calling MarshalJSON for field {field.Name}: the embedded object is not JSON");
        }
    }

    private static void WriteDuration(Utf8JsonWriter writer, ReadOnlySpan<byte> payload)
    {
        long nanoseconds = 0;
        var reader = new ProtoWireReader(payload);
        while (reader.TryRead(out var part))
        {
            if (part.Number == 1 && part.WireType == WireType.Varint)
            {
                nanoseconds = unchecked((long)part.Scalar);
            }
        }

        writer.WriteStringValue(GoDuration.Format(nanoseconds));
    }

    private static void WriteUtf8String(Utf8JsonWriter writer, ReadOnlySpan<byte> utf8)
    {
        if (Utf8.IsValid(utf8))
        {
            writer.WriteStringValue(utf8);
        }
        else
        {
            // Go's encoder replaces invalid UTF-8 with U+FFFD; so does the decoder here.
            writer.WriteStringValue(Encoding.UTF8.GetString(utf8));
        }
    }

    private static string DecodeString(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);

    private static bool TryFindLast(ProtoFieldSchema field, ReadOnlySpan<byte> message, out ProtoField found)
    {
        found = default;
        var any = false;
        var reader = new ProtoWireReader(message);
        while (reader.TryRead(out var item))
        {
            if (item.Number == field.Number)
            {
                found = item;
                any = true;
            }
        }

        return any;
    }

    private static bool ScalarIsZero(ProtoValueKind kind, ulong scalar) => kind switch
    {
        ProtoValueKind.Int32 => unchecked((int)scalar) == 0,
        _ => scalar == 0,
    };

    private static bool IsVarintKind(ProtoValueKind kind) =>
        kind is ProtoValueKind.Bool or ProtoValueKind.Int32 or ProtoValueKind.Int64;

    private static WireType ExpectedWireType(ProtoValueKind kind) =>
        IsVarintKind(kind) ? WireType.Varint : WireType.LengthDelimited;

    private static void ExpectWireType(ProtoFieldSchema field, WireType actual, WireType expected)
    {
        if (actual != expected)
        {
            throw new ProtoFormatException($"proto: wrong wireType = {(int)actual} for field {field.Name}");
        }
    }

    private static int OffsetOf(ReadOnlySpan<byte> outer, ReadOnlySpan<byte> inner) =>
        inner.IsEmpty
            ? 0
            : (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(outer), ref MemoryMarshal.GetReference(inner));

    /// <summary>Orders strings by their UTF-8 bytes (code points), as Go sorts map keys.</summary>
    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y)
        {
            var left = x.AsSpan().EnumerateRunes();
            var right = y.AsSpan().EnumerateRunes();
            while (true)
            {
                var hasLeft = left.MoveNext();
                var hasRight = right.MoveNext();
                if (!hasLeft || !hasRight)
                {
                    return hasLeft.CompareTo(hasRight);
                }

                var order = left.Current.Value.CompareTo(right.Current.Value);
                if (order != 0)
                {
                    return order;
                }
            }
        }
    }
}
