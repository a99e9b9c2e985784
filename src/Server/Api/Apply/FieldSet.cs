using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Apply;

/// <summary>
/// A set of field paths, as structured-merge-diff's fieldpath.Set: a tree whose nodes hold the
/// path elements that are members (owned leaves, list items, atomic values) and the children
/// that lead to deeper members. Serialized as FieldsV1: <c>{"f:spec":{"f:replicas":{}}}</c>,
/// with <c>"."</c> marking a node that is itself a member. Children are never empty.
/// </summary>
public sealed class FieldSet
{
    private readonly SortedSet<PathElement> members = [];
    private readonly SortedDictionary<PathElement, FieldSet> children = [];

    public static FieldSet Empty => new();

    public bool IsEmpty => members.Count == 0 && children.Count == 0;

    public IReadOnlyCollection<PathElement> Members => members;

    public IReadOnlyDictionary<PathElement, FieldSet> Children => children;

    public static FieldSet Of(params PathElement[][] paths)
    {
        var set = new FieldSet();
        foreach (var path in paths)
        {
            set.Insert(path);
        }

        return set;
    }

    /// <summary>Adds a path; the empty path (the whole object) is not tracked, as in kube.</summary>
    public void Insert(ReadOnlySpan<PathElement> path)
    {
        if (path.IsEmpty)
        {
            return;
        }

        var node = this;
        for (var i = 0; i < path.Length - 1; i++)
        {
            node = node.Child(path[i]);
        }

        node.members.Add(path[^1]);
    }

    public bool Has(ReadOnlySpan<PathElement> path)
    {
        if (path.IsEmpty)
        {
            return false;
        }

        var node = this;
        for (var i = 0; i < path.Length - 1; i++)
        {
            if (!node.children.TryGetValue(path[i], out node))
            {
                return false;
            }
        }

        return node.members.Contains(path[^1]);
    }

    /// <summary>The members under one element; empty when none.</summary>
    public FieldSet WithPrefix(PathElement element) => children.TryGetValue(element, out var child) ? child : Empty;

    public bool HasMember(PathElement element) => members.Contains(element);

    /// <summary>Adds one member at this level.</summary>
    public void AddMember(PathElement element) => members.Add(element);

    /// <summary>Sets the children under one element; an empty set removes them.</summary>
    public void SetChild(PathElement element, FieldSet child)
    {
        if (child.IsEmpty)
        {
            children.Remove(element);
        }
        else
        {
            children[element] = child;
        }
    }

    public FieldSet Union(FieldSet other)
    {
        var result = Clone();
        result.UnionWith(other);
        return result;
    }

    public FieldSet Difference(FieldSet other)
    {
        var result = new FieldSet();
        foreach (var member in members)
        {
            if (!other.members.Contains(member))
            {
                result.members.Add(member);
            }
        }

        foreach (var (element, child) in children)
        {
            var diff = other.children.TryGetValue(element, out var otherChild) ? child.Difference(otherChild) : child.Clone();
            if (!diff.IsEmpty)
            {
                result.children[element] = diff;
            }
        }

        return result;
    }

    public FieldSet Intersection(FieldSet other)
    {
        var result = new FieldSet();
        foreach (var member in members)
        {
            if (other.members.Contains(member))
            {
                result.members.Add(member);
            }
        }

        foreach (var (element, child) in children)
        {
            if (other.children.TryGetValue(element, out var otherChild))
            {
                var both = child.Intersection(otherChild);
                if (!both.IsEmpty)
                {
                    result.children[element] = both;
                }
            }
        }

        return result;
    }

    /// <summary>Removes the other set's members and everything under them (fieldpath.Set.RecursiveDifference).</summary>
    public FieldSet RecursiveDifference(FieldSet other)
    {
        var result = new FieldSet();
        foreach (var member in members)
        {
            if (!other.members.Contains(member))
            {
                result.members.Add(member);
            }
        }

        foreach (var (element, child) in children)
        {
            if (other.members.Contains(element))
            {
                continue;
            }

            var diff = other.children.TryGetValue(element, out var otherChild) ? child.RecursiveDifference(otherChild) : child.Clone();
            if (!diff.IsEmpty)
            {
                result.children[element] = diff;
            }
        }

        return result;
    }

    /// <summary>Every member path: a node's members first, then its children's, as fieldpath.Set.Iterate.</summary>
    public IEnumerable<PathElement[]> Paths()
    {
        foreach (var member in members)
        {
            yield return [member];
        }

        foreach (var (element, child) in children)
        {
            foreach (var path in child.Paths())
            {
                yield return [element, .. path];
            }
        }
    }

    public bool SetEquals(FieldSet other)
    {
        if (members.Count != other.members.Count || children.Count != other.children.Count || !members.SetEquals(other.members))
        {
            return false;
        }

        foreach (var (element, child) in children)
        {
            if (!other.children.TryGetValue(element, out var otherChild) || !child.SetEquals(otherChild))
            {
                return false;
            }
        }

        return true;
    }

    public FieldSet Clone()
    {
        var copy = new FieldSet();
        copy.UnionWith(this);
        return copy;
    }

    /// <summary>The FieldsV1 form: members as <c>{}</c>, children as objects, <c>"."</c> first where a node is both.</summary>
    public JsonObject ToFieldsV1() => Emit(includeSelf: false);

    /// <summary>Reads FieldsV1; an element key that is not f:, k:, v: or i: is an error.</summary>
    public static FieldSet FromFieldsV1(JsonObject fields)
    {
        var set = new FieldSet();
        set.Read(fields);
        return set;
    }

    public override string ToString() => ToFieldsV1().ToJsonString(Relaxed);

    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private void Read(JsonObject fields)
    {
        foreach (var (key, value) in fields)
        {
            if (key == ".")
            {
                continue;
            }

            var element = PathElement.Parse(key) ?? throw new FormatException($"invalid path element {key}");
            if (value is not JsonObject inner || inner.Count == 0)
            {
                members.Add(element);
                continue;
            }

            if (inner.ContainsKey("."))
            {
                members.Add(element);
            }

            var child = new FieldSet();
            child.Read(inner);
            if (!child.IsEmpty)
            {
                children[element] = child;
            }
        }
    }

    private JsonObject Emit(bool includeSelf)
    {
        var obj = new JsonObject();
        if (includeSelf && !IsEmpty)
        {
            obj["."] = new JsonObject();
        }

        // Members and children merged in path-element order, as serialize.go writes them.
        var keys = new SortedSet<PathElement>(members);
        keys.UnionWith(children.Keys);
        foreach (var element in keys)
        {
            obj[element.Text] = children.TryGetValue(element, out var child)
                ? child.Emit(includeSelf: members.Contains(element))
                : new JsonObject();
        }

        return obj;
    }

    private void UnionWith(FieldSet other)
    {
        members.UnionWith(other.members);
        foreach (var (element, child) in other.children)
        {
            Child(element).UnionWith(child);
        }
    }

    private FieldSet Child(PathElement element)
    {
        if (!children.TryGetValue(element, out var child))
        {
            child = new FieldSet();
            children[element] = child;
        }

        return child;
    }
}
