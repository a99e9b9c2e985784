using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.ResourceQuota;

/// <summary>
/// What an object charges against a ResourceQuota, as kube's quota evaluators measure it
/// (pkg/quota/v1/evaluator/core: pods, services, persistentvolumeclaims, and the generic object
/// count evaluator for everything else). Shared by the quota controller, which sums it over a
/// namespace, and the API server's ResourceQuota admission, which adds one object's usage to
/// status.used, so both count the same way.
/// </summary>
public static class QuotaEvaluation
{
    /// <summary>podResources: the names the pod evaluator matches besides the hugepages and extended prefixes.</summary>
    private static readonly HashSet<string> PodResources = new(StringComparer.Ordinal)
    {
        "count/pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
    };

    /// <summary>
    /// validationSet: if a quota tracks one of these, every container must state it (a
    /// backward-compatibility rule kube keeps and extends to no other resource).
    /// </summary>
    private static readonly string[] MustSpecify = ["cpu", "limits.cpu", "limits.memory", "memory", "requests.cpu", "requests.memory"];

    /// <summary>legacyObjectCountAliases: core kinds whose count has a name without <c>count/</c>.</summary>
    private static readonly HashSet<string> LegacyCounts = new(StringComparer.Ordinal) { "configmaps", "resourcequotas", "replicationcontrollers", "secrets" };

    /// <summary>
    /// The resource (group, plural) whose objects a quota resource name counts: <c>requests.cpu</c>
    /// → pods, <c>count/deployments.apps</c> → apps deployments; null for a name no evaluator knows
    /// (kube leaves those out of status.used).
    /// </summary>
    public static (string Group, string Resource)? ChargedBy(string name)
    {
        if (PodResources.Contains(name) || name.StartsWith("hugepages-", StringComparison.Ordinal)
            || name.StartsWith("requests.hugepages-", StringComparison.Ordinal) || IsExtendedRequest(name))
        {
            return ("", "pods");
        }

        switch (name)
        {
            case "services" or "services.loadbalancers" or "services.nodeports":
                return ("", "services");
            case "persistentvolumeclaims" or "requests.storage":
                return ("", "persistentvolumeclaims");
        }

        if (name.Contains(".storageclass.storage.k8s.io/", StringComparison.Ordinal))
        {
            return ("", "persistentvolumeclaims");
        }

        if (LegacyCounts.Contains(name))
        {
            return ("", name);
        }

        if (name.StartsWith("count/", StringComparison.Ordinal) && name.Length > "count/".Length)
        {
            var rest = name["count/".Length..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            return dot < 0 ? ("", rest) : (rest[(dot + 1)..], rest[..dot]);
        }

        return null;
    }

    /// <summary>ObjectCountQuotaResourceNameFor: <c>count/pods</c>, <c>count/deployments.apps</c>.</summary>
    public static string CountName(string group, string resource) => group.Length == 0 ? "count/" + resource : "count/" + resource + "." + group;

    /// <summary>The default ignored resources of quota (install.DefaultIgnoredResources): events are never counted.</summary>
    public static bool IsIgnored(string group, string resource) => resource == "events" && group is "" or "events.k8s.io";

    /// <summary>The usage one object charges: Evaluator.Usage. <paramref name="now"/> decides whether a deleted pod's grace period has run out.</summary>
    public static Dictionary<string, Quantity> Usage(string group, string resource, JsonObject obj, DateTimeOffset now)
    {
        if (group.Length == 0)
        {
            switch (resource)
            {
                case "pods":
                    return PodUsage(obj, now);
                case "services":
                    return ServiceUsage(obj);
                case "persistentvolumeclaims":
                    return PersistentVolumeClaimUsage(obj);
            }
        }

        var usage = new Dictionary<string, Quantity>(StringComparer.Ordinal) { [CountName(group, resource)] = Quantity.FromCount(1) };
        if (group.Length == 0 && LegacyCounts.Contains(resource))
        {
            usage[resource] = Quantity.FromCount(1);
        }

        return usage;
    }

    /// <summary>
    /// PodUsageFunc: count/pods always; the rest (pods, requests, limits) only while the pod is not
    /// terminal (Succeeded or Failed) nor deleted with its grace period over (QuotaV1Pod). Requests
    /// are the pod's effective requests: containers (and sidecars) summed, at least the largest init
    /// container, plus overhead (resourcehelper.PodRequests).
    /// </summary>
    public static Dictionary<string, Quantity> PodUsage(JsonObject pod, DateTimeOffset now)
    {
        var usage = new Dictionary<string, Quantity>(StringComparer.Ordinal) { ["count/pods"] = Quantity.FromCount(1) };
        if (!IsChargedPod(pod, now))
        {
            return usage;
        }

        var spec = pod["spec"] as JsonObject;
        var requests = PodResourceList(spec, "requests", overheadOnlyWhereSet: false);
        var limits = PodResourceList(spec, "limits", overheadOnlyWhereSet: true);
        foreach (var (name, value) in ComputeUsage(requests, limits))
        {
            usage[name] = value;
        }

        return usage;
    }

    /// <summary>QuotaV1Pod: whether a pod's compute resources are charged.</summary>
    public static bool IsChargedPod(JsonObject pod, DateTimeOffset now)
    {
        if ((pod["status"] as JsonObject)?["phase"]?.GetValue<string>() is "Succeeded" or "Failed")
        {
            return false;
        }

        var metadata = pod["metadata"] as JsonObject;
        if (KubeObject.Time(metadata, "deletionTimestamp") is { } deleted && metadata?["deletionGracePeriodSeconds"] is JsonValue grace
            && now > deleted.AddSeconds(grace.GetValue<long>()))
        {
            return false;
        }

        return true;
    }

    /// <summary>
    /// Evaluator.Constraints for pods: when a quota tracks cpu or memory (requests or limits), every
    /// container and init container must state it. Returns kube's message (<c>must specify
    /// limits.cpu for: app; requests.cpu for: app,init</c>), or null when the pod complies.
    /// </summary>
    public static string? PodConstraintsViolation(JsonObject pod, IReadOnlyCollection<string> tracked)
    {
        var required = new List<string>();
        foreach (var name in MustSpecify)
        {
            if (tracked.Contains(name))
            {
                required.Add(name);
            }
        }

        if (required.Count == 0)
        {
            return null;
        }

        var missing = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var spec = pod["spec"] as JsonObject;
        foreach (var list in (ReadOnlySpan<string>)["containers", "initContainers"])
        {
            foreach (var container in Objects(spec?[list] as JsonArray))
            {
                var resources = container["resources"] as JsonObject;
                var stated = ComputeUsage(ResourceList(resources?["requests"] as JsonObject), ResourceList(resources?["limits"] as JsonObject));
                foreach (var name in required)
                {
                    if (!stated.ContainsKey(name))
                    {
                        if (!missing.TryGetValue(name, out var containers))
                        {
                            missing[name] = containers = new(StringComparer.Ordinal);
                        }

                        containers.Add(container["name"]?.GetValue<string>() ?? "");
                    }
                }
            }
        }

        return missing.Count == 0 ? null : "must specify " + string.Join("; ", missing.Select(m => m.Key + " for: " + string.Join(',', m.Value)));
    }

    /// <summary>
    /// generic.Matches with the pod scope function: a quota covers a pod when every scope it names
    /// (spec.scopes and spec.scopeSelector) holds for the pod. Other kinds have no scopes (a scoped
    /// quota never covers them).
    /// </summary>
    public static bool MatchesScopes(JsonObject quota, string group, string resource, JsonObject obj)
    {
        var spec = quota["spec"] as JsonObject;
        var isPod = group.Length == 0 && resource == "pods";
        foreach (var scope in Strings(spec?["scopes"] as JsonArray))
        {
            if (!isPod || !PodMatchesScope(obj, scope, "Exists", []))
            {
                return false;
            }
        }

        foreach (var expression in Objects((spec?["scopeSelector"] as JsonObject)?["matchExpressions"] as JsonArray))
        {
            var scope = expression["scopeName"]?.GetValue<string>() ?? "";
            var op = expression["operator"]?.GetValue<string>() ?? "";
            if (!isPod || !PodMatchesScope(obj, scope, op, [.. Strings(expression["values"] as JsonArray)]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>podMatchesScopeFunc.</summary>
    private static bool PodMatchesScope(JsonObject pod, string scope, string op, string[] values)
    {
        var spec = pod["spec"] as JsonObject;
        switch (scope)
        {
            case "Terminating":
                return IsTerminating(spec);
            case "NotTerminating":
                return !IsTerminating(spec);
            case "BestEffort":
                return IsBestEffort(spec);
            case "NotBestEffort":
                return !IsBestEffort(spec);
            case "PriorityClass":
                var priorityClass = spec?["priorityClassName"]?.GetValue<string>() ?? "";
                var has = priorityClass.Length > 0;
                return op switch
                {
                    "Exists" => has,
                    "DoesNotExist" => !has,
                    "In" => has && values.Contains(priorityClass),
                    "NotIn" => !has || !values.Contains(priorityClass),
                    _ => false,
                };
            case "CrossNamespacePodAffinity":
                return UsesCrossNamespacePodAffinity(spec?["affinity"] as JsonObject);
            default:
                return false;
        }
    }

    private static bool IsTerminating(JsonObject? spec) => spec?["activeDeadlineSeconds"] is JsonValue v && v.GetValue<long>() >= 0;

    /// <summary>qos.GetPodQOS == BestEffort: no container asks for or limits cpu or memory.</summary>
    private static bool IsBestEffort(JsonObject? spec)
    {
        foreach (var list in (ReadOnlySpan<string>)["containers", "initContainers"])
        {
            foreach (var container in Objects(spec?[list] as JsonArray))
            {
                var resources = container["resources"] as JsonObject;
                foreach (var kind in (ReadOnlySpan<string>)["requests", "limits"])
                {
                    var values = ResourceList(resources?[kind] as JsonObject);
                    if ((values.TryGetValue("cpu", out var cpu) && cpu.Sign > 0) || (values.TryGetValue("memory", out var memory) && memory.Sign > 0))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    private static bool UsesCrossNamespacePodAffinity(JsonObject? affinity)
    {
        foreach (var kind in (ReadOnlySpan<string>)["podAffinity", "podAntiAffinity"])
        {
            var terms = affinity?[kind] as JsonObject;
            foreach (var term in Objects(terms?["requiredDuringSchedulingIgnoredDuringExecution"] as JsonArray))
            {
                if (IsCrossNamespace(term))
                {
                    return true;
                }
            }

            foreach (var weighted in Objects(terms?["preferredDuringSchedulingIgnoredDuringExecution"] as JsonArray))
            {
                if (weighted["podAffinityTerm"] is JsonObject term && IsCrossNamespace(term))
                {
                    return true;
                }
            }
        }

        return false;

        static bool IsCrossNamespace(JsonObject term) => term["namespaces"] is JsonArray { Count: > 0 } || term["namespaceSelector"] is JsonObject;
    }

    /// <summary>The service evaluator: services, count/services, and the load balancers and node ports it asks for.</summary>
    private static Dictionary<string, Quantity> ServiceUsage(JsonObject service)
    {
        var spec = service["spec"] as JsonObject;
        var ports = spec?["ports"] as JsonArray;
        var nodePorts = Quantity.Zero;
        var loadBalancers = Quantity.Zero;
        switch (spec?["type"]?.GetValue<string>())
        {
            case "NodePort":
                nodePorts = Quantity.FromCount(ports?.Count ?? 0);
                break;
            case "LoadBalancer":
                // With node port allocation off, only ports that name a node port use one.
                nodePorts = spec["allocateLoadBalancerNodePorts"] is JsonValue allocate && !allocate.GetValue<bool>()
                    ? Quantity.FromCount(Objects(ports).Count(p => p["nodePort"] is JsonValue))
                    : Quantity.FromCount(ports?.Count ?? 0);
                loadBalancers = Quantity.FromCount(1);
                break;
        }

        return new(StringComparer.Ordinal)
        {
            ["count/services"] = Quantity.FromCount(1),
            ["services"] = Quantity.FromCount(1),
            ["services.loadbalancers"] = loadBalancers,
            ["services.nodeports"] = nodePorts,
        };
    }

    /// <summary>The persistent volume claim evaluator: the claim, its storage request, and both per storage class.</summary>
    private static Dictionary<string, Quantity> PersistentVolumeClaimUsage(JsonObject claim)
    {
        var spec = claim["spec"] as JsonObject;
        var usage = new Dictionary<string, Quantity>(StringComparer.Ordinal)
        {
            ["count/persistentvolumeclaims"] = Quantity.FromCount(1),
            ["persistentvolumeclaims"] = Quantity.FromCount(1),
        };
        var storageClass = spec?["storageClassName"]?.GetValue<string>() ?? "";
        if (storageClass.Length > 0)
        {
            usage[storageClass + ".storageclass.storage.k8s.io/persistentvolumeclaims"] = Quantity.FromCount(1);
        }

        var requests = ResourceList(((spec?["resources"] as JsonObject)?["requests"]) as JsonObject);
        if (requests.TryGetValue("storage", out var storage))
        {
            usage["requests.storage"] = storage;
            if (storageClass.Length > 0)
            {
                usage[storageClass + ".storageclass.storage.k8s.io/requests.storage"] = storage;
            }
        }

        return usage;
    }

    /// <summary>podComputeUsageHelper: pods = 1 and the quota names of what requests and limits state.</summary>
    private static Dictionary<string, Quantity> ComputeUsage(Dictionary<string, Quantity> requests, Dictionary<string, Quantity> limits)
    {
        var result = new Dictionary<string, Quantity>(StringComparer.Ordinal) { ["pods"] = Quantity.FromCount(1) };
        foreach (var name in (ReadOnlySpan<string>)["cpu", "memory", "ephemeral-storage"])
        {
            if (requests.TryGetValue(name, out var request))
            {
                result[name] = request;
                result["requests." + name] = request;
            }

            if (limits.TryGetValue(name, out var limit))
            {
                result["limits." + name] = limit;
            }
        }

        foreach (var (name, request) in requests)
        {
            if (name.StartsWith("hugepages-", StringComparison.Ordinal))
            {
                result[name] = request;
                result["requests." + name] = request;
            }
            else if (IsExtendedResource(name))
            {
                result["requests." + name] = request;
            }
        }

        return result;
    }

    /// <summary>
    /// resourcehelper.PodRequests / PodLimits: regular containers and restartable init containers
    /// (sidecars) run together and add up; each other init container runs alone beside the sidecars
    /// started before it; the pod needs the larger of the two. Overhead adds to requests, and to
    /// limits only where a limit is set.
    /// </summary>
    private static Dictionary<string, Quantity> PodResourceList(JsonObject? spec, string kind, bool overheadOnlyWhereSet)
    {
        var total = new Dictionary<string, Quantity>(StringComparer.Ordinal);
        foreach (var container in Objects(spec?["containers"] as JsonArray))
        {
            AddTo(total, ContainerList(container, kind));
        }

        var sidecars = new Dictionary<string, Quantity>(StringComparer.Ordinal);
        var init = new Dictionary<string, Quantity>(StringComparer.Ordinal);
        foreach (var container in Objects(spec?["initContainers"] as JsonArray))
        {
            var own = ContainerList(container, kind);
            Dictionary<string, Quantity> running;
            if (container["restartPolicy"]?.GetValue<string>() == "Always")
            {
                AddTo(total, own);
                AddTo(sidecars, own);
                running = sidecars;
            }
            else
            {
                running = new(own, StringComparer.Ordinal);
                AddTo(running, sidecars);
            }

            MaxInto(init, running);
        }

        MaxInto(total, init);
        foreach (var (name, value) in ResourceList(spec?["overhead"] as JsonObject))
        {
            if (total.TryGetValue(name, out var current))
            {
                total[name] = current.Add(value);
            }
            else if (!overheadOnlyWhereSet)
            {
                total[name] = value;
            }
        }

        return total;
    }

    private static Dictionary<string, Quantity> ContainerList(JsonObject container, string kind) =>
        ResourceList((container["resources"] as JsonObject)?[kind] as JsonObject);

    /// <summary>A ResourceList's parsable quantities by name.</summary>
    public static Dictionary<string, Quantity> ResourceList(JsonObject? list)
    {
        var result = new Dictionary<string, Quantity>(StringComparer.Ordinal);
        if (list is null)
        {
            return result;
        }

        foreach (var (name, node) in list)
        {
            if (node is JsonValue value && Quantity.TryParse(value.ToString(), out var quantity))
            {
                result[name] = quantity;
            }
        }

        return result;
    }

    /// <summary>quota.Add into <paramref name="target"/>.</summary>
    public static void AddTo(Dictionary<string, Quantity> target, Dictionary<string, Quantity> other)
    {
        foreach (var (name, value) in other)
        {
            target[name] = target.TryGetValue(name, out var current) ? current.Add(value) : value;
        }
    }

    private static void MaxInto(Dictionary<string, Quantity> target, Dictionary<string, Quantity> other)
    {
        foreach (var (name, value) in other)
        {
            target[name] = target.TryGetValue(name, out var current) ? Quantity.Max(current, value) : value;
        }
    }

    /// <summary>helper.IsExtendedResourceName: a domain-prefixed name outside kubernetes.io, not a quota <c>requests.</c> name.</summary>
    private static bool IsExtendedResource(string name) =>
        name.Contains('/', StringComparison.Ordinal) && !name.Contains("kubernetes.io/", StringComparison.Ordinal)
        && !name.StartsWith("requests.", StringComparison.Ordinal);

    /// <summary>isExtendedResourceNameForQuota: <c>requests.</c> followed by an extended resource name.</summary>
    private static bool IsExtendedRequest(string name) =>
        name.StartsWith("requests.", StringComparison.Ordinal) && name.Contains('/', StringComparison.Ordinal)
        && !name.Contains("kubernetes.io/", StringComparison.Ordinal);

    private static IEnumerable<JsonObject> Objects(JsonArray? array)
    {
        if (array is null)
        {
            yield break;
        }

        foreach (var item in array)
        {
            if (item is JsonObject obj)
            {
                yield return obj;
            }
        }
    }

    private static IEnumerable<string> Strings(JsonArray? array)
    {
        if (array is null)
        {
            yield break;
        }

        foreach (var item in array)
        {
            if (item is JsonValue value && value.TryGetValue<string>(out var text))
            {
                yield return text;
            }
        }
    }
}
