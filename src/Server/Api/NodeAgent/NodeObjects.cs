using System.Globalization;
using System.Text.Json.Nodes;
using Nautilus.Agent.V1;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Api.NodeAgent;

/// <summary>
/// The Node and Lease objects a kubelet writes, built from an agent's registration: what
/// kubelet's registerWithAPIServer, setNodeStatus and the node lease controller put in them.
/// </summary>
public static class NodeObjects
{
    /// <summary>Where kubelets keep their node Leases.</summary>
    public const string LeaseNamespace = "kube-node-lease";

    /// <summary>kubelet's default nodeLeaseDurationSeconds.</summary>
    public const int DefaultLeaseDurationSeconds = 40;

    // kubelet's node conditions, in the order it reports them, with the messages it writes when healthy.
    private static readonly (string Type, string Status, string Reason, string Message)[] HealthyConditions =
    [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ];

    /// <summary>A new Node as kubelet registers it: labels, annotations, spec.podCIDR, and a full status.</summary>
    public static JsonObject NewNode(NodeRegistration registration, DateTimeOffset now)
    {
        var metadata = new JsonObject
        {
            ["name"] = registration.Name,
            ["labels"] = Map(registration.Labels),
            ["annotations"] = Annotations(registration),
        };
        var spec = new JsonObject();
        if (registration.PodCidr.Length > 0)
        {
            spec["podCIDR"] = registration.PodCidr;
            spec["podCIDRs"] = new JsonArray(registration.PodCidr);
        }

        if (registration.ProviderId.Length > 0)
        {
            spec["providerID"] = registration.ProviderId;
        }

        return new JsonObject
        {
            ["kind"] = "Node",
            ["apiVersion"] = "v1",
            ["metadata"] = metadata,
            ["spec"] = spec,
            ["status"] = Status(registration, previous: null, now),
        };
    }

    /// <summary>
    /// The node's status for a heartbeat: capacity, allocatable, healthy conditions with
    /// lastHeartbeatTime now (lastTransitionTime kept while a condition's status does not change),
    /// addresses, daemon endpoints and system info.
    /// </summary>
    public static JsonObject Status(NodeRegistration registration, JsonObject? previous, DateTimeOffset now)
    {
        var timestamp = KubeJson.Timestamp(now);
        var conditions = new JsonArray();
        foreach (var (type, status, reason, message) in HealthyConditions)
        {
            var transition = timestamp;
            if (FindCondition(previous, type) is { } old && KubeJson.GetString(old, "status") == status && KubeJson.GetString(old, "lastTransitionTime") is { } kept)
            {
                transition = kept;
            }

            conditions.Add(new JsonObject
            {
                ["type"] = type,
                ["status"] = status,
                ["lastHeartbeatTime"] = timestamp,
                ["lastTransitionTime"] = transition,
                ["reason"] = reason,
                ["message"] = message,
            });
        }

        var addresses = new JsonArray();
        foreach (var address in registration.Addresses)
        {
            addresses.Add(new JsonObject { ["type"] = address.Type, ["address"] = address.Address });
        }

        var info = registration.NodeInfo ?? new Agent.V1.NodeInfo();
        var capacity = Map(registration.Capacity);
        return new JsonObject
        {
            ["capacity"] = capacity,
            ["allocatable"] = registration.Allocatable.Count > 0 ? Map(registration.Allocatable) : capacity.DeepClone(),
            ["conditions"] = conditions,
            ["addresses"] = addresses,
            ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = registration.KubeletPort > 0 ? registration.KubeletPort : 10250 } },
            ["nodeInfo"] = new JsonObject
            {
                ["machineID"] = info.MachineId,
                ["systemUUID"] = info.SystemUuid,
                ["bootID"] = info.BootId,
                ["kernelVersion"] = info.KernelVersion,
                ["osImage"] = info.OsImage,
                ["containerRuntimeVersion"] = info.ContainerRuntimeVersion,
                ["kubeletVersion"] = info.KubeletVersion,
                ["kubeProxyVersion"] = info.KubeProxyVersion,
                ["operatingSystem"] = info.OperatingSystem,
                ["architecture"] = info.Architecture,
            },
        };
    }

    /// <summary>
    /// The merge patch that brings an existing Node's metadata and spec up to the registration
    /// (labels and annotations added or changed, podCIDR set once), or null when nothing differs.
    /// As kubelet does, labels the registration does not name are left alone.
    /// </summary>
    public static JsonObject? MetadataPatch(NodeRegistration registration, JsonObject existing)
    {
        var metadata = existing["metadata"] as JsonObject;
        var patchMeta = new JsonObject();
        if (Differences(registration.Labels, metadata?["labels"] as JsonObject) is { } labels)
        {
            patchMeta["labels"] = labels;
        }

        if (Differences(Annotations(registration), metadata?["annotations"] as JsonObject) is { } annotations)
        {
            patchMeta["annotations"] = annotations;
        }

        var patch = new JsonObject();
        if (patchMeta.Count > 0)
        {
            patch["metadata"] = patchMeta;
        }

        var spec = existing["spec"] as JsonObject;
        if (registration.PodCidr.Length > 0 && string.IsNullOrEmpty(KubeJson.GetString(spec, "podCIDR")))
        {
            patch["spec"] = new JsonObject { ["podCIDR"] = registration.PodCidr, ["podCIDRs"] = new JsonArray(registration.PodCidr) };
        }

        return patch.Count > 0 ? patch : null;
    }

    /// <summary>spec.podCIDRs of a Node (spec.podCIDR when only that is set).</summary>
    public static List<string> PodCidrs(JsonObject node)
    {
        var spec = node["spec"] as JsonObject;
        var cidrs = new List<string>();
        foreach (var cidr in spec?["podCIDRs"] as JsonArray ?? [])
        {
            if (cidr is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0)
            {
                cidrs.Add(text);
            }
        }

        if (cidrs.Count == 0 && KubeJson.GetString(spec, "podCIDR") is { Length: > 0 } single)
        {
            cidrs.Add(single);
        }

        return cidrs;
    }

    /// <summary>A node Lease as kubelet's lease controller creates it: owned by the Node, held by it.</summary>
    public static JsonObject NewLease(string nodeName, string nodeUid, int durationSeconds, DateTimeOffset now)
    {
        var metadata = new JsonObject { ["name"] = nodeName, ["namespace"] = LeaseNamespace };
        if (nodeUid.Length > 0)
        {
            metadata["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Node",
                ["name"] = nodeName,
                ["uid"] = nodeUid,
            });
        }

        return new JsonObject
        {
            ["kind"] = "Lease",
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["metadata"] = metadata,
            ["spec"] = LeaseSpec(nodeName, durationSeconds, now),
        };
    }

    /// <summary>The spec a renewal writes: holder, duration and renewTime (a MicroTime).</summary>
    public static JsonObject LeaseSpec(string nodeName, int durationSeconds, DateTimeOffset now) => new()
    {
        ["holderIdentity"] = nodeName,
        ["leaseDurationSeconds"] = durationSeconds > 0 ? durationSeconds : DefaultLeaseDurationSeconds,
        ["renewTime"] = MicroTime(now),
    };

    /// <summary>metav1.MicroTime's JSON form: RFC 3339 with six fractional digits.</summary>
    public static string MicroTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Annotations(NodeRegistration registration)
    {
        // What kubelet itself annotates its Node with.
        var annotations = new JsonObject
        {
            ["node.alpha.kubernetes.io/ttl"] = "0",
            ["volumes.kubernetes.io/controller-managed-attach-detach"] = "true",
        };
        foreach (var (key, value) in registration.Annotations)
        {
            annotations[key] = value;
        }

        return annotations;
    }

    private static JsonObject? Differences(IEnumerable<KeyValuePair<string, string>> wanted, JsonObject? current)
    {
        JsonObject? changes = null;
        foreach (var (key, value) in wanted)
        {
            if (KubeJson.GetString(current, key) != value)
            {
                changes ??= [];
                changes[key] = value;
            }
        }

        return changes;
    }

    private static JsonObject? Differences(JsonObject wanted, JsonObject? current)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in wanted)
        {
            pairs.Add(new(key, value?.GetValue<string>() ?? ""));
        }

        return Differences(pairs, current);
    }

    private static JsonObject Map(IEnumerable<KeyValuePair<string, string>> entries)
    {
        var map = new JsonObject();
        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            map[key] = value;
        }

        return map;
    }

    private static JsonObject? FindCondition(JsonObject? status, string type)
    {
        if (status?["conditions"] is not JsonArray conditions)
        {
            return null;
        }

        foreach (var condition in conditions)
        {
            if (condition is JsonObject c && KubeJson.GetString(c, "type") == type)
            {
                return c;
            }
        }

        return null;
    }
}
