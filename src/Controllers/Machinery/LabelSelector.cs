using System.Text.Json.Nodes;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// A metav1.LabelSelector (matchLabels and matchExpressions) turned into a matcher, as
/// metav1.LabelSelectorAsSelector does: a null selector selects nothing, an empty one selects
/// everything, and an invalid one is refused with <see cref="FormatException"/>.
/// </summary>
public sealed class LabelSelector
{
    /// <summary>The selector of a null LabelSelector.</summary>
    public static readonly LabelSelector Nothing = new([], nothing: true);

    public static readonly LabelSelector Everything = new([], nothing: false);

    private readonly Requirement[] _requirements;
    private readonly bool _nothing;

    private LabelSelector(Requirement[] requirements, bool nothing)
    {
        _requirements = requirements;
        _nothing = nothing;
    }

    /// <summary>True when the selector matches every object (an empty LabelSelector).</summary>
    public bool IsEverything => !_nothing && _requirements.Length == 0;

    public static LabelSelector Parse(JsonNode? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }

        if (selector is not JsonObject obj)
        {
            throw new FormatException("a label selector must be an object");
        }

        var requirements = new List<Requirement>();
        if (obj["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException($"matchLabels[{key}] must be a string");
                requirements.Add(new Requirement(key, Operator.In, [text]));
            }
        }

        if (obj["matchExpressions"] is JsonArray expressions)
        {
            foreach (var node in expressions)
            {
                if (node is not JsonObject e)
                {
                    throw new FormatException("a match expression must be an object");
                }

                var key = KubeObject.String(e, "key") ?? throw new FormatException("a match expression needs a key");
                var values = (e["values"] as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? "").ToArray();
                var op = KubeObject.String(e, "operator") switch
                {
                    "In" => Operator.In,
                    "NotIn" => Operator.NotIn,
                    "Exists" => Operator.Exists,
                    "DoesNotExist" => Operator.DoesNotExist,
                    var other => throw new FormatException($"\"{other}\" is not a valid label selector operator"),
                };
                if (op is Operator.In or Operator.NotIn && values.Length == 0)
                {
                    throw new FormatException($"values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty");
                }

                if (op is Operator.Exists or Operator.DoesNotExist && values.Length != 0)
                {
                    throw new FormatException($"values: Invalid value: {values.Length}: values set must be empty for exists and does not exist");
                }

                requirements.Add(new Requirement(key, op, values));
            }
        }

        return requirements.Count == 0 ? Everything : new LabelSelector([.. requirements], nothing: false);
    }

    /// <summary>Parses without throwing; an invalid selector selects nothing.</summary>
    public static LabelSelector ParseOrNothing(JsonNode? selector)
    {
        try
        {
            return Parse(selector);
        }
        catch (FormatException)
        {
            return Nothing;
        }
    }

    public bool Matches(JsonObject? labels)
    {
        if (_nothing)
        {
            return false;
        }

        foreach (var r in _requirements)
        {
            var value = KubeObject.String(labels, r.Key);
            var ok = r.Op switch
            {
                Operator.In => value is not null && Array.IndexOf(r.Values, value) >= 0,
                Operator.NotIn => value is null || Array.IndexOf(r.Values, value) < 0,
                Operator.Exists => value is not null,
                _ => value is null,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether cached labels match (no JSON parsed).</summary>
    public bool Matches(ObjectLabels labels)
    {
        if (_nothing)
        {
            return false;
        }

        foreach (var r in _requirements)
        {
            var value = labels[r.Key];
            var ok = r.Op switch
            {
                Operator.In => value is not null && Array.IndexOf(r.Values, value) >= 0,
                Operator.NotIn => value is null || Array.IndexOf(r.Values, value) < 0,
                Operator.Exists => value is not null,
                _ => value is null,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the object's metadata.labels match.</summary>
    public bool MatchesObject(JsonObject obj) => Matches(KubeObject.Labels(obj));

    /// <summary>The selector's string form (labels.Selector.String()), as kubectl and Scale.status show it.</summary>
    public override string ToString()
    {
        if (_nothing)
        {
            return "<none>";
        }

        return string.Join(",", _requirements.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Op switch
        {
            Operator.In when r.Values.Length == 1 => r.Key + "=" + r.Values[0],
            Operator.In => r.Key + " in (" + string.Join(",", r.Values.Order(StringComparer.Ordinal)) + ")",
            Operator.NotIn => r.Key + " notin (" + string.Join(",", r.Values.Order(StringComparer.Ordinal)) + ")",
            Operator.Exists => r.Key,
            _ => "!" + r.Key,
        }));
    }

    private enum Operator
    {
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Operator Op, string[] Values);
}
