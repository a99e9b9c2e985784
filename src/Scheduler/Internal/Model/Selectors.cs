using System.Text.Json.Nodes;

namespace Nautilus.Scheduler.Internal.Model;

internal enum SelectorOperator
{
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

/// <summary>One requirement of a label or node selector.</summary>
internal sealed record Requirement(string Key, SelectorOperator Operator, string[] Values)
{
    public bool Matches(Dictionary<string, string> labels)
    {
        var has = labels.TryGetValue(Key, out var value);
        return MatchesValue(has, value);
    }

    public bool MatchesValue(bool has, string? value)
    {
        switch (Operator)
        {
            case SelectorOperator.In:
                return has && Contains(value!);
            case SelectorOperator.NotIn:
                return !has || !Contains(value!);
            case SelectorOperator.Exists:
                return has;
            case SelectorOperator.DoesNotExist:
                return !has;
            case SelectorOperator.Gt:
            case SelectorOperator.Lt:
                if (!has || Values.Length != 1 || !long.TryParse(value, out var actual) || !long.TryParse(Values[0], out var bound))
                {
                    return false;
                }

                return Operator == SelectorOperator.Gt ? actual > bound : actual < bound;
            default:
                return false;
        }
    }

    private bool Contains(string value)
    {
        foreach (var v in Values)
        {
            if (v == value)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A matchExpressions entry; null when the operator is unknown (the selector then matches nothing).</summary>
    public static Requirement? Parse(JsonObject expression)
    {
        var op = Json.Str(expression, "operator") switch
        {
            "In" => SelectorOperator.In,
            "NotIn" => SelectorOperator.NotIn,
            "Exists" => SelectorOperator.Exists,
            "DoesNotExist" => SelectorOperator.DoesNotExist,
            "Gt" => SelectorOperator.Gt,
            "Lt" => SelectorOperator.Lt,
            _ => (SelectorOperator?)null,
        };
        return op is null ? null : new Requirement(Json.Str(expression, "key") ?? "", op.Value, Json.Strings(Json.Arr(expression, "values")));
    }
}

/// <summary>
/// A metav1.LabelSelector: matchLabels and matchExpressions ANDed. A null selector matches nothing
/// (<c>labels.Nothing()</c>); an empty one matches everything.
/// </summary>
internal sealed class LabelSelector
{
    public static readonly LabelSelector Nothing = new([], matchesNothing: true);
    public static readonly LabelSelector Everything = new([], matchesNothing: false);

    private readonly Requirement[] _requirements;
    private readonly bool _matchesNothing;

    private LabelSelector(Requirement[] requirements, bool matchesNothing)
    {
        _requirements = requirements;
        _matchesNothing = matchesNothing;
    }

    public IReadOnlyList<Requirement> Requirements => _requirements;

    public bool Matches(Dictionary<string, string> labels)
    {
        if (_matchesNothing)
        {
            return false;
        }

        foreach (var r in _requirements)
        {
            if (!r.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    public static LabelSelector Parse(JsonObject? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }

        var requirements = new List<Requirement>();
        if (Json.Obj(selector, "matchLabels") is { } matchLabels)
        {
            foreach (var (k, v) in Json.StringMap(matchLabels))
            {
                requirements.Add(new Requirement(k, SelectorOperator.In, [v]));
            }
        }

        foreach (var e in Json.Objects(Json.Arr(selector, "matchExpressions")))
        {
            var r = Requirement.Parse(e);
            if (r is null || r.Operator is SelectorOperator.Gt or SelectorOperator.Lt)
            {
                return Nothing;
            }

            requirements.Add(r);
        }

        return requirements.Count == 0 ? Everything : new LabelSelector([.. requirements], matchesNothing: false);
    }

    /// <summary>No requirement: matches everything (labels.Selector's Empty).</summary>
    public bool IsEmpty => !_matchesNothing && _requirements.Length == 0;

    /// <summary>This selector plus the other's requirements (labels.Selector's Add); a Nothing selector adds none, as its Requirements are not selectable.</summary>
    public LabelSelector And(LabelSelector other) =>
        _matchesNothing || other._matchesNothing || other._requirements.Length == 0
            ? this
            : new LabelSelector([.. _requirements, .. other._requirements], matchesNothing: false);

    /// <summary>This selector plus <c>key In (value)</c> for each pair (matchLabelKeys).</summary>
    public LabelSelector With(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        if (_matchesNothing)
        {
            return this;
        }

        var requirements = new List<Requirement>(_requirements);
        foreach (var (k, v) in pairs)
        {
            requirements.Add(new Requirement(k, SelectorOperator.In, [v]));
        }

        return requirements.Count == _requirements.Length ? this : new LabelSelector([.. requirements], matchesNothing: false);
    }
}

/// <summary>A NodeSelectorTerm: matchExpressions on labels and matchFields on metadata.name, ANDed. An empty term matches nothing.</summary>
internal sealed class NodeSelectorTerm(Requirement[] expressions, Requirement[] fields, bool valid)
{
    public Requirement[] Expressions { get; } = expressions;

    public Requirement[] Fields { get; } = fields;

    public bool Matches(NodeModel node)
    {
        if (!valid || (Expressions.Length == 0 && Fields.Length == 0))
        {
            return false;
        }

        foreach (var r in Expressions)
        {
            if (!r.Matches(node.Labels))
            {
                return false;
            }
        }

        foreach (var r in Fields)
        {
            if (r.Key != "metadata.name" || !r.MatchesValue(true, node.Name))
            {
                return false;
            }
        }

        return true;
    }

    public static NodeSelectorTerm Parse(JsonObject term)
    {
        var valid = true;
        var expressions = new List<Requirement>();
        foreach (var e in Json.Objects(Json.Arr(term, "matchExpressions")))
        {
            var r = Requirement.Parse(e);
            if (r is null)
            {
                valid = false;
                continue;
            }

            expressions.Add(r);
        }

        var fields = new List<Requirement>();
        foreach (var e in Json.Objects(Json.Arr(term, "matchFields")))
        {
            var r = Requirement.Parse(e);
            if (r is null || r.Operator is not (SelectorOperator.In or SelectorOperator.NotIn))
            {
                valid = false;
                continue;
            }

            fields.Add(r);
        }

        return new NodeSelectorTerm([.. expressions], [.. fields], valid);
    }
}

/// <summary>requiredDuringSchedulingIgnoredDuringExecution: terms ORed.</summary>
internal sealed class NodeSelector(NodeSelectorTerm[] terms)
{
    public NodeSelectorTerm[] Terms { get; } = terms;

    public bool Matches(NodeModel node)
    {
        foreach (var t in Terms)
        {
            if (t.Matches(node))
            {
                return true;
            }
        }

        return false;
    }

    public static NodeSelector Parse(JsonObject selector)
    {
        var terms = new List<NodeSelectorTerm>();
        foreach (var t in Json.Objects(Json.Arr(selector, "nodeSelectorTerms")))
        {
            terms.Add(NodeSelectorTerm.Parse(t));
        }

        return new NodeSelector([.. terms]);
    }
}

internal sealed record PreferredSchedulingTerm(int Weight, NodeSelectorTerm Term);
