using System.Buffers;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Api.Apply;

/// <summary>
/// A set of field paths, as structured-merge-diff's fieldpath.Set: a tree whose nodes hold the
/// path elements that are members (owned leaves, list items, atomic values) and the children
/// that lead to deeper members. Serialized as FieldsV1: <c>{"f:spec":{"f:replicas":{}}}</c>,
/// with <c>"."</c> marking a node that is itself a member. Children are never empty.
/// </summary>
public sealed class FieldSet
{
    // Both lists are kept sorted by path element (kube's order); nodes are small, so sorted
    // arrays with binary search beat tree sets (a create builds a few hundred of them).
    private readonly List<PathElement> members;
    private readonly List<KeyValuePair<PathElement, FieldSet>> children = [];

    public FieldSet()
        : this(0)
    {
    }

    private FieldSet(int members) => this.members = new List<PathElement>(members);

    public static FieldSet Empty => new();

    /// <summary>
    /// A set to be filled with distinct members and children in any order (<see cref="AddDistinctMember"/>,
    /// <see cref="AddDistinctChild"/>) and then <see cref="SortAfterBuild"/>: a create's sets are
    /// built this way, node by node, without a sorted insert per element.
    /// </summary>
    internal static FieldSet WithCapacity(int members) => new(members);

    internal void AddDistinctMember(PathElement element)
    {
        ThrowIfFrozen();
        members.Add(element);
    }

    internal void AddDistinctChild(PathElement element, FieldSet child)
    {
        ThrowIfFrozen();
        children.Add(new(element, child));
    }

    internal void SortAfterBuild()
    {
        ThrowIfFrozen();
        members.Sort();
        if (children.Count > 1)
        {
            children.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        }
    }

    public bool IsEmpty => members.Count == 0 && children.Count == 0;

    public IReadOnlyCollection<PathElement> Members => members;

    public IEnumerable<KeyValuePair<PathElement, FieldSet>> Children => children;

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

        node.AddMember(path[^1]);
    }

    /// <summary>Adds every member of <paramref name="subtree"/> under <paramref name="path"/>.</summary>
    public void AddSubtree(ReadOnlySpan<PathElement> path, FieldSet subtree)
    {
        ThrowIfFrozen();
        if (subtree.IsEmpty)
        {
            return;
        }

        var node = this;
        foreach (var element in path)
        {
            node = node.Child(element);
        }

        if (node.IsEmpty)
        {
            node.members.AddRange(subtree.members);
            node.children.AddRange(subtree.children);
        }
        else
        {
            node.UnionWith(subtree);
        }
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
            if (!node.TryGetChild(path[i], out node))
            {
                return false;
            }
        }

        return node.HasMember(path[^1]);
    }

    /// <summary>The members under one element; empty when none.</summary>
    public FieldSet WithPrefix(PathElement element) => TryGetChild(element, out var child) ? child : Empty;

    public bool HasMember(PathElement element) => members.BinarySearch(element) >= 0;

    /// <summary>The members under one element; null when none (<see cref="WithPrefix"/> without a new empty set).</summary>
    internal FieldSet? ChildOrNull(PathElement element) => TryGetChild(element, out var child) ? child : null;

    /// <summary>Adds one member at this level.</summary>
    public void AddMember(PathElement element)
    {
        ThrowIfFrozen();
        var at = members.BinarySearch(element);
        if (at < 0)
        {
            members.Insert(~at, element);
        }
    }

    /// <summary>Sets the children under one element; an empty set removes them.</summary>
    public void SetChild(PathElement element, FieldSet child)
    {
        ThrowIfFrozen();
        var at = IndexOfChild(element);
        if (child.IsEmpty)
        {
            if (at >= 0)
            {
                children.RemoveAt(at);
            }
        }
        else if (at >= 0)
        {
            children[at] = new(element, child);
        }
        else
        {
            children.Insert(~at, new(element, child));
        }
    }

    public FieldSet Union(FieldSet other)
    {
        var result = Clone();
        result.UnionWith(other);
        return result;
    }

    // Sets are not changed once built (every operation returns a new set), so results share the
    // subtrees the other set does not reach instead of copying them.
    public FieldSet Difference(FieldSet other)
    {
        var result = new FieldSet();
        MembersNotIn(other, result.members);
        foreach (var (element, child) in children)
        {
            var diff = other.TryGetChild(element, out var otherChild) ? child.Difference(otherChild) : child;
            if (!diff.IsEmpty)
            {
                result.children.Add(new(element, diff));
            }
        }

        return result;
    }

    public FieldSet Intersection(FieldSet other)
    {
        var result = new FieldSet();
        foreach (var member in members)
        {
            if (other.HasMember(member))
            {
                result.members.Add(member);
            }
        }

        foreach (var (element, child) in children)
        {
            if (other.TryGetChild(element, out var otherChild))
            {
                var both = child.Intersection(otherChild);
                if (!both.IsEmpty)
                {
                    result.children.Add(new(element, both));
                }
            }
        }

        return result;
    }

    /// <summary>Removes the other set's members and everything under them (fieldpath.Set.RecursiveDifference).</summary>
    public FieldSet RecursiveDifference(FieldSet other)
    {
        var result = new FieldSet();
        MembersNotIn(other, result.members);
        foreach (var (element, child) in children)
        {
            if (other.HasMember(element))
            {
                continue;
            }

            var diff = other.TryGetChild(element, out var otherChild) ? child.RecursiveDifference(otherChild) : child;
            if (!diff.IsEmpty)
            {
                result.children.Add(new(element, diff));
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
        if (members.Count != other.members.Count || children.Count != other.children.Count)
        {
            return false;
        }

        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] != other.members[i])
            {
                return false;
            }
        }

        for (var i = 0; i < children.Count; i++)
        {
            if (children[i].Key != other.children[i].Key || !children[i].Value.SetEquals(other.children[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    public FieldSet Clone()
    {
        var copy = new FieldSet();
        copy.members.AddRange(members);
        copy.children.Capacity = children.Count;
        foreach (var (element, child) in children)
        {
            copy.children.Add(new(element, child.Clone()));
        }

        return copy;
    }

    /// <summary>The FieldsV1 form: members as <c>{}</c>, children as objects, <c>"."</c> first where a node is both.</summary>
    public JsonObject ToFieldsV1()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        WriteFieldsV1(buffer);
        return (JsonObject)JsonNode.Parse(buffer.WrittenSpan)!;
    }

    /// <summary>
    /// Writes the FieldsV1 form (<see cref="ToFieldsV1"/>) as compact JSON, escaped as the relaxed
    /// encoder escapes it. By hand: a Utf8JsonWriter spent most of its time re-checking every
    /// key's escaping.
    /// </summary>
    public void WriteFieldsV1(System.Buffers.IBufferWriter<byte> output) => Write(output, includeSelf: false);

    private void Write(System.Buffers.IBufferWriter<byte> output, bool includeSelf)
    {
        output.Write("{"u8);
        var first = true;
        if (includeSelf && !IsEmpty)
        {
            output.Write("\".\":{}"u8);
            first = false;
        }

        // Members and children merged in path-element order, as serialize.go writes them.
        int m = 0, c = 0;
        while (m < members.Count || c < children.Count)
        {
            if (!first)
            {
                output.Write(","u8);
            }

            first = false;
            var order = m == members.Count ? 1 : c == children.Count ? -1 : members[m].CompareTo(children[c].Key);
            if (order < 0)
            {
                members[m++].WriteJsonName(output);
                output.Write("{}"u8);
            }
            else
            {
                var (element, child) = children[c++];
                var isMember = order == 0;
                if (isMember)
                {
                    m++;
                }

                element.WriteJsonName(output);
                child.Write(output, includeSelf: isMember);
            }
        }

        output.Write("}"u8);
    }

    /// <summary>Reads FieldsV1; an element key that is not f:, k:, v: or i: is an error.</summary>
    public static FieldSet FromFieldsV1(JsonObject fields)
    {
        // Read from its bytes: a stored object's FieldsV1 is a view of the parsed document until
        // something walks it, and walking it as nodes built a dictionary per level (a tenth of a
        // status update went there). Written back out, it is one copy and one reader pass.
        using var scratch = ScratchBuffers.Rent();
        var buffer = scratch.Buffer;
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, ReadWriterOptions))
        {
            fields.WriteTo(writer);
        }

        // Objects of one template share their managers' FieldsV1 byte for byte, and an object's
        // entries seldom change between its writes: decoded sets are kept by their bytes, frozen,
        // since every set operation returns a new set.
        var lookup = Decoded.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(buffer.WrittenSpan, out var known))
        {
            return known;
        }

        var reader = new System.Text.Json.Utf8JsonReader(buffer.WrittenSpan);
        reader.Read();
        var set = Read(ref reader, out _);
        set.Freeze();
        if (Decoded.Count >= DecodedCapacity)
        {
            Decoded.Clear();
        }

        Decoded.TryAdd(buffer.WrittenSpan.ToArray(), set);
        return set;
    }

    /// <summary>Distinct FieldsV1 kept decoded; about 4 MB at most, and cleared when full.</summary>
    private const int DecodedCapacity = 256;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<byte[], FieldSet> Decoded = new(ByteContent.Instance);

    private static readonly System.Text.Json.JsonWriterOptions ReadWriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private bool _frozen;

    /// <summary>Makes this set and everything under it read-only: a shared set that someone changed would change it everywhere.</summary>
    private void Freeze()
    {
        _frozen = true;
        foreach (var (_, child) in children)
        {
            child.Freeze();
        }
    }

    private void ThrowIfFrozen()
    {
        if (_frozen)
        {
            throw new InvalidOperationException("a decoded field set is shared and read-only");
        }
    }

    /// <summary>Byte arrays compared by content, and looked up by a span of them.</summary>
    private sealed class ByteContent : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteContent Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }

    public override string ToString() => ToFieldsV1().ToJsonString(Relaxed);

    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>An object of FieldsV1 at the reader (on its start); <paramref name="self"/> when it holds <c>"."</c>.</summary>
    private static FieldSet Read(ref System.Text.Json.Utf8JsonReader reader, out bool self)
    {
        var set = new FieldSet();
        self = false;
        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("."u8))
            {
                self = true;
                reader.Read();
                reader.Skip();
                continue;
            }

            var key = reader.GetString()!;
            var element = PathElement.Parse(key) ?? throw new FormatException($"invalid path element {key}");
            reader.Read();
            if (reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                set.AddMember(element);
                reader.Skip();
                continue;
            }

            // {} is a member; {".":{}, ...} a member with fields under it; {...} only the fields under it.
            var child = Read(ref reader, out var isMember);
            if (child.IsEmpty || isMember)
            {
                set.AddMember(element);
            }

            set.SetChild(element, child);
        }

        return set;
    }

    private void UnionWith(FieldSet other)
    {
        ThrowIfFrozen();
        if (members.Count == 0)
        {
            members.AddRange(other.members);
        }
        else
        {
            foreach (var member in other.members)
            {
                AddMember(member);
            }
        }

        foreach (var (element, child) in other.children)
        {
            // A subtree this set lacks is shared, not copied: sets do not change once built, and
            // Union starts from a deep copy of its own side, so nothing shared is written to.
            var at = IndexOfChild(element);
            if (at >= 0)
            {
                children[at].Value.UnionWith(child);
            }
            else
            {
                children.Insert(~at, new(element, child));
            }
        }
    }

    private void MembersNotIn(FieldSet other, List<PathElement> into)
    {
        foreach (var member in members)
        {
            if (!other.HasMember(member))
            {
                into.Add(member);
            }
        }
    }

    private int IndexOfChild(PathElement element)
    {
        int lo = 0, hi = children.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var order = children[mid].Key.CompareTo(element);
            if (order == 0)
            {
                return mid;
            }

            if (order < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    private bool TryGetChild(PathElement element, out FieldSet child)
    {
        var at = IndexOfChild(element);
        child = at >= 0 ? children[at].Value : null!;
        return at >= 0;
    }

    private FieldSet Child(PathElement element)
    {
        var at = IndexOfChild(element);
        if (at >= 0)
        {
            return children[at].Value;
        }

        ThrowIfFrozen();
        var child = new FieldSet();
        children.Insert(~at, new(element, child));
        return child;
    }
}
