using System.Text;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Strategies.Validation;

namespace Nautilus.Server.Tests.Validation;

/// <summary>fieldValidation: unknown and duplicate fields found against the schema read from the k8s.Models types, worded as kube's strict decoder words them.</summary>
public sealed class FieldValidationTests
{
    private static IEnumerable<TestCaseData> Cases() => new (string Scenario, string Kind, string Json, string[] Expected)[]
    {
        ("KnownFieldsOnly_NothingReported", "Pod", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"any-key":"x"},"annotations":{"a/b":"c"}},"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"1"}},"ports":[{"containerPort":80}]}]}}""", []),
        ("UnknownSpecField_Reported", "Pod", """{"metadata":{"name":"p"},"spec":{"foo":1,"containers":[]}}""", ["unknown field \"spec.foo\""]),
        ("UnknownNestedInArray_PathHasIndex", "Pod", """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b","imagePullPolicyy":"Always"}]}}""", ["unknown field \"spec.containers[1].imagePullPolicyy\""]),
        ("DuplicateField_Reported", "Pod", """{"metadata":{"name":"p","name":"q"}}""", ["duplicate field \"metadata.name\""]),
        ("UnknownAndDuplicate_InOrderMet", "Deployment", """{"spec":{"unknown1":1,"paused":true,"paused":false,"template":{"spec":{"containers":[{"unknownNested":1,"imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}}}""",
            ["unknown field \"spec.unknown1\"", "duplicate field \"spec.paused\"", "unknown field \"spec.template.spec.containers[0].unknownNested\"", "duplicate field \"spec.template.spec.containers[0].imagePullPolicy\""]),
        ("UnknownFieldTwice_ReportedOnce", "Pod", """{"spec":{"x":1,"x":2}}""", ["unknown field \"spec.x\""]),
        ("MapKeysAreFree_DuplicateKeyReported", "ConfigMap", """{"data":{"any key":"1","any key":"2"}}""", ["duplicate field \"data.any key\""]),
        ("ManagedFieldsV1_AnythingGoes", "ConfigMap", """{"metadata":{"managedFields":[{"manager":"m","fieldsV1":{"f:data":{"f:x":{}}}}]}}""", []),
        ("SecretStringData_Known", "Secret", """{"stringData":{"a":"b"},"type":"Opaque"}""", []),
    }.Select(c => new TestCaseData(c.Kind, c.Json, c.Expected).SetArgDisplayNames(c.Scenario));

    [TestCaseSource(nameof(Cases))]
    public void Find_ReportsUnknownAndDuplicateFields(string kind, string json, string[] expected)
    {
        var group = kind == "Deployment" ? "apps" : "";
        var schema = FieldSchema.ForKind(group, "v1", kind)!;

        Assert.That(FieldValidation.Find(Encoding.UTF8.GetBytes(json), schema), Is.EqualTo(expected));
    }

    [Test]
    public void StrategicMergePatchDirectives_AreNotUnknownFields()
    {
        var schema = FieldSchema.ForKind("", "v1", "Pod")!;
        var patch = """{"$setElementOrder/containers":[{"name":"c"}],"spec":{"containers":[{"$patch":"delete","name":"c"}]},"metadata":{"$retainKeys":["labels"]}}""";

        Assert.That(FieldValidation.Find(Encoding.UTF8.GetBytes(patch), schema, strategicPatch: true), Is.Empty);
    }

    [Test]
    public void StrictCreate_BadRequestNamesKindAndVersion()
    {
        var pods = ValidationAssert.Resource("pods");
        var body = Encoding.UTF8.GetBytes("""{"spec":{"foo":1},"metadata":{"name":"a","name":"b"}}""");

        var error = Assert.Throws<ApiException>(() => FieldValidation.Check(pods, FieldValidation.Strict, body, "application/json", _ => { }))!;

        Assert.That(error.Code, Is.EqualTo(400));
        Assert.That(error.Message, Is.EqualTo("Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.foo\", duplicate field \"metadata.name\""));
    }

    [Test]
    public void StrictPatch_BareStrictDecodingError()
    {
        var deployments = ValidationAssert.Resource("deployments");
        var body = Encoding.UTF8.GetBytes("""{"spec":{"replicaz":2}}""");

        var error = Assert.Throws<ApiException>(() => FieldValidation.Check(deployments, FieldValidation.Strict, body, "application/merge-patch+json", _ => { }))!;

        Assert.That(error.Message, Is.EqualTo("strict decoding error: unknown field \"spec.replicaz\""));
    }

    [Test]
    public void Warn_EachProblemIsAWarning()
    {
        var warnings = new List<string>();

        FieldValidation.Check(ValidationAssert.Resource("pods"), FieldValidation.Warn, Encoding.UTF8.GetBytes("""{"spec":{"foo":1,"bar":2}}"""), "application/json", warnings.Add);

        Assert.That(warnings, Is.EqualTo(new[] { "unknown field \"spec.foo\"", "unknown field \"spec.bar\"" }));
        Assert.That(FieldValidation.WarningHeader(warnings[0]), Is.EqualTo("299 - \"unknown field \\\"spec.foo\\\"\""));
    }

    [Test]
    public void Ignore_NothingReported()
    {
        var warnings = new List<string>();

        FieldValidation.Check(ValidationAssert.Resource("pods"), FieldValidation.Ignore, Encoding.UTF8.GetBytes("""{"spec":{"foo":1}}"""), "application/json", warnings.Add);

        Assert.That(warnings, Is.Empty);
    }

    [TestCase("", ExpectedResult = "Warn")]
    [TestCase("Strict", ExpectedResult = "Strict")]
    [TestCase("Ignore", ExpectedResult = "Ignore")]
    public string Directive_DefaultsToWarn(string value) => FieldValidation.Directive(value, "CreateOptions");

    [Test]
    public void UnknownDirective_InvalidCreateOptions()
    {
        var error = Assert.Throws<ApiException>(() => FieldValidation.Directive("strict", "CreateOptions"))!;

        Assert.That(error.Code, Is.EqualTo(422));
        Assert.That(error.Message, Is.EqualTo("CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"strict\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\""));
    }
}
