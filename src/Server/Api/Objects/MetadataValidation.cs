using System.Text.Json.Nodes;
using Nautilus.Store;

namespace Nautilus.Server.Api.Objects;

/// <summary>Validation of ObjectMeta with kube-apiserver's wording (apimachinery validation.go).</summary>
public static class MetadataValidation
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

    /// <summary>Messages for an invalid name under a rule; empty when valid.</summary>
    public static IReadOnlyList<string> ValidateName(ReadOnlySpan<char> name, NameRule rule) => rule switch
    {
        NameRule.Dns1123Subdomain => Messages(
            name.Length > 253 ? "must be no more than 253 characters" : null,
            NameGrammar.IsDns1123Subdomain(name) ? null : Dns1123SubdomainMessage),
        NameRule.Dns1123Label => Messages(
            name.Length > 63 ? "must be no more than 63 characters" : null,
            NameGrammar.IsDns1123Label(name) ? null : Dns1123LabelMessage),
        NameRule.Dns1035Label => Messages(
            name.Length > 63 ? "must be no more than 63 characters" : null,
            IsDns1035Label(name) ? null : Dns1035LabelMessage),
        NameRule.PathSegment => Messages(
            name is "." or ".." || name.Contains('/') || name.Contains('%') ? "may not be '.' or '..' and may not contain '/' or '%'" : null,
            null),
        _ => [],
    };

    /// <summary>IsDNS1035Label's pattern <c>[a-z]([-a-z0-9]*[a-z0-9])?</c> (length checked apart).</summary>
    public static bool IsDns1035Label(ReadOnlySpan<char> value) => value.Length > 0 && char.IsAsciiLetterLower(value[0]) && NameGrammar.IsDns1123Label(value);

    /// <summary>IsValidLabelValue's pattern <c>(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?</c>: empty, or a qualified name part (length checked apart).</summary>
    public static bool IsLabelValue(ReadOnlySpan<char> value) => value.Length == 0 || NameGrammar.IsQualifiedNamePart(value);

    /// <summary>IsQualifiedName without its messages: an optional DNS subdomain prefix and '/', then a name part of at most 63 characters.</summary>
    public static bool IsQualifiedName(ReadOnlySpan<char> value)
    {
        var slash = value.IndexOf('/');
        if (slash >= 0)
        {
            var prefix = value[..slash];
            if (prefix.Length is 0 or > 253 || !NameGrammar.IsDns1123Subdomain(prefix))
            {
                return false;
            }

            value = value[(slash + 1)..];
        }

        return value.Length <= 63 && NameGrammar.IsQualifiedNamePart(value);
    }

    /// <summary>Validates metadata of an object about to be written; adds causes in kube's field path form.</summary>
    public static void Validate(JsonObject metadata, ResourceDefinition resource, List<StatusCause> causes)
    {
        Span<char> buffer = stackalloc char[256];
        KubeJson.TryGetChars(metadata["name"], buffer, out var name);
        if (name.Length == 0)
        {
            causes.Add(new("FieldValueRequired", "Required value: name or generateName is required", "metadata.name"));
        }
        else
        {
            foreach (var message in ValidateName(name, resource.NameRule))
            {
                causes.Add(new("FieldValueInvalid", $"Invalid value: {Quote(name.ToString())}: {message}", "metadata.name"));
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
        Span<char> buffer = stackalloc char[64];
        for (var i = 0; i < labels.Count; i++)
        {
            var (key, value) = labels.GetAt(i);
            ValidateQualifiedName(key, key, field, causes);
            if (!KubeJson.TryGetChars(value, buffer, out var text))
            {
                causes.Add(new("FieldValueInvalid", "Invalid value: label values must be strings", field));
                continue;
            }

            if (text.Length <= 63 && IsLabelValue(text))
            {
                continue;
            }

            var rendered = text.ToString();
            foreach (var message in LabelValueErrors(rendered))
            {
                causes.Add(new("FieldValueInvalid", $"Invalid value: {Quote(rendered)}: {message}", field));
            }
        }
    }

    /// <summary>IsValidLabelValue's messages; empty when valid.</summary>
    public static IReadOnlyList<string> LabelValueErrors(string value) => Messages(
        value.Length > 63 ? "must be no more than 63 characters" : null,
        IsLabelValue(value) ? null : LabelValueMessage);

    /// <summary>ValidateAnnotations: keys are qualified names (checked lower-cased, reported as written) and the total size is at most 256 KiB.</summary>
    public static void ValidateAnnotations(JsonObject annotations, string field, List<StatusCause> causes)
    {
        long total = 0;
        for (var i = 0; i < annotations.Count; i++)
        {
            var (key, value) = annotations.GetAt(i);

            // ToLowerInvariant returns the key itself when it has nothing to lower, as keys mostly do.
            ValidateQualifiedName(key.ToLowerInvariant(), key, field, causes);
            total += System.Text.Encoding.UTF8.GetByteCount(key);
            if (KubeJson.TryGetUtf8(value, out var utf8))
            {
                // A parsed value's bytes, counted where they lie: values run to kilobytes (last-applied-configuration).
                total += utf8.Length;
            }
            else if (value is JsonValue v && v.TryGetValue<string>(out var s))
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
        if (IsQualifiedName(value))
        {
            return [];
        }

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

        if (!NameGrammar.IsQualifiedNamePart(name))
        {
            (errors ??= []).Add(QualifiedNameMessage);
        }

        return errors ?? (IReadOnlyList<string>)[];
    }

    private static void ValidateQualifiedName(string checkedKey, string reportedKey, string field, List<StatusCause> causes)
    {
        if (IsQualifiedName(checkedKey))
        {
            return;
        }

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
