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

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?\\z")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\\z")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\\z")]
    private static partial Regex QualifiedNamePart();

    /// <summary>Messages for an invalid name under a rule; empty when valid.</summary>
    public static IReadOnlyList<string> ValidateName(ReadOnlySpan<char> name, NameRule rule) => rule switch
    {
        NameRule.Dns1123Subdomain => Messages(
            name.Length > 253 ? "must be no more than 253 characters" : null,
            Dns1123Subdomain().IsMatch(name) ? null : Dns1123SubdomainMessage),
        NameRule.Dns1123Label => Messages(
            name.Length > 63 ? "must be no more than 63 characters" : null,
            Dns1123Label().IsMatch(name) ? null : Dns1123LabelMessage),
        NameRule.Dns1035Label => Messages(
            name.Length > 63 ? "must be no more than 63 characters" : null,
            Dns1035Label().IsMatch(name) ? null : Dns1035LabelMessage),
        NameRule.PathSegment => Messages(
            name is "." or ".." || name.Contains('/') || name.Contains('%') ? "may not be '.' or '..' and may not contain '/' or '%'" : null,
            null),
        _ => [],
    };

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
                causes.Add(new("FieldValueInvalid", $"Invalid value: {Quote(name)}: {message}", "metadata.name"));
            }
        }

        if (metadata["labels"] is JsonObject labels)
        {
            ValidateLabels(labels, "metadata.labels", causes);
        }

        if (metadata["annotations"] is JsonObject annotations)
        {
            ValidateAnnotations(annotations, "metadata.annotations", causes);
        }
    }

    /// <summary>ValidateLabels: every key a qualified name, every value a label value; all causes on <paramref name="field"/> itself, as kube reports them.</summary>
    public static void ValidateLabels(JsonObject labels, string field, List<StatusCause> causes)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            var (key, value) = labels.GetAt(i);
            ValidateQualifiedName(key, key, field, causes);
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (text is null)
            {
                causes.Add(new("FieldValueInvalid", "Invalid value: label values must be strings", field));
                continue;
            }

            foreach (var message in LabelValueErrors(text))
            {
                causes.Add(new("FieldValueInvalid", $"Invalid value: {Quote(text)}: {message}", field));
            }
        }
    }

    /// <summary>IsValidLabelValue's messages; empty when valid.</summary>
    public static IReadOnlyList<string> LabelValueErrors(string value) => Messages(
        value.Length > 63 ? "must be no more than 63 characters" : null,
        LabelValue().IsMatch(value) ? null : LabelValueMessage);

    /// <summary>ValidateAnnotations: keys are qualified names (checked lower-cased, reported as written) and the total size is at most 256 KiB.</summary>
    public static void ValidateAnnotations(JsonObject annotations, string field, List<StatusCause> causes)
    {
        long total = 0;
        for (var i = 0; i < annotations.Count; i++)
        {
            var (key, value) = annotations.GetAt(i);
            ValidateQualifiedName(key.ToLowerInvariant(), key, field, causes);
            total += System.Text.Encoding.UTF8.GetByteCount(key);
            if (value is JsonValue v && v.TryGetValue<string>(out var s))
            {
                total += System.Text.Encoding.UTF8.GetByteCount(s);
            }
        }

        const int TotalAnnotationSizeLimit = 256 * 1024;
        if (total > TotalAnnotationSizeLimit)
        {
            causes.Add(new("FieldValueTooLong", $"Too long: may not be more than {TotalAnnotationSizeLimit} bytes", field));
        }
    }

    /// <summary>IsQualifiedName's messages (label keys, annotation keys, selector keys); empty when valid.</summary>
    public static IReadOnlyList<string> QualifiedNameErrors(string value)
    {
        List<string>? errors = null;
        var slash = value.IndexOf('/');
        var name = value.AsSpan(slash + 1);
        if (slash >= 0)
        {
            if (name.Contains('/'))
            {
                return ["a qualified name " + QualifiedNameMessage["name part ".Length..] + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
            }

            if (slash == 0)
            {
                (errors ??= []).Add("prefix part must be non-empty");
            }
            else
            {
                foreach (var message in ValidateName(value.AsSpan(0, slash), NameRule.Dns1123Subdomain))
                {
                    (errors ??= []).Add("prefix part " + message);
                }
            }
        }

        if (name.Length == 0)
        {
            (errors ??= []).Add("name part must be non-empty");
        }
        else if (name.Length > 63)
        {
            (errors ??= []).Add("name part must be no more than 63 characters");
        }

        if (!QualifiedNamePart().IsMatch(name))
        {
            (errors ??= []).Add(QualifiedNameMessage);
        }

        return errors ?? (IReadOnlyList<string>)[];
    }

    private static void ValidateQualifiedName(string checkedKey, string reportedKey, string field, List<StatusCause> causes)
    {
        foreach (var message in QualifiedNameErrors(checkedKey))
        {
            causes.Add(new("FieldValueInvalid", $"Invalid value: {Quote(reportedKey)}: {message}", field));
        }
    }

    /// <summary>The messages of two independent checks, each null when it passes; no list is built for a valid value.</summary>
    private static IReadOnlyList<string> Messages(string? first, string? second) => (first, second) switch
    {
        (null, null) => [],
        (_, null) => [first],
        (null, _) => [second],
        _ => [first, second],
    };

    private static string Quote(string value) => Nautilus.Server.Api.Strategies.Validation.GoValue.Quote(value);
}
