using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Tests.Validation;

/// <summary>errors.NewInvalid's message: the qualified kind, one cause bare, several in brackets, identical ones once; details keep every cause.</summary>
public sealed class InvalidMessageTests
{
    [Test]
    public void GroupedKind_MessageQualifiedDetailsBare()
    {
        var error = ApiException.Invalid(ValidationAssert.Resource("deployments"), "d", [new("FieldValueRequired", "Required value", "spec.selector")]);

        Assert.That(error.Message, Is.EqualTo("Deployment.apps \"d\" is invalid: spec.selector: Required value"));
        Assert.That(error.Kind, Is.EqualTo("Deployment"));
        Assert.That(error.Group, Is.EqualTo("apps"));
    }

    [Test]
    public void IdenticalCauses_AggregatedOnceButAllKeptInDetails()
    {
        StatusCause cause = new("FieldValueRequired", "Required value", "spec.containers");

        var error = ApiException.Invalid(ValidationAssert.Resource("pods"), "p", [cause, cause]);

        Assert.That(error.Message, Is.EqualTo("Pod \"p\" is invalid: spec.containers: Required value"));
        Assert.That(error.Causes, Has.Count.EqualTo(2));
    }

    [Test]
    public void NoCauses_JustIsInvalid() =>
        Assert.That(ApiException.Invalid(ValidationAssert.Resource("pods"), "p", []).Message, Is.EqualTo("Pod \"p\" is invalid"));

    [Test]
    public void AnnotationKey_CheckedLowerCasedReportedAsWritten()
    {
        var causes = new List<StatusCause>();

        MetadataValidation.ValidateAnnotations(new System.Text.Json.Nodes.JsonObject { ["Example.COM/a b"] = "x" }, "metadata.annotations", causes);

        Assert.That(causes.Select(c => c.Message), Is.EqualTo(new[]
        {
            "Invalid value: \"Example.COM/a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        }));
    }
}
