namespace Nautilus.Server.Api.Protobuf.Internal;

/// <summary>
/// The Kubernetes API types Nautilus decodes from protobuf, in the notation of
/// <see cref="ProtoSchemaParser"/>. Field numbers come from the types' generated.proto files,
/// field order and omitempty/pointer-ness from their Go structs (go-to-protobuf writes fields in
/// struct order, so the listed order is also the JSON order).
/// </summary>
/// <remarks>
/// Message names are Go type names; names that differ between API groups carry the group
/// ("events.Event", "discovery.EndpointPort"). A field whose type is not listed here is not in the
/// table at all and so is dropped on decoding.
/// </remarks>
internal static partial class KubernetesSchemas
{
    private static readonly Lazy<Dictionary<string, ProtoMessageSchema>> MessagesLazy =
        new(() => ProtoSchemaParser.Build(MetaMessages().Concat(CoreMessages()).Concat(AppsMessages()).Concat(OtherGroupMessages())));

    /// <summary>Top-level kinds: (group, version, kind) → message.</summary>
    private static readonly (string Group, string Version, string Kind, string Message)[] Kinds =
    [
        ("", "v1", "Namespace", "Namespace"),
        ("", "v1", "Pod", "Pod"),
        ("", "v1", "Node", "Node"),
        ("", "v1", "Service", "Service"),
        ("", "v1", "Endpoints", "Endpoints"),
        ("", "v1", "ConfigMap", "ConfigMap"),
        ("", "v1", "Secret", "Secret"),
        ("", "v1", "ServiceAccount", "ServiceAccount"),
        ("", "v1", "Event", "Event"),
        ("", "v1", "PersistentVolume", "PersistentVolume"),
        ("", "v1", "PersistentVolumeClaim", "PersistentVolumeClaim"),
        ("", "v1", "ResourceQuota", "ResourceQuota"),
        ("", "v1", "LimitRange", "LimitRange"),
        ("", "v1", "Binding", "Binding"),
        ("apps", "v1", "Deployment", "Deployment"),
        ("apps", "v1", "ReplicaSet", "ReplicaSet"),
        ("coordination.k8s.io", "v1", "Lease", "Lease"),
        ("scheduling.k8s.io", "v1", "PriorityClass", "scheduling.PriorityClass"),
        ("discovery.k8s.io", "v1", "EndpointSlice", "discovery.EndpointSlice"),
        ("events.k8s.io", "v1", "Event", "events.Event"),
        ("autoscaling", "v1", "Scale", "autoscaling.Scale"),
    ];

    public static IReadOnlyDictionary<string, ProtoMessageSchema> Messages => MessagesLazy.Value;

    /// <summary>The message for a kind sent as apiVersion; DeleteOptions is registered in every group version.</summary>
    public static ProtoMessageSchema? ForKind(string apiVersion, string kind)
    {
        if (kind == "DeleteOptions")
        {
            return Messages["DeleteOptions"];
        }

        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? string.Empty : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        foreach (var entry in Kinds)
        {
            if (entry.Kind == kind && entry.Group == group && entry.Version == version)
            {
                return Messages[entry.Message];
            }
        }

        return null;
    }

    /// <summary>k8s.io/apimachinery/pkg/apis/meta/v1.</summary>
    private static IEnumerable<(string, string)> MetaMessages() =>
    [
        ("ObjectMeta", """
            name 1 s?, generateName 2 s?, namespace 3 s?, selfLink 4 s?, uid 5 s?, resourceVersion 6 s?, generation 7 i64?,
            creationTimestamp 8 time?, deletionTimestamp 9 *time?, deletionGracePeriodSeconds 10 *i64?, labels 11 {s}?,
            annotations 12 {s}?, ownerReferences 13 [OwnerReference]?, finalizers 14 [s]?, managedFields 17 [ManagedFieldsEntry]?
            """),
        ("OwnerReference", "apiVersion 5 s, kind 1 s, name 3 s, uid 4 s, controller 6 *b?, blockOwnerDeletion 7 *b?"),
        ("ManagedFieldsEntry", "manager 1 s?, operation 2 s?, apiVersion 3 s?, time 4 *time?, fieldsType 6 s?, fieldsV1 7 *fields?, subresource 8 s?"),
        ("LabelSelector", "matchLabels 1 {s}?, matchExpressions 2 [LabelSelectorRequirement]?"),
        ("LabelSelectorRequirement", "key 1 s, operator 2 s, values 3 [s]?"),
        ("Condition", "type 1 s, status 2 s, observedGeneration 3 i64?, lastTransitionTime 4 time, reason 5 s, message 6 s"),
        ("DeleteOptions", """
            gracePeriodSeconds 1 *i64?, preconditions 2 *Preconditions?, orphanDependents 3 *b?, propagationPolicy 4 *s?,
            dryRun 5 [s]?, ignoreStoreReadErrorWithClusterBreakingPotential 6 *b?
            """),
        ("Preconditions", "uid 1 *s?, resourceVersion 2 *s?"),
    ];

    /// <summary>apps/v1.</summary>
    private static IEnumerable<(string, string)> AppsMessages() =>
    [
        ("Deployment", "metadata 1 ObjectMeta?, spec 2 DeploymentSpec?, status 3 DeploymentStatus?"),
        ("DeploymentSpec", """
            replicas 1 *i32?, selector 2 *LabelSelector, template 3 PodTemplateSpec, strategy 4 DeploymentStrategy?,
            minReadySeconds 5 i32?, revisionHistoryLimit 6 *i32?, paused 7 b?, progressDeadlineSeconds 9 *i32?
            """),
        ("DeploymentStrategy", "type 1 s?, rollingUpdate 2 *RollingUpdateDeployment?"),
        ("RollingUpdateDeployment", "maxUnavailable 1 *ios?, maxSurge 2 *ios?"),
        ("DeploymentStatus", """
            observedGeneration 1 i64?, replicas 2 i32?, updatedReplicas 3 i32?, readyReplicas 7 i32?, availableReplicas 4 i32?,
            unavailableReplicas 5 i32?, conditions 6 [DeploymentCondition]?, collisionCount 8 *i32?
            """),
        ("DeploymentCondition", "type 1 s, status 2 s, lastUpdateTime 6 time?, lastTransitionTime 7 time?, reason 4 s?, message 5 s?"),
        ("ReplicaSet", "metadata 1 ObjectMeta?, spec 2 ReplicaSetSpec?, status 3 ReplicaSetStatus?"),
        ("ReplicaSetSpec", "replicas 1 *i32?, minReadySeconds 4 i32?, selector 2 *LabelSelector, template 3 PodTemplateSpec?"),
        ("ReplicaSetStatus", """
            replicas 1 i32, fullyLabeledReplicas 2 i32?, readyReplicas 4 i32?, availableReplicas 5 i32?,
            observedGeneration 3 i64?, conditions 6 [ReplicaSetCondition]?
            """),
        ("ReplicaSetCondition", "type 1 s, status 2 s, lastTransitionTime 3 time?, reason 4 s?, message 5 s?"),
    ];

    /// <summary>coordination.k8s.io/v1, scheduling.k8s.io/v1, discovery.k8s.io/v1, events.k8s.io/v1, autoscaling/v1.</summary>
    private static IEnumerable<(string, string)> OtherGroupMessages() =>
    [
        ("Lease", "metadata 1 ObjectMeta?, spec 2 LeaseSpec?"),
        ("LeaseSpec", """
            holderIdentity 1 *s?, leaseDurationSeconds 2 *i32?, acquireTime 3 *mtime?, renewTime 4 *mtime?, leaseTransitions 5 *i32?,
            strategy 6 *s?, preferredHolder 7 *s?
            """),

        ("scheduling.PriorityClass", "metadata 1 ObjectMeta?, value 2 i32, globalDefault 3 b?, description 4 s?, preemptionPolicy 5 *s?"),

        ("discovery.EndpointSlice", "metadata 1 ObjectMeta?, addressType 4 s, endpoints 2 [discovery.Endpoint], ports 3 [discovery.EndpointPort]"),
        ("discovery.Endpoint", """
            addresses 1 [s], conditions 2 discovery.EndpointConditions?, hostname 3 *s?, targetRef 4 *ObjectReference?,
            deprecatedTopology 5 {s}?, nodeName 6 *s?, zone 7 *s?, hints 8 *discovery.EndpointHints?
            """),
        ("discovery.EndpointConditions", "ready 1 *b?, serving 2 *b?, terminating 3 *b?"),
        ("discovery.EndpointHints", "forZones 1 [discovery.ForZone]?"),
        ("discovery.ForZone", "name 1 s"),
        ("discovery.EndpointPort", "name 1 *s?, protocol 2 *s?, port 3 *i32?, appProtocol 4 *s?"),

        ("events.Event", """
            metadata 1 ObjectMeta?, eventTime 2 mtime, series 3 *events.EventSeries?, reportingController 4 s?, reportingInstance 5 s?,
            action 6 s?, reason 7 s?, regarding 8 ObjectReference?, related 9 *ObjectReference?, note 10 s?, type 11 s?,
            deprecatedSource 12 EventSource?, deprecatedFirstTimestamp 13 time?, deprecatedLastTimestamp 14 time?, deprecatedCount 15 i32?
            """),
        ("events.EventSeries", "count 1 i32, lastObservedTime 2 mtime"),

        ("autoscaling.Scale", "metadata 1 ObjectMeta?, spec 2 autoscaling.ScaleSpec?, status 3 autoscaling.ScaleStatus?"),
        ("autoscaling.ScaleSpec", "replicas 1 i32?"),
        ("autoscaling.ScaleStatus", "replicas 1 i32, selector 2 s?"),
    ];
}
