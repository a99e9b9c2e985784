using static Nautilus.Store.Tests.TestSupport;

namespace Nautilus.Store.Tests;

public sealed class SelectorTests
{
    private const string LabelValueRule =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    private const string QualifiedNameRule =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private static IEnumerable<TestCaseData> LabelMatchCases()
    {
        yield return new TestCaseData("", Labels("a=b"), true).SetName("Empty_SelectsEverything");
        yield return new TestCaseData("a=b", Labels("a=b"), true).SetName("Equals_SameValue_Matches");
        yield return new TestCaseData("a=b", Labels("a=c"), false).SetName("Equals_OtherValue_DoesNotMatch");
        yield return new TestCaseData("a=b", Labels(), false).SetName("Equals_MissingKey_DoesNotMatch");
        yield return new TestCaseData("a==b", Labels("a=b"), true).SetName("DoubleEquals_SameValue_Matches");
        yield return new TestCaseData("a!=b", Labels(), true).SetName("NotEquals_MissingKey_Matches");
        yield return new TestCaseData("a!=b", Labels("a=b"), false).SetName("NotEquals_SameValue_DoesNotMatch");
        yield return new TestCaseData("a!=b", Labels("a=c"), true).SetName("NotEquals_OtherValue_Matches");
        yield return new TestCaseData("a in (b,c)", Labels("a=c"), true).SetName("In_ListedValue_Matches");
        yield return new TestCaseData("a in (b,c)", Labels("a=d"), false).SetName("In_UnlistedValue_DoesNotMatch");
        yield return new TestCaseData("a in (b,c)", Labels(), false).SetName("In_MissingKey_DoesNotMatch");
        yield return new TestCaseData("a notin (b)", Labels(), true).SetName("NotIn_MissingKey_Matches");
        yield return new TestCaseData("a notin (b)", Labels("a=b"), false).SetName("NotIn_ListedValue_DoesNotMatch");
        yield return new TestCaseData("a", Labels("a="), true).SetName("Exists_EmptyValue_Matches");
        yield return new TestCaseData("a", Labels("b=c"), false).SetName("Exists_MissingKey_DoesNotMatch");
        yield return new TestCaseData("!a", Labels(), true).SetName("DoesNotExist_MissingKey_Matches");
        yield return new TestCaseData("!a", Labels("a=x"), false).SetName("DoesNotExist_PresentKey_DoesNotMatch");
        yield return new TestCaseData("  a = b ,\tc  ", Labels("a=b", "c=x"), true).SetName("Whitespace_Tolerated_Matches");
        yield return new TestCaseData("x in (foo,,baz),y,z notin ()", Labels("x=", "y=1"), true).SetName("KubeDocExample_EmptyValueInSet_Matches");
        yield return new TestCaseData("example.com/app=web", Labels("example.com/app=web"), true).SetName("PrefixedKey_Matches");
        yield return new TestCaseData("a=in", Labels("a=in"), true).SetName("KeywordAsValue_Matches");
        yield return new TestCaseData("a>5", Labels("a=7"), true).SetName("GreaterThan_Larger_Matches");
        yield return new TestCaseData("a<5", Labels("a=7"), false).SetName("LessThan_Larger_DoesNotMatch");
        yield return new TestCaseData("a=", Labels("a="), true).SetName("Equals_EmptyValue_Matches");
        yield return new TestCaseData("a=b,c!=d", Labels("a=b", "c=d"), false).SetName("Conjunction_OneFails_DoesNotMatch");
    }

    [TestCaseSource(nameof(LabelMatchCases))]
    public void LabelSelector_ParseAndMatch(string text, Dictionary<string, string> labels, bool expected)
    {
        // Arrange
        var selector = LabelSelector.Parse(text);

        // Act
        var matches = selector.Matches(labels);

        // Assert
        Assert.That(matches, Is.EqualTo(expected));
    }

    private static IEnumerable<TestCaseData> LabelErrorCases()
    {
        yield return new TestCaseData("a in b", "unable to parse requirement: found 'b' expected: '('").SetName("In_WithoutParenthesis_Fails");
        yield return new TestCaseData("a=b c", "found 'c', expected: ',' or 'end of string'").SetName("MissingComma_Fails");
        yield return new TestCaseData("a=b,", "found '', expected: identifier after ','").SetName("TrailingComma_Fails");
        yield return new TestCaseData("(a", "found '(', expected: !, identifier, or 'end of string'").SetName("LeadingParenthesis_Fails");
        yield return new TestCaseData("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt").SetName("MissingOperator_Fails");
        yield return new TestCaseData("a in (b", "unable to parse requirement: found '', expected: ',' or ')'").SetName("UnclosedSet_Fails");
        yield return new TestCaseData("a=-bad", "unable to parse requirement: values[0][a]: Invalid value: \"-bad\": " + LabelValueRule).SetName("InvalidValue_FailsWithValidationMessage");
        yield return new TestCaseData("a/b/c=d", "unable to parse requirement: : Invalid value: \"a/b/c\": a qualified name " + QualifiedNameRule + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')").SetName("InvalidKey_FailsWithValidationMessage");
        yield return new TestCaseData("a>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer").SetName("GreaterThan_NonInteger_Fails");
        yield return new TestCaseData(new string('k', 64) + "=v", "unable to parse requirement: : Invalid value: \"" + new string('k', 64) + "\": name part must be no more than 63 characters").SetName("LongKey_Fails");
    }

    [TestCaseSource(nameof(LabelErrorCases))]
    public void LabelSelector_InvalidInput_ThrowsKubeMessage(string text, string message)
    {
        // Act
        var error = Assert.Throws<FormatException>(() => LabelSelector.Parse(text));

        // Assert
        Assert.That(error!.Message, Is.EqualTo(message));
    }

    [Test]
    public void LabelSelector_Requirements_ExposeKeyOperatorAndSortedValues()
    {
        // Act
        var selector = LabelSelector.Parse("tier in (web,api),app=x");

        // Assert
        Assert.That(selector.Requirements, Has.Count.EqualTo(2));
        Assert.That(selector.Requirements[0].Key, Is.EqualTo("app"));
        Assert.That(selector.Requirements[1].Operator, Is.EqualTo(LabelSelectorOperator.In));
        Assert.That(selector.Requirements[1].Values, Is.EqualTo(new[] { "api", "web" }));
        Assert.That(selector.RequiresExactMatch("app", out var value) && value == "x", Is.True);
        Assert.That(selector.ToString(), Is.EqualTo("app=x,tier in (api,web)"));
    }

    private static IEnumerable<TestCaseData> FieldMatchCases()
    {
        var scheduled = Pod("ns", "p", nodeName: "n1");
        var unscheduled = Pod("ns", "q");
        var bare = new StoredObject(new ObjectKey("ns", "r"), "u", "{}"u8.ToArray());
        yield return new TestCaseData("spec.nodeName=n1", scheduled, true).SetName("Field_Equals_Matches");
        yield return new TestCaseData("spec.nodeName==n1", scheduled, true).SetName("Field_DoubleEquals_Matches");
        yield return new TestCaseData("spec.nodeName!=n1", scheduled, false).SetName("Field_NotEquals_SameValue_DoesNotMatch");
        yield return new TestCaseData("spec.nodeName=", unscheduled, true).SetName("Field_EmptyValue_MatchesUnscheduled");
        yield return new TestCaseData("spec.nodeName=", bare, true).SetName("Field_Missing_ReadsAsEmpty");
        yield return new TestCaseData("metadata.name=p,metadata.namespace=ns", scheduled, true).SetName("Field_NameAndNamespace_Match");
        yield return new TestCaseData("metadata.name=p,spec.nodeName!=n1", scheduled, false).SetName("Field_Conjunction_OneFails");
        yield return new TestCaseData("", scheduled, true).SetName("Field_Empty_SelectsEverything");
    }

    [TestCaseSource(nameof(FieldMatchCases))]
    public void FieldSelector_ParseAndMatch(string text, StoredObject obj, bool expected)
    {
        // Arrange
        var selector = FieldSelector.Parse(text);

        // Act
        var matches = selector.Matches(obj);

        // Assert
        Assert.That(matches, Is.EqualTo(expected));
    }

    private static IEnumerable<TestCaseData> FieldErrorCases()
    {
        yield return new TestCaseData("abc", "invalid selector: 'abc'; can't understand 'abc'").SetName("Field_NoOperator_Fails");
        yield return new TestCaseData("a=b=c", "invalid field selector: unescaped character in value: 61").SetName("Field_UnescapedEquals_Fails");
        yield return new TestCaseData("a=b\\x", "invalid field selector: invalid escape sequence: \\x").SetName("Field_BadEscape_Fails");
        yield return new TestCaseData("a=b\\", "invalid field selector: invalid escape sequence: \\").SetName("Field_TrailingBackslash_Fails");
    }

    [TestCaseSource(nameof(FieldErrorCases))]
    public void FieldSelector_InvalidInput_ThrowsKubeMessage(string text, string message)
    {
        // Act
        var error = Assert.Throws<FormatException>(() => FieldSelector.Parse(text));

        // Assert
        Assert.That(error!.Message, Is.EqualTo(message));
    }

    [Test]
    public void FieldSelector_EscapedComma_IsPartOfValue()
    {
        // Act
        var selector = FieldSelector.Parse(@"metadata.name=a\,b,spec.nodeName!=n\=1");

        // Assert
        Assert.That(selector.Requirements, Has.Count.EqualTo(2));
        Assert.That(selector.RequiresExactMatch("metadata.name", out var name), Is.True);
        Assert.That(name, Is.EqualTo("a,b"));
        Assert.That(selector.Requirements[1], Is.EqualTo(new FieldRequirement("spec.nodeName", FieldSelectorOperator.NotEquals, "n=1")));
        Assert.That(selector.Paths, Is.EqualTo(new[] { "metadata.name", "spec.nodeName" }));
    }
}
