using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Apply;

/// <summary>A JSON value that may be absent (a missing member), as distinct from JSON null.</summary>
public readonly record struct Slot(bool Present, JsonNode? Node)
{
    public static readonly Slot Absent = new(false, null);

    public static Slot Of(JsonNode? node) => new(true, node);
}

/// <summary>What changed between two objects: structured-merge-diff's typed.Comparison.</summary>
public sealed record Comparison(FieldSet Added, FieldSet Modified, FieldSet Removed)
{
    public Comparison FilterFields(FieldSet? ignored) => ignored is null
        ? this
        : new(Added.RecursiveDifference(ignored), Modified.RecursiveDifference(ignored), Removed.RecursiveDifference(ignored));

    public bool IsSame => Added.IsEmpty && Modified.IsEmpty && Removed.IsEmpty;

    /// <summary>Modified ∪ Added: one of the two sets itself when the other is empty (a create adds everything and modifies nothing), so read it, don't change it.</summary>
    public FieldSet Changed => Modified.IsEmpty ? Added : Added.IsEmpty ? Modified : Modified.Union(Added);
}

/// <summary>
/// The operations of structured-merge-diff's typed package over JSON trees guided by a
/// <see cref="MergeSchema"/>: the field set of an object, the comparison of two objects, the
/// merge of an applied configuration into a live object, and the removal of a set of fields.
/// </summary>
public static class TypedValue
{
    private static readonly MergeSchema UntypedMap = MergeSchema.MapOf(MergeSchema.Untyped);
    private static readonly MergeSchema UntypedList = MergeSchema.AtomicListOf(MergeSchema.Untyped);

    /// <summary>
    /// The fields an object sets (typed.ToFieldSet): leaves, map entries, list items and atomic
    /// values; struct fields only through what they hold. With <paramref name="errors"/>, fields
    /// the schema does not declare and malformed list items are reported there.
    /// </summary>
    public static FieldSet ToFieldSet(JsonNode? value, MergeSchema schema, List<string>? errors = null)
    {
        var set = new FieldSet();
        var path = new List<PathElement>();
        Walk(value, schema, path, set, errors);
        return set;
    }

    /// <summary>typed.Compare: leaves added, modified or removed, and maps, lists and items that appeared or vanished.</summary>
    public static Comparison Compare(JsonNode? lhs, JsonNode? rhs, MergeSchema schema) => Compare(lhs, rhs, schema, ignored: null);

    /// <summary>
    /// <see cref="Compare(JsonNode?, JsonNode?, MergeSchema)"/> then <see cref="Comparison.FilterFields"/>,
    /// without walking the top-level fields <paramref name="ignored"/> drops whole (a status write's
    /// spec, an object write's status).
    /// </summary>
    public static Comparison Compare(JsonNode? lhs, JsonNode? rhs, MergeSchema schema, FieldSet? ignored)
    {
        var comparison = new Comparison(new FieldSet(), new FieldSet(), new FieldSet());
        Compare(Slot.Of(lhs), Slot.Of(rhs), schema, [], comparison, ignored);
        return comparison.FilterFields(ignored);
    }

    /// <summary>typed.Merge with the applied configuration winning: maps and associative lists merge item by item, everything else is replaced.</summary>
    public static JsonNode? Merge(JsonNode? live, JsonNode? config, MergeSchema schema) =>
        Merge(Slot.Of(live), Slot.Of(config), schema).Node;

    /// <summary>typed.RemoveItems: the value without the set's members (a member list item or map entry goes with everything under it).</summary>
    public static JsonNode? RemoveItems(JsonNode? value, FieldSet toRemove, MergeSchema schema) =>
        toRemove.IsEmpty ? value?.DeepClone() : Remove(value, toRemove, schema);

    /// <summary>fieldpath.Set.EnsureNamedFieldsAreMembers: struct fields that lead to members are members too.</summary>
    public static FieldSet EnsureNamedFieldsAreMembers(FieldSet set, MergeSchema schema)
    {
        var result = new FieldSet();
        foreach (var member in set.Members)
        {
            result.AddMember(member);
        }

        foreach (var (element, child) in set.Children)
        {
            if (element.Kind == PathElementKind.Field && schema.Kind == MergeKind.Struct && schema.Field(element.Name!) is not null)
            {
                result.AddMember(element);
            }

            result.SetChild(element, EnsureNamedFieldsAreMembers(child, ChildSchema(schema, element)));
        }

        return result;
    }

    private static MergeSchema ChildSchema(MergeSchema schema, PathElement element) => schema.Kind switch
    {
        MergeKind.Struct when element.Kind == PathElementKind.Field => schema.Field(element.Name!) ?? MergeSchema.Untyped,
        MergeKind.Map or MergeKind.List => schema.Element ?? MergeSchema.Untyped,
        _ => MergeSchema.Untyped,
    };

    /// <summary>Untyped values take the shape of what they hold: objects merge key by key, lists are atomic.</summary>
    internal static MergeSchema Resolve(MergeSchema schema, JsonNode? value) =>
        schema.Kind != MergeKind.Untyped ? schema : value switch
        {
            JsonObject => UntypedMap,
            JsonArray => UntypedList,
            _ => MergeSchema.Scalar,
        };

    private static void Walk(JsonNode? value, MergeSchema schema, List<PathElement> path, FieldSet set, List<string>? errors)
    {
        schema = Resolve(schema, value);
        switch (schema.Kind)
        {
            case MergeKind.Struct or MergeKind.Map:
                if (schema.Atomic || value is not JsonObject obj)
                {
                    if (schema.Atomic || value is not null)
                    {
                        set.Insert([.. path]);
                    }

                    return;
                }

                for (var i = 0; i < obj.Count; i++)
                {
                    var (key, child) = obj.GetAt(i);
                    var declared = schema.Kind == MergeKind.Struct ? schema.Field(key) : null;
                    if (schema.Kind == MergeKind.Struct && declared is null)
                    {
                        errors?.Add($"{PathElement.Format([.. path, PathElement.Field(key)])}: field not declared in schema");
                    }

                    path.Add(PathElement.Field(key));
                    Walk(child, declared ?? schema.Element ?? MergeSchema.Untyped, path, set, errors);
                    if (declared is null)
                    {
                        set.Insert([.. path]);
                    }

                    path.RemoveAt(path.Count - 1);
                }

                return;
            case MergeKind.List:
                if (schema.Atomic || value is not JsonArray list)
                {
                    if (schema.Atomic || value is not null)
                    {
                        set.Insert([.. path]);
                    }

                    return;
                }

                for (var i = 0; i < list.Count; i++)
                {
                    if (ItemElement(schema, list[i], i, path, errors) is not { } element)
                    {
                        continue;
                    }

                    path.Add(element);
                    Walk(list[i], schema.Element ?? MergeSchema.Untyped, path, set, errors);
                    set.Insert([.. path]);
                    path.RemoveAt(path.Count - 1);
                }

                return;
            default:
                set.Insert([.. path]);
                return;
        }
    }

    /// <summary>The path element of a list item: its key fields (defaulted where the schema says), its value in a set, or its index.</summary>
    private static PathElement? ItemElement(MergeSchema list, JsonNode? item, int index, List<PathElement>? path, List<string>? errors)
    {
        if (list.Keys is not { } keys || list.Atomic)
        {
            return PathElement.OfIndex(index);
        }

        if (keys.Length == 0)
        {
            if (item is JsonObject or JsonArray or null)
            {
                errors?.Add($"{Where(path)}element {index}: associative list without keys has an element that's a map type");
                return null;
            }

            return PathElement.OfValue(item);
        }

        if (item is not JsonObject obj)
        {
            errors?.Add($"{Where(path)}element {index}: associative list with keys may not have non-map elements");
            return errors is null ? PathElement.OfIndex(index) : null;
        }

        var fields = new (string, JsonNode?)[keys.Length];
        for (var k = 0; k < keys.Length; k++)
        {
            var key = keys[k];
            if (obj.TryGetPropertyValue(key, out var keyValue))
            {
                fields[k] = (key, keyValue);
            }
            else if (list.KeyDefaults is not null && list.KeyDefaults.TryGetValue(key, out var fallback))
            {
                fields[k] = (key, fallback);
            }
            else
            {
                errors?.Add($"{Where(path)}element {index}: associative list with keys has an element that omits key field \"{key}\" (and doesn't have default value)");
                return errors is null ? PathElement.OfIndex(index) : null;
            }
        }

        return PathElement.Key(fields);
    }

    private static string Where(List<PathElement>? path) => path is { Count: > 0 } ? PathElement.Format(path) + ": " : "";

    /// <summary>Items of a list by path element, first occurrence winning, in list order.</summary>
    internal static (List<PathElement> Order, ListItems Items) IndexItems(MergeSchema schema, JsonArray? list)
    {
        var items = new ListItems(list?.Count ?? 0);
        if (list is not null)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (ItemElement(schema, list[i], i, null, null) is { } element)
                {
                    items.TryAdd(element, list[i]);
                }
            }
        }

        return (items.Order, items);
    }

    /// <summary>
    /// A list's items by path element: searched in place while the list is short (containers,
    /// ports, conditions: a handful each), through a dictionary beyond that.
    /// </summary>
    internal sealed class ListItems(int capacity)
    {
        private const int Linear = 8;

        private readonly List<JsonNode?> _nodes = new(capacity);
        private Dictionary<PathElement, int>? _index;

        public List<PathElement> Order { get; } = new(capacity);

        public JsonNode? this[PathElement element] => _nodes[IndexOf(element)];

        /// <summary>The item of <see cref="Order"/>[<paramref name="index"/>].</summary>
        public JsonNode? NodeAt(int index) => _nodes[index];

        public bool ContainsKey(PathElement element) => IndexOf(element) >= 0;

        public bool TryGetValue(PathElement element, out JsonNode? node)
        {
            var at = IndexOf(element);
            node = at >= 0 ? _nodes[at] : null;
            return at >= 0;
        }

        public void TryAdd(PathElement element, JsonNode? node)
        {
            if (IndexOf(element) >= 0)
            {
                return;
            }

            Order.Add(element);
            _nodes.Add(node);
            if (_index is not null)
            {
                _index[element] = Order.Count - 1;
            }
            else if (Order.Count > Linear)
            {
                _index = new Dictionary<PathElement, int>(Order.Count * 2);
                for (var i = 0; i < Order.Count; i++)
                {
                    _index[Order[i]] = i;
                }
            }
        }

        private int IndexOf(PathElement element)
        {
            if (_index is not null)
            {
                return _index.TryGetValue(element, out var at) ? at : -1;
            }

            for (var i = 0; i < Order.Count; i++)
            {
                if (Order[i] == element)
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <param name="skip">Top-level fields not to walk (only at the root; its members are dropped whole afterwards).</param>
    private static void Compare(Slot lhs, Slot rhs, MergeSchema schema, List<PathElement> path, Comparison result, FieldSet? skip = null)
    {
        if (!lhs.Present && rhs.Present)
        {
            // Everything under a value that appeared is added: built in place, one node per level,
            // rather than inserted path by path from the root (a create is nothing but this).
            result.Added.Insert(CollectionsMarshal.AsSpan(path));
            if (AddedUnder(rhs.Node, schema) is { } under)
            {
                result.Added.AddSubtree(CollectionsMarshal.AsSpan(path), under);
            }
            return;
        }

        var resolved = Resolve(schema, rhs.Present ? rhs.Node : lhs.Node);
        if (schema.Kind == MergeKind.Untyped && lhs.Present && rhs.Present && Resolve(schema, lhs.Node) != resolved)
        {
            resolved = MergeSchema.Scalar;
        }

        switch (resolved.Kind)
        {
            case MergeKind.Struct or MergeKind.Map:
                {
                    var lo = lhs.Node as JsonObject;
                    var ro = rhs.Node as JsonObject;
                    if (resolved.Atomic || ((lo is null || lo.Count == 0) && (ro is null || ro.Count == 0)) || IsMismatch(lhs, lo) || IsMismatch(rhs, ro))
                    {
                        Leaf(lhs, rhs, path, result);
                        return;
                    }

                    if (lo is not null)
                    {
                        for (var i = 0; i < lo.Count; i++)
                        {
                            var (key, value) = lo.GetAt(i);
                            if (skip is not null && skip.HasMember(PathElement.Field(key)))
                            {
                                continue;
                            }

                            path.Add(PathElement.Field(key));
                            var other = ro is not null && ro.TryGetPropertyValue(key, out var r) ? Slot.Of(r) : Slot.Absent;
                            Compare(Slot.Of(value), other, ChildOf(resolved, key), path, result);
                            path.RemoveAt(path.Count - 1);
                        }
                    }

                    if (ro is not null)
                    {
                        for (var i = 0; i < ro.Count; i++)
                        {
                            var (key, value) = ro.GetAt(i);
                            if ((lo is null || !lo.ContainsKey(key)) && (skip is null || !skip.HasMember(PathElement.Field(key))))
                            {
                                path.Add(PathElement.Field(key));
                                Compare(Slot.Absent, Slot.Of(value), ChildOf(resolved, key), path, result);
                                path.RemoveAt(path.Count - 1);
                            }
                        }
                    }

                    Node(lhs, rhs, path, result);
                    return;
                }

            case MergeKind.List:
                {
                    var la = lhs.Node as JsonArray;
                    var ra = rhs.Node as JsonArray;
                    if (resolved.Atomic || ((la is null || la.Count == 0) && (ra is null || ra.Count == 0)) || IsMismatch(lhs, la) || IsMismatch(rhs, ra))
                    {
                        Leaf(lhs, rhs, path, result);
                        return;
                    }

                    var (lOrder, lItems) = IndexItems(resolved, la);
                    var (rOrder, rItems) = IndexItems(resolved, ra);
                    foreach (var element in lOrder)
                    {
                        path.Add(element);
                        Compare(Slot.Of(lItems[element]), rItems.TryGetValue(element, out var r) ? Slot.Of(r) : Slot.Absent, resolved.Element ?? MergeSchema.Untyped, path, result);
                        path.RemoveAt(path.Count - 1);
                    }

                    foreach (var element in rOrder)
                    {
                        if (!lItems.ContainsKey(element))
                        {
                            path.Add(element);
                            Compare(Slot.Absent, Slot.Of(rItems[element]), resolved.Element ?? MergeSchema.Untyped, path, result);
                            path.RemoveAt(path.Count - 1);
                        }
                    }

                    Node(lhs, rhs, path, result);
                    return;
                }

            default:
                Leaf(lhs, rhs, path, result);
                return;
        }

        // A value of the wrong shape (a string where an object belongs) compares as a leaf.
        static bool IsMismatch(Slot slot, JsonNode? typed) => slot.Present && slot.Node is not null && typed is null;
    }

    /// <summary>
    /// The fields under a value compared with nothing (typed.Compare of an absent left side): every
    /// map entry and list item, recursively; null when there are none (a scalar, an atomic or an
    /// empty value).
    /// </summary>
    private static FieldSet? AddedUnder(JsonNode? value, MergeSchema schema)
    {
        var resolved = Resolve(schema, value);
        switch (resolved.Kind)
        {
            case MergeKind.Struct or MergeKind.Map when !resolved.Atomic && value is JsonObject { Count: > 0 } obj:
                {
                    var set = FieldSet.WithCapacity(obj.Count);
                    for (var i = 0; i < obj.Count; i++)
                    {
                        var (key, child) = obj.GetAt(i);
                        Add(set, PathElement.Field(key), child, ChildOf(resolved, key));
                    }

                    set.SortAfterBuild();
                    return set;
                }

            case MergeKind.List when !resolved.Atomic && value is JsonArray { Count: > 0 } list:
                {
                    var (order, items) = IndexItems(resolved, list);
                    var set = FieldSet.WithCapacity(order.Count);
                    for (var i = 0; i < order.Count; i++)
                    {
                        Add(set, order[i], items.NodeAt(i), resolved.Element ?? MergeSchema.Untyped);
                    }

                    set.SortAfterBuild();
                    return set;
                }

            default:
                return null;
        }

        static void Add(FieldSet set, PathElement element, JsonNode? child, MergeSchema schema)
        {
            set.AddDistinctMember(element);
            if (AddedUnder(child, schema) is { IsEmpty: false } under)
            {
                set.AddDistinctChild(element, under);
            }
        }
    }

    internal static MergeSchema ChildOf(MergeSchema schema, string key) =>
        schema.Kind == MergeKind.Struct ? schema.Field(key) ?? MergeSchema.Untyped : schema.Element ?? MergeSchema.Untyped;

    private static void Leaf(Slot lhs, Slot rhs, List<PathElement> path, Comparison result)
    {
        if (!lhs.Present)
        {
            result.Added.Insert([.. path]);
        }
        else if (!rhs.Present)
        {
            result.Removed.Insert([.. path]);
        }
        else if (!JsonValues.Equal(lhs.Node, rhs.Node))
        {
            result.Modified.Insert([.. path]);
        }
    }

    private static void Node(Slot lhs, Slot rhs, List<PathElement> path, Comparison result)
    {
        if (!lhs.Present)
        {
            result.Added.Insert([.. path]);
        }
        else if (!rhs.Present)
        {
            result.Removed.Insert([.. path]);
        }
    }

    private static Slot Merge(Slot lhs, Slot rhs, MergeSchema schema)
    {
        if (!rhs.Present)
        {
            return lhs.Present ? Slot.Of(lhs.Node?.DeepClone()) : Slot.Absent;
        }

        if (!lhs.Present)
        {
            return Slot.Of(rhs.Node?.DeepClone());
        }

        var resolved = Resolve(schema, rhs.Node);
        switch (resolved.Kind)
        {
            case MergeKind.Struct or MergeKind.Map when !resolved.Atomic && lhs.Node is JsonObject lo && rhs.Node is JsonObject ro:
                {
                    var result = (JsonObject)lo.DeepClone();
                    for (var i = 0; i < ro.Count; i++)
                    {
                        var (key, value) = ro.GetAt(i);
                        var child = ChildOf(resolved, key);
                        var live = result.TryGetPropertyValue(key, out var existing) ? Slot.Of(existing) : Slot.Absent;
                        if (value is null && (!live.Present || live.Node is not (JsonObject { Count: > 0 } or JsonArray { Count: > 0 })))
                        {
                            // An applied null unsets the field.
                            result.Remove(key);
                            continue;
                        }

                        result[key] = Merge(live, Slot.Of(value), child).Node?.DeepClone();
                    }

                    return Slot.Of(result);
                }

            case MergeKind.List when !resolved.Atomic && lhs.Node is JsonArray la && rhs.Node is JsonArray ra:
                return Slot.Of(MergeList(la, ra, resolved));
            default:
                return Slot.Of(rhs.Node?.DeepClone());
        }
    }

    // The order of typed.mergingWalker.visitListItems: the applied items in their order, live-only
    // items kept where they stood relative to the items both sides share.
    private static JsonArray MergeList(JsonArray lhs, JsonArray rhs, MergeSchema schema)
    {
        var element = schema.Element ?? MergeSchema.Untyped;
        var (lOrder, lItems) = IndexItems(schema, lhs);
        var (rOrder, rItems) = IndexItems(schema, rhs);
        var shared = new Queue<PathElement>(rOrder.Where(lItems.ContainsKey));
        PathElement? nextShared = shared.Count > 0 ? shared.Dequeue() : null;
        var output = new JsonArray();
        int l = 0, r = 0;
        while (l < lOrder.Count || r < rOrder.Count)
        {
            if (l < lOrder.Count && r < rOrder.Count)
            {
                var pe = lOrder[l];
                if (pe == rOrder[r])
                {
                    output.Add(Merge(Slot.Of(lItems[pe]), Slot.Of(rItems[pe]), element).Node?.DeepClone());
                    l++;
                    r++;
                    nextShared = shared.Count > 0 ? shared.Dequeue() : null;
                    continue;
                }

                if (rItems.ContainsKey(pe) && nextShared is { } next && next != pe)
                {
                    l++;
                    continue;
                }
            }

            if (l < lOrder.Count && !rItems.ContainsKey(lOrder[l]))
            {
                output.Add(lItems[lOrder[l]]?.DeepClone());
                l++;
                continue;
            }

            if (r < rOrder.Count)
            {
                var pe = rOrder[r];
                var live = lItems.TryGetValue(pe, out var existing) ? Slot.Of(existing) : Slot.Absent;
                output.Add(Merge(live, Slot.Of(rItems[pe]), element).Node?.DeepClone());
                r++;
                if (nextShared is { } next && next == pe)
                {
                    nextShared = shared.Count > 0 ? shared.Dequeue() : null;
                }
            }
            else
            {
                // Only shared live items remain whose applied counterparts were already merged.
                l++;
            }
        }

        return output;
    }

    private static JsonNode? Remove(JsonNode? value, FieldSet toRemove, MergeSchema schema)
    {
        var resolved = Resolve(schema, value);
        switch (resolved.Kind)
        {
            case MergeKind.Struct or MergeKind.Map:
                {
                    if (value is not JsonObject obj || resolved.Atomic)
                    {
                        return value?.DeepClone();
                    }

                    var result = new JsonObject();
                    for (var i = 0; i < obj.Count; i++)
                    {
                        var (key, child) = obj.GetAt(i);
                        var element = PathElement.Field(key);
                        if (toRemove.HasMember(element))
                        {
                            continue;
                        }

                        var subset = toRemove.WithPrefix(element);
                        if (subset.IsEmpty)
                        {
                            result[key] = child?.DeepClone();
                            continue;
                        }

                        var kept = Remove(child, subset, ChildOf(resolved, key));
                        if (kept is not null)
                        {
                            result[key] = kept;
                        }
                    }

                    return result.Count > 0 || obj.Count == 0 ? result : null;
                }

            case MergeKind.List:
                {
                    if (value is not JsonArray list || resolved.Atomic)
                    {
                        return value?.DeepClone();
                    }

                    var result = new JsonArray();
                    for (var i = 0; i < list.Count; i++)
                    {
                        var item = list[i];
                        if (ItemElement(resolved, item, i, null, null) is not { } element)
                        {
                            result.Add(item?.DeepClone());
                            continue;
                        }

                        if (toRemove.HasMember(element))
                        {
                            continue;
                        }

                        var subset = toRemove.WithPrefix(element);
                        var kept = subset.IsEmpty ? item?.DeepClone() : Remove(item, subset, resolved.Element ?? MergeSchema.Untyped);
                        if (kept is not null)
                        {
                            result.Add(kept);
                        }
                    }

                    return result.Count > 0 || list.Count == 0 ? result : null;
                }

            default:
                return value?.DeepClone();
        }
    }
}
