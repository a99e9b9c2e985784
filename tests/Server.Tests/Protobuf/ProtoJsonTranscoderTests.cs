using System.Text;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Protobuf.Internal;

namespace Nautilus.Server.Tests.Protobuf;

/// <summary>
/// The special Kubernetes encodings and Go's json.Marshal rules for empty values, each on a small
/// schema written in the table notation.
/// </summary>
public sealed class ProtoJsonTranscoderTests
{
    private static string Decode(string fields, ProtoWriter message, params (string Name, string Fields)[] nested)
    {
        var messages = ProtoSchemaParser.Build([("T", fields), .. nested]);
        return Encoding.UTF8.GetString(ProtoJsonTranscoder.Transcode(messages["T"], message.ToArray()));
    }

    private static ProtoWriter Timestamp(int field, long seconds, int nanos) =>
        new ProtoWriter().Message(field, t => t.Varint(1, seconds).Varint(2, nanos));

    [Test]
    public void Time_WritesRfc3339InUtcWithoutFraction()
    {
        var json = Decode("t 1 time", Timestamp(1, 1704067200, 999_999_999));

        Assert.That(json, Is.EqualTo("""{"t":"2024-01-01T00:00:00Z"}"""));
    }

    [Test]
    public void Time_BeforeTheEpoch_CountsBackwards()
    {
        var json = Decode("t 1 time", Timestamp(1, -1, 0));

        Assert.That(json, Is.EqualTo("""{"t":"1969-12-31T23:59:59Z"}"""));
    }

    [Test]
    public void Time_TheEpochItself_IsNotZero()
    {
        var json = Decode("t 1 time", Timestamp(1, 0, 0));

        Assert.That(json, Is.EqualTo("""{"t":"1970-01-01T00:00:00Z"}"""));
    }

    [Test]
    public void Time_Empty_IsNullEvenWithOmitempty()
    {
        // creationTimestamp: Go writes the zero Time as an empty message, and json.Marshal as null.
        var json = Decode("t 1 time?, u 2 time?", new ProtoWriter().Bytes(1, []));

        Assert.That(json, Is.EqualTo("""{"t":null,"u":null}"""));
    }

    [Test]
    public void Time_GoZeroTimeInSeconds_IsNull()
    {
        var json = Decode("t 1 time", Timestamp(1, -62135596800, 0));

        Assert.That(json, Is.EqualTo("""{"t":null}"""));
    }

    [Test]
    public void TimePointer_AbsentIsDropped_PresentIsWritten()
    {
        var json = Decode("a 1 *time?, b 2 *time?", Timestamp(2, 1704067200, 0));

        Assert.That(json, Is.EqualTo("""{"b":"2024-01-01T00:00:00Z"}"""));
    }

    [Test]
    public void MicroTime_WritesSixFractionalDigits()
    {
        var json = Decode("t 1 mtime, z 2 mtime", Timestamp(1, 1704067200, 123_456_789).Message(2, t => t.Varint(1, 1704067200).Varint(2, 0)));

        Assert.That(json, Is.EqualTo("""{"t":"2024-01-01T00:00:00.123456Z","z":"2024-01-01T00:00:00.000000Z"}"""));
    }

    [Test]
    public void Quantity_IsItsString_AndZeroWhenAbsent()
    {
        var json = Decode("q 1 qty, z 2 qty?, p 3 *qty?", new ProtoWriter().Message(1, q => q.String(1, "500m")));

        Assert.That(json, Is.EqualTo("""{"q":"500m","z":"0"}"""));
    }

    [Test]
    public void QuantityMap_IsAResourceList()
    {
        var json = Decode("limits 1 {qty}?", new ProtoWriter()
            .Entry(1, "memory", q => q.String(1, "128Mi"))
            .Entry(1, "cpu", q => q.String(1, "1")));

        Assert.That(json, Is.EqualTo("""{"limits":{"cpu":"1","memory":"128Mi"}}"""));
    }

    [Test]
    public void IntOrString_Int_IsANumber()
    {
        var json = Decode("p 1 ios", new ProtoWriter().Message(1, p => p.Varint(1, 0).Varint(2, 8080).String(3, string.Empty)));

        Assert.That(json, Is.EqualTo("""{"p":8080}"""));
    }

    [Test]
    public void IntOrString_String_IsAString()
    {
        var json = Decode("p 1 ios", new ProtoWriter().Message(1, p => p.Varint(1, 1).Varint(2, 0).String(3, "http")));

        Assert.That(json, Is.EqualTo("""{"p":"http"}"""));
    }

    [Test]
    public void IntOrString_Absent_IsZeroAndPointerIsDropped()
    {
        // ServicePort.targetPort is a non-pointer struct: omitempty does not drop it.
        var json = Decode("p 1 ios?, q 2 *ios?", new ProtoWriter());

        Assert.That(json, Is.EqualTo("""{"p":0}"""));
    }

    [Test]
    public void IntOrString_UnknownType_IsAnError()
    {
        Assert.That(
            () => Decode("p 1 ios", new ProtoWriter().Message(1, p => p.Varint(1, 2))),
            Throws.TypeOf<ProtoFormatException>().With.Message.EqualTo("impossible IntOrString.Type"));
    }

    [Test]
    public void RawExtension_EmbedsTheJson()
    {
        var json = Decode("o 1 raw, n 2 raw", new ProtoWriter().Message(1, r => r.String(1, """{"a":[1,2],"b":"c"}""")));

        Assert.That(json, Is.EqualTo("""{"o":{"a":[1,2],"b":"c"},"n":null}"""));
    }

    [Test]
    public void RawExtension_NotJson_IsAnError()
    {
        Assert.That(
            () => Decode("o 1 raw", new ProtoWriter().Message(1, r => r.Bytes(1, [0x0a, 0x01, 0x78]))),
            Throws.TypeOf<ProtoFormatException>());
    }

    [Test]
    public void FieldsV1_EmbedsTheJson()
    {
        var json = Decode("fieldsV1 1 *fields?", new ProtoWriter().Message(1, f => f.String(1, """{"f:data":{"f:a":{}}}""")));

        Assert.That(json, Is.EqualTo("""{"fieldsV1":{"f:data":{"f:a":{}}}}"""));
    }

    [Test]
    public void Duration_IsGosDurationString()
    {
        var json = Decode("d 1 dur", new ProtoWriter().Message(1, d => d.Varint(1, 3_600_000_000_000)));

        Assert.That(json, Is.EqualTo("""{"d":"1h0m0s"}"""));
    }

    [TestCase(0L, "0s")]
    [TestCase(1L, "1ns")]
    [TestCase(1_100L, "1.1µs")]
    [TestCase(2_200_000L, "2.2ms")]
    [TestCase(1_500_000_000L, "1.5s")]
    [TestCase(90_000_000_000L, "1m30s")]
    [TestCase(3_600_000_000_000L, "1h0m0s")]
    [TestCase(93_784_000_000_000L, "26h3m4s")]
    [TestCase(-90_000_000_000L, "-1m30s")]
    [TestCase(long.MinValue, "-2562047h47m16.854775808s")]
    public void GoDuration_FormatsAsTimeDurationString(long nanoseconds, string expected)
    {
        Assert.That(GoDuration.Format(nanoseconds), Is.EqualTo(expected));
    }

    [Test]
    public void Bytes_AreBase64_EmptyIsEmptyString_AbsentIsNull()
    {
        var json = Decode("a 1 bytes, b 2 bytes, c 3 bytes", new ProtoWriter().Bytes(1, "admin"u8).Bytes(2, []));

        Assert.That(json, Is.EqualTo("""{"a":"YWRtaW4=","b":"","c":null}"""));
    }

    [Test]
    public void Map_KeysAreSortedByBytes_AndTheLastDuplicateWins()
    {
        var json = Decode("m 1 {s}?", new ProtoWriter().Entry(1, "b", "1").Entry(1, "a", "2").Entry(1, "B", "3").Entry(1, "b", "4"));

        Assert.That(json, Is.EqualTo("""{"m":{"B":"3","a":"2","b":"4"}}"""));
    }

    [Test]
    public void Map_OfBytes_IsBase64Values()
    {
        var json = Decode("data 1 {bytes}?", new ProtoWriter().Message(1, e => e.String(1, "k").Bytes(2, [0xff, 0x00])).Message(1, e => e.String(1, "empty")));

        Assert.That(json, Is.EqualTo("""{"data":{"empty":"","k":"/wA="}}"""));
    }

    [Test]
    public void EmptyMapsAndSlices_AreDroppedWithOmitempty_AndNullWithout()
    {
        var json = Decode("a 1 {s}?, b 2 {s}, c 3 [s]?, d 4 [s]", new ProtoWriter());

        Assert.That(json, Is.EqualTo("""{"b":null,"d":null}"""));
    }

    [Test]
    public void ZeroScalars_AreDroppedWithOmitempty_AndKeptWithout()
    {
        // Go's protobuf marshaller writes every non-pointer field, zero or not.
        var zeros = new ProtoWriter().String(1, string.Empty).Varint(2, 0).Bool(3, false).Varint(4, 0)
            .String(5, string.Empty).Varint(6, 0).Bool(7, false).Varint(8, 0);

        var json = Decode("a 1 s?, b 2 i32?, c 3 b?, d 4 i64?, e 5 s, f 6 i32, g 7 b, h 8 i64", zeros);

        Assert.That(json, Is.EqualTo("""{"e":"","f":0,"g":false,"h":0}"""));
    }

    [Test]
    public void AbsentNonPointerScalars_AreTheirZeroValue()
    {
        var json = Decode("e 5 s, f 6 i32, g 7 b", new ProtoWriter());

        Assert.That(json, Is.EqualTo("""{"e":"","f":0,"g":false}"""));
    }

    [Test]
    public void PresentPointers_AreWrittenEvenWhenZero()
    {
        // Deployment.spec.replicas = 0 must survive: nil would default to 1.
        var json = Decode("r 1 *i32?, o 2 *b?, s 3 *s?, n 4 *i64?, x 5 *s", new ProtoWriter().Varint(1, 0).Bool(2, false).String(3, string.Empty));

        Assert.That(json, Is.EqualTo("""{"r":0,"o":false,"s":"","x":null}"""));
    }

    [Test]
    public void NonPointerStructs_AreAlwaysWritten()
    {
        var json = Decode("strategy 1 N?, status 2 N, p 3 *N?", new ProtoWriter(), ("N", "type 1 s?, n 2 *i32?"));

        Assert.That(json, Is.EqualTo("""{"strategy":{},"status":{}}"""));
    }

    [Test]
    public void InlineStructs_AreWrittenIntoTheParent()
    {
        var message = new ProtoWriter().String(1, "data").Message(2, v => v.Message(19, c => c.Message(1, r => r.String(1, "cfg"))));

        var json = Decode("name 1 s, volumeSource 2 ^VS", message, ("VS", "emptyDir 2 *E?, configMap 19 *C?"), ("E", "medium 1 s?"), ("C", "lor 1 ^R, optional 4 *b?"), ("R", "name 1 s?"));

        Assert.That(json, Is.EqualTo("""{"name":"data","configMap":{"name":"cfg"}}"""));
    }

    [Test]
    public void Fields_ComeOutInStructOrder_WhateverTheWireOrder()
    {
        var json = Decode("name 1 s, appProtocol 6 *s?, port 3 i32", new ProtoWriter().Varint(3, 80).String(6, "http").String(1, "web"));

        Assert.That(json, Is.EqualTo("""{"name":"web","appProtocol":"http","port":80}"""));
    }

    [Test]
    public void Repeated_KeepsWireOrder_AndReadsPackedScalars()
    {
        var packed = new ProtoWriter().Raw(0x22, 0x03, 0x01, 0x02, 0x03);
        var json = Decode("names 1 [s]?, groups 4 [i64]?", packed.String(1, "a").String(1, "b").Varint(4, 4));

        Assert.That(json, Is.EqualTo("""{"names":["a","b"],"groups":[1,2,3,4]}"""));
    }

    [Test]
    public void NegativeInt32_IsDecodedFromItsTenByteVarint()
    {
        var json = Decode("n 1 i32, m 2 i64", new ProtoWriter().Varint(1, -1).Varint(2, long.MinValue));

        Assert.That(json, Is.EqualTo("""{"n":-1,"m":-9223372036854775808}"""));
    }

    [Test]
    public void UnknownFields_AreSkippedWhateverTheirWireType()
    {
        var message = new ProtoWriter().Varint(9, 7).Fixed32(10, 1).Fixed64(11, 2).Message(12, m => m.String(1, "x")).String(1, "kept");

        var json = Decode("name 1 s", message);

        Assert.That(json, Is.EqualTo("""{"name":"kept"}"""));
    }

    [Test]
    public void InvalidUtf8_IsReplacedAsGoDoes()
    {
        var json = JsonNode.Parse(Decode("s 1 s", new ProtoWriter().Bytes(1, [0x61, 0xff, 0x62])))!;

        Assert.That((string?)json["s"], Is.EqualTo("a\uFFFDb"));
    }

    [Test]
    public void NonAsciiStrings_RoundTrip()
    {
        var json = JsonNode.Parse(Decode("s 1 s", new ProtoWriter().String(1, "héllo \"wörld\" <&>")))!;

        Assert.That((string?)json["s"], Is.EqualTo("héllo \"wörld\" <&>"));
    }

    [Test]
    public void TruncatedNestedMessage_IsAnError()
    {
        var message = new ProtoWriter().Raw(0x0a, 0x05, 0x0a, 0x09, 0x61, 0x62, 0x63);

        Assert.That(() => Decode("n 1 N", message, ("N", "s 1 s")), Throws.TypeOf<ProtoFormatException>().With.Message.EqualTo("unexpected EOF"));
    }

    [Test]
    public void WrongWireType_IsAnError()
    {
        Assert.That(
            () => Decode("n 1 i32", new ProtoWriter().String(1, "x")),
            Throws.TypeOf<ProtoFormatException>().With.Message.EqualTo("proto: wrong wireType = 2 for field n"));
    }

    [Test]
    public void WrongWireType_OnAnOmitemptyField_IsStillAnError()
    {
        Assert.That(
            () => Decode("s 1 s?", new ProtoWriter().Varint(1, 0)),
            Throws.TypeOf<ProtoFormatException>().With.Message.EqualTo("proto: wrong wireType = 0 for field s"));
    }

    [Test]
    public void SchemaNotation_RejectsUnknownMessagesAndDuplicateNumbers()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => ProtoSchemaParser.Build([("T", "a 1 Missing")]), Throws.InvalidOperationException);
            Assert.That(() => ProtoSchemaParser.Build([("T", "a 1 s, b 1 s")]), Throws.InvalidOperationException);
            Assert.That(() => ProtoSchemaParser.Build([("T", "a one s")]), Throws.InvalidOperationException);
        });
    }
}
