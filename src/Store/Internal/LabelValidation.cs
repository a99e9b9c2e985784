namespace Nautilus.Store.Internal;

/// <summary>
/// Label key and value validation with the messages of k8s.io/apimachinery/pkg/util/validation
/// (IsQualifiedName, IsDNS1123Subdomain, IsValidLabelValue), so errors read as kube's do.
/// </summary>
internal static class LabelValidation
{
    private const string QualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string QualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string LabelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string Dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const string Dns1123SubdomainFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private const int QualifiedNameMaxLength = 63;
    private const int LabelValueMaxLength = 63;
    private const int Dns1123SubdomainMaxLength = 253;

    /// <summary>IsQualifiedName: the problems with a label key, empty when it is valid.</summary>
    public static List<string> LabelKeyErrors(string value)
    {
        var errors = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                {
                    errors.Add("prefix part must be non-empty");
                }
                else
                {
                    if (prefix.Length > Dns1123SubdomainMaxLength)
                    {
                        errors.Add("prefix part " + MaxLenError(Dns1123SubdomainMaxLength));
                    }

                    if (!NameGrammar.IsDns1123Subdomain(prefix))
                    {
                        errors.Add("prefix part " + RegexError(Dns1123SubdomainErrMsg, Dns1123SubdomainFmt, "example.com"));
                    }
                }

                break;
            default:
                errors.Add("a qualified name " + RegexError(QualifiedNameErrMsg, QualifiedNameFmt, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > QualifiedNameMaxLength)
        {
            errors.Add("name part " + MaxLenError(QualifiedNameMaxLength));
        }

        if (!NameGrammar.IsQualifiedNamePart(name))
        {
            errors.Add("name part " + RegexError(QualifiedNameErrMsg, QualifiedNameFmt, "MyName", "my.name", "123-abc"));
        }

        return errors;
    }

    /// <summary>IsValidLabelValue: the problems with a label value, empty when it is valid.</summary>
    public static List<string> LabelValueErrors(string value)
    {
        var errors = new List<string>();
        if (value.Length > LabelValueMaxLength)
        {
            errors.Add(MaxLenError(LabelValueMaxLength));
        }

        if (value.Length != 0 && !NameGrammar.IsQualifiedNamePart(value))
        {
            errors.Add(RegexError(LabelValueErrMsg, "(" + QualifiedNameFmt + ")?", "MyValue", "my_value", "12345"));
        }

        return errors;
    }

    private static string MaxLenError(int length) => "must be no more than " + length + " characters";

    private static string RegexError(string msg, string fmt, params string[] examples)
    {
        var text = msg + " (e.g. ";
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
            {
                text += " or ";
            }

            text += "'" + examples[i] + "', ";
        }

        return text + "regex used for validation is '" + fmt + "')";
    }
}
