using System.Text;
using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Protobuf;

namespace Nautilus.Server.Tests.Protobuf;

/// <summary>
/// The protobuf request bodies of kubectl's typed commands, decoded into the JSON a JSON client
/// sends, and the 400s that kube-apiserver answers to bodies it cannot decode.
/// </summary>
public sealed class KubernetesProtobufTests
{
    private static IEnumerable<TestCaseData> CapturedBodies() => KubectlCapturedBodies.All();

    [TestCaseSource(nameof(CapturedBodies))]
    public void KubectlBody_DecodesToTheJsonKubectlWouldSend(byte[] body, string expectedJson)
    {
        var json = Encoding.UTF8.GetString(KubernetesProtobuf.ToJson(body));

        // Same members, same order (Go struct order, sorted map keys), same values.
        Assert.That(json, Is.EqualTo(expectedJson.Trim()));
    }

    [TestCase("application/vnd.kubernetes.protobuf", true)]
    [TestCase("Application/Vnd.Kubernetes.Protobuf; charset=binary", true)]
    [TestCase("application/vnd.kubernetes.protobuf;stream=watch", true)]
    [TestCase("application/json", false)]
    [TestCase("application/vnd.kubernetes.protobuf-extra", false)]
    [TestCase(null, false)]
    public void IsProtobuf_MatchesTheMediaTypeIgnoringParameters(string? contentType, bool expected)
    {
        Assert.That(KubernetesProtobuf.IsProtobuf(contentType), Is.EqualTo(expected));
    }

    [Test]
    public void Envelope_KindAndApiVersionComeFirst()
    {
        var body = ProtoWriter.Envelope("apps/v1", "Deployment", new ProtoWriter().Message(1, m => m.String(1, "web")));

        var json = Encoding.UTF8.GetString(KubernetesProtobuf.ToJson(body));

        Assert.That(json, Does.StartWith("""{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","creationTimestamp":null}"""));
    }

    [Test]
    public void MissingMagic_IsBadRequestNamingTheExpectedPrefix()
    {
        var error = Assert.Throws<ApiException>(() => KubernetesProtobuf.ToJson("{\"kind\":\"Pod\"}"u8));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo(400));
            Assert.That(error.Reason, Is.EqualTo("BadRequest"));
            Assert.That(error.Message, Is.EqualTo("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"));
        });
    }

    [Test]
    public void UnknownKind_IsBadRequestLikeKubesSchemeError()
    {
        var body = ProtoWriter.Envelope("v1", "Widget", new ProtoWriter());

        var error = Assert.Throws<ApiException>(() => KubernetesProtobuf.ToJson(body));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo(400));
            Assert.That(error.Message, Does.StartWith("no kind \"Widget\" is registered for version \"v1\" in scheme"));
        });
    }

    [Test]
    public void KnownKindInAnotherGroup_IsNotRegistered()
    {
        var body = ProtoWriter.Envelope("v1", "Deployment", new ProtoWriter());

        var error = Assert.Throws<ApiException>(() => KubernetesProtobuf.ToJson(body));

        Assert.That(error!.Message, Does.StartWith("no kind \"Deployment\" is registered for version \"v1\""));
    }

    [Test]
    public void MissingKind_IsBadRequest()
    {
        var body = ProtoWriter.Envelope("v1", string.Empty, new ProtoWriter());

        var error = Assert.Throws<ApiException>(() => KubernetesProtobuf.ToJson(body));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo(400));
            Assert.That(error.Message, Does.Contain("Object 'Kind' is missing"));
        });
    }

    [Test]
    public void TruncatedEnvelope_IsBadRequest()
    {
        byte[] body = [.. "k8s\0"u8, 0x0a, 0x20, 0x0a, 0x02];

        var error = Assert.Throws<ApiException>(() => KubernetesProtobuf.ToJson(body));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo(400));
            Assert.That(error.Message, Is.EqualTo("the object provided is unrecognized: unexpected EOF"));
        });
    }

    [Test]
    public void TruncatedObject_IsBadRequestNamingTheKind()
    {
        // metadata claims 16 bytes but only 2 follow.
        var body = ProtoWriter.Envelope("v1", "ConfigMap", new ProtoWriter().Raw(0x0a, 0x10, 0x0a, 0x00));

        var error = Assert.Throws<ApiException>(() => KubernetesProtobuf.ToJson(body));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo(400));
            Assert.That(error.Message, Is.EqualTo("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: unexpected EOF"));
        });
    }

    [Test]
    public void WrongWireTypeForAKnownField_IsBadRequest()
    {
        // Deployment.spec.replicas sent as a string.
        var body = ProtoWriter.Envelope("apps/v1", "Deployment", new ProtoWriter().Message(2, s => s.String(1, "three")));

        var error = Assert.Throws<ApiException>(() => KubernetesProtobuf.ToJson(body));

        Assert.That(error!.Message, Is.EqualTo("Deployment in version \"v1\" cannot be handled as a Deployment: proto: wrong wireType = 2 for field replicas"));
    }

    [Test]
    public void OverlongVarint_IsBadRequest()
    {
        var body = ProtoWriter.Envelope("v1", "Pod", new ProtoWriter().Raw(0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));

        var error = Assert.Throws<ApiException>(() => KubernetesProtobuf.ToJson(body));

        Assert.That(error!.Message, Does.EndWith("proto: integer overflow"));
    }

    [Test]
    public void FieldNumberZero_IsBadRequest()
    {
        var body = ProtoWriter.Envelope("v1", "Pod", new ProtoWriter().Raw(0x00, 0x01));

        var error = Assert.Throws<ApiException>(() => KubernetesProtobuf.ToJson(body));

        Assert.That(error!.Message, Does.Contain("proto: illegal tag 0"));
    }

    [Test]
    public void Group_IsBadRequest()
    {
        // Wire type 3 (start group) on an unknown field number.
        var body = ProtoWriter.Envelope("v1", "Pod", new ProtoWriter().Raw(0xfb, 0x01));

        Assert.That(() => KubernetesProtobuf.ToJson(body), Throws.TypeOf<ApiException>().With.Property(nameof(ApiException.Code)).EqualTo(400));
    }

    [Test]
    public void ContentEncoding_IsRejected()
    {
        byte[] body =
        [
            .. "k8s\0"u8,
            .. new ProtoWriter().Message(1, t => t.String(1, "v1").String(2, "Pod")).Bytes(2, [0x1f, 0x8b]).String(3, "gzip").ToArray(),
        ];

        var error = Assert.Throws<ApiException>(() => KubernetesProtobuf.ToJson(body));

        Assert.That(error!.Message, Does.Contain("gzip"));
    }

    [Test]
    public void DeleteOptions_DecodesUnderAnyGroupVersion()
    {
        var body = ProtoWriter.Envelope("apps/v1", "DeleteOptions", new ProtoWriter()
            .Varint(1, 0)
            .Message(2, p => p.String(1, "uid-1"))
            .String(4, "Foreground")
            .String(5, "All"));

        var json = JsonNode.Parse(KubernetesProtobuf.ToJson(body))!;

        Assert.That(JsonNode.DeepEquals(json, JsonNode.Parse("""
            {"kind":"DeleteOptions","apiVersion":"apps/v1","gracePeriodSeconds":0,"preconditions":{"uid":"uid-1"},
             "propagationPolicy":"Foreground","dryRun":["All"]}
            """)), Is.True, json.ToJsonString());
    }
}
