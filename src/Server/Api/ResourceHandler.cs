using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Admission;
using Nautilus.Server.Api.Apply;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Patching;
using Nautilus.Server.Api.Printing;
using Nautilus.Store;

namespace Nautilus.Server.Api;

/// <summary>A write's options: dryRun, and for deletes the DeleteOptions.</summary>
public sealed record WriteOptions
{
    public bool DryRun { get; init; }

    public long? GracePeriodSeconds { get; init; }

    public string? PropagationPolicy { get; init; }

    public Preconditions? Preconditions { get; init; }

    /// <summary>The request's fieldValidation directive (Strict, Warn or Ignore), already applied to the body when the options were built.</summary>
    public string FieldValidation { get; init; } = Strategies.Validation.FieldValidation.Warn;

    /// <summary>The request's fieldManager; required for apply.</summary>
    public string? FieldManager { get; init; }

    /// <summary>The request's User-Agent, which names the manager of a write without fieldManager.</summary>
    public string? UserAgent { get; init; }

    /// <summary>Apply's force: take ownership of conflicting fields instead of failing.</summary>
    public bool Force { get; init; }

    /// <summary>The manager a write is recorded under in managedFields, as kube's managerOrUserAgent picks it.</summary>
    public string Manager => FieldManager is { Length: > 0 } manager ? manager : Apply.FieldManager.ManagerFromUserAgent(UserAgent);
}

/// <summary>The result of a write: the object's bytes and the HTTP status kube-apiserver answers with.</summary>
/// <param name="IsStatus">The body is a Status about <paramref name="Stored"/>, not the object itself.</param>
public readonly record struct WriteResult(byte[] Json, int StatusCode, StoredObject? Stored = null, bool IsStatus = false);

/// <summary>
/// The REST semantics of every resource on top of <see cref="IObjectStore"/>, as kube-apiserver's
/// generic registry store implements them: system metadata, generateName, generation, status
/// subresource split, optimistic concurrency, graceful deletion and finalizers, dryRun.
/// </summary>
public sealed class ResourceHandler(IObjectStore store, ResourceRegistry registry, TimeProvider time, GracefulDeletion graceful)
{
    private static readonly ResourceType Namespaces = new("", "namespaces");

    private readonly ResourceQuotaAdmission _quotaAdmission = new(store, registry, time);

    public IObjectStore Store => store;

    public ResourceRegistry Registry => registry;

    public async ValueTask<StoredObject> GetAsync(ResourceDefinition resource, string ns, string name, CancellationToken ct)
    {
        var stored = await store.GetAsync(resource.StorageType, Key(resource, ns, name), ct).ConfigureAwait(false);
        return stored ?? throw ApiException.NotFound(resource, name);
    }

    public ValueTask<WriteResult> CreateAsync(ResourceDefinition external, string ns, ReadOnlyMemory<byte> body, WriteOptions options, CancellationToken ct) =>
        CreateObjectAsync(external, ns, KubeJson.ParseObject(body.Span), options, applied: false, ct);

    /// <summary>A create; <paramref name="applied"/> when server-side apply made the object and already recorded its managedFields.</summary>
    private async ValueTask<WriteResult> CreateObjectAsync(ResourceDefinition external, string ns, JsonObject obj, WriteOptions options, bool applied, CancellationToken ct)
    {
        CheckTypeMeta(external, obj);
        var resource = ToStorage(external, ref obj);
        var metadata = Metadata(obj);
        ApplyNamespace(resource, metadata, ns);

        var name = KubeJson.GetString(metadata, "name") ?? "";
        var generateName = KubeJson.GetString(metadata, "generateName") ?? "";
        if (name.Length == 0 && generateName.Length > 0)
        {
            name = GenerateName(generateName);
            metadata["name"] = name;
        }

        if (resource.Namespaced)
        {
            await CheckNamespaceAcceptsAsync(ns, ct).ConfigureAwait(false);
        }

        metadata.Remove("selfLink");
        metadata.Remove("resourceVersion");
        metadata.Remove("deletionTimestamp");
        metadata.Remove("deletionGracePeriodSeconds");
        metadata["uid"] = Uids.New();
        metadata["creationTimestamp"] = KubeJson.Timestamp(time.GetUtcNow());
        if (resource.TracksGeneration)
        {
            metadata["generation"] = 1;
        }
        else
        {
            metadata.Remove("generation");
        }

        var strategy = resource.Strategy;
        strategy.ApplyDefaults(obj);

        // As kube's create handler: ownership of what the client sent, defaults included, before the strategy's own changes.
        if (!applied)
        {
            FieldManager.Update(resource, "", null, obj, options.Manager, time.GetUtcNow());
        }

        await strategy.AdmitCreateAsync(obj, store, ct).ConfigureAwait(false);
        strategy.PrepareForCreate(obj, options.DryRun);
        var created = false;
        try
        {
            var causes = new List<StatusCause>();
            MetadataValidation.Validate(metadata, resource, causes);
            strategy.Validate(obj, causes);
            if (causes.Count > 0)
            {
                throw ApiException.Invalid(resource, name, causes);
            }

            // Validating admission runs last, on the object as it would be stored (kube's createValidation).
            await _quotaAdmission.AdmitCreateAsync(resource, ns, name, obj, options.DryRun, ct).ConfigureAwait(false);
            var result = await StoreCreateAsync(external, resource, obj, name, options, ct).ConfigureAwait(false);
            created = !options.DryRun;
            return result;
        }
        finally
        {
            if (!created)
            {
                strategy.CreateAborted(obj);
            }
        }
    }

    private async ValueTask<WriteResult> StoreCreateAsync(ResourceDefinition external, ResourceDefinition resource, JsonObject obj, string name, WriteOptions options, CancellationToken ct)
    {
        var draft = ObjectCodec.ToStored(resource, obj);
        if (options.DryRun)
        {
            if (await store.GetAsync(resource.StorageType, draft.Key, ct).ConfigureAwait(false) is not null)
            {
                throw ApiException.AlreadyExists(resource, name);
            }

            var preview = ObjectCodec.ToTree(draft);
            Metadata(preview).Remove("resourceVersion");
            return new(external.Encode(KubeJson.Serialize(preview)), 201);
        }

        try
        {
            var stored = await store.CreateAsync(resource.StorageType, draft, ct).ConfigureAwait(false);
            return new(external.Encode(stored.Json), 201, stored);
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.KeyExists)
        {
            throw ApiException.AlreadyExists(resource, name);
        }
    }

    /// <summary>PUT of an object or its status: the body replaces what the endpoint owns.</summary>
    public ValueTask<WriteResult> UpdateAsync(ResourceDefinition external, string ns, string name, string subresource, ReadOnlyMemory<byte> body, WriteOptions options, CancellationToken ct)
    {
        JsonObject? incoming = Incoming(external, ns, name, body.Span);
        var expected = ParseResourceVersion(KubeJson.GetString(Metadata(incoming), "resourceVersion"));
        return WriteUpdateAsync(external, ns, name, subresource, options, expected, _ =>
        {
            // The update merges into the tree it is given. The first attempt takes the parsed body
            // itself; another attempt (the object changed in between) parses the body again.
            var next = incoming ?? Incoming(external, ns, name, body.Span);
            incoming = null;
            return next;
        }, ct);
    }

    /// <summary>An update's body as the storage holds the object: kind, name and namespace checked against the URL.</summary>
    private static JsonObject Incoming(ResourceDefinition external, string ns, string name, ReadOnlySpan<byte> body)
    {
        var incoming = KubeJson.ParseObject(body);
        CheckTypeMeta(external, incoming);
        var resource = ToStorage(external, ref incoming);
        var metadata = Metadata(incoming);
        var bodyName = KubeJson.GetString(metadata, "name");
        if (string.IsNullOrEmpty(bodyName))
        {
            metadata["name"] = name;
        }
        else if (bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        ApplyNamespace(resource, metadata, ns);
        return incoming;
    }

    /// <summary>
    /// Server-side apply (PATCH with application/apply-patch+yaml): merges the configuration into
    /// the object under the request's field manager, or creates the object when it does not exist.
    /// </summary>
    private async ValueTask<WriteResult> ApplyAsync(ResourceDefinition external, string ns, string name, string subresource, ReadOnlyMemory<byte> body, WriteOptions options, CancellationToken ct)
    {
        var config = ApplyPatch.Parse(body.Span);
        var manager = options.FieldManager ?? "";
        try
        {
            return await WriteUpdateAsync(external, ns, name, subresource, options, expected: null, current =>
            {
                var live = external.FromStorage is not null ? FromStorageWithType(external, current) : current;
                var applied = FieldManager.Apply(external, subresource, live, (JsonObject)config.DeepClone(), manager, options.Force, time.GetUtcNow());
                CheckTypeMeta(external, applied);
                ToStorage(external, ref applied);
                CheckName(applied, name);
                return applied;
            }, ct, patchPreconditions: true, applied: true).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Code == 404 && e.Name == name && subresource.Length == 0)
        {
            // kube's apply patcher may create: the configuration applied to an empty object.
            var created = FieldManager.Apply(external, "", null, (JsonObject)config.DeepClone(), manager, options.Force, time.GetUtcNow());
            CheckName(created, name);
            return await CreateObjectAsync(external, ns, created, options, applied: true, ct).ConfigureAwait(false);
        }
    }

    private static void CheckName(JsonObject obj, string name)
    {
        var bodyName = KubeJson.GetString(Metadata(obj), "name");
        if (bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }
    }

    /// <summary>The media type of a Content-Type, lower case, without its parameters; no copy when it has none.</summary>
    public static string MediaType(string contentType)
    {
        var semicolon = contentType.IndexOf(';');
        var media = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return media == "application/json" ? "application/json" : media.ToLowerInvariant();
    }

    /// <summary>PATCH of an object or its status with any Kubernetes patch type.</summary>
    public ValueTask<WriteResult> PatchAsync(ResourceDefinition external, string ns, string name, string subresource, string contentType, ReadOnlyMemory<byte> body, WriteOptions options, CancellationToken ct)
    {
        var mediaType = MediaType(contentType);
        if (mediaType is "application/apply-patch+yaml" or "application/apply-patch+json")
        {
            return ApplyAsync(external, ns, name, subresource, body, options, ct);
        }

        Func<JsonObject, JsonObject> patch = mediaType switch
        {
            "application/json-patch+json" => current => AsObject(JsonPatch.Apply(current, body.Span)),
            "application/merge-patch+json" => current => AsObject(MergePatch.Apply(current, ParsePatch(body), strategic: false)),
            "application/strategic-merge-patch+json" => current => AsObject(MergePatch.Apply(current, ParsePatch(body), strategic: true, ModelSchema.ForKind(external.Group, external.Version, external.Kind))),
            _ => throw new ApiException(415, "UnsupportedMediaType", $"the server does not support the patch type {mediaType}: accepted types are application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"),
        };

        return WriteUpdateAsync(external, ns, name, subresource, options, expected: null, current =>
        {
            var patched = patch(external.FromStorage is not null ? FromStorageWithType(external, current) : current);
            CheckTypeMeta(external, patched);
            ToStorage(external, ref patched);
            var meta = Metadata(patched);
            if (KubeJson.GetString(meta, "name") != name)
            {
                throw ApiException.BadRequest($"the name of the object ({KubeJson.GetString(meta, "name")}) does not match the name on the URL ({name})");
            }

            return patched;
        }, ct, patchPreconditions: true);
    }

    private static JsonNode ParsePatch(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonNode.Parse(body.Span) ?? throw ApiException.BadRequest("error decoding patch: null patch");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw ApiException.BadRequest($"error decoding patch: {e.Message}");
        }
    }

    private static JsonObject AsObject(JsonNode? node) =>
        node as JsonObject ?? throw new ApiException(422, "Invalid", "the patch result is not a JSON object");

    /// <summary>
    /// The read-modify-write of every update: <paramref name="produce"/> makes the next object from
    /// the current one, which it reads but must not change (it is the comparison's left side), and
    /// returns a tree of its own; it runs again when the write has to be retried.
    /// </summary>
    private async ValueTask<WriteResult> WriteUpdateAsync(
        ResourceDefinition external,
        string ns,
        string name,
        string subresource,
        WriteOptions options,
        long? expected,
        Func<JsonObject, JsonObject> produce,
        CancellationToken ct,
        bool patchPreconditions = false,
        bool applied = false)
    {
        if (subresource.Length > 0 && subresource != "status")
        {
            throw ApiException.MethodNotAllowed();
        }

        var resource = external.StorageResource ?? external;
        var key = Key(resource, ns, name);
        if (subresource.Length == 0 && resource.Strategy.AdmitsUpdates && await store.GetAsync(resource.StorageType, key, ct).ConfigureAwait(false) is { } existing)
        {
            // Admission that reads other objects runs on the update as produced from the current object.
            var current = ObjectCodec.ToTree(existing);
            await resource.Strategy.AdmitUpdateAsync(produce(current), current, store, ct).ConfigureAwait(false);
        }

        var deleteAfterWrite = false;
        JsonObject? dryRunResult = null;
        StoredObject stored;
        try
        {
            stored = await store.GuaranteedUpdateAsync(resource.StorageType, key, (current, _) =>
            {
                if (current is null)
                {
                    throw ApiException.NotFound(resource, name);
                }

                var old = ObjectCodec.ToTree(current);
                var next = produce(old);
                var nextMeta = Metadata(next);
                var version = expected;
                if (patchPreconditions)
                {
                    version = ParseResourceVersion(KubeJson.GetString(nextMeta, "resourceVersion"));
                    if (version is not null && version == current.ResourceVersion)
                    {
                        version = null;
                    }
                }

                if (version is { } v && v != current.ResourceVersion)
                {
                    throw ApiException.Conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");
                }

                CheckTypeMeta(resource, next);
                var merged = MergeForUpdate(resource, subresource, old, next, name, options.DryRun);
                if (applied)
                {
                    // Apply recorded ownership on the object it produced; a status write keeps the stored metadata otherwise.
                    CopyMember(Metadata(next), Metadata(merged), "managedFields");
                }
                else
                {
                    FieldManager.Update(resource, subresource, old, merged, options.Manager, time.GetUtcNow());
                }

                deleteAfterWrite = ShouldFinishDeletion(merged);
                var candidate = ObjectCodec.ToStored(resource, merged);
                if (current.HasContent(candidate.Json))
                {
                    return ValueTask.FromResult(current);
                }

                if (options.DryRun)
                {
                    dryRunResult = merged;
                    Metadata(merged)["resourceVersion"] = current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return ValueTask.FromResult(current);
                }

                return ValueTask.FromResult(candidate);
            }, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.KeyNotFound)
        {
            throw ApiException.NotFound(resource, name);
        }

        if (dryRunResult is not null)
        {
            return new(external.Encode(KubeJson.Serialize(dryRunResult)), 200);
        }

        if (deleteAfterWrite)
        {
            // The last finalizer of an object being deleted is gone: the object goes with it.
            var deleted = await TryDeleteNowAsync(resource, key, stored.Uid, ct).ConfigureAwait(false);
            if (deleted is not null)
            {
                return new(external.Encode(deleted.Json), 200, deleted);
            }
        }

        return new(external.Encode(stored.Json), 200, stored);
    }

    /// <summary>Converts a client's object to the storage form when another registration owns the storage; returns the storage resource.</summary>
    private static ResourceDefinition ToStorage(ResourceDefinition external, ref JsonObject obj)
    {
        if (external.StorageResource is not { } storage)
        {
            return external;
        }

        obj = external.ToStorage!(obj);
        CheckTypeMeta(storage, obj);
        return storage;
    }

    private static JsonObject FromStorageWithType(ResourceDefinition external, JsonObject stored)
    {
        var obj = external.FromStorage!(stored);
        obj["kind"] = external.Kind;
        obj["apiVersion"] = external.GroupVersion;
        return obj;
    }

    /// <summary>Combines the stored object and the client's version the way kube's update strategies do.</summary>
    private static JsonObject MergeForUpdate(ResourceDefinition resource, string subresource, JsonObject old, JsonObject next, string name, bool dryRun)
    {
        var oldMeta = Metadata(old);
        var nextMeta = Metadata(next);
        var causes = new List<StatusCause>();

        JsonObject result;
        if (subresource == "status")
        {
            // Status writes change status, and metadata a controller records alongside it
            // (annotations such as a deployment's revision), never spec: kube's status strategies
            // reset spec (and for workloads labels) to the stored object's.
            result = (JsonObject)old.DeepClone();
            if (next.TryGetPropertyValue("status", out var status))
            {
                // Moved rather than copied: next is the producer's own tree.
                next.Remove("status");
                result["status"] = status;
            }
            else
            {
                result.Remove("status");
            }

            var resultMeta = Metadata(result);
            CopyMember(nextMeta, resultMeta, "annotations");
            if (resource.Group != "apps")
            {
                CopyMember(nextMeta, resultMeta, "labels");
            }
        }
        else
        {
            result = next;
            if (resource.HasStatus)
            {
                if (old.TryGetPropertyValue("status", out var status))
                {
                    result["status"] = status?.DeepClone();
                }
                else
                {
                    result.Remove("status");
                }
            }

            // System fields are not the client's to change.
            var uid = KubeJson.GetString(nextMeta, "uid");
            if (!string.IsNullOrEmpty(uid) && uid != KubeJson.GetString(oldMeta, "uid"))
            {
                causes.Add(new("FieldValueInvalid", $"Invalid value: \"{uid}\": field is immutable", "metadata.uid"));
            }

            foreach (var field in (ReadOnlySpan<string>)["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"])
            {
                CopyMember(oldMeta, nextMeta, field);
            }

            nextMeta.Remove("selfLink");
            if (KubeJson.GetString(oldMeta, "deletionTimestamp") is not null && AddsFinalizer(oldMeta, nextMeta))
            {
                causes.Add(new("FieldValueForbidden", "Forbidden: no new finalizers can be added if the object is being deleted", "metadata.finalizers"));
            }

            resource.Strategy.ApplyDefaults(result);
            resource.Strategy.PrepareForUpdate(result, old, dryRun);
            MetadataValidation.Validate(nextMeta, resource, causes);
            resource.Strategy.ValidateUpdate(result, old, causes);
        }

        Metadata(result).Remove("resourceVersion");
        if (causes.Count > 0)
        {
            throw ApiException.Invalid(resource, name, causes);
        }

        return result;
    }

    private static bool AddsFinalizer(JsonObject oldMeta, JsonObject nextMeta)
    {
        var old = (oldMeta["finalizers"] as JsonArray)?.Select(f => f?.ToString()).ToHashSet() ?? [];
        return (nextMeta["finalizers"] as JsonArray)?.Any(f => !old.Contains(f?.ToString())) ?? false;
    }

    private static void CopyMember(JsonObject from, JsonObject to, string name)
    {
        if (from.TryGetPropertyValue(name, out var value))
        {
            to[name] = value?.DeepClone();
        }
        else
        {
            to.Remove(name);
        }
    }

    private static bool ShouldFinishDeletion(JsonObject obj)
    {
        var meta = Metadata(obj);
        return KubeJson.GetString(meta, "deletionTimestamp") is not null
            && !HasFinalizers(obj)
            && (meta["deletionGracePeriodSeconds"]?.GetValue<long>() ?? 0) == 0;
    }

    /// <summary>metadata.finalizers, and for namespaces also spec.finalizers, which hold the namespace until its content is gone.</summary>
    private static bool HasFinalizers(JsonObject obj) =>
        Metadata(obj)["finalizers"] is JsonArray { Count: > 0 }
        || (KubeJson.GetString(obj, "kind") == "Namespace" && (obj["spec"] as JsonObject)?["finalizers"] is JsonArray { Count: > 0 });

    /// <summary>DELETE of one object: immediate, or marked (deletionTimestamp) while finalizers or a pod's grace period remain.</summary>
    public async ValueTask<WriteResult> DeleteAsync(ResourceDefinition external, string ns, string name, WriteOptions options, CancellationToken ct)
    {
        var result = await DeleteStoredAsync(external.StorageResource ?? external, ns, name, options, ct).ConfigureAwait(false);
        return result.Json.Length > 0 && result.Stored is not null && !result.IsStatus
            ? result with { Json = external.Encode(result.Json) }
            : result;
    }

    private async ValueTask<WriteResult> DeleteStoredAsync(ResourceDefinition resource, string ns, string name, WriteOptions options, CancellationToken ct)
    {
        var key = Key(resource, ns, name);
        var current = await store.GetAsync(resource.StorageType, key, ct).ConfigureAwait(false) ?? throw ApiException.NotFound(resource, name);
        CheckPreconditions(resource, name, current, options.Preconditions);
        resource.Strategy.ValidateDelete(name);

        var tree = ObjectCodec.ToTree(current);
        var meta = Metadata(tree);
        var hasFinalizers = HasFinalizers(tree);
        var grace = GracePeriod(resource, tree, options);
        var alreadyDeleting = KubeJson.GetString(meta, "deletionTimestamp") is not null;
        var finalizerToAdd = options.PropagationPolicy switch
        {
            "Foreground" => "foregroundDeletion",
            "Orphan" => "orphan",
            _ => null,
        };

        var mustMark = hasFinalizers || grace > 0 || (finalizerToAdd is not null && HasDependentsPolicy(resource));
        if (!mustMark)
        {
            if (options.DryRun)
            {
                return DeletedResponse(resource, current);
            }

            var deleted = await DeleteNowAsync(resource, key, options.Preconditions ?? new Preconditions(Uid: current.Uid), ct).ConfigureAwait(false);
            return DeletedResponse(resource, deleted);
        }

        if (options.DryRun)
        {
            return new(current.Json, 200, current);
        }

        // Graceful: set (or shorten) deletionTimestamp and keep the object until its finalizers
        // are removed and the grace period has passed or a node agent confirms.
        var stored = await store.GuaranteedUpdateAsync(resource.StorageType, key, (existing, _) =>
        {
            if (existing is null)
            {
                throw ApiException.NotFound(resource, name);
            }

            CheckPreconditions(resource, name, existing, options.Preconditions);
            var obj = ObjectCodec.ToTree(existing);
            var m = Metadata(obj);
            var now = time.GetUtcNow();
            var currentGrace = m["deletionGracePeriodSeconds"]?.GetValue<long>();
            if (KubeJson.GetString(m, "deletionTimestamp") is null || currentGrace is null || grace < currentGrace)
            {
                m["deletionTimestamp"] = KubeJson.Timestamp(now.AddSeconds(grace));
                m["deletionGracePeriodSeconds"] = grace;
            }

            if (finalizerToAdd is not null && HasDependentsPolicy(resource))
            {
                var finalizers = m["finalizers"] as JsonArray ?? [];
                if (!finalizers.Any(f => f?.ToString() == finalizerToAdd))
                {
                    finalizers.Add(finalizerToAdd);
                }

                m["finalizers"] = finalizers;
            }

            if (resource.Plural == "namespaces" && resource.Group.Length == 0)
            {
                obj["status"] = new JsonObject { ["phase"] = "Terminating" };
            }

            var next = ObjectCodec.ToStored(resource, obj);
            return ValueTask.FromResult(existing.HasContent(next.Json) ? existing : next);
        }, cancellationToken: ct).ConfigureAwait(false);

        var storedTree = ObjectCodec.ToTree(stored);
        if (ShouldFinishDeletion(storedTree))
        {
            var deleted = await TryDeleteNowAsync(resource, key, stored.Uid, ct).ConfigureAwait(false);
            if (deleted is not null)
            {
                return DeletedResponse(resource, deleted);
            }
        }
        else if (grace > 0 && !hasFinalizers && !alreadyDeleting)
        {
            graceful.Schedule(resource, key, stored.Uid, TimeSpan.FromSeconds(grace));
        }
        else if (grace > 0 && !hasFinalizers)
        {
            graceful.Schedule(resource, key, stored.Uid, TimeSpan.FromSeconds(grace));
        }

        return new(stored.Json, 200, stored);
    }

    private static bool HasDependentsPolicy(ResourceDefinition resource) => resource.Plural is not "events";

    private WriteResult DeletedResponse(ResourceDefinition resource, StoredObject deleted)
    {
        if (resource.ReturnDeletedObject)
        {
            return new(deleted.Json, 200, deleted);
        }

        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = new JsonObject
            {
                ["name"] = deleted.Name,
                ["group"] = resource.Group.Length > 0 ? resource.Group : null,
                ["kind"] = resource.Plural,
                ["uid"] = deleted.Uid,
            },
        };
        if (resource.Group.Length == 0)
        {
            ((JsonObject)status["details"]!).Remove("group");
        }

        return new(KubeJson.Serialize(status), 200, deleted, IsStatus: true);
    }

    /// <summary>The grace period a delete gets: pods on a node use the request's or their terminationGracePeriodSeconds; everything else 0.</summary>
    private static long GracePeriod(ResourceDefinition resource, JsonObject obj, WriteOptions options)
    {
        if (resource.Plural != "pods" || resource.Group.Length != 0)
        {
            return 0;
        }

        var spec = obj["spec"] as JsonObject;
        var phase = KubeJson.GetString(obj["status"] as JsonObject, "phase");
        if (string.IsNullOrEmpty(KubeJson.GetString(spec, "nodeName")) || phase is "Succeeded" or "Failed")
        {
            return 0;
        }

        var grace = options.GracePeriodSeconds ?? spec?["terminationGracePeriodSeconds"]?.GetValue<long>() ?? 30;
        return Math.Max(grace, 0);
    }

    private static void CheckPreconditions(ResourceDefinition resource, string name, StoredObject current, Preconditions? preconditions)
    {
        if (preconditions?.Uid is { Length: > 0 } uid && uid != current.Uid)
        {
            throw ApiException.Conflict(resource, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid}");
        }

        if (preconditions?.ResourceVersion is { } rv && rv != current.ResourceVersion)
        {
            throw ApiException.Conflict(resource, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current.ResourceVersion}");
        }
    }

    private async ValueTask<StoredObject> DeleteNowAsync(ResourceDefinition resource, ObjectKey key, Preconditions preconditions, CancellationToken ct)
    {
        try
        {
            return await store.DeleteAsync(resource.StorageType, key, preconditions, ct).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.KeyNotFound)
        {
            throw ApiException.NotFound(resource, key.Name);
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
        {
            throw ApiException.Conflict(resource, key.Name, e.Message);
        }
    }

    /// <summary>Deletes an object whose deletion is complete, if it is still the same object; null when it is already gone.</summary>
    public async ValueTask<StoredObject?> TryDeleteNowAsync(ResourceDefinition resource, ObjectKey key, string uid, CancellationToken ct)
    {
        try
        {
            return await store.DeleteAsync(resource.StorageType, key, new Preconditions(Uid: uid), ct).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Code is StorageErrorCode.KeyNotFound or StorageErrorCode.Conflict)
        {
            return null;
        }
    }

    /// <summary>DELETE on a collection: every object the selectors match, each as a single delete.</summary>
    public async ValueTask<byte[]> DeleteCollectionAsync(ResourceDefinition resource, string? ns, LabelSelector labels, FieldSelector fields, WriteOptions options, CancellationToken ct)
    {
        var list = await store.ListAsync(resource.StorageType, new ListOptions { Namespace = ns, Labels = labels, Fields = fields }, ct).ConfigureAwait(false);
        var items = new List<byte[]>();
        foreach (var item in list.Items)
        {
            try
            {
                var result = await DeleteAsync(resource, item.Namespace, item.Name, options with { Preconditions = null }, ct).ConfigureAwait(false);
                items.Add(resource.Encode(result.Stored?.Json ?? item.Json));
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Deleted meanwhile: nothing to do.
            }
        }

        return ListJson(resource, items, list.ResourceVersion, null, null);
    }

    /// <summary>A list object built by concatenating stored bytes: no item is re-serialized.</summary>
    public static byte[] ListJson(ResourceDefinition resource, IReadOnlyList<byte[]> items, long resourceVersion, string? continueToken, long? remaining)
    {
        using var list = PooledListJson(resource, items, resourceVersion, continueToken, remaining);
        return list.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <see cref="ListJson"/> written into rented memory of the exact size, for a response that
    /// disposes it when sent: lists are the largest responses, and a fresh large-object-heap array
    /// per list (zeroed, faulted in, collected) cost more than building it.
    /// </summary>
    public static PooledBufferWriter PooledListJson(ResourceDefinition resource, IReadOnlyList<byte[]> items, long resourceVersion, string? continueToken, long? remaining) =>
        ListBody(ListPrefix(resource, resourceVersion, continueToken, remaining), items.Count, i => items[i].Length, (into, i) => items[i].CopyTo(into));

    /// <summary>
    /// <see cref="PooledListJson(ResourceDefinition, IReadOnlyList{byte[]}, long, string?, long?)"/> of stored objects:
    /// each is decompressed straight into the body, with no array of its own in between.
    /// </summary>
    public static PooledBufferWriter PooledListJson(ResourceDefinition resource, IReadOnlyList<StoredObject> items, long resourceVersion, string? continueToken, long? remaining)
    {
        if (resource.FromStorage is not null)
        {
            return PooledListJson(resource, [.. items.Select(item => resource.Encode(item.Json))], resourceVersion, continueToken, remaining);
        }

        return ListBody(ListPrefix(resource, resourceVersion, continueToken, remaining), items.Count, i => items[i].JsonLength, (into, i) => items[i].CopyJsonTo(into));
    }

    /// <summary>prefix, then the items comma-separated, then ]}: one exact-size rented body.</summary>
    private static PooledBufferWriter ListBody(byte[] prefix, int count, Func<int, int> lengthOf, SpanAction<byte, int> copy)
    {
        long length = prefix.Length + 2 + Math.Max(0, count - 1);
        for (var i = 0; i < count; i++)
        {
            length += lengthOf(i);
        }

        var body = new PooledBufferWriter((int)Math.Min(length, Array.MaxLength));
        body.Write(prefix);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            var size = lengthOf(i);
            copy(body.GetSpan(size)[..size], i);
            body.Advance(size);
        }

        body.Write("]}"u8);
        return body;
    }

    // {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":...,"continue":...,"remainingItemCount":...},"items":[
    private static byte[] ListPrefix(ResourceDefinition resource, long resourceVersion, string? continueToken, long? remaining)
    {
        var head = new StringBuilder(160)
            .Append("{\"kind\":\"").Append(resource.ListKind)
            .Append("\",\"apiVersion\":\"").Append(resource.GroupVersion)
            .Append("\",\"metadata\":{\"resourceVersion\":\"").Append(resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('"');
        if (continueToken is not null)
        {
            head.Append(",\"continue\":\"").Append(continueToken).Append('"');
            if (remaining is { } r)
            {
                head.Append(",\"remainingItemCount\":").Append(r.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        head.Append("},\"items\":[");
        return Encoding.UTF8.GetBytes(head.ToString());
    }

    /// <summary>
    /// Whether a stored namespace has a deletionTimestamp. Every namespaced create asks: the bytes are
    /// parsed only when they hold the member at all (the pattern cannot occur inside a JSON string,
    /// where quotes are escaped), and the answer is kept per stored version.
    /// </summary>
    private static readonly StoredObjectMemo NamespaceTerminating = new(static stored =>
        stored.JsonContains("\"deletionTimestamp\":\""u8)
        && KubeJson.GetString(Metadata(KubeJson.ParseStored(stored.Json)), "deletionTimestamp") is not null);

    private async ValueTask CheckNamespaceAcceptsAsync(string ns, CancellationToken ct)
    {
        var stored = await store.GetAsync(Namespaces, new ObjectKey("", ns), ct).ConfigureAwait(false);
        if (stored is null)
        {
            throw new ApiException(404, "NotFound", $"namespaces \"{ns}\" not found", ns, null, "namespaces");
        }

        if (NamespaceTerminating.Ask(stored))
        {
            throw new ApiException(403, "Forbidden", $"unable to create new content in namespace {ns} because it is being terminated", ns, null, "namespaces",
                [new StatusCause("NamespaceTerminating", $"namespace {ns} is being terminated", "metadata.namespace")]);
        }
    }

    /// <summary>kind and apiVersion default from the endpoint; a different one is a 400 as kube-apiserver answers it.</summary>
    public static void CheckTypeMeta(ResourceDefinition resource, JsonObject obj)
    {
        var apiVersion = KubeJson.GetString(obj, "apiVersion");
        var kind = KubeJson.GetString(obj, "kind");
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != resource.GroupVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({resource.GroupVersion})");
        }

        if (!string.IsNullOrEmpty(kind) && kind != resource.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({resource.Kind})");
        }

        obj["kind"] = resource.Kind;
        obj["apiVersion"] = resource.GroupVersion;
    }

    private static void ApplyNamespace(ResourceDefinition resource, JsonObject metadata, string ns)
    {
        var bodyNamespace = KubeJson.GetString(metadata, "namespace");
        if (resource.Namespaced)
        {
            if (!string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = ns;
        }
        else
        {
            metadata.Remove("namespace");
        }
    }

    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = new JsonObject();
        obj["metadata"] = metadata;
        return metadata;
    }

    private static long? ParseResourceVersion(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rv)
            ? rv
            : throw ApiException.BadRequest($"invalid resource version: {text}");
    }

    private static ObjectKey Key(ResourceDefinition resource, string ns, string name) => new(resource.Namespaced ? ns : "", name);

    // kube's names.SimpleNameGenerator: five characters from an alphabet without vowels or look-alikes.
    private static string GenerateName(string prefix)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        if (prefix.Length > 58)
        {
            prefix = prefix[..58];
        }

        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        return prefix + new string(suffix);
    }
}
