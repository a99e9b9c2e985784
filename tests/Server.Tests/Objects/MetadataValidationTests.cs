using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Tests.Objects;

/// <summary>Names, label keys and values end where the text ends: Go's <c>$</c>, which .NET's <c>$</c> is not (it also matches before a final newline).</summary>
public sealed class MetadataValidationTests
{
    [TestCase("web", "app", "v1", 0)]
    [TestCase("web\n", "app", "v1", 1)]
    [TestCase("web", "app\n", "v1", 1)]
    [TestCase("web", "example.com/app\n", "v1", 1)]
    [TestCase("web", "app", "v1\n", 1)]
    public void Validate_ATrailingNewline_IsInvalid(string name, string labelKey, string labelValue, int problems)
    {
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "default",
            ["labels"] = new JsonObject { [labelKey] = labelValue },
        };
        var pods = BuiltInResources.CreateRegistry().All.Single(r => r.Plural == "pods" && r.Group.Length == 0);
        var causes = new List<StatusCause>();

        MetadataValidation.Validate(metadata, pods, causes);

        Assert.That(causes, Has.Count.EqualTo(problems), string.Join("; ", causes.Select(c => c.Field + ": " + c.Message)));
    }
}
