using Nautilus.Store.Internal;

namespace Nautilus.Store;

/// <summary>
/// A parsed label selector in Kubernetes' string form: equality (<c>a=b</c>, <c>a==b</c>,
/// <c>a!=b</c>) and set-based (<c>a in (x,y)</c>, <c>a notin (x)</c>, <c>a</c>, <c>!a</c>)
/// requirements joined by commas, all of which must hold. <c>a&gt;1</c> and <c>a&lt;1</c>
/// (integer comparisons) are accepted as kube-apiserver accepts them.
/// </summary>
public sealed class LabelSelector
{
    public static readonly LabelSelector Everything = new([]);

    private readonly LabelRequirement[] _requirements;

    private LabelSelector(LabelRequirement[] requirements)
    {
        _requirements = requirements;
    }

    public bool IsEverything => _requirements.Length == 0;

    /// <summary>The requirements, sorted by key as Kubernetes sorts them. All must hold.</summary>
    public IReadOnlyList<LabelRequirement> Requirements => _requirements;

    /// <summary>Parses a selector; null or empty selects everything.</summary>
    /// <exception cref="FormatException">With kube-apiserver's message when the text does not parse.</exception>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Everything;
        }

        var requirements = LabelSelectorParser.Parse(text);
        return requirements.Length == 0 ? Everything : new LabelSelector(requirements);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var requirement in _requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the selector requires label <paramref name="key"/> to have one value
    /// (<c>=</c>, <c>==</c> or <c>in</c> with one value), returned in <paramref name="value"/>.</summary>
    public bool RequiresExactMatch(string key, out string value)
    {
        foreach (var requirement in _requirements)
        {
            if (requirement.Key == key)
            {
                if (requirement.Operator is LabelSelectorOperator.Equals or LabelSelectorOperator.DoubleEquals or LabelSelectorOperator.In
                    && requirement.Values.Count == 1)
                {
                    value = requirement.Values[0];
                    return true;
                }

                break;
            }
        }

        value = "";
        return false;
    }

    /// <summary>The canonical string form (requirements sorted by key), as kube prints selectors.</summary>
    public override string ToString() => string.Join(",", (IEnumerable<LabelRequirement>)_requirements);
}

public enum LabelSelectorOperator
{
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// <summary>
/// One requirement of a label selector. <see cref="Values"/> are sorted and distinct; empty for
/// Exists and DoesNotExist, one value for the equality and comparison operators.
/// </summary>
public sealed class LabelRequirement
{
    internal LabelRequirement(string key, LabelSelectorOperator op, string[] values)
    {
        Key = key;
        Operator = op;
        Values = values;
    }

    public string Key { get; }

    public LabelSelectorOperator Operator { get; }

    public IReadOnlyList<string> Values { get; }

    /// <summary>True for the operators an index on label values can answer (=, ==, in).</summary>
    public bool IsIndexable => Operator is LabelSelectorOperator.Equals or LabelSelectorOperator.DoubleEquals or LabelSelectorOperator.In;

    /// <summary>Kubernetes' Requirement.Matches: != and notin hold for objects without the key.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        switch (Operator)
        {
            case LabelSelectorOperator.Equals:
            case LabelSelectorOperator.DoubleEquals:
            case LabelSelectorOperator.In:
                return labels.TryGetValue(Key, out var value) && HasValue(value);
            case LabelSelectorOperator.NotEquals:
            case LabelSelectorOperator.NotIn:
                return !labels.TryGetValue(Key, out value) || !HasValue(value);
            case LabelSelectorOperator.Exists:
                return labels.ContainsKey(Key);
            case LabelSelectorOperator.DoesNotExist:
                return !labels.ContainsKey(Key);
            case LabelSelectorOperator.GreaterThan:
            case LabelSelectorOperator.LessThan:
                if (!labels.TryGetValue(Key, out value)
                    || !long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var actual)
                    || !long.TryParse(Values[0], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var bound))
                {
                    return false;
                }

                return Operator == LabelSelectorOperator.GreaterThan ? actual > bound : actual < bound;
            default:
                return false;
        }
    }

    private bool HasValue(string value)
    {
        for (var i = 0; i < Values.Count; i++)
        {
            if (string.Equals(Values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString()
    {
        var values = string.Join(",", Values);
        return Operator switch
        {
            LabelSelectorOperator.Equals => Key + "=" + values,
            LabelSelectorOperator.DoubleEquals => Key + "==" + values,
            LabelSelectorOperator.NotEquals => Key + "!=" + values,
            LabelSelectorOperator.In => Key + " in (" + values + ")",
            LabelSelectorOperator.NotIn => Key + " notin (" + values + ")",
            LabelSelectorOperator.Exists => Key,
            LabelSelectorOperator.DoesNotExist => "!" + Key,
            LabelSelectorOperator.GreaterThan => Key + ">" + values,
            LabelSelectorOperator.LessThan => Key + "<" + values,
            _ => Key,
        };
    }
}
