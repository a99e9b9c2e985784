using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests.Machinery;

public sealed class LabelSelectorTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        const string labels = """{"app":"web","tier":"front"}""";
        yield return new TestCaseData("""{"matchLabels":{"app":"web"}}""", labels, true).SetName("MatchLabels_Equal_Matches");
        yield return new TestCaseData("""{"matchLabels":{"app":"db"}}""", labels, false).SetName("MatchLabels_Different_DoesNotMatch");
        yield return new TestCaseData("""{"matchLabels":{"app":"web","env":"prod"}}""", labels, false).SetName("MatchLabels_MissingKey_DoesNotMatch");
        yield return new TestCaseData("""{"matchExpressions":[{"key":"tier","operator":"In","values":["back","front"]}]}""", labels, true).SetName("In_ValueListed_Matches");
        yield return new TestCaseData("""{"matchExpressions":[{"key":"tier","operator":"In","values":["back"]}]}""", labels, false).SetName("In_ValueNotListed_DoesNotMatch");
        yield return new TestCaseData("""{"matchExpressions":[{"key":"tier","operator":"NotIn","values":["back"]}]}""", labels, true).SetName("NotIn_ValueNotListed_Matches");
        yield return new TestCaseData("""{"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]}""", labels, true).SetName("NotIn_KeyAbsent_Matches");
        yield return new TestCaseData("""{"matchExpressions":[{"key":"tier","operator":"NotIn","values":["front"]}]}""", labels, false).SetName("NotIn_ValueListed_DoesNotMatch");
        yield return new TestCaseData("""{"matchExpressions":[{"key":"tier","operator":"Exists"}]}""", labels, true).SetName("Exists_KeyPresent_Matches");
        yield return new TestCaseData("""{"matchExpressions":[{"key":"env","operator":"Exists"}]}""", labels, false).SetName("Exists_KeyAbsent_DoesNotMatch");
        yield return new TestCaseData("""{"matchExpressions":[{"key":"env","operator":"DoesNotExist"}]}""", labels, true).SetName("DoesNotExist_KeyAbsent_Matches");
        yield return new TestCaseData("""{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"DoesNotExist"}]}""", labels, false).SetName("LabelsAndExpressions_AllMustHold");
        yield return new TestCaseData("{}", labels, true).SetName("Empty_MatchesEverything");
        yield return new TestCaseData("{}", "{}", true).SetName("Empty_MatchesUnlabelled");
        yield return new TestCaseData("null", labels, false).SetName("Null_MatchesNothing");
    }

    [TestCaseSource(nameof(Cases))]
    public void Matches(string selector, string labels, bool expected)
    {
        var parsed = LabelSelector.Parse(JsonNode.Parse(selector));

        Assert.That(parsed.Matches(JsonNode.Parse(labels) as JsonObject), Is.EqualTo(expected));
    }

    [TestCase("""{"matchExpressions":[{"key":"a","operator":"Near","values":["x"]}]}""", TestName = "UnknownOperator_IsRefused")]
    [TestCase("""{"matchExpressions":[{"key":"a","operator":"In","values":[]}]}""", TestName = "InWithoutValues_IsRefused")]
    [TestCase("""{"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]}""", TestName = "ExistsWithValues_IsRefused")]
    public void Parse_Invalid(string selector)
    {
        Assert.Throws<FormatException>(() => LabelSelector.Parse(JsonNode.Parse(selector)));
        Assert.That(LabelSelector.ParseOrNothing(JsonNode.Parse(selector)).Matches(new JsonObject { ["a"] = "x" }), Is.False);
    }

    [Test]
    public void ToString_PrintsKubeSelectorSyntax()
    {
        var selector = LabelSelector.Parse(JsonNode.Parse("""{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["front","back"]},{"key":"canary","operator":"DoesNotExist"}]}"""));

        Assert.That(selector.ToString(), Is.EqualTo("app=web,!canary,tier in (back,front)"));
    }
}
