using System.Text;
using System.Text.Json;
using Nautilus.Server.Api.Strategies.Validation;

namespace Nautilus.Server.Tests.Validation;

/// <summary>
/// The fieldValidation walk written for reading, not speed (as it was before the walk matched
/// names as UTF-8 bytes): a string per name, a list per struct, a set per map. The generated
/// bodies of <see cref="FieldValidationWalkTests"/> hold the fast walk to the same answers.
/// </summary>
internal static class FieldValidationReference
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

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

    private static void Walk(ref Utf8JsonReader reader, FieldSchema schema, List<(string? Name, int Index)> path, List<string> problems, bool strategicPatch)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject when schema.Properties is not null || schema.Values is not null:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    if (strategicPatch && name.StartsWith('$'))
                    {
                        reader.Skip();
                        continue;
                    }

                    var child = schema.Properties is { } properties ? properties.GetValueOrDefault(name) : schema.Values;
                    path.Add((name, 0));
                    if (child is null)
                    {
                        Add(problems, "unknown field " + GoValue.Quote(Format(path)));
                        reader.Skip();
                    }
                    else
                    {
                        if (!seen.Add(name))
                        {
                            Add(problems, "duplicate field " + GoValue.Quote(Format(path)));
                        }

                        Walk(ref reader, child, path, problems, strategicPatch);
                    }

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

    private static string Format(List<(string? Name, int Index)> path)
    {
        var text = new StringBuilder();
        foreach (var (name, index) in path)
        {
            if (name is null)
            {
                text.Append('[').Append(index).Append(']');
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
}
