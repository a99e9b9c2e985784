using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Apply;

/// <summary>
/// The list, map and struct markers of the served kinds, as kube 1.32's Go types declare them
/// (<c>+listType=map</c> with <c>+listMapKey</c>, <c>+listType=set</c>, <c>+mapType=atomic</c>,
/// <c>+structType=atomic</c>) and its OpenAPI publishes them. Lists not named here are atomic,
/// which is what every remaining list of these kinds declares. Keyed by the <c>k8s.Models</c>
/// type name and the field's wire name.
/// </summary>
public static class ListSemantics
{
    /// <summary>A list's semantics: map keys (with defaults for omitted keys), or no keys for a set.</summary>
    public sealed record ListType(string[]? Keys, IReadOnlyDictionary<string, JsonNode>? KeyDefaults = null);

    private static readonly ListType Set = new([]);
    private static readonly ListType ByName = new(["name"]);
    private static readonly ListType ByType = new(["type"]);

    private static readonly Dictionary<(string Type, string Field), ListType> Lists = new()
    {
        [("V1ObjectMeta", "finalizers")] = Set,
        [("V1ObjectMeta", "ownerReferences")] = new(["uid"]),

        [("V1PodSpec", "containers")] = ByName,
        [("V1PodSpec", "initContainers")] = ByName,
        [("V1PodSpec", "ephemeralContainers")] = ByName,
        [("V1PodSpec", "volumes")] = ByName,
        [("V1PodSpec", "imagePullSecrets")] = ByName,
        [("V1PodSpec", "schedulingGates")] = ByName,
        [("V1PodSpec", "resourceClaims")] = ByName,
        [("V1PodSpec", "hostAliases")] = new(["ip"]),
        [("V1PodSpec", "topologySpreadConstraints")] = new(["topologyKey", "whenUnsatisfiable"]),

        [("V1Container", "ports")] = new(["containerPort", "protocol"], new Dictionary<string, JsonNode> { ["protocol"] = "TCP" }),
        [("V1Container", "env")] = ByName,
        [("V1Container", "volumeMounts")] = new(["mountPath"]),
        [("V1Container", "volumeDevices")] = new(["devicePath"]),
        [("V1EphemeralContainer", "ports")] = new(["containerPort", "protocol"], new Dictionary<string, JsonNode> { ["protocol"] = "TCP" }),
        [("V1EphemeralContainer", "env")] = ByName,
        [("V1EphemeralContainer", "volumeMounts")] = new(["mountPath"]),
        [("V1EphemeralContainer", "volumeDevices")] = new(["devicePath"]),
        [("V1ResourceRequirements", "claims")] = ByName,

        [("V1PodStatus", "conditions")] = ByType,
        [("V1PodStatus", "podIPs")] = new(["ip"]),
        [("V1PodStatus", "resourceClaimStatuses")] = ByName,

        [("V1ServiceSpec", "ports")] = new(["port", "protocol"], new Dictionary<string, JsonNode> { ["protocol"] = "TCP" }),
        [("V1ServiceStatus", "conditions")] = ByType,

        [("V1NodeSpec", "podCIDRs")] = Set,
        [("V1NodeStatus", "conditions")] = ByType,
        [("V1NodeStatus", "addresses")] = ByType,

        [("V1NamespaceStatus", "conditions")] = ByType,
        [("V1PersistentVolumeClaimStatus", "conditions")] = ByType,
        [("V1ServiceAccount", "secrets")] = ByName,

        [("V1DeploymentStatus", "conditions")] = ByType,
        [("V1ReplicaSetStatus", "conditions")] = ByType,

        [("V1Endpoint", "addresses")] = Set,
    };

    // +structType=atomic: owned and replaced as a whole wherever they appear.
    private static readonly HashSet<string> AtomicStructs =
    [
        "V1LabelSelector", "V1OwnerReference", "V1ObjectReference", "V1LocalObjectReference", "V1TypedLocalObjectReference",
        "V1TypedObjectReference", "V1NodeSelector", "V1NodeSelectorTerm", "V1SecretKeySelector", "V1ConfigMapKeySelector",
        "V1ObjectFieldSelector", "V1ResourceFieldSelector",
    ];

    // +mapType=atomic
    private static readonly HashSet<(string Type, string Field)> AtomicMaps =
    [
        ("V1PodSpec", "nodeSelector"),
        ("V1ServiceSpec", "selector"),
    ];

    /// <summary>Every (type, field) the table declares, for tests that check it against the model types.</summary>
    public static IEnumerable<(string Type, string Field)> DeclaredLists => Lists.Keys;

    public static IEnumerable<string> DeclaredAtomicStructs => AtomicStructs;

    /// <summary>The declared semantics of a list field; null when it is atomic.</summary>
    public static ListType? ListOf(string type, string field) =>
        Lists.TryGetValue((type, field), out var list) && list.Keys is not null ? list : null;

    public static bool IsAtomicStruct(string type) => AtomicStructs.Contains(type);

    public static bool IsAtomicMap(string type, string field) => AtomicMaps.Contains((type, field));
}
