using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Api.Patching;

/// <summary>
/// RFC 7386 JSON Merge Patch (application/merge-patch+json) and Kubernetes' strategic merge
/// patch (application/strategic-merge-patch+json), which differs in how lists merge: a list whose
/// field declares <c>x-kubernetes-patch-strategy: merge</c> merges item by item (by its
/// <c>x-kubernetes-patch-merge-key</c>, or as a set of primitives), every other list is replaced;
/// and the $patch, $retainKeys, $deleteFromPrimitiveList and $setElementOrder directives apply.
/// The strategies come from the kind's <see cref="ModelSchema"/>, as kube-apiserver reads them
/// from the Go struct tags.
/// </summary>
public static class MergePatch
{
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";
    private const string SetElementOrder = "$setElementOrder/";

    /// <summary>
    /// Applies <paramref name="patch"/> to a copy of <paramref name="target"/>. A strategic patch
    /// reads list strategies from <paramref name="schema"/> (the kind's schema; when null, only
    /// metadata's are known).
    /// </summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch, bool strategic, ModelSchema? schema = null) =>
        strategic ? Strategic(target?.DeepClone(), patch, schema ?? ModelSchema.UnmodelledKind) : Merge(target?.DeepClone(), patch);

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            Set(result, key, Merge(result[key], value));
        }

        return result;
    }

    private static JsonNode? Strategic(JsonNode? target, JsonNode? patch, ModelSchema schema)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        if (Directive(patchObject) is { } directive)
        {
            if (directive == "replace")
            {
                var replaced = (JsonObject)patchObject.DeepClone();
                replaced.Remove("$patch");
                return replaced;
            }

            if (directive == "delete")
            {
                return null;
            }
        }

        var result = target as JsonObject ?? [];
        if (patchObject["$retainKeys"] is JsonArray keep)
        {
            var kept = keep.Select(k => k?.GetValue<string>()).ToHashSet();
            foreach (var existing in result.Select(p => p.Key).ToList())
            {
                if (!kept.Contains(existing))
                {
                    result.Remove(existing);
                }
            }
        }

        foreach (var (key, value) in patchObject)
        {
            if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal) && result[key[DeleteFromPrimitiveList.Length..]] is JsonArray list && value is JsonArray remove)
            {
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (remove.Any(r => JsonNode.DeepEquals(r, list[i])))
                    {
                        list.RemoveAt(i);
                    }
                }
            }
        }

        foreach (var (key, value) in patchObject)
        {
            if (key.StartsWith('$'))
            {
                continue;
            }

            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            var field = schema.Kind == ModelSchemaKind.Object ? schema.Field(key) : null;
            var child = field?.Schema ?? (schema.Kind == ModelSchemaKind.Map ? schema.Element : null) ?? ModelSchema.Any;
            if (value is JsonArray patchList)
            {
                var merged = field?.Markers.PatchStrategy?.Contains("merge", StringComparison.Ordinal) == true
                    ? MergeList(result[key] as JsonArray, patchList, field.Markers.MergeKey, child.Element ?? ModelSchema.Any)
                    : ReplaceList(patchList);
                if (merged is null)
                {
                    result.Remove(key);
                }
                else
                {
                    result[key] = Order(merged, patchObject[SetElementOrder + key] as JsonArray, field?.Markers.MergeKey);
                }

                continue;
            }

            var node = Strategic(result[key], value, child);
            if (node is null)
            {
                result.Remove(key);
            }
            else
            {
                Set(result, key, node);
            }
        }

        return result;
    }

    /// <summary>A replaced list keeps its items as they are, less any directive objects.</summary>
    private static JsonArray ReplaceList(JsonArray patch)
    {
        var result = new JsonArray();
        foreach (var item in patch)
        {
            if (item is JsonObject o && Directive(o) is not null && o.Count == 1)
            {
                continue;
            }

            result.Add(item?.DeepClone());
        }

        return result;
    }

    private static JsonArray? MergeList(JsonArray? current, JsonArray patch, string? mergeKey, ModelSchema itemSchema)
    {
        var result = current is null ? [] : (JsonArray)current.DeepClone();

        // [{"$patch": "replace"}, items...]: the list becomes the other items.
        if (patch.Any(item => item is JsonObject o && Directive(o) == "replace" && o.Count == 1))
        {
            return ReplaceList(patch);
        }

        if (mergeKey is null)
        {
            // A list of primitives with the merge strategy: union, keeping order.
            foreach (var item in patch)
            {
                if (!result.Any(existing => JsonNode.DeepEquals(existing, item)))
                {
                    result.Add(item?.DeepClone());
                }
            }

            return result;
        }

        foreach (var item in patch)
        {
            if (item is not JsonObject patchItem)
            {
                throw ApiException.BadRequest($"invalid patch: list item {item?.ToJsonString()} is not an object, and the list is merged by {mergeKey}");
            }

            var keyValue = patchItem[mergeKey];
            if (keyValue is null)
            {
                // strategicpatch's plain error, which kube-apiserver answers as an unknown 500.
                throw new ApiException(500, "", $"map: {GoValue(patchItem)} does not contain declared merge key: {mergeKey}");
            }

            var index = -1;
            for (var i = 0; i < result.Count; i++)
            {
                if (result[i] is JsonObject existing && JsonNode.DeepEquals(existing[mergeKey], keyValue))
                {
                    index = i;
                    break;
                }
            }

            if (Directive(patchItem) == "delete")
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }

                continue;
            }

            if (index >= 0)
            {
                result[index] = Strategic(result[index], patchItem, itemSchema)?.DeepClone();
            }
            else
            {
                result.Add(Strategic(null, patchItem, itemSchema)?.DeepClone());
            }
        }

        return result;
    }

    /// <summary>
    /// $setElementOrder/field: the items it names come in its order, at the positions items it
    /// names held; items it does not name keep theirs.
    /// </summary>
    private static JsonArray Order(JsonArray list, JsonArray? order, string? mergeKey)
    {
        if (order is null || order.Count == 0)
        {
            return list;
        }

        var items = list.Select(i => i?.DeepClone()).ToList();
        int Rank(JsonNode? item)
        {
            for (var i = 0; i < order.Count; i++)
            {
                var wanted = mergeKey is null ? order[i] : order[i]?[mergeKey];
                var actual = mergeKey is null ? item : item?[mergeKey];
                if (JsonNode.DeepEquals(wanted, actual))
                {
                    return i;
                }
            }

            return -1;
        }

        var ranked = items.Select(item => (Item: item, Rank: Rank(item))).ToList();
        var ordered = ranked.Where(r => r.Rank >= 0).OrderBy(r => r.Rank).Select(r => r.Item).ToList();
        var result = new JsonArray();
        var next = 0;
        foreach (var (item, rank) in ranked)
        {
            result.Add(rank >= 0 ? ordered[next++] : item);
        }

        return result;
    }

    /// <summary>A JSON value as Go's %v prints the map[string]interface{} it decodes to: map[a:1 b:[x y]], keys sorted.</summary>
    private static string GoValue(JsonNode? node) => node switch
    {
        null => "<nil>",
        JsonObject o => "map[" + string.Join(' ', o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ":" + GoValue(p.Value))) + "]",
        JsonArray a => "[" + string.Join(' ', a.Select(GoValue)) + "]",
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        _ => node.ToJsonString(),
    };

    private static string? Directive(JsonObject node) =>
        node["$patch"] is JsonValue value && value.TryGetValue<string>(out var directive) ? directive : null;

    private static void Set(JsonObject result, string key, JsonNode? node)
    {
        if (node?.Parent is not null)
        {
            node = node.DeepClone();
        }

        result[key] = node;
    }
}
