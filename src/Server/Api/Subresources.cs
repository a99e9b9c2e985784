using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;
using Nautilus.Store;

namespace Nautilus.Server.Api;

/// <summary>Subresources that are views or actions rather than parts of the stored object: pods/binding, */scale, namespaces/finalize.</summary>
public sealed class Subresources(ResourceHandler handler)
{
    /// <summary>POST pods/{name}/binding: assigns the pod to a node once, as kube-scheduler's Bind does.</summary>
    public async ValueTask<byte[]> BindAsync(ResourceDefinition pods, string ns, string name, ReadOnlyMemory<byte> body, bool dryRun, CancellationToken ct)
    {
        var binding = KubeJson.ParseObject(body.Span);
        var target = binding["target"] as JsonObject;
        var node = KubeJson.GetString(target, "name");
        if (string.IsNullOrEmpty(node))
        {
            throw new ApiException(422, "Invalid", $"Binding \"{name}\" is invalid: target.name: Required value", name, null, "Binding",
                [new StatusCause("FieldValueRequired", "Required value", "target.name")]);
        }

        var bindingName = KubeJson.GetString(binding["metadata"] as JsonObject, "name");
        if (!string.IsNullOrEmpty(bindingName) && bindingName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bindingName}) does not match the name on the URL ({name})");
        }

        var uidPrecondition = KubeJson.GetString(binding["metadata"] as JsonObject, "uid");
        if (!dryRun)
        {
            await handler.Store.GuaranteedUpdateAsync(pods.StorageType, new ObjectKey(ns, name), (current, _) =>
            {
                if (current is null)
                {
                    throw ApiException.NotFound(pods, name);
                }

                if (!string.IsNullOrEmpty(uidPrecondition) && uidPrecondition != current.Uid)
                {
                    throw ApiException.Conflict(pods, name, $"Precondition failed: UID in precondition: {uidPrecondition}, UID in object meta: {current.Uid}");
                }

                var pod = ObjectCodec.ToTree(current);
                var meta = ResourceHandler.Metadata(pod);
                if (KubeJson.GetString(meta, "deletionTimestamp") is not null)
                {
                    throw new ApiException(409, "Conflict", $"Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is being deleted, cannot be assigned to a host", name, null, "pods/binding");
                }

                var spec = pod["spec"] as JsonObject ?? [];
                pod["spec"] = spec;
                var existing = KubeJson.GetString(spec, "nodeName");
                if (!string.IsNullOrEmpty(existing))
                {
                    throw new ApiException(409, "Conflict", $"Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{existing}\"", name, null, "pods/binding");
                }

                spec["nodeName"] = node;
                if (binding["metadata"] is JsonObject bindingMeta && bindingMeta["annotations"] is JsonObject annotations)
                {
                    var podAnnotations = meta["annotations"] as JsonObject ?? [];
                    foreach (var (k, v) in annotations)
                    {
                        podAnnotations[k] = v?.DeepClone();
                    }

                    meta["annotations"] = podAnnotations;
                }

                var status = pod["status"] as JsonObject ?? [];
                pod["status"] = status;
                var conditions = status["conditions"] as JsonArray ?? [];
                status["conditions"] = conditions;
                JsonObject? scheduled = null;
                foreach (var condition in conditions)
                {
                    if (condition is JsonObject c && KubeJson.GetString(c, "type") == "PodScheduled")
                    {
                        scheduled = c;
                    }
                }

                if (scheduled is null)
                {
                    scheduled = new JsonObject { ["type"] = "PodScheduled" };
                    conditions.Add(scheduled);
                }

                scheduled["status"] = "True";
                scheduled["lastProbeTime"] = null;
                scheduled["lastTransitionTime"] = KubeJson.Timestamp(DateTimeOffset.UtcNow);
                scheduled.Remove("reason");
                scheduled.Remove("message");
                return ValueTask.FromResult(ObjectCodec.ToStored(pods, pod));
            }, cancellationToken: ct).ConfigureAwait(false);
        }

        return KubeJson.Serialize(new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["code"] = 201,
        });
    }

    /// <summary>GET */scale: the autoscaling/v1 Scale view of a workload.</summary>
    public static byte[] Scale(StoredObject stored)
    {
        var obj = ObjectCodec.ToTree(stored);
        var meta = ResourceHandler.Metadata(obj);
        var spec = obj["spec"] as JsonObject;
        var status = obj["status"] as JsonObject;
        var selector = spec?["selector"] as JsonObject;
        var scale = new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = KubeJson.GetString(meta, "name"),
                ["namespace"] = KubeJson.GetString(meta, "namespace"),
                ["uid"] = KubeJson.GetString(meta, "uid"),
                ["resourceVersion"] = KubeJson.GetString(meta, "resourceVersion"),
                ["creationTimestamp"] = KubeJson.GetString(meta, "creationTimestamp"),
            },
            ["spec"] = new JsonObject { ["replicas"] = spec?["replicas"]?.GetValue<long>() ?? 1 },
            ["status"] = new JsonObject
            {
                ["replicas"] = status?["replicas"]?.GetValue<long>() ?? 0,
                ["selector"] = SelectorString(selector),
            },
        };
        return KubeJson.Serialize(scale);
    }

    /// <summary>The string form of a LabelSelector (matchLabels and matchExpressions), as Scale.status.selector carries it.</summary>
    public static string SelectorString(JsonObject? selector)
    {
        var parts = new List<string>();
        if (selector?["matchLabels"] is JsonObject labels)
        {
            foreach (var (k, v) in labels.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                parts.Add($"{k}={v}");
            }
        }

        if (selector?["matchExpressions"] is JsonArray expressions)
        {
            foreach (var e in expressions.OfType<JsonObject>())
            {
                var key = KubeJson.GetString(e, "key");
                var values = (e["values"] as JsonArray)?.Select(v => v?.ToString()).Order(StringComparer.Ordinal).ToList() ?? [];
                parts.Add(KubeJson.GetString(e, "operator") switch
                {
                    "In" => $"{key} in ({string.Join(",", values)})",
                    "NotIn" => $"{key} notin ({string.Join(",", values)})",
                    "Exists" => key!,
                    "DoesNotExist" => "!" + key,
                    _ => key!,
                });
            }
        }

        return string.Join(",", parts);
    }

    /// <summary>PUT or PATCH */scale: changes spec.replicas of the workload and answers with the new Scale.</summary>
    /// <param name="manager">The field manager that takes ownership of spec.replicas when it changes.</param>
    public async ValueTask<byte[]> UpdateScaleAsync(ResourceDefinition resource, string ns, string name, Func<JsonObject, JsonObject> produce, bool dryRun, CancellationToken ct, string? manager = null)
    {
        long? newReplicas = null;
        var stored = await handler.Store.GuaranteedUpdateAsync(resource.StorageType, new ObjectKey(ns, name), (current, _) =>
        {
            if (current is null)
            {
                throw ApiException.NotFound(resource, name);
            }

            var scale = produce(KubeJson.ParseStored(Scale(current)));
            var scaleMeta = scale["metadata"] as JsonObject;
            if (KubeJson.GetString(scaleMeta, "resourceVersion") is { Length: > 0 } rv && rv != current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");
            }

            var replicasNode = (scale["spec"] as JsonObject)?["replicas"];
            var replicas = replicasNode is JsonValue v && v.TryGetValue<long>(out var r) ? r : 0;
            if (replicas < 0)
            {
                throw new ApiException(422, "Invalid", $"Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0", name, "autoscaling", "Scale",
                    [new StatusCause("FieldValueInvalid", $"Invalid value: {replicas}: must be greater than or equal to 0", "spec.replicas")]);
            }

            newReplicas = replicas;
            var obj = ObjectCodec.ToTree(current);
            var spec = obj["spec"] as JsonObject ?? [];
            obj["spec"] = spec;
            if (spec["replicas"]?.GetValue<long>() == replicas)
            {
                return ValueTask.FromResult(current);
            }

            spec["replicas"] = replicas;
            if (manager is not null)
            {
                Apply.FieldManager.UpdateScale(resource, obj, manager);
            }

            var meta = ResourceHandler.Metadata(obj);
            if (resource.TracksGeneration)
            {
                meta["generation"] = (meta["generation"]?.GetValue<long>() ?? 0) + 1;
            }

            return ValueTask.FromResult(dryRun ? current : ObjectCodec.ToStored(resource, obj));
        }, cancellationToken: ct).ConfigureAwait(false);

        var result = KubeJson.ParseStored(Scale(stored));
        if (dryRun && newReplicas is { } n)
        {
            ((JsonObject)result["spec"]!)["replicas"] = n;
        }

        return KubeJson.Serialize(result);
    }

    /// <summary>PUT namespaces/{name}/finalize: replaces spec.finalizers; an emptied namespace being deleted goes away.</summary>
    public async ValueTask<byte[]> FinalizeNamespaceAsync(ResourceDefinition namespaces, string name, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var incoming = KubeJson.ParseObject(body.Span);
        var finalizers = (incoming["spec"] as JsonObject)?["finalizers"]?.DeepClone() ?? new JsonArray();
        var stored = await handler.Store.GuaranteedUpdateAsync(namespaces.StorageType, new ObjectKey("", name), (current, _) =>
        {
            if (current is null)
            {
                throw ApiException.NotFound(namespaces, name);
            }

            var ns = ObjectCodec.ToTree(current);
            var spec = ns["spec"] as JsonObject ?? [];
            ns["spec"] = spec;
            if (JsonNode.DeepEquals(spec["finalizers"], finalizers))
            {
                return ValueTask.FromResult(current);
            }

            spec["finalizers"] = finalizers.DeepClone();
            return ValueTask.FromResult(ObjectCodec.ToStored(namespaces, ns));
        }, cancellationToken: ct).ConfigureAwait(false);

        var tree = ObjectCodec.ToTree(stored);
        var meta = ResourceHandler.Metadata(tree);
        if (KubeJson.GetString(meta, "deletionTimestamp") is not null
            && (tree["spec"] as JsonObject)?["finalizers"] is not JsonArray { Count: > 0 }
            && meta["finalizers"] is not JsonArray { Count: > 0 })
        {
            var deleted = await handler.TryDeleteNowAsync(namespaces, stored.Key, stored.Uid, ct).ConfigureAwait(false);
            if (deleted is not null)
            {
                return deleted.Json;
            }
        }

        return stored.Json;
    }
}
