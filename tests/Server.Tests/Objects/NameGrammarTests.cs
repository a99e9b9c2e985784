using System.Text;
using System.Text.RegularExpressions;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Strategies.Validation;
using Nautilus.Store;

namespace Nautilus.Server.Tests.Objects;

/// <summary>
/// The hand-written checks of names, label keys and values, port names against apimachinery's own
/// regexes (validation.go, anchored as Go anchors them), on edge cases and on many generated strings
/// over the characters that matter: the checks and their messages must agree with the regexes everywhere.
/// </summary>
public sealed class NameGrammarTests
{
    private static readonly Regex Dns1123Label = new("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z");
    private static readonly Regex Dns1123Subdomain = new("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z");
    private static readonly Regex Dns1035Label = new("^[a-z]([-a-z0-9]*[a-z0-9])?\\z");
    private static readonly Regex LabelValue = new("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\\z");
    private static readonly Regex QualifiedNamePart = new("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\\z");
    private static readonly Regex PortName = new("^[-a-z0-9]+\\z");

    private static IEnumerable<string> Inputs()
    {
        string[] edges =
        [
            "", "a", "A", "0", "-", ".", "_", "/", "a-", "-a", "a.", ".a", "a..b", "a.-b", "a-.b", "a--b", "a_b", "A_B", "a.b", "a/b", "/a", "a/", "//", "a//b",
            "a\n", "a\r", "a\t", "\na", "a b", "é", "aé", "a\u0131", "K", "\u212a", "example.com/Name", "Example.com/name", "a.b.c/d-e_f.g",
            new('a', 63), new('a', 64), new('a', 253), new('a', 254), new('a', 15), new('a', 16),
            string.Join('.', Enumerable.Repeat(new string('a', 63), 4)), new string('a', 253) + "/a", new string('a', 254) + "/a", "a/" + new string('a', 63), "a/" + new string('a', 64),
            "0-0", "9", "z", "Z", "a-9", "web--port", "http", "HTTP", "123",
        ];
        foreach (var edge in edges)
        {
            yield return edge;
        }

        // Short strings over an alphabet of every class the grammars tell apart.
        const string Alphabet = "az09AZ-._/\n é";
        var random = new Random(1123);
        var builder = new StringBuilder();
        for (var i = 0; i < 50_000; i++)
        {
            builder.Clear();
            var length = random.Next(0, i % 10 == 0 ? 80 : 8);
            for (var j = 0; j < length; j++)
            {
                builder.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            yield return builder.ToString();
        }
    }

    [Test]
    public void HandChecks_AgreeWithApimachineryRegexes()
    {
        foreach (var input in Inputs())
        {
            Assert.That(NameGrammar.IsDns1123Label(input), Is.EqualTo(Dns1123Label.IsMatch(input)), $"DNS-1123 label {Show(input)}");
            Assert.That(NameGrammar.IsDns1123Subdomain(input), Is.EqualTo(Dns1123Subdomain.IsMatch(input)), $"DNS-1123 subdomain {Show(input)}");
            Assert.That(MetadataValidation.IsDns1035Label(input), Is.EqualTo(Dns1035Label.IsMatch(input)), $"DNS-1035 label {Show(input)}");
            Assert.That(MetadataValidation.IsLabelValue(input), Is.EqualTo(LabelValue.IsMatch(input)), $"label value {Show(input)}");
            Assert.That(NameGrammar.IsQualifiedNamePart(input), Is.EqualTo(QualifiedNamePart.IsMatch(input)), $"qualified name part {Show(input)}");
        }
    }

    [Test]
    public void Messages_AgreeWithTheRegexChecks()
    {
        foreach (var input in Inputs())
        {
            foreach (var (rule, regex, limit) in new[] { (NameRule.Dns1123Subdomain, Dns1123Subdomain, 253), (NameRule.Dns1123Label, Dns1123Label, 63), (NameRule.Dns1035Label, Dns1035Label, 63) })
            {
                Assert.That(MetadataValidation.ValidateName(input, rule), Is.EqualTo(ReferenceNameMessages(input, regex, limit, rule)), $"{rule} {Show(input)}");
            }

            Assert.That(MetadataValidation.QualifiedNameErrors(input), Is.EqualTo(ReferenceQualifiedNameErrors(input)), $"qualified name {Show(input)}");
            Assert.That(MetadataValidation.IsQualifiedName(input), Is.EqualTo(ReferenceQualifiedNameErrors(input).Count == 0), $"qualified name {Show(input)}");
            Assert.That(MetadataValidation.LabelValueErrors(input).Count == 0, Is.EqualTo(input.Length <= 63 && LabelValue.IsMatch(input)), $"label value {Show(input)}");

            // IsValidPortName: at most 15 of [-a-z0-9], a letter among them, no "--", no hyphen at either end.
            var port = input.Length <= 15 && PortName.IsMatch(input) && input.Any(char.IsAsciiLetterLower) && !input.Contains("--", StringComparison.Ordinal) && input[0] != '-' && input[^1] != '-';
            Assert.That(PodSpecValidation.IsValidPortName(input), Is.EqualTo(port), $"port name {Show(input)}");
            Assert.That(PodSpecValidation.PortNameErrors(input).Count == 0, Is.EqualTo(port), $"port name {Show(input)}");
        }
    }

    private static string Show(string value) => GoValue.Quote(value);

    private static List<string> ReferenceNameMessages(string name, Regex regex, int limit, NameRule rule)
    {
        var messages = new List<string>();
        if (name.Length > limit)
        {
            messages.Add($"must be no more than {limit} characters");
        }

        if (!regex.IsMatch(name))
        {
            messages.Add(rule switch
            {
                NameRule.Dns1123Subdomain => MetadataValidation.Dns1123SubdomainMessage,
                NameRule.Dns1123Label => MetadataValidation.Dns1123LabelMessage,
                _ => MetadataValidation.Dns1035LabelMessage,
            });
        }

        return messages;
    }

    /// <summary>apimachinery's IsQualifiedName, with its regexes.</summary>
    private static List<string> ReferenceQualifiedNameErrors(string value)
    {
        const string NamePartMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        var errors = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                name = parts[1];
                if (parts[0].Length == 0)
                {
                    errors.Add("prefix part must be non-empty");
                }
                else
                {
                    errors.AddRange(ReferenceNameMessages(parts[0], Dns1123Subdomain, 253, NameRule.Dns1123Subdomain).Select(m => "prefix part " + m));
                }

                break;
            default:
                return ["a qualified name " + NamePartMessage + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > 63)
        {
            errors.Add("name part must be no more than 63 characters");
        }

        if (!QualifiedNamePart.IsMatch(name))
        {
            errors.Add("name part " + NamePartMessage);
        }

        return errors;
    }
}
