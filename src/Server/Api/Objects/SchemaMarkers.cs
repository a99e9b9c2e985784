using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Objects;

/// <summary>
/// What kube 1.32's Go types declare about a field beyond its JSON shape, as its OpenAPI publishes
/// it: <c>patchStrategy</c>/<c>patchMergeKey</c> struct tags (<c>x-kubernetes-patch-strategy</c>,
/// <c>x-kubernetes-patch-merge-key</c>), <c>+listType</c>/<c>+listMapKey</c>
/// (<c>x-kubernetes-list-type</c>, <c>x-kubernetes-list-map-keys</c>) and <c>+mapType</c>
/// (<c>x-kubernetes-map-type</c>). A list with no markers is atomic for server-side apply and
/// replaced whole by a strategic merge patch.
/// </summary>
/// <param name="PatchStrategy">merge, retainKeys, "merge,retainKeys" or replace.</param>
/// <param name="MergeKey">The key strategic merge patch matches list items by.</param>
/// <param name="ListType">atomic, set or map.</param>
/// <param name="ListMapKeys">The keys of a map list.</param>
/// <param name="KeyDefaults">Defaults of map keys a client may omit (a port's protocol is TCP): server-side apply fills them in to identify items.</param>
/// <param name="MapType">atomic for a map (or struct) owned and replaced as a whole.</param>
public sealed record FieldMarkers(
    string? PatchStrategy = null,
    string? MergeKey = null,
    string? ListType = null,
    string[]? ListMapKeys = null,
    IReadOnlyDictionary<string, JsonNode>? KeyDefaults = null,
    string? MapType = null)
{
    public static readonly FieldMarkers None = new();
}

/// <summary>
/// The one table of schema facts the model types do not carry: field markers, atomic structs,
/// required fields and the fields whose Go type is not what the C# type suggests (MicroTime,
/// FieldsV1). The OpenAPI documents, strategic merge patch, server-side apply and field
/// validation all read the schema built from the model types with this table
/// (<see cref="ModelSchema"/>). Keyed by the <c>k8s.Models</c> type name and the field's wire name.
/// </summary>
internal static class SchemaMarkers
{
    private static readonly IReadOnlyDictionary<string, JsonNode> ProtocolTcp = new Dictionary<string, JsonNode> { ["protocol"] = "TCP" };

    private static readonly FieldMarkers MergeByName = new("merge", "name", "map", ["name"]);
    private static readonly FieldMarkers MergeByType = new("merge", "type", "map", ["type"]);
    private static readonly FieldMarkers ContainerPorts = new("merge", "containerPort", "map", ["containerPort", "protocol"], ProtocolTcp);
    private static readonly FieldMarkers MountPaths = new("merge", "mountPath", "map", ["mountPath"]);
    private static readonly FieldMarkers DevicePaths = new("merge", "devicePath", "map", ["devicePath"]);
    private static readonly FieldMarkers AtomicMap = new(MapType: "atomic");

    private static readonly Dictionary<(string Type, string Field), FieldMarkers> Fields = new()
    {
        [("V1ObjectMeta", "finalizers")] = new("merge", ListType: "set"),
        [("V1ObjectMeta", "ownerReferences")] = new("merge", "uid", "map", ["uid"]),

        [("V1PodSpec", "containers")] = MergeByName,
        [("V1PodSpec", "initContainers")] = MergeByName,
        [("V1PodSpec", "ephemeralContainers")] = MergeByName,
        [("V1PodSpec", "volumes")] = new("merge,retainKeys", "name", "map", ["name"]),
        [("V1PodSpec", "imagePullSecrets")] = MergeByName,
        [("V1PodSpec", "schedulingGates")] = MergeByName,
        [("V1PodSpec", "resourceClaims")] = new("merge,retainKeys", "name", "map", ["name"]),
        [("V1PodSpec", "hostAliases")] = new("merge", "ip", "map", ["ip"]),
        [("V1PodSpec", "topologySpreadConstraints")] = new("merge", "topologyKey", "map", ["topologyKey", "whenUnsatisfiable"]),
        [("V1PodSpec", "nodeSelector")] = AtomicMap,

        [("V1Container", "ports")] = ContainerPorts,
        [("V1Container", "env")] = MergeByName,
        [("V1Container", "volumeMounts")] = MountPaths,
        [("V1Container", "volumeDevices")] = DevicePaths,
        [("V1EphemeralContainer", "ports")] = ContainerPorts,
        [("V1EphemeralContainer", "env")] = MergeByName,
        [("V1EphemeralContainer", "volumeMounts")] = MountPaths,
        [("V1EphemeralContainer", "volumeDevices")] = DevicePaths,
        [("V1ResourceRequirements", "claims")] = new(ListType: "map", ListMapKeys: ["name"]),

        [("V1PodStatus", "conditions")] = MergeByType,
        [("V1PodStatus", "podIPs")] = new("merge", "ip", "map", ["ip"]),
        [("V1PodStatus", "hostIPs")] = new("merge", "ip", "atomic"),
        [("V1PodStatus", "resourceClaimStatuses")] = new("merge,retainKeys", "name", "map", ["name"]),
        [("V1ContainerStatus", "allocatedResourcesStatus")] = MergeByName,

        [("V1ServiceSpec", "ports")] = new("merge", "port", "map", ["port", "protocol"], ProtocolTcp),
        [("V1ServiceSpec", "selector")] = AtomicMap,
        [("V1ServiceStatus", "conditions")] = MergeByType,

        [("V1NodeSpec", "podCIDRs")] = new("merge", ListType: "set"),
        [("V1NodeStatus", "conditions")] = MergeByType,
        [("V1NodeStatus", "addresses")] = MergeByType,

        [("V1NamespaceStatus", "conditions")] = MergeByType,
        [("V1PersistentVolumeClaimStatus", "conditions")] = MergeByType,
        [("V1ServiceAccount", "secrets")] = MergeByName,

        [("V1DeploymentSpec", "strategy")] = new("retainKeys"),
        [("V1DeploymentStatus", "conditions")] = MergeByType,
        [("V1ReplicaSetStatus", "conditions")] = MergeByType,

        [("V1Endpoint", "addresses")] = new(ListType: "set"),
    };

    // +structType=atomic (x-kubernetes-map-type: atomic on the definition): owned and replaced as a whole wherever they appear.
    private static readonly HashSet<string> AtomicStructs =
    [
        "V1LabelSelector", "V1OwnerReference", "V1ObjectReference", "V1LocalObjectReference", "V1TypedLocalObjectReference",
        "V1TypedObjectReference", "V1NodeSelector", "V1NodeSelectorTerm", "V1SecretKeySelector", "V1ConfigMapKeySelector",
        "V1ObjectFieldSelector", "V1ResourceFieldSelector",
    ];

    // Fields without omitempty (and not +optional) in the Go types: the schema's "required".
    private static readonly Dictionary<string, string[]> Required = new()
    {
        ["V1OwnerReference"] = ["apiVersion", "kind", "name", "uid"],
        ["V1LabelSelectorRequirement"] = ["key", "operator"],
        ["V1Condition"] = ["type", "status", "lastTransitionTime", "reason", "message"],
        ["V1PodSpec"] = ["containers"],
        ["V1Container"] = ["name"],
        ["V1EphemeralContainer"] = ["name"],
        ["V1ContainerPort"] = ["containerPort"],
        ["V1EnvVar"] = ["name"],
        ["V1VolumeMount"] = ["name", "mountPath"],
        ["V1VolumeDevice"] = ["name", "devicePath"],
        ["V1Volume"] = ["name"],
        ["V1KeyToPath"] = ["key", "path"],
        ["V1ConfigMapKeySelector"] = ["key"],
        ["V1SecretKeySelector"] = ["key"],
        ["V1ObjectFieldSelector"] = ["fieldPath"],
        ["V1ResourceFieldSelector"] = ["resource"],
        ["V1HTTPGetAction"] = ["port"],
        ["V1HTTPHeader"] = ["name", "value"],
        ["V1TCPSocketAction"] = ["port"],
        ["V1GRPCAction"] = ["port"],
        ["V1SleepAction"] = ["seconds"],
        ["V1ContainerResizePolicy"] = ["resourceName", "restartPolicy"],
        ["V1NodeSelector"] = ["nodeSelectorTerms"],
        ["V1NodeSelectorRequirement"] = ["key", "operator"],
        ["V1PreferredSchedulingTerm"] = ["weight", "preference"],
        ["V1PodAffinityTerm"] = ["topologyKey"],
        ["V1WeightedPodAffinityTerm"] = ["weight", "podAffinityTerm"],
        ["V1TopologySpreadConstraint"] = ["maxSkew", "topologyKey", "whenUnsatisfiable"],
        ["V1HostAlias"] = ["ip"],
        ["V1PodReadinessGate"] = ["conditionType"],
        ["V1PodSchedulingGate"] = ["name"],
        ["V1PodResourceClaim"] = ["name"],
        ["Corev1ResourceClaim"] = ["name"],
        ["V1Sysctl"] = ["name", "value"],
        ["V1SeccompProfile"] = ["type"],
        ["V1AppArmorProfile"] = ["type"],
        ["V1HostPathVolumeSource"] = ["path"],
        ["V1NFSVolumeSource"] = ["server", "path"],
        ["V1PersistentVolumeClaimVolumeSource"] = ["claimName"],
        ["V1PersistentVolumeClaimTemplate"] = ["spec"],
        ["V1GCEPersistentDiskVolumeSource"] = ["pdName"],
        ["V1AWSElasticBlockStoreVolumeSource"] = ["volumeID"],
        ["V1GitRepoVolumeSource"] = ["repository"],
        ["V1ISCSIVolumeSource"] = ["targetPortal", "iqn", "lun"],
        ["V1ISCSIPersistentVolumeSource"] = ["targetPortal", "iqn", "lun"],
        ["V1RBDVolumeSource"] = ["monitors", "image"],
        ["V1RBDPersistentVolumeSource"] = ["monitors", "image"],
        ["V1FlexVolumeSource"] = ["driver"],
        ["V1FlexPersistentVolumeSource"] = ["driver"],
        ["V1CinderVolumeSource"] = ["volumeID"],
        ["V1CinderPersistentVolumeSource"] = ["volumeID"],
        ["V1CephFSVolumeSource"] = ["monitors"],
        ["V1CephFSPersistentVolumeSource"] = ["monitors"],
        ["V1DownwardAPIVolumeFile"] = ["path"],
        ["V1AzureFileVolumeSource"] = ["secretName", "shareName"],
        ["V1AzureFilePersistentVolumeSource"] = ["secretName", "shareName"],
        ["V1AzureDiskVolumeSource"] = ["diskName", "diskURI"],
        ["V1VsphereVirtualDiskVolumeSource"] = ["volumePath"],
        ["V1QuobyteVolumeSource"] = ["registry", "volume"],
        ["V1PhotonPersistentDiskVolumeSource"] = ["pdID"],
        ["V1PortworxVolumeSource"] = ["volumeID"],
        ["V1ScaleIOVolumeSource"] = ["gateway", "system", "secretRef"],
        ["V1ScaleIOPersistentVolumeSource"] = ["gateway", "system", "secretRef"],
        ["V1CSIVolumeSource"] = ["driver"],
        ["V1CSIPersistentVolumeSource"] = ["driver", "volumeHandle"],
        ["V1GlusterfsVolumeSource"] = ["endpoints", "path"],
        ["V1GlusterfsPersistentVolumeSource"] = ["endpoints", "path"],
        ["V1LocalVolumeSource"] = ["path"],
        ["V1ServiceAccountTokenProjection"] = ["path"],
        ["V1ClusterTrustBundleProjection"] = ["path"],
        ["V1TypedLocalObjectReference"] = ["kind", "name"],
        ["V1TypedObjectReference"] = ["kind", "name"],
        ["V1ConfigMapNodeConfigSource"] = ["namespace", "name", "kubeletConfigKey"],
        ["V1ContainerStateTerminated"] = ["exitCode"],
        ["V1LinuxContainerUser"] = ["uid", "gid"],
        ["V1VolumeMountStatus"] = ["name", "mountPath"],
        ["V1PodResourceClaimStatus"] = ["name"],
        ["V1PodOS"] = ["name"],
        ["V1ForZone"] = ["name"],
        ["V1ForNode"] = ["name"],
        ["V1ModifyVolumeStatus"] = ["status"],
        ["V1ResourceStatus"] = ["name"],
        ["V1ResourceHealth"] = ["resourceID"],
        ["V1PodCondition"] = ["type", "status"],
        ["V1ContainerStatus"] = ["name", "ready", "restartCount", "image", "imageID"],
        ["V1PodIP"] = ["ip"],
        ["V1HostIP"] = ["ip"],
        ["V1ServicePort"] = ["port"],
        ["V1PortStatus"] = ["port", "protocol"],
        ["V1NodeAddress"] = ["type", "address"],
        ["V1NodeCondition"] = ["type", "status"],
        ["V1Taint"] = ["key", "effect"],
        ["V1DaemonEndpoint"] = ["Port"],
        ["V1NodeSystemInfo"] = ["machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion", "operatingSystem", "architecture"],
        ["V1AttachedVolume"] = ["name", "devicePath"],
        ["V1NamespaceCondition"] = ["type", "status"],
        ["V1PersistentVolumeClaimCondition"] = ["type", "status"],
        ["V1EndpointAddress"] = ["ip"],
        ["Corev1EndpointPort"] = ["port"],
        ["Corev1Event"] = ["metadata", "involvedObject"],
        ["Eventsv1Event"] = ["eventTime"],
        ["Eventsv1EventSeries"] = ["count", "lastObservedTime"],
        ["V1DeploymentSpec"] = ["selector", "template"],
        ["V1DeploymentCondition"] = ["type", "status"],
        ["V1ReplicaSetSpec"] = ["selector"],
        ["V1ReplicaSetCondition"] = ["type", "status"],
        ["V1EndpointSlice"] = ["addressType", "endpoints"],
        ["V1Endpoint"] = ["addresses"],
        ["V1Binding"] = ["target"],
    };

    // Go's metav1.MicroTime and metav1.FieldsV1: C# models them as DateTime and object.
    private static readonly Dictionary<(string Type, string Field), string> NamedScalars = new()
    {
        [("Corev1Event", "eventTime")] = "MicroTime",
        [("Corev1EventSeries", "lastObservedTime")] = "MicroTime",
        [("Eventsv1Event", "eventTime")] = "MicroTime",
        [("Eventsv1EventSeries", "lastObservedTime")] = "MicroTime",
        [("V1LeaseSpec", "acquireTime")] = "MicroTime",
        [("V1LeaseSpec", "renewTime")] = "MicroTime",
        [("V1ManagedFieldsEntry", "fieldsV1")] = "FieldsV1",
    };

    /// <summary>Every (type, field) the table declares markers for, for tests that check it against the model types.</summary>
    public static IEnumerable<(string Type, string Field)> DeclaredFields => Fields.Keys.Concat(NamedScalars.Keys);

    public static IEnumerable<string> DeclaredTypes => AtomicStructs.Concat(Required.Keys);

    /// <summary>The markers of a field; <see cref="FieldMarkers.None"/> when it declares none.</summary>
    public static FieldMarkers Of(string type, string field) => Fields.TryGetValue((type, field), out var markers) ? markers : FieldMarkers.None;

    public static bool IsAtomicStruct(string type) => AtomicStructs.Contains(type);

    public static string[] RequiredOf(string type) => Required.TryGetValue(type, out var fields) ? fields : [];

    /// <summary>"MicroTime" or "FieldsV1" where the Go type is one of those; null otherwise.</summary>
    public static string? NamedScalarOf(string type, string field) => NamedScalars.TryGetValue((type, field), out var name) ? name : null;
}
