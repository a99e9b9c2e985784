using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Patching;

/// <summary>
/// RFC 7386 JSON Merge Patch (application/merge-patch+json) and Kubernetes' strategic merge
/// patch (application/strategic-merge-patch+json), which differs in how lists merge: lists
/// with a patch merge key (containers by name, ports by containerPort, ...) merge item by
/// item, and $patch, $retainKeys, $deleteFromPrimitiveList and $setElementOrder directives apply.
/// </summary>
public static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch, bool strategic) =>
        Merge(target?.DeepClone(), patch, strategic, "");

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch, bool strategic, string path)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        if (strategic && patchObject["$patch"] is JsonValue directive && directive.TryGetValue<string>(out var d))
        {
            if (d == "replace")
            {
                var replaced = (JsonObject)patchObject.DeepClone();
                replaced.Remove("$patch");
                return replaced;
            }

            if (d == "delete")
            {
                return null;
            }
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (strategic && key.StartsWith('$'))
            {
                if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
                {
                    var field = key["$deleteFromPrimitiveList/".Length..];
                    if (result[field] is JsonArray list && value is JsonArray remove)
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
                else if (key == "$retainKeys" && value is JsonArray keep)
                {
                    var keepNames = keep.Select(k => k?.GetValue<string>()).ToHashSet();
                    foreach (var existing in result.Select(p => p.Key).ToList())
                    {
                        if (!keepNames.Contains(existing) && !patchObject.ContainsKey(existing))
                        {
                            result.Remove(existing);
                        }
                    }
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            var childPath = path + "/" + key;
            if (strategic && value is JsonArray patchList)
            {
                var mergeKey = MergeKeyFor(path, key);
                var mergeSet = key is "finalizers";
                if (mergeKey is not null || mergeSet)
                {
                    result[key] = MergeList(result[key] as JsonArray, patchList, mergeKey, childPath);
                    continue;
                }
            }

            var merged = Merge(result[key], value, strategic, childPath);
            if (merged is null)
            {
                result.Remove(key);
            }
            else
            {
                if (merged.Parent is not null)
                {
                    merged = merged.DeepClone();
                }

                result[key] = merged;
            }
        }

        return result;
    }

    private static JsonArray MergeList(JsonArray? current, JsonArray patch, string? mergeKey, string path)
    {
        var result = current is null ? new JsonArray() : (JsonArray)current.DeepClone();
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
                continue;
            }

            var keyValue = patchItem[mergeKey];
            var index = -1;
            for (var i = 0; i < result.Count; i++)
            {
                if (result[i] is JsonObject existing && JsonNode.DeepEquals(existing[mergeKey], keyValue))
                {
                    index = i;
                    break;
                }
            }

            var isDelete = patchItem["$patch"] is JsonValue v && v.TryGetValue<string>(out var d) && d == "delete";
            if (isDelete)
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }

                continue;
            }

            if (index >= 0)
            {
                result[index] = Merge(result[index], patchItem, strategic: true, path)?.DeepClone();
            }
            else
            {
                var added = (JsonObject)patchItem.DeepClone();
                added.Remove("$patch");
                result.Add(added);
            }
        }

        return result;
    }

    /// <summary>The patch merge key of a list field in the built-in types (x-kubernetes-patch-merge-key).</summary>
    private static string? MergeKeyFor(string parentPath, string field) => field switch
    {
        "containers" or "initContainers" or "ephemeralContainers" or "volumes" or "env" or "imagePullSecrets" or "hostAliases" when field != "hostAliases" => "name",
        "hostAliases" => "ip",
        "ports" when parentPath.Contains("ontainers/", StringComparison.Ordinal) || parentPath.EndsWith("ontainers", StringComparison.Ordinal) => "containerPort",
        "ports" when parentPath.EndsWith("/spec", StringComparison.Ordinal) => "port",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "taints" => "key",
        "addresses" when parentPath.EndsWith("/status", StringComparison.Ordinal) => "type",
        "topologySpreadConstraints" => "topologyKey",
        "readinessGates" => "conditionType",
        _ => null,
    };
}
