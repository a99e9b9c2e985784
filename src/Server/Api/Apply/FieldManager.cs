using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Printing;

namespace Nautilus.Server.Api.Apply;

/// <summary>
/// Field ownership as kube-apiserver's managedfields.FieldManager keeps it in
/// <c>metadata.managedFields</c>: every write records what its manager set or changed (an
/// <c>Update</c> entry), server-side apply merges a configuration, prunes what its manager no
/// longer applies and fails on conflicts with other managers unless forced (an <c>Apply</c>
/// entry). Works on the objects' JSON trees; writes the result's managedFields in place.
/// </summary>
public static class FieldManager
{
    private const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    private static readonly PathElement Metadata = PathElement.Field("metadata");

    // stripMetaManager: system fields nobody owns.
    internal static readonly FieldSet StripSet = FieldSet.Of(
        [PathElement.Field("apiVersion")],
        [PathElement.Field("kind")],
        [Metadata],
        [Metadata, PathElement.Field("name")],
        [Metadata, PathElement.Field("namespace")],
        [Metadata, PathElement.Field("creationTimestamp")],
        [Metadata, PathElement.Field("selfLink")],
        [Metadata, PathElement.Field("uid")],
        [Metadata, PathElement.Field("clusterName")],
        [Metadata, PathElement.Field("generation")],
        [Metadata, PathElement.Field("managedFields")],
        [Metadata, PathElement.Field("resourceVersion")]);

    // A create's zero object, built once per resource: the writer only reads it.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ResourceDefinition, JsonObject> CreateZeros = new();

    private static readonly FieldSet StatusOnly = FieldSet.Of([PathElement.Field("status")]);
    private static readonly FieldSet SpecOnly = FieldSet.Of([PathElement.Field("spec")]);
    private static readonly PathElement[] ReplicasPath = [PathElement.Field("spec"), PathElement.Field("replicas")];

    /// <summary>
    /// Records a create, update or non-apply patch by <paramref name="manager"/>: the fields that
    /// changed between <paramref name="live"/> (null for a create) and <paramref name="next"/> move
    /// to the manager's Update entry; removed fields leave every entry. Managed fields the client
    /// sent are kept when valid (that is how clients reset them), except on subresources.
    /// </summary>
    public static void Update(ResourceDefinition resource, string subresource, JsonObject? live, JsonObject next, string manager, DateTimeOffset now)
    {
        var schema = SchemaOf(resource);
        var nextMeta = ResourceHandler.Metadata(next);
        if (subresource.Length > 0 || !ManagedFields.TryDecode(nextMeta["managedFields"], out var managed, out _) || managed.Count == 0)
        {
            if (live is null || !ManagedFields.TryDecode((live["metadata"] as JsonObject)?["managedFields"], out managed, out _))
            {
                managed = [];
            }
        }

        var ignored = ResetFields(resource, subresource);
        if (live is null && managed.Count == 0)
        {
            // A create by a client that sent no managedFields: its manager owns everything it set,
            // written as FieldsV1 directly (the same bytes as the comparison below encodes to).
            JsonNode? created = null;
            using (DetachManagedFields(next))
            {
                using var fields = new PooledBufferWriter(4096);
                if (CreatedFieldsWriter.Write(CreateZeros.GetValue(resource, ZeroObject), next, schema, ignored, StripSet, fields))
                {
                    created = ManagedFields.EncodeOne(ManagerKey.ForUpdate(manager, resource.GroupVersion, subresource), resource.GroupVersion, KubeJson.Timestamp(now), fields.WrittenSpan);
                }
            }

            if (created is not null)
            {
                nextMeta["managedFields"] = created;
            }
            else
            {
                nextMeta.Remove("managedFields");
            }

            return;
        }

        // Compared without their managedFields, which are detached for the comparison rather than
        // copied away with the whole object (a copy per write was a third of a create's cost).
        Comparison compare;
        using (DetachManagedFields(live))
        using (DetachManagedFields(next))
        {
            compare = TypedValue.Compare(live ?? ZeroObject(resource), next, schema, ignored);
        }

        var changed = compare.Changed;
        TakeFromOthers(managed, changed, compare.Removed, except: null);

        var own = changed.Difference(StripSet);
        if (!own.IsEmpty)
        {
            var key = ManagerKey.ForUpdate(manager, resource.GroupVersion, subresource);
            var set = managed.TryGetValue(key, out var previous) ? own.Union(previous.Set) : own;
            managed[key] = new ManagedEntry(set, resource.GroupVersion, KubeJson.Timestamp(now));
        }

        Write(nextMeta, managed);
    }

    /// <summary>
    /// Server-side apply of <paramref name="config"/> by <paramref name="manager"/> to
    /// <paramref name="live"/> (null when the apply creates the object): the merged object with
    /// its managedFields. Throws 409 listing the conflicts unless <paramref name="force"/>.
    /// </summary>
    public static JsonObject Apply(ResourceDefinition resource, string subresource, JsonObject? live, JsonObject config, string manager, bool force, DateTimeOffset now)
    {
        CheckKind(resource, config);
        if ((config["metadata"] as JsonObject)?["managedFields"] is JsonArray { Count: > 0 } sent)
        {
            throw new ApiException(500, "InternalError", $"managed fields must be nil but was {sent.ToJsonString()}");
        }

        var schema = SchemaOf(resource);
        var errors = new List<string>();
        var configSet = TypedValue.ToFieldSet(config, schema, errors);
        if (errors.Count > 0)
        {
            throw new ApiException(500, "InternalError", $"failed to create typed patch object ({GroupVersionKind(resource)}): {(errors.Count == 1 ? errors[0] : "errors:\n  " + string.Join("\n  ", errors))}");
        }

        if (live is null || !ManagedFields.TryDecode((live["metadata"] as JsonObject)?["managedFields"], out var managed, out _))
        {
            managed = [];
        }

        var original = managed.Copy();
        var ignored = ResetFields(resource, subresource);
        if (ignored is not null)
        {
            configSet = configSet.RecursiveDifference(ignored);
        }

        var liveValue = live is null ? ZeroObject(resource) : WithoutManagedFields(live);
        var key = ManagerKey.ForApply(manager, subresource);
        var merged = TypedValue.Merge(liveValue, config, schema) as JsonObject ?? new JsonObject();
        managed.TryGetValue(key, out var lastApplied);
        managed[key] = new ManagedEntry(configSet, resource.GroupVersion, lastApplied?.Time);
        if (lastApplied is not null && !lastApplied.Set.IsEmpty)
        {
            merged = Prune(merged, managed, lastApplied.Set, schema);
        }

        var compare = TypedValue.Compare(liveValue, merged, schema, ignored);
        var changed = compare.Changed;
        var conflicts = TakeFromOthers(managed, changed, compare.Removed, except: key, dryRun: !force);
        if (conflicts.Count > 0)
        {
            // lastAppliedManager: kubectl moving from client-side to server-side apply may take
            // the fields its last-applied-configuration set, while they still hold those values.
            if (manager == "kubectl" && live is not null && AllowedByLastApplied(live, liveValue, schema) is { } allowed)
            {
                conflicts = conflicts.Where(c => !allowed.Has(c.Item2)).ToList();
            }

            if (conflicts.Count > 0)
            {
                throw ConflictError(conflicts);
            }

            TakeFromOthers(managed, changed, compare.Removed, except: key);
        }

        var own = managed[key].Set.Difference(StripSet);
        if (own.IsEmpty)
        {
            managed.Remove(key);
        }
        else
        {
            managed[key].Set = own;
        }

        var unchanged = JsonValues.Equal(liveValue, merged);
        JsonObject result;
        if (unchanged && live is not null)
        {
            result = WithoutManagedFields(live);
        }
        else
        {
            result = merged;
            if (managed.TryGetValue(key, out var entry))
            {
                entry.Time = KubeJson.Timestamp(now);
            }
        }

        if (manager == "kubectl")
        {
            SyncLastApplied(result, config);
        }

        if (unchanged && managed.SameAs(original))
        {
            managed = original;
        }

        Write(ResourceHandler.Metadata(result), managed);
        return result;
    }

    /// <summary>
    /// A write through the scale subresource (ScaleHandler.ToParent): when it changed spec.replicas,
    /// the entries that owned replicas lose it and the manager owns it in an Update entry with
    /// <c>subresource: scale</c> at the workload's apiVersion, written without a time as kube writes it.
    /// </summary>
    public static void UpdateScale(ResourceDefinition resource, JsonObject obj, string manager)
    {
        var meta = ResourceHandler.Metadata(obj);
        if (!ManagedFields.TryDecode(meta["managedFields"], out var managed, out _))
        {
            managed = [];
        }

        var replicas = FieldSet.Of(ReplicasPath);
        foreach (var (k, entry) in managed.ToList())
        {
            entry.Set = entry.Set.Difference(replicas);
            if (entry.Set.IsEmpty)
            {
                managed.Remove(k);
            }
        }

        managed[ManagerKey.ForUpdate(manager, resource.GroupVersion, "scale")] = new ManagedEntry(replicas, resource.GroupVersion, null);
        Write(meta, managed);
    }

    /// <summary>The manager of a request without fieldManager: the user agent up to its first '/', printable characters, at most 128 bytes.</summary>
    public static string ManagerFromUserAgent(string? userAgent)
    {
        var prefix = (userAgent ?? "").Split('/')[0];
        var result = new System.Text.StringBuilder();
        var bytes = 0;
        foreach (var rune in prefix.EnumerateRunes())
        {
            if (System.Text.Rune.IsControl(rune) || System.Text.Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.OtherNotAssigned)
            {
                continue;
            }

            if (bytes + rune.Utf8SequenceLength > 128)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            result.Append(rune.ToString());
        }

        return result.ToString();
    }

    /// <summary>The Status of a failed apply, as NewConflictError writes it.</summary>
    public static ApiException ConflictError(IReadOnlyList<(ManagerKey Manager, PathElement[] Path)> conflicts)
    {
        var causes = conflicts.Select(c => new StatusCause("FieldManagerConflict", "conflict with " + c.Manager.Describe(), PathElement.Format(c.Path))).ToList();
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {conflicts[0].Manager.Describe()}: {PathElement.Format(conflicts[0].Path)}";
        }
        else
        {
            var lines = new List<string>();
            foreach (var group in conflicts.GroupBy(c => c.Manager).OrderBy(g => g.Key.Manager, StringComparer.Ordinal).ThenBy(g => g.Key.Operation, StringComparer.Ordinal).ThenBy(g => g.Key.ApiVersion, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key.Describe()}:");
                lines.AddRange(group.Select(c => "- " + PathElement.Format(c.Path)));
            }

            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }

        return new ApiException(409, "Conflict", message, causes: causes);
    }

    /// <summary>The merge schema of a resource; untyped (every object merged key by key) when the model types do not know the kind.</summary>
    public static MergeSchema SchemaOf(ResourceDefinition resource) =>
        MergeSchema.ForKind(resource.Group, resource.Version, resource.Kind) ?? MergeSchema.Untyped;

    /// <summary>
    /// The conflicts of a change with every manager but <paramref name="except"/>; unless
    /// <paramref name="dryRun"/> (or when there are none), the changed fields move away from those
    /// managers, removed fields leave every entry, and emptied entries go.
    /// </summary>
    private static List<(ManagerKey, PathElement[])> TakeFromOthers(ManagedFields managed, FieldSet changed, FieldSet removed, ManagerKey? except, bool dryRun = false)
    {
        var conflicts = new List<(ManagerKey, PathElement[])>();
        foreach (var (k, entry) in managed.OrderBy(e => e.Key.Manager, StringComparer.Ordinal))
        {
            if (k == except)
            {
                continue;
            }

            var conflict = entry.Set.Intersection(changed);
            conflicts.AddRange(conflict.Paths().Select(p => (k, p)));
        }

        if (dryRun && conflicts.Count > 0)
        {
            return conflicts;
        }

        foreach (var (k, entry) in managed.ToList())
        {
            if (k == except)
            {
                continue;
            }

            entry.Set = entry.Set.Difference(changed).Difference(removed);
            if (entry.Set.IsEmpty)
            {
                managed.Remove(k);
            }
        }

        return [];
    }

    // Updater.prune: drop what the applier applied last time and no longer applies, unless
    // another manager (or the new configuration) owns it; what nobody applied stays.
    private static JsonObject Prune(JsonObject merged, ManagedFields managed, FieldSet lastSet, MergeSchema schema)
    {
        var last = TypedValue.EnsureNamedFieldsAreMembers(lastSet, schema);
        var pruned = TypedValue.RemoveItems(merged, last, schema);

        var owned = new FieldSet();
        foreach (var entry in managed.Values)
        {
            owned = owned.Union(entry.Set);
        }

        var mergedSet = TypedValue.EnsureNamedFieldsAreMembers(TypedValue.ToFieldSet(merged, schema), schema);
        var prunedSet = TypedValue.EnsureNamedFieldsAreMembers(TypedValue.ToFieldSet(pruned, schema), schema);
        owned = TypedValue.EnsureNamedFieldsAreMembers(owned, schema);
        pruned = TypedValue.RemoveItems(merged, mergedSet.Difference(prunedSet.Union(owned)), schema);

        prunedSet = TypedValue.EnsureNamedFieldsAreMembers(TypedValue.ToFieldSet(pruned, schema), schema);
        var result = TypedValue.RemoveItems(merged, mergedSet.Difference(prunedSet).Intersection(last), schema);
        return result as JsonObject ?? new JsonObject();
    }

    /// <summary>The fields a write to this endpoint does not own (kube's ResetFieldsStrategy): status on the main resource, spec on status.</summary>
    internal static FieldSet? ResetFields(ResourceDefinition resource, string subresource) => subresource switch
    {
        "" => resource.HasStatus ? StatusOnly : null,
        "status" => SpecOnly,
        _ => null,
    };

    /// <summary>
    /// The object a create starts from: what a zero-valued Go object of the kind serializes to,
    /// so that fields Go always writes (struct members, non-omitempty lists) count as modified
    /// rather than added, as in kube.
    /// </summary>
    internal static JsonObject ZeroObject(ResourceDefinition resource)
    {
        var zero = new JsonObject { ["metadata"] = new JsonObject { ["creationTimestamp"] = null } };
        var schema = SchemaOf(resource);
        if (schema.Field("spec") is not null)
        {
            var spec = new JsonObject();
            switch (resource.Kind)
            {
                case "Pod":
                    spec["containers"] = null;
                    break;
                case "Deployment" or "ReplicaSet":
                    spec["selector"] = null;
                    spec["template"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
                        ["spec"] = new JsonObject { ["containers"] = null },
                    };
                    if (resource.Kind == "Deployment")
                    {
                        spec["strategy"] = new JsonObject();
                    }

                    break;
            }

            zero["spec"] = spec;
        }

        if (schema.Field("status") is not null)
        {
            zero["status"] = resource.Kind == "Service" ? new JsonObject { ["loadBalancer"] = new JsonObject() } : new JsonObject();
        }

        return zero;
    }

    /// <summary>The fields of the client-side apply annotation whose values the live object still holds; null without one.</summary>
    private static FieldSet? AllowedByLastApplied(JsonObject live, JsonObject liveValue, MergeSchema schema)
    {
        var annotations = (live["metadata"] as JsonObject)?["annotations"] as JsonObject;
        if (KubeJson.GetString(annotations, LastAppliedAnnotation) is not { Length: > 0 } text)
        {
            return null;
        }

        JsonNode? lastApplied;
        try
        {
            lastApplied = JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        return TypedValue.ToFieldSet(lastApplied, schema).Difference(TypedValue.Compare(lastApplied, liveValue, schema).Modified);
    }

    private static void CheckKind(ResourceDefinition resource, JsonObject config)
    {
        var apiVersion = KubeJson.GetString(config, "apiVersion") ?? "";
        var kind = KubeJson.GetString(config, "kind") ?? "";
        if (apiVersion != resource.GroupVersion || kind != resource.Kind)
        {
            var slash = apiVersion.LastIndexOf('/');
            var group = slash < 0 ? "" : apiVersion[..slash];
            var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
            throw ApiException.BadRequest($"invalid object type: {group}/{version}, Kind={kind}");
        }
    }

    private static string GroupVersionKind(ResourceDefinition resource) => $"{resource.Group}/{resource.Version}, Kind={resource.Kind}";

    // lastAppliedUpdater: kubectl's server-side apply keeps a client-side apply annotation in step.
    private static void SyncLastApplied(JsonObject result, JsonObject config)
    {
        const string annotation = LastAppliedAnnotation;
        if (ResourceHandler.Metadata(result)["annotations"] is not JsonObject annotations || !annotations.ContainsKey(annotation))
        {
            return;
        }

        var applied = (JsonObject)config.DeepClone();
        if (ResourceHandler.Metadata(applied)["annotations"] is JsonObject appliedAnnotations)
        {
            appliedAnnotations.Remove(annotation);
        }

        annotations[annotation] = SortedJson(applied) + "\n";
    }

    // Go's encoding of an unstructured object: keys sorted.
    private static string SortedJson(JsonNode? node) => node switch
    {
        JsonObject obj => "{" + string.Join(",", obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => System.Text.Json.JsonSerializer.Serialize(p.Key, Relaxed) + ":" + SortedJson(p.Value))) + "}",
        JsonArray array => "[" + string.Join(",", array.Select(SortedJson)) + "]",
        null => "null",
        _ => node.ToJsonString(Relaxed),
    };

    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Takes metadata.managedFields out of the object until disposed, then puts it back where it was.</summary>
    private static DetachedField DetachManagedFields(JsonObject? obj)
    {
        if (obj?["metadata"] is JsonObject metadata && metadata.IndexOf("managedFields") is var index and >= 0)
        {
            var value = metadata[index];
            metadata.RemoveAt(index);
            return new DetachedField(metadata, index, value);
        }

        return default;
    }

    private readonly record struct DetachedField(JsonObject? Parent, int Index, JsonNode? Value) : IDisposable
    {
        public void Dispose() => Parent?.Insert(Index, "managedFields", Value);
    }

    private static JsonObject WithoutManagedFields(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    private static void Write(JsonObject metadata, ManagedFields managed)
    {
        if (managed.Encode() is { } list)
        {
            metadata["managedFields"] = list;
        }
        else
        {
            metadata.Remove("managedFields");
        }
    }
}
