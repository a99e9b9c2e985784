using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Nautilus.Server.Api.Objects;

/// <summary>Validation of ObjectMeta with kube-apiserver's wording (apimachinery validation.go).</summary>
public static partial class MetadataValidation
{
    public const string Dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    public const string Dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    public const string Dns1035LabelMessage =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    private const string QualifiedNameMessage =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    /// <summary>Messages for an invalid name under a rule; empty when valid.</summary>
    public static List<string> ValidateName(string name, NameRule rule)
    {
        var errors = new List<string>();
        switch (rule)
        {
            case NameRule.Dns1123Subdomain:
                if (name.Length > 253)
                {
                    errors.Add("must be no more than 253 characters");
                }

                if (!Dns1123Subdomain().IsMatch(name))
                {
                    errors.Add(Dns1123SubdomainMessage);
                }

                break;
            case NameRule.Dns1123Label:
                if (name.Length > 63)
                {
                    errors.Add("must be no more than 63 characters");
                }

                if (!Dns1123Label().IsMatch(name))
                {
                    errors.Add(Dns1123LabelMessage);
                }

                break;
            case NameRule.Dns1035Label:
                if (name.Length > 63)
                {
                    errors.Add("must be no more than 63 characters");
                }

                if (!Dns1035Label().IsMatch(name))
                {
                    errors.Add(Dns1035LabelMessage);
                }

                break;
            case NameRule.PathSegment:
                if (name is "." or ".." || name.Contains('/') || name.Contains('%'))
                {
                    errors.Add($"may not be '.' or '..' and may not contain '/' or '%'");
                }

                break;
        }

        return errors;
    }

    /// <summary>Validates metadata of an object about to be written; adds causes in kube's field path form.</summary>
    public static void Validate(JsonObject metadata, ResourceDefinition resource, List<StatusCause> causes)
    {
        var name = KubeJson.GetString(metadata, "name") ?? "";
        if (name.Length == 0)
        {
            causes.Add(new("FieldValueRequired", "Required value: name or generateName is required", "metadata.name"));
        }
        else
        {
            foreach (var message in ValidateName(name, resource.NameRule))
            {
                causes.Add(new("FieldValueInvalid", $"Invalid value: \"{name}\": {message}", "metadata.name"));
            }
        }

        if (metadata["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                ValidateQualifiedName(key, "metadata.labels", causes);
                var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
                if (text is null)
                {
                    causes.Add(new("FieldValueInvalid", "Invalid value: label values must be strings", $"metadata.labels"));
                    continue;
                }

                if (text.Length > 63)
                {
                    causes.Add(new("FieldValueInvalid", $"Invalid value: \"{text}\": must be no more than 63 characters", "metadata.labels"));
                }

                if (!LabelValue().IsMatch(text))
                {
                    causes.Add(new("FieldValueInvalid", $"Invalid value: \"{text}\": {LabelValueMessage}", "metadata.labels"));
                }
            }
        }

        if (metadata["annotations"] is JsonObject annotations)
        {
            foreach (var (key, _) in annotations)
            {
                ValidateQualifiedName(key.ToLowerInvariant(), "metadata.annotations", causes);
            }
        }
    }

    private static void ValidateQualifiedName(string key, string field, List<StatusCause> causes)
    {
        var slash = key.IndexOf('/');
        var namePart = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length == 0)
            {
                causes.Add(new("FieldValueInvalid", $"Invalid value: \"{key}\": prefix part must be non-empty", field));
            }
            else if (prefix.Length > 253 || !Dns1123Subdomain().IsMatch(prefix))
            {
                causes.Add(new("FieldValueInvalid", $"Invalid value: \"{key}\": prefix part {Dns1123SubdomainMessage}", field));
            }
        }

        if (namePart.Length == 0)
        {
            causes.Add(new("FieldValueInvalid", $"Invalid value: \"{key}\": name part must be non-empty", field));
        }
        else
        {
            if (namePart.Length > 63)
            {
                causes.Add(new("FieldValueInvalid", $"Invalid value: \"{key}\": name part must be no more than 63 characters", field));
            }

            if (!QualifiedNamePart().IsMatch(namePart))
            {
                causes.Add(new("FieldValueInvalid", $"Invalid value: \"{key}\": {QualifiedNameMessage}", field));
            }
        }
    }
}
