using Nautilus.Server.Api;
using Nautilus.Server.Api.Printing;

namespace Nautilus.Server.Tests.Printing;

/// <summary>Accept negotiation and the includeObject parameter, as kube-apiserver reads them.</summary>
public sealed class TableNegotiationTests
{
    private const string KubectlGet =
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    [TestCase(KubectlGet, "meta.k8s.io/v1")]
    [TestCase("application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", "meta.k8s.io/v1beta1")]
    [TestCase("application/json;as=Table;g=meta.k8s.io;v=v1", "meta.k8s.io/v1")]
    [TestCase("*/*;as=Table;v=v1;g=meta.k8s.io", "meta.k8s.io/v1")]
    [TestCase("application/*;as=Table;v=v1;g=meta.k8s.io", "meta.k8s.io/v1")]
    [TestCase("application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io", "meta.k8s.io/v1")]
    [TestCase("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io", "meta.k8s.io/v1")]
    [TestCase("application/json;as=Table;v=v2;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io", "meta.k8s.io/v1")]
    public void WantsTable_TableClauseFirst_AnswersTableVersion(string accept, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(TableConvertor.WantsTable(accept, out var version), Is.True);
            Assert.That(version, Is.EqualTo(expected));
        });
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("application/json")]
    [TestCase("*/*")]
    [TestCase("application/json,application/json;as=Table;v=v1;g=meta.k8s.io")]
    [TestCase("application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5,application/json")]
    [TestCase("application/vnd.kubernetes.protobuf,application/json;as=Table;v=v1;g=meta.k8s.io")]
    [TestCase("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json")]
    [TestCase("text/html")]
    public void WantsTable_PlainOrNoTableFirst_IsFalse(string? accept) =>
        Assert.That(TableConvertor.WantsTable(accept, out _), Is.False);

    [TestCase(null, IncludeObjectPolicy.Metadata)]
    [TestCase("", IncludeObjectPolicy.Metadata)]
    [TestCase("Metadata", IncludeObjectPolicy.Metadata)]
    [TestCase("None", IncludeObjectPolicy.None)]
    [TestCase("Object", IncludeObjectPolicy.Object)]
    public void ParseIncludeObject_KnownValues(string? value, IncludeObjectPolicy expected) =>
        Assert.That(TableConvertor.ParseIncludeObject(value), Is.EqualTo(expected));

    [TestCase("object")]
    [TestCase("All")]
    public void ParseIncludeObject_UnknownValue_IsBadRequest(string value)
    {
        var e = Assert.Throws<ApiException>(() => TableConvertor.ParseIncludeObject(value))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Code, Is.EqualTo(400));
            Assert.That(e.Message, Is.EqualTo($"unrecognized includeObject value: \"{value}\""));
        });
    }
}
