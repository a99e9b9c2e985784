using System.Globalization;

namespace Nautilus.Store.Internal;

/// <summary>
/// The lexer and recursive-descent parser of k8s.io/apimachinery/pkg/labels/selector.go, token
/// for token, so that accepted input and error messages match kube-apiserver's.
/// </summary>
internal static class LabelSelectorParser
{
    private enum Token
    {
        Error,
        EndOfString,
        ClosedPar,
        Comma,
        DoesNotExist,
        DoubleEquals,
        Equals,
        GreaterThan,
        Identifier,
        In,
        LessThan,
        NotEquals,
        NotIn,
        OpenPar,
    }

    private readonly record struct ScannedItem(Token Token, string Literal);

    private const string BinaryOperators = "in, notin, =, ==, !=, gt, lt";

    public static LabelRequirement[] Parse(string text)
    {
        var items = Scan(text);
        var requirements = new List<LabelRequirement>();
        var position = 0;
        while (true)
        {
            var (token, literal) = Lookahead(items, position, values: true);
            switch (token)
            {
                case Token.Identifier:
                case Token.DoesNotExist:
                    LabelRequirement requirement;
                    try
                    {
                        requirement = ParseRequirement(items, ref position);
                    }
                    catch (FormatException e)
                    {
                        throw new FormatException("unable to parse requirement: " + e.Message);
                    }

                    requirements.Add(requirement);
                    var (t, l) = Consume(items, ref position, values: true);
                    switch (t)
                    {
                        case Token.EndOfString:
                            return Sorted(requirements);
                        case Token.Comma:
                            var (t2, l2) = Lookahead(items, position, values: true);
                            if (t2 is not (Token.Identifier or Token.DoesNotExist))
                            {
                                throw new FormatException("found '" + l2 + "', expected: identifier after ','");
                            }

                            break;
                        default:
                            throw new FormatException("found '" + l + "', expected: ',' or 'end of string'");
                    }

                    break;
                case Token.EndOfString:
                    return Sorted(requirements);
                default:
                    throw new FormatException("found '" + literal + "', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private static LabelRequirement[] Sorted(List<LabelRequirement> requirements)
    {
        var array = requirements.ToArray();
        // Stable, ordinal by key: kube sorts requirements by key for a deterministic form.
        var keys = new string[array.Length];
        for (var i = 0; i < array.Length; i++)
        {
            keys[i] = array[i].Key;
        }

        var order = new int[array.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            var c = string.CompareOrdinal(keys[a], keys[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var result = new LabelRequirement[array.Length];
        for (var i = 0; i < order.Length; i++)
        {
            result[i] = array[order[i]];
        }

        return result;
    }

    private static LabelRequirement ParseRequirement(List<ScannedItem> items, ref int position)
    {
        // parseKeyAndInferOperator
        LabelSelectorOperator? op = null;
        var (token, key) = Consume(items, ref position, values: true);
        if (token == Token.DoesNotExist)
        {
            op = LabelSelectorOperator.DoesNotExist;
            (token, key) = Consume(items, ref position, values: true);
        }

        if (token != Token.Identifier)
        {
            throw new FormatException("found '" + key + "', expected: identifier");
        }

        var keyErrors = LabelValidation.LabelKeyErrors(key);
        if (keyErrors.Count != 0)
        {
            throw new FormatException(": Invalid value: " + Quote(key) + ": " + string.Join("; ", keyErrors));
        }

        var (next, _) = Lookahead(items, position, values: true);
        if (next is Token.EndOfString or Token.Comma && op is null)
        {
            op = LabelSelectorOperator.Exists;
        }

        if (op is LabelSelectorOperator.Exists or LabelSelectorOperator.DoesNotExist)
        {
            return new LabelRequirement(key, op.Value, []);
        }

        // parseOperator
        var (opToken, opLiteral) = Consume(items, ref position, values: false);
        var parsed = opToken switch
        {
            Token.In => LabelSelectorOperator.In,
            Token.Equals => LabelSelectorOperator.Equals,
            Token.DoubleEquals => LabelSelectorOperator.DoubleEquals,
            Token.GreaterThan => LabelSelectorOperator.GreaterThan,
            Token.LessThan => LabelSelectorOperator.LessThan,
            Token.NotIn => LabelSelectorOperator.NotIn,
            Token.NotEquals => LabelSelectorOperator.NotEquals,
            _ => throw new FormatException("found '" + opLiteral + "', expected: " + BinaryOperators),
        };

        var values = parsed is LabelSelectorOperator.In or LabelSelectorOperator.NotIn
            ? ParseValues(items, ref position)
            : ParseExactValue(items, ref position);
        return NewRequirement(key, parsed, values);
    }

    /// <summary>NewRequirement's value checks; errors aggregate as kube's ErrorList does.</summary>
    private static LabelRequirement NewRequirement(string key, LabelSelectorOperator op, SortedSet<string> valueSet)
    {
        var values = new string[valueSet.Count];
        valueSet.CopyTo(values);
        var errors = new List<string>();
        if (op is LabelSelectorOperator.GreaterThan or LabelSelectorOperator.LessThan)
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (!long.TryParse(values[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add("values[" + i + "]: Invalid value: " + Quote(values[i]) + ": for 'Gt', 'Lt' operators, the value must be an integer");
                }
            }
        }

        for (var i = 0; i < values.Length; i++)
        {
            var valueErrors = LabelValidation.LabelValueErrors(values[i]);
            if (valueErrors.Count != 0)
            {
                errors.Add("values[" + i + "][" + key + "]: Invalid value: " + Quote(values[i]) + ": " + string.Join("; ", valueErrors));
            }
        }

        if (errors.Count == 1)
        {
            throw new FormatException(errors[0]);
        }

        if (errors.Count > 1)
        {
            throw new FormatException("[" + string.Join(", ", errors) + "]");
        }

        return new LabelRequirement(key, op, values);
    }

    private static SortedSet<string> ParseValues(List<ScannedItem> items, ref int position)
    {
        var (token, literal) = Consume(items, ref position, values: true);
        if (token != Token.OpenPar)
        {
            throw new FormatException("found '" + literal + "' expected: '('");
        }

        (token, literal) = Lookahead(items, position, values: true);
        switch (token)
        {
            case Token.Identifier:
            case Token.Comma:
                var set = ParseIdentifiersList(items, ref position);
                if (Consume(items, ref position, values: true).Token != Token.ClosedPar)
                {
                    throw new FormatException("found '" + literal + "', expected: ')'");
                }

                return set;
            case Token.ClosedPar:
                Consume(items, ref position, values: true);
                return new SortedSet<string>(StringComparer.Ordinal) { "" };
            default:
                throw new FormatException("found '" + literal + "', expected: ',', ')' or identifier");
        }
    }

    private static SortedSet<string> ParseIdentifiersList(List<ScannedItem> items, ref int position)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var (token, literal) = Consume(items, ref position, values: true);
            switch (token)
            {
                case Token.Identifier:
                    set.Add(literal);
                    var (t2, l2) = Lookahead(items, position, values: true);
                    switch (t2)
                    {
                        case Token.Comma:
                            continue;
                        case Token.ClosedPar:
                            return set;
                        default:
                            throw new FormatException("found '" + l2 + "', expected: ',' or ')'");
                    }

                case Token.Comma:
                    if (set.Count == 0)
                    {
                        set.Add("");
                    }

                    var (t3, _) = Lookahead(items, position, values: true);
                    if (t3 == Token.ClosedPar)
                    {
                        set.Add("");
                        return set;
                    }

                    if (t3 == Token.Comma)
                    {
                        set.Add("");
                    }

                    break;
                default:
                    throw new FormatException("found '" + literal + "', expected: ',', or identifier");
            }
        }
    }

    private static SortedSet<string> ParseExactValue(List<ScannedItem> items, ref int position)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        var (token, _) = Lookahead(items, position, values: true);
        if (token is Token.EndOfString or Token.Comma)
        {
            set.Add("");
            return set;
        }

        (token, var literal) = Consume(items, ref position, values: true);
        if (token == Token.Identifier)
        {
            set.Add(literal);
            return set;
        }

        throw new FormatException("found '" + literal + "', expected: identifier");
    }

    private static ScannedItem Lookahead(List<ScannedItem> items, int position, bool values)
    {
        var item = items[position];
        return values && item.Token is Token.In or Token.NotIn ? item with { Token = Token.Identifier } : item;
    }

    private static ScannedItem Consume(List<ScannedItem> items, ref int position, bool values)
    {
        var item = Lookahead(items, position, values);
        position++;
        return item;
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    // ---- lexer ----

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsSpecialSymbol(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';

    private static Token? Keyword(string s) => s switch
    {
        ")" => Token.ClosedPar,
        "," => Token.Comma,
        "!" => Token.DoesNotExist,
        "==" => Token.DoubleEquals,
        "=" => Token.Equals,
        ">" => Token.GreaterThan,
        "in" => Token.In,
        "<" => Token.LessThan,
        "!=" => Token.NotEquals,
        "notin" => Token.NotIn,
        "(" => Token.OpenPar,
        _ => null,
    };

    private static List<ScannedItem> Scan(string s)
    {
        var items = new List<ScannedItem>();
        var pos = 0;
        while (true)
        {
            while (pos < s.Length && IsWhitespace(s[pos]))
            {
                pos++;
            }

            if (pos >= s.Length)
            {
                items.Add(new ScannedItem(Token.EndOfString, ""));
                return items;
            }

            if (IsSpecialSymbol(s[pos]))
            {
                var start = pos;
                Token? last = null;
                var lastLiteral = "";
                while (pos < s.Length && IsSpecialSymbol(s[pos]))
                {
                    var buffer = s[start..(pos + 1)];
                    var token = Keyword(buffer);
                    if (token is not null)
                    {
                        last = token;
                        lastLiteral = buffer;
                    }
                    else if (last is not null)
                    {
                        break;
                    }

                    pos++;
                }

                items.Add(last is null
                    ? new ScannedItem(Token.Error, "error expected: keyword found '" + s[start..pos] + "'")
                    : new ScannedItem(last.Value, lastLiteral));
                if (last is not null)
                {
                    pos = start + lastLiteral.Length;
                }
            }
            else
            {
                var start = pos;
                while (pos < s.Length && !IsSpecialSymbol(s[pos]) && !IsWhitespace(s[pos]))
                {
                    pos++;
                }

                var literal = s[start..pos];
                var keyword = Keyword(literal);
                items.Add(new ScannedItem(keyword ?? Token.Identifier, literal));
            }
        }
    }
}
