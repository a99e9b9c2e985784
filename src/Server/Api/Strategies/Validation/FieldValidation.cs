using System.Text;
using System.Text.Json;

namespace Nautilus.Server.Api.Strategies.Validation;

/// <summary>
/// Server-side field validation (<c>?fieldValidation=Strict|Warn|Ignore</c>) of a request body:
/// unknown fields (not in the kind's schema) and duplicate fields, found in one pass over the raw
/// bytes before they are parsed. Strict fails with kube's strict decoding error (400); Warn, the
/// default, returns each as a <c>Warning</c> header and the body is decoded with the last of any
/// duplicate winning; Ignore drops them silently.
/// </summary>
public static class FieldValidation
{
    public const string Strict = "Strict";
    public const string Warn = "Warn";
    public const string Ignore = "Ignore";

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    /// <summary>The directive of a request (Warn when unset); an unknown value is the 422 kube answers for the options object.</summary>
    /// <param name="optionsKind">CreateOptions, UpdateOptions or PatchOptions.</param>
    public static string Directive(string value, string optionsKind) => value switch
    {
        "" => Warn,
        Strict or Warn or Ignore => value,
        _ => throw new ApiException(422, "Invalid",
            $"{optionsKind}.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: {GoValue.Quote(value)}: supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
            "", "meta.k8s.io", optionsKind,
            [new StatusCause("FieldValueNotSupported", $"Unsupported value: {GoValue.Quote(value)}: supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"", "fieldValidation")]),
    };

    /// <summary>
    /// Checks a create, update or patch body of <paramref name="resource"/>. Strict throws the 400
    /// (prefixed with "Kind in version ... cannot be handled as a Kind" for whole objects, bare for
    /// patches, as kube's handlers word them); Warn hands each problem to <paramref name="warn"/>.
    /// Bodies that are not JSON objects, and JSON patches, are left to the decoder.
    /// </summary>
    public static void Check(ResourceDefinition resource, string directive, ReadOnlySpan<byte> body, string mediaType, Action<string> warn)
    {
        if (directive == Ignore)
        {
            return;
        }

        var patch = mediaType is "application/merge-patch+json" or "application/strategic-merge-patch+json";
        if (!patch && mediaType is not ("application/json" or ""))
        {
            return;
        }

        var schema = FieldSchema.ForKind(resource.Group, resource.Version, resource.Kind);
        if (schema is null)
        {
            return;
        }

        var problems = Find(body, schema, strategicPatch: mediaType == "application/strategic-merge-patch+json");
        if (problems.Count == 0)
        {
            return;
        }

        if (directive == Strict)
        {
            var error = "strict decoding error: " + string.Join(", ", problems);
            throw ApiException.BadRequest(patch ? error : $"{resource.Kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: {error}");
        }

        foreach (var problem in problems)
        {
            warn(problem);
        }
    }

    /// <summary>The unknown and duplicate fields of a JSON object, in the order a decoder meets them; empty for malformed JSON.</summary>
    public static List<string> Find(ReadOnlySpan<byte> json, FieldSchema schema, bool strategicPatch = false)
    {
        var problems = new List<string>();
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                Walk(ref reader, schema, [], problems, strategicPatch);
            }
        }
        catch (JsonException)
        {
            return [];
        }

        return problems;
    }

    /// <summary>
    /// The value at the reader (its first token read); leaves the reader on its last token. Known
    /// names are looked up from the reader's bytes and paths are spelled only for a problem: a
    /// body without problems allocates next to nothing.
    /// </summary>
    private static void Walk(ref Utf8JsonReader reader, FieldSchema schema, List<(string? Name, int Index)> path, List<string> problems, bool strategicPatch)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject when schema.Properties is not null || schema.Values is not null:
                // Struct fields are the schema's own strings (compared by reference); map keys are new strings in a set.
                List<string>? fields = null;
                HashSet<string>? keys = null;
                Span<char> buffer = stackalloc char[128];
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = PropertyName(ref reader, schema, buffer, out var child);
                    reader.Read();
                    if (strategicPatch && name.StartsWith('$'))
                    {
                        // $patch, $retainKeys, $setElementOrder/..., $deleteFromPrimitiveList/...: patch directives.
                        reader.Skip();
                        continue;
                    }

                    path.Add((name, 0));
                    if (child is null)
                    {
                        Add(problems, $"unknown field {Quote(Format(path))}");
                        reader.Skip();
                        path.RemoveAt(path.Count - 1);
                        continue;
                    }

                    bool duplicate;
                    if (schema.Properties is not null)
                    {
                        fields ??= [];
                        duplicate = fields.Contains(name);
                        if (!duplicate)
                        {
                            fields.Add(name);
                        }
                    }
                    else
                    {
                        duplicate = !(keys ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
                    }

                    if (duplicate)
                    {
                        Add(problems, $"duplicate field {Quote(Format(path))}");
                    }

                    Walk(ref reader, child, path, problems, strategicPatch);
                    path.RemoveAt(path.Count - 1);
                }

                break;
            case JsonTokenType.StartArray when schema.Items is not null:
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    path.Add((null, index++));
                    Walk(ref reader, schema.Items, path, problems, strategicPatch);
                    path.RemoveAt(path.Count - 1);
                }

                break;
            default:
                reader.Skip();
                break;
        }
    }

    /// <summary>The property name at the reader and the schema of its value (null when the struct does not declare it); a declared name is the schema's string.</summary>
    private static string PropertyName(ref Utf8JsonReader reader, FieldSchema schema, scoped Span<char> buffer, out FieldSchema? child)
    {
        if (schema.Properties is { } properties && !reader.ValueIsEscaped && reader.ValueSpan.Length <= buffer.Length && !reader.HasValueSequence)
        {
            var length = System.Text.Encoding.UTF8.GetChars(reader.ValueSpan, buffer);
            if (properties.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(buffer[..length], out var declared, out child))
            {
                return declared;
            }

            return reader.GetString()!;
        }

        var name = reader.GetString()!;
        child = schema.Properties is { } all ? all.GetValueOrDefault(name) : schema.Values;
        return name;
    }

    private static string Format(List<(string? Name, int Index)> path)
    {
        var text = new StringBuilder();
        foreach (var (name, index) in path)
        {
            if (name is null)
            {
                text.Append('[').Append(index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }

                text.Append(name);
            }
        }

        return text.ToString();
    }

    private static void Add(List<string> problems, string problem)
    {
        if (!problems.Contains(problem))
        {
            problems.Add(problem);
        }
    }

    private static string Quote(string value) => GoValue.Quote(value);

    /// <summary>A Warning header value as kube-apiserver writes it: <c>299 - "text"</c>, quotes and backslashes escaped.</summary>
    public static string WarningHeader(string text)
    {
        var builder = new StringBuilder("299 - \"", text.Length + 10);
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.Append('"').ToString();
    }
}
