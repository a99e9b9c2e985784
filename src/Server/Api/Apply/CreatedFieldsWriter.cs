using System.Buffers;
using System.Diagnostics;
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
        if (!WriteChildren(Slot.Of(zero), created, schema, strip, ignored, output))
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
    private static bool WriteElement(PathElement element, Slot lhs, JsonNode? rhs, MergeSchema schema, FieldSet? strip, bool comma, PooledBufferWriter output)
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

        var childStrip = strip?.ChildOrNull(element);
        member &= strip is null || !strip.HasMember(element);
        if (!member && (!walk || rhs is null))
        {
            return false;
        }

        var start = output.WrittenCount;
        if (comma)
        {
            output.Write(","u8);
        }

        element.WriteJsonName(output);
        output.Write("{"u8);
        if (walk && rhs is not null)
        {
            var open = output.WrittenCount;
            if (member)
            {
                output.Write("\".\":{}"u8);
            }

            if (!WriteChildren(lhs, rhs, resolved, childStrip, skip: null, output, leadingComma: member))
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

    /// <summary>The children of a node that is walked, in FieldsV1 order; true when any was written.</summary>
    private static bool WriteChildren(Slot lhs, JsonNode rhs, MergeSchema resolved, FieldSet? strip, FieldSet? skip, PooledBufferWriter output, bool leadingComma = false)
    {
        Entry[] entries;
        int count;
        if (rhs is JsonObject ro)
        {
            var lo = lhs.Node as JsonObject;
            entries = ArrayPool<Entry>.Shared.Rent(ro.Count);
            count = 0;
            for (var i = 0; i < ro.Count; i++)
            {
                var (key, value) = ro.GetAt(i);
                var element = PathElement.Field(key);
                if (skip is not null && skip.HasMember(element))
                {
                    continue;
                }

                var old = lo is not null && lo.TryGetPropertyValue(key, out var l) ? Slot.Of(l) : Slot.Absent;
                entries[count++] = new Entry(element, old, value, TypedValue.ChildOf(resolved, key));
            }
        }
        else
        {
            var ra = (JsonArray)rhs;
            var (order, items) = TypedValue.IndexItems(resolved, ra);
            var lItems = lhs.Node is JsonArray la ? TypedValue.IndexItems(resolved, la).Items : null;
            var elementSchema = resolved.Element ?? MergeSchema.Untyped;
            entries = ArrayPool<Entry>.Shared.Rent(Math.Max(order.Count, 1));
            count = 0;
            for (var i = 0; i < order.Count; i++)
            {
                var old = lItems is not null && lItems.TryGetValue(order[i], out var l) ? Slot.Of(l) : Slot.Absent;
                entries[count++] = new Entry(order[i], old, items.NodeAt(i), elementSchema);
            }
        }

        Sort(entries, count);
        var any = false;
        for (var i = 0; i < count; i++)
        {
            ref var entry = ref entries[i];
            any |= WriteElement(entry.Element, entry.Old, entry.New, entry.Schema, strip, leadingComma || any, output);
        }

        Array.Clear(entries, 0, count);
        ArrayPool<Entry>.Shared.Return(entries);
        return any;
    }

    // Objects hold a few to a few dozen keys, often sorted already: an insertion sort.
    private static void Sort(Entry[] entries, int count)
    {
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
    }

    private readonly record struct Entry(PathElement Element, Slot Old, JsonNode? New, MergeSchema Schema);
}
