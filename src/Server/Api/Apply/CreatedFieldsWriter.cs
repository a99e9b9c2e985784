using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Printing;

namespace Nautilus.Server.Api.Apply;

/// <summary>
/// A create's owned fields written straight as FieldsV1. A create compares the new object with
/// the kind's zero object and its manager owns what changed, less the system fields nobody owns:
/// <c>Compare(zero, created).Changed.Difference(strip)</c>. Building those sets node by node,
/// then writing them out, was the largest part of a create's managedFields cost; this walks the
/// two trees once and writes the same bytes, children sorted as FieldsV1 sorts them, a node
/// dropped (its bytes rewound) when nothing under it is owned.
/// </summary>
/// <remarks>
/// Children are sorted without <see cref="PathElement"/>s where it can be done exactly: a struct's
/// declared fields by their precomputed rank, and a map list's items by their key values read once
/// (strings as their UTF-8 bytes, numbers as integers) with their FieldsV1 keys written on the
/// stack, no string, array or dictionary per item or list. Anything else (keys that need escaping or are not integers or
/// strings, a zero object with items in the list, a strip set below the list) takes the general
/// path through <see cref="TypedValue.IndexItems"/> and <see cref="PathElement.CompareTo"/>.
/// </remarks>
internal static class CreatedFieldsWriter
{
    /// <summary>
    /// Writes the FieldsV1 object of what <paramref name="created"/> sets over
    /// <paramref name="zero"/> into <paramref name="output"/>: the comparison's added and
    /// modified fields, top-level fields in <paramref name="ignored"/> not walked, members of
    /// <paramref name="strip"/> left out. False (and nothing written) when nothing is owned.
    /// </summary>
    /// <param name="ignored">Top-level members only (a write's reset fields, such as status).</param>
    public static bool Write(JsonObject zero, JsonObject created, MergeSchema schema, FieldSet? ignored, FieldSet strip, PooledBufferWriter output)
    {
        Debug.Assert(ignored is null || !ignored.Children.Any(), "only top-level members are skipped in place");
        var start = output.WrittenCount;
        output.Write("{"u8);
        if (!WriteMembers(Slot.Of(zero), created, schema, strip, ignored, output, leadingComma: false))
        {
            output.Rewind(start);
            return false;
        }

        output.Write("}"u8);
        return true;
    }

    /// <summary>
    /// One element of the comparison (its old value <paramref name="lhs"/>, its new value
    /// <paramref name="rhs"/>): <c>"name":{}</c> for an owned leaf, <c>"name":{".":{},…}</c> for
    /// an owned node with owned children, <c>"name":{…}</c> for a node that only leads to them,
    /// nothing at all otherwise. True when something was written.
    /// </summary>
    /// <param name="name">The element's FieldsV1 key as JSON (<c>"f:name":</c>); empty to have <paramref name="element"/> write it.</param>
    /// <param name="element">The element; read only when <paramref name="name"/> is empty or <paramref name="strip"/> is not null.</param>
    private static bool WriteElement(ReadOnlySpan<byte> name, PathElement element, Slot lhs, JsonNode? rhs, MergeSchema schema, FieldSet? strip, bool comma, PooledBufferWriter output)
    {
        bool member;
        var resolved = TypedValue.Resolve(schema, rhs);
        var walk = false;
        if (!lhs.Present)
        {
            // Added: the element and everything under it.
            member = true;
            walk = resolved.Kind switch
            {
                MergeKind.Struct or MergeKind.Map => !resolved.Atomic && rhs is JsonObject { Count: > 0 },
                MergeKind.List => !resolved.Atomic && rhs is JsonArray { Count: > 0 },
                _ => false,
            };
        }
        else
        {
            if (schema.Kind == MergeKind.Untyped && TypedValue.Resolve(schema, lhs.Node) != resolved)
            {
                resolved = MergeSchema.Scalar;
            }

            switch (resolved.Kind)
            {
                case MergeKind.Struct or MergeKind.Map:
                    {
                        var lo = lhs.Node as JsonObject;
                        var ro = rhs as JsonObject;
                        walk = !(resolved.Atomic || ((lo is null || lo.Count == 0) && (ro is null || ro.Count == 0)) || (lhs.Node is not null && lo is null) || (rhs is not null && ro is null));
                        break;
                    }

                case MergeKind.List:
                    {
                        var la = lhs.Node as JsonArray;
                        var ra = rhs as JsonArray;
                        walk = !(resolved.Atomic || ((la is null || la.Count == 0) && (ra is null || ra.Count == 0)) || (lhs.Node is not null && la is null) || (rhs is not null && ra is null));
                        break;
                    }
            }

            // A node present on both sides is not itself changed; a leaf is when its value is.
            member = !walk && !JsonValues.Equal(lhs.Node, rhs);
        }

        FieldSet? childStrip = null;
        if (strip is not null)
        {
            childStrip = strip.ChildOrNull(element);
            member &= !strip.HasMember(element);
        }

        if (!member && (!walk || rhs is null))
        {
            return false;
        }

        var start = output.WrittenCount;
        if (name.IsEmpty)
        {
            if (comma)
            {
                output.Write(","u8);
            }

            element.WriteJsonName(output);
            output.Write("{"u8);
        }
        else
        {
            // Most elements are leaves with a known name: `,"f:name":{` in one copy.
            var span = output.GetSpan(name.Length + 3);
            var at = 0;
            if (comma)
            {
                span[at++] = (byte)',';
            }

            name.CopyTo(span[at..]);
            at += name.Length;
            span[at++] = (byte)'{';
            output.Advance(at);
        }

        if (walk && rhs is not null)
        {
            var open = output.WrittenCount;
            if (member)
            {
                output.Write("\".\":{}"u8);
            }

            var any = rhs is JsonObject ro
                ? WriteMembers(lhs, ro, resolved, childStrip, skip: null, output, leadingComma: member)
                : WriteItems(lhs, (JsonArray)rhs, resolved, childStrip, output, leadingComma: member);
            if (!any)
            {
                if (!member)
                {
                    output.Rewind(start);
                    return false;
                }

                // An owned node with nothing owned under it is written as a leaf.
                output.Rewind(open);
            }
        }

        output.Write("}"u8);
        return true;
    }

    /// <summary>The members of an object that is walked, in FieldsV1 order; true when any was written.</summary>
    /// <remarks>
    /// Members are sorted as their positions in the object (on the stack for all but huge
    /// objects), a declared field by its rank: no array of references to fill and clear per object.
    /// </remarks>
    [SkipLocalsInit]
    private static bool WriteMembers(Slot lhs, JsonObject rhs, MergeSchema resolved, FieldSet? strip, FieldSet? skip, PooledBufferWriter output, bool leadingComma)
    {
        const int OnStack = 64;
        var lo = lhs.Node as JsonObject;
        var declared = resolved.Kind == MergeKind.Struct ? resolved.Declared : null;
        var rented = rhs.Count > OnStack ? ArrayPool<int>.Shared.Rent(rhs.Count * 2) : null;
        var scratch = rented is null ? stackalloc int[OnStack * 2] : rented;

        // The position of each member kept, and its declared field's rank (-1 when it has none).
        var positions = scratch[..rhs.Count];
        var orders = scratch.Slice(rhs.Count, rhs.Count);
        var count = 0;
        var sorted = true;
        for (var i = 0; i < rhs.Count; i++)
        {
            var key = rhs.GetAt(i).Key;
            if (skip is not null && skip.HasMember(PathElement.Field(key)))
            {
                continue;
            }

            positions[count] = i;
            orders[count] = declared is not null && declared.ByName.TryGetValue(key, out var field) ? field.Order : -1;
            sorted &= count == 0 || Compare(rhs, positions, orders, count - 1, i, orders[count]) <= 0;
            count++;
        }

        if (!sorted)
        {
            // Objects hold a few to a few dozen members: an insertion sort.
            for (var i = 1; i < count; i++)
            {
                var (position, order) = (positions[i], orders[i]);
                var j = i - 1;
                for (; j >= 0 && Compare(rhs, positions, orders, j, position, order) > 0; j--)
                {
                    positions[j + 1] = positions[j];
                    orders[j + 1] = orders[j];
                }

                positions[j + 1] = position;
                orders[j + 1] = order;
            }
        }

        var any = false;
        for (var i = 0; i < count; i++)
        {
            var (name, value) = rhs.GetAt(positions[i]);
            var old = lo is not null && lo.TryGetPropertyValue(name, out var l) ? Slot.Of(l) : Slot.Absent;
            var field = orders[i] >= 0 ? declared!.ByOrder[orders[i]] : null;
            var schema = field?.Schema ?? (declared is not null ? MergeSchema.Untyped : resolved.Element ?? MergeSchema.Untyped);
            any |= WriteElement(field is null ? default : field.JsonName, PathElement.Field(name), old, value, schema, strip, leadingComma || any, output);
        }

        if (rented is not null)
        {
            ArrayPool<int>.Shared.Return(rented);
        }

        return any;

        // Ordinal order of the names: declared fields by their rank, which is that order.
        static int Compare(JsonObject rhs, Span<int> positions, Span<int> orders, int a, int position, int order) =>
            orders[a] >= 0 && order >= 0 ? orders[a] - order : string.CompareOrdinal(rhs.GetAt(positions[a]).Key, rhs.GetAt(position).Key);
    }

    /// <summary>The items of a list that is walked, in FieldsV1 order; true when any was written.</summary>
    [SkipLocalsInit]
    private static bool WriteItems(Slot lhs, JsonArray rhs, MergeSchema resolved, FieldSet? strip, PooledBufferWriter output, bool leadingComma)
    {
        // The zero objects hold no list items, and the strip set no path through a list: items
        // need no old value and no PathElement, unless a caller's zero or strip set says otherwise.
        if (strip is null && lhs.Node is not JsonArray { Count: > 0 } && resolved.Keys is { } keys)
        {
            // Lists hold a handful of items: their keys on the stack, pooled arrays beyond that.
            const int Items = 16;
            var width = Math.Max(keys.Length, 1);
            var items = new ListItemKeys(
                resolved.KeyNames,
                width,
                rhs.Count <= Items ? stackalloc ListItem[Items] : default,
                rhs.Count * width <= Items * 2 ? stackalloc ScalarKey[Items * 2] : default,
                stackalloc byte[1024],
                rhs.Count);
            try
            {
                if (items.TryRead(rhs, resolved))
                {
                    return items.Write(rhs, resolved.Element ?? MergeSchema.Untyped, output, leadingComma);
                }
            }
            finally
            {
                items.Dispose();
            }
        }

        return WriteItemsByElement(lhs, rhs, resolved, strip, output, leadingComma);
    }

    /// <summary>The general path: items by their <see cref="PathElement"/>, first occurrence winning, sorted by <see cref="PathElement.CompareTo"/>.</summary>
    private static bool WriteItemsByElement(Slot lhs, JsonArray rhs, MergeSchema resolved, FieldSet? strip, PooledBufferWriter output, bool leadingComma)
    {
        var (order, items) = TypedValue.IndexItems(resolved, rhs);
        var lItems = lhs.Node is JsonArray la ? TypedValue.IndexItems(resolved, la).Items : null;
        var elementSchema = resolved.Element ?? MergeSchema.Untyped;
        var entries = ArrayPool<Item>.Shared.Rent(Math.Max(order.Count, 1));
        var count = 0;
        for (var i = 0; i < order.Count; i++)
        {
            var old = lItems is not null && lItems.TryGetValue(order[i], out var l) ? Slot.Of(l) : Slot.Absent;
            entries[count++] = new Item(order[i], old, items.NodeAt(i));
        }

        for (var i = 1; i < count; i++)
        {
            var item = entries[i];
            var j = i - 1;
            for (; j >= 0 && entries[j].Element.CompareTo(item.Element) > 0; j--)
            {
                entries[j + 1] = entries[j];
            }

            entries[j + 1] = item;
        }

        var any = false;
        for (var i = 0; i < count; i++)
        {
            ref var entry = ref entries[i];
            any |= WriteElement(default, entry.Element, entry.Old, entry.New, elementSchema, strip, leadingComma || any, output);
        }

        Array.Clear(entries, 0, count);
        ArrayPool<Item>.Shared.Return(entries);
        return any;
    }

    private readonly record struct Item(PathElement Element, Slot Old, JsonNode? New);

    /// <summary>
    /// A list's items as FieldsV1 keys written into the caller's (stack) memory (<c>"k:{\"name\":\"app\"}":</c>,
    /// <c>"v:\"a\"":</c>, <c>"i:0":</c>) and their key values read once for sorting, for the items
    /// whose keys this writes exactly as <see cref="PathElement"/> does: strings of printable
    /// ASCII without quotes or backslashes, integers (in map keys), booleans and null. A key
    /// written the same is the same item, as <see cref="PathElement.Equals(PathElement)"/> compares
    /// that text.
    /// </summary>
    private ref struct ListItemKeys
    {
        private readonly ListKeyNames? keyNames;
        private readonly int width;
        private readonly Span<ListItem> items;
        private readonly Span<ScalarKey> values;
        private readonly ListItem[]? rentedItems;
        private readonly ScalarKey[]? rentedValues;
        private Span<byte> text;
        private byte[]? rentedText;
        private int count;
        private int length;

        /// <summary>Over the caller's memory where it is large enough for <paramref name="capacity"/> items, pooled arrays where not.</summary>
        public ListItemKeys(ListKeyNames? keyNames, int width, Span<ListItem> items, Span<ScalarKey> values, Span<byte> text, int capacity)
        {
            this.keyNames = keyNames;
            this.width = width;
            if (items.Length < capacity)
            {
                items = rentedItems = ArrayPool<ListItem>.Shared.Rent(capacity);
            }

            if (values.Length < capacity * width)
            {
                values = rentedValues = ArrayPool<ScalarKey>.Shared.Rent(capacity * width);
            }

            this.items = items;
            this.values = values;
            this.text = text;
        }

        private enum Read : byte
        {
            Keyed,
            ByIndex,
            GeneralPath,
        }

        /// <summary>Reads the items and sorts them; false when one of them needs the general path.</summary>
        public bool TryRead(JsonArray list, MergeSchema schema)
        {
            if (schema.Keys is not { } keys || (keys.Length > 0 && keyNames?.Json is null))
            {
                return false;
            }

            var sorted = true;
            for (var i = 0; i < list.Count; i++)
            {
                var node = list[i];
                var start = length;
                ListItem item;
                if (keys.Length == 0)
                {
                    // A set: scalars by value; objects, lists and nulls are not items of a set.
                    if (node is JsonObject or JsonArray or null)
                    {
                        continue;
                    }

                    Append("\"v:"u8);
                    if (node is not JsonValue scalar || scalar.GetValueKind() == JsonValueKind.Number || !TryReadScalar(scalar, ref values[count]))
                    {
                        // Numbers in a set are written as sent (PathElement.OfValue), not as integers.
                        return false;
                    }

                    Append("\":"u8);
                    item = new ListItem(PathElementKind.Value, i, count, start, length - start);
                }
                else
                {
                    switch (node is JsonObject obj ? ReadKeys(obj, schema) : Read.ByIndex)
                    {
                        case Read.Keyed:
                            item = new ListItem(PathElementKind.Key, i, count, start, length - start);
                            break;
                        case Read.ByIndex:
                            // An item that is not an object, or lacks a key without a default, is an item by index (TypedValue.ItemElement).
                            length = start;
                            Append("\"i:"u8);
                            Reserve(11);
                            Utf8Formatter.TryFormat(i, text.Slice(length), out var written);
                            length += written;
                            Append("\":"u8);
                            item = new ListItem(PathElementKind.Index, i, count, start, length - start);
                            break;
                        default:
                            return false;
                    }
                }

                sorted &= count == 0 || Compare(items[count - 1], item) <= 0;
                items[count++] = item;
            }

            if (!sorted)
            {
                // Lists hold a handful of items: an insertion sort, stable as the general path's.
                for (var i = 1; i < count; i++)
                {
                    var item = items[i];
                    var j = i - 1;
                    for (; j >= 0 && Compare(items[j], item) > 0; j--)
                    {
                        items[j + 1] = items[j];
                    }

                    items[j + 1] = item;
                }
            }

            return true;
        }

        /// <summary>Writes the sorted items, each the first of its key (a repeated key compares equal, so it sorts among the items next to the first).</summary>
        public readonly bool Write(JsonArray list, MergeSchema element, PooledBufferWriter output, bool leadingComma)
        {
            var any = false;
            for (var i = 0; i < count; i++)
            {
                ref readonly var item = ref items[i];
                if (IsRepeat(i))
                {
                    continue;
                }

                any |= WriteElement(text.Slice(item.TextStart, item.TextLength), default, Slot.Absent, list[item.Position], element, strip: null, leadingComma || any, output);
            }

            return any;
        }

        public void Dispose()
        {
            if (rentedItems is not null)
            {
                ArrayPool<ListItem>.Shared.Return(rentedItems);
            }

            if (rentedValues is not null)
            {
                ArrayPool<ScalarKey>.Shared.Return(rentedValues);
            }

            if (rentedText is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedText);
            }

            rentedText = null;
            text = default;
        }

        private readonly bool IsRepeat(int i)
        {
            var key = text.Slice(items[i].TextStart, items[i].TextLength);
            for (var j = i - 1; j >= 0 && Compare(items[j], items[i]) == 0; j--)
            {
                if (key.SequenceEqual(text.Slice(items[j].TextStart, items[j].TextLength)))
                {
                    return true;
                }
            }

            return false;
        }

        // "k:{\"a\":1,\"b\":\"x\"}": as PathElement.Key writes it (key fields by name), escaped as a JSON name.
        private Read ReadKeys(JsonObject obj, MergeSchema schema)
        {
            var names = keyNames!.Sorted;
            var json = keyNames.Json!;
            Append("\"k:{"u8);
            for (var k = 0; k < names.Length; k++)
            {
                if (!obj.TryGetPropertyValue(names[k], out var node) && (schema.KeyDefaults is null || !schema.KeyDefaults.TryGetValue(names[k], out node)))
                {
                    return Read.ByIndex;
                }

                if (k > 0)
                {
                    Append(","u8);
                }

                Append(json[k]);
                ref var value = ref values[(count * width) + k];
                if (node is null)
                {
                    value = new ScalarKey(ScalarRank.Null, 0, 0, 0);
                    Append("null"u8);
                }
                else if (node is not JsonValue scalar || !TryReadScalar(scalar, ref value))
                {
                    return Read.GeneralPath;
                }
            }

            Append("}\":"u8);
            return Read.Keyed;
        }

        /// <summary>
        /// Reads a string of printable ASCII without quotes or backslashes (written <c>\"text\"</c>;
        /// its UTF-8 bytes order as its UTF-16 chars do), an integer (as PathElement.Key writes one),
        /// or a boolean; false for anything else.
        /// </summary>
        private bool TryReadScalar(JsonValue node, ref ScalarKey value)
        {
            switch (node.GetValueKind())
            {
                case JsonValueKind.String:
                    {
                        Append("\\\""u8);
                        var start = length;
                        if (node.TryGetValue<JsonElement>(out var element))
                        {
                            // A parsed value, read as the bytes that were sent (an escape among them goes the general way).
                            var raw = JsonMarshal.GetRawUtf8Value(element)[1..^1];
                            foreach (var b in raw)
                            {
                                if (b is < (byte)' ' or > (byte)'~' or (byte)'"' or (byte)'\\')
                                {
                                    return false;
                                }
                            }

                            Append(raw);
                        }
                        else if (node.TryGetValue<string>(out var s))
                        {
                            Reserve(s.Length);
                            foreach (var c in s)
                            {
                                if (c is < ' ' or > '~' or '"' or '\\')
                                {
                                    return false;
                                }

                                text[length++] = (byte)c;
                            }
                        }
                        else
                        {
                            return false;
                        }

                        value = new ScalarKey(ScalarRank.String, 0, start, length - start);
                        Append("\\\""u8);
                        return true;
                    }

                case JsonValueKind.Number:
                    {
                        if (!node.TryGetValue<long>(out var number))
                        {
                            return false;
                        }

                        // JsonValues.Compare reads numbers as doubles: the double of this integer.
                        value = new ScalarKey(ScalarRank.Number, number, 0, 0);
                        Reserve(20);
                        Utf8Formatter.TryFormat(number, text.Slice(length), out var written);
                        length += written;
                        return true;
                    }

                case JsonValueKind.True or JsonValueKind.False:
                    {
                        var isTrue = node.GetValueKind() == JsonValueKind.True;
                        value = new ScalarKey(ScalarRank.Boolean, isTrue ? 1 : 0, 0, 0);
                        Append(isTrue ? "true"u8 : "false"u8);
                        return true;
                    }

                default:
                    return false;
            }
        }

        // PathElement.CompareTo: keys, then values, then indexes; keys field by field, values as JsonValues.Compare.
        private readonly int Compare(in ListItem a, in ListItem b)
        {
            if (a.Kind != b.Kind)
            {
                return a.Kind.CompareTo(b.Kind);
            }

            if (a.Kind == PathElementKind.Index)
            {
                return a.Position.CompareTo(b.Position);
            }

            for (var k = 0; k < width; k++)
            {
                ref readonly var x = ref values[(a.Read * width) + k];
                ref readonly var y = ref values[(b.Read * width) + k];
                var c = x.Rank != y.Rank ? x.Rank.CompareTo(y.Rank) : x.Rank switch
                {
                    ScalarRank.Number or ScalarRank.Boolean => x.Number.CompareTo(y.Number),
                    ScalarRank.String => text.Slice(x.TextStart, x.TextLength).SequenceCompareTo(text.Slice(y.TextStart, y.TextLength)),
                    _ => 0,
                };
                if (c != 0)
                {
                    return c;
                }
            }

            return 0;
        }

        private void Append(ReadOnlySpan<byte> bytes)
        {
            Reserve(bytes.Length);
            bytes.CopyTo(text.Slice(length));
            length += bytes.Length;
        }

        private void Reserve(int more)
        {
            if (length + more <= text.Length)
            {
                return;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(text.Length * 2, length + more));
            text[..length].CopyTo(larger);
            if (rentedText is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedText);
            }

            text = rentedText = larger;
        }
    }

    /// <summary>
    /// A list item: its kind, its position in the list, the order it was read in (its key values'
    /// place), and where its FieldsV1 key is in the key text. No references: the pooled arrays
    /// need no clearing.
    /// </summary>
    private readonly record struct ListItem(PathElementKind Kind, int Position, int Read, int TextStart, int TextLength);

    /// <summary>The order JsonValues.Compare gives kinds of scalars: numbers, strings, booleans, null.</summary>
    private enum ScalarRank : byte
    {
        Number = 0,
        String = 1,
        Boolean = 2,
        Null = 5,
    }

    /// <summary>A key value read once: a number (or a boolean as 0 and 1) or where its string is in the key text.</summary>
    private readonly record struct ScalarKey(ScalarRank Rank, double Number, int TextStart, int TextLength);
}
