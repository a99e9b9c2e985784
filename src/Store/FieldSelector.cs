using System.Text;

namespace Nautilus.Store;

/// <summary>
/// A parsed field selector: <c>path=value</c>, <c>path==value</c> and <c>path!=value</c>
/// terms joined by commas (k8s.io/apimachinery/pkg/fields.ParseSelector), with <c>\,</c>,
/// <c>\=</c> and <c>\\</c> escapes in values. Which paths a resource supports is the API layer's business.
/// </summary>
public sealed class FieldSelector
{
    public static readonly FieldSelector Everything = new([]);

    private readonly FieldRequirement[] _requirements;
    private readonly string[] _paths;

    private FieldSelector(FieldRequirement[] requirements)
    {
        _requirements = requirements;
        var paths = new List<string>(requirements.Length);
        foreach (var requirement in requirements)
        {
            if (!paths.Contains(requirement.Path))
            {
                paths.Add(requirement.Path);
            }
        }

        _paths = paths.ToArray();
    }

    public bool IsEverything => _requirements.Length == 0;

    /// <summary>The field paths the selector mentions, for the API layer to check against what the resource supports.</summary>
    public IReadOnlyList<string> Paths => _paths;

    /// <summary>The terms, sorted as Kubernetes sorts them. All must hold.</summary>
    public IReadOnlyList<FieldRequirement> Requirements => _requirements;

    /// <summary>Parses a selector; null or empty selects everything.</summary>
    /// <exception cref="FormatException">With kube-apiserver's message when the text does not parse.</exception>
    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Everything;
        }

        var parts = SplitTerms(text);
        parts.Sort(StringComparer.Ordinal);
        var requirements = new List<FieldRequirement>(parts.Count);
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                continue;
            }

            if (!SplitTerm(part, out var lhs, out var op, out var rhs))
            {
                throw new FormatException("invalid selector: '" + text + "'; can't understand '" + part + "'");
            }

            requirements.Add(new FieldRequirement(lhs, op, UnescapeValue(rhs)));
        }

        return requirements.Count == 0 ? Everything : new FieldSelector(requirements.ToArray());
    }

    /// <summary>True when the selector requires <paramref name="path"/> to equal one value, returned in <paramref name="value"/>.</summary>
    public bool RequiresExactMatch(string path, out string value)
    {
        foreach (var requirement in _requirements)
        {
            if (requirement.Operator == FieldSelectorOperator.Equals && requirement.Path == path)
            {
                value = requirement.Value;
                return true;
            }
        }

        value = "";
        return false;
    }

    /// <summary>Every term holds. A field the object does not carry reads as "", as in kube's fields.Set.</summary>
    public bool Matches(StoredObject obj)
    {
        foreach (var requirement in _requirements)
        {
            var actual = obj.GetField(requirement.Path) ?? "";
            var equal = string.Equals(actual, requirement.Value, StringComparison.Ordinal);
            if (equal != (requirement.Operator == FieldSelectorOperator.Equals))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The canonical string form, values escaped.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var requirement in _requirements)
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(requirement.Path).Append(requirement.Operator == FieldSelectorOperator.Equals ? "=" : "!=");
            foreach (var c in requirement.Value)
            {
                if (c is '\\' or ',' or '=')
                {
                    sb.Append('\\');
                }

                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static List<string> SplitTerms(string selector)
    {
        var terms = new List<string>(1);
        var start = 0;
        var inSlash = false;
        for (var i = 0; i < selector.Length; i++)
        {
            var c = selector[i];
            if (inSlash)
            {
                inSlash = false;
            }
            else if (c == '\\')
            {
                inSlash = true;
            }
            else if (c == ',')
            {
                terms.Add(selector[start..i]);
                start = i + 1;
            }
        }

        terms.Add(selector[start..]);
        return terms;
    }

    private static bool SplitTerm(string term, out string lhs, out FieldSelectorOperator op, out string rhs)
    {
        for (var i = 0; i < term.Length; i++)
        {
            var remaining = term.AsSpan(i);
            if (remaining.StartsWith("!="))
            {
                (lhs, op, rhs) = (term[..i], FieldSelectorOperator.NotEquals, term[(i + 2)..]);
                return true;
            }

            if (remaining.StartsWith("=="))
            {
                (lhs, op, rhs) = (term[..i], FieldSelectorOperator.Equals, term[(i + 2)..]);
                return true;
            }

            if (remaining.StartsWith("="))
            {
                (lhs, op, rhs) = (term[..i], FieldSelectorOperator.Equals, term[(i + 1)..]);
                return true;
            }
        }

        (lhs, op, rhs) = ("", FieldSelectorOperator.Equals, "");
        return false;
    }

    private static string UnescapeValue(string s)
    {
        if (s.AsSpan().IndexOfAny('\\', ',', '=') < 0)
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        var inSlash = false;
        foreach (var c in s)
        {
            if (inSlash)
            {
                if (c is not ('\\' or ',' or '='))
                {
                    throw new FormatException("invalid field selector: invalid escape sequence: \\" + c);
                }

                sb.Append(c);
                inSlash = false;
                continue;
            }

            switch (c)
            {
                case '\\':
                    inSlash = true;
                    break;
                case ',' or '=':
                    // kube formats the rune with %v, which prints its code point.
                    throw new FormatException("invalid field selector: unescaped character in value: " + (int)c);
                default:
                    sb.Append(c);
                    break;
            }
        }

        if (inSlash)
        {
            throw new FormatException("invalid field selector: invalid escape sequence: \\");
        }

        return sb.ToString();
    }
}

public enum FieldSelectorOperator
{
    /// <summary><c>=</c> or <c>==</c>.</summary>
    Equals,

    /// <summary><c>!=</c>.</summary>
    NotEquals,
}

/// <summary>One term of a field selector; <see cref="Value"/> is unescaped.</summary>
public readonly record struct FieldRequirement(string Path, FieldSelectorOperator Operator, string Value);
