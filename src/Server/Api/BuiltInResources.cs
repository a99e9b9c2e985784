using Nautilus.Server.Api.Allocation;
using Nautilus.Server.Api.Strategies;

namespace Nautilus.Server.Api;

/// <summary>The resources Nautilus serves, registered as kube-apiserver 1.32 serves them.</summary>
public static class BuiltInResources
{
    private static readonly string[] NoDeleteCollection = ["create", "delete", "get", "list", "patch", "update", "watch"];

    /// <param name="services">Allocates cluster IPs and node ports for services; a private one when not given.</param>
    public static ResourceRegistry CreateRegistry(ServiceAllocator? services = null) => new(All(services ?? new ServiceAllocator()));

    public static IEnumerable<ResourceDefinition> All(ServiceAllocator services)
    {
        // core/v1, in discovery (alphabetical) order
        yield return new() { Group = "", Version = "v1", Kind = "ConfigMap", Plural = "configmaps", Singular = "configmap", Namespaced = true, ShortNames = ["cm"], Strategy = new ConfigMapStrategy() };
        yield return new() { Group = "", Version = "v1", Kind = "Endpoints", Plural = "endpoints", Singular = "endpoints", Namespaced = true, ShortNames = ["ep"], Strategy = new EndpointsStrategy() };
        var coreEvents = new ResourceDefinition
        {
            Group = "", Version = "v1", Kind = "Event", Plural = "events", Singular = "event", Namespaced = true, ShortNames = ["ev"],
            SelectableFields = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        };
        yield return coreEvents;
        yield return new() { Group = "", Version = "v1", Kind = "LimitRange", Plural = "limitranges", Singular = "limitrange", Namespaced = true, ShortNames = ["limits"] };
        yield return new()
        {
            Group = "", Version = "v1", Kind = "Namespace", Plural = "namespaces", Singular = "namespace", Namespaced = false, ShortNames = ["ns"],
            Verbs = NoDeleteCollection, Subresources = ["finalize", "status"], SelectableFields = ["status.phase"], NameRule = NameRule.Dns1123Label,
            Strategy = new NamespaceStrategy(),
        };
        yield return new()
        {
            Group = "", Version = "v1", Kind = "Node", Plural = "nodes", Singular = "node", Namespaced = false, ShortNames = ["no"],
            Subresources = ["status"], SelectableFields = ["spec.unschedulable"], Strategy = new NodeStrategy(),
        };
        yield return new()
        {
            Group = "", Version = "v1", Kind = "PersistentVolumeClaim", Plural = "persistentvolumeclaims", Singular = "persistentvolumeclaim", Namespaced = true,
            ShortNames = ["pvc"], Subresources = ["status"], Strategy = new PersistentVolumeClaimStrategy(),
        };
        yield return new()
        {
            Group = "", Version = "v1", Kind = "PersistentVolume", Plural = "persistentvolumes", Singular = "persistentvolume", Namespaced = false,
            ShortNames = ["pv"], Subresources = ["status"], Strategy = new PersistentVolumeStrategy(),
        };
        yield return new()
        {
            Group = "", Version = "v1", Kind = "Pod", Plural = "pods", Singular = "pod", Namespaced = true, ShortNames = ["po"], Categories = ["all"],
            Subresources = ["binding", "status"], ReturnDeletedObject = true,
            SelectableFields = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"],
            Strategy = new PodStrategy(),
        };
        yield return new()
        {
            Group = "", Version = "v1", Kind = "ResourceQuota", Plural = "resourcequotas", Singular = "resourcequota", Namespaced = true, ShortNames = ["quota"],
            Subresources = ["status"], Strategy = new ResourceQuotaStrategy(),
        };
        yield return new() { Group = "", Version = "v1", Kind = "Secret", Plural = "secrets", Singular = "secret", Namespaced = true, SelectableFields = ["type"], Strategy = new SecretStrategy() };
        yield return new() { Group = "", Version = "v1", Kind = "ServiceAccount", Plural = "serviceaccounts", Singular = "serviceaccount", Namespaced = true, ShortNames = ["sa"] };
        yield return new()
        {
            Group = "", Version = "v1", Kind = "Service", Plural = "services", Singular = "service", Namespaced = true, ShortNames = ["svc"], Categories = ["all"],
            Subresources = ["status"], NameRule = NameRule.Dns1035Label,
            Strategy = new ServiceStrategy(services),
        };

        // apps/v1
        yield return new()
        {
            Group = "apps", Version = "v1", Kind = "Deployment", Plural = "deployments", Singular = "deployment", Namespaced = true, ShortNames = ["deploy"],
            Categories = ["all"], Subresources = ["scale", "status"], TracksGeneration = true, Strategy = new DeploymentStrategy(),
        };
        yield return new()
        {
            Group = "apps", Version = "v1", Kind = "ReplicaSet", Plural = "replicasets", Singular = "replicaset", Namespaced = true, ShortNames = ["rs"],
            Categories = ["all"], Subresources = ["scale", "status"], TracksGeneration = true, SelectableFields = ["status.replicas"],
            Strategy = new ReplicaSetStrategy(),
        };

        // coordination.k8s.io/v1
        yield return new() { Group = "coordination.k8s.io", Version = "v1", Kind = "Lease", Plural = "leases", Singular = "lease", Namespaced = true, Strategy = new LeaseStrategy() };

        // discovery.k8s.io/v1
        yield return new() { Group = "discovery.k8s.io", Version = "v1", Kind = "EndpointSlice", Plural = "endpointslices", Singular = "endpointslice", Namespaced = true, Strategy = new EndpointSliceStrategy() };

        // scheduling.k8s.io/v1
        yield return new()
        {
            Group = "scheduling.k8s.io", Version = "v1", Kind = "PriorityClass", Plural = "priorityclasses", Singular = "priorityclass", Namespaced = false,
            ShortNames = ["pc"], Strategy = new PriorityClassStrategy(),
        };

        // events.k8s.io/v1: the same objects as core/v1 Events, in the newer shape.
        yield return new()
        {
            Group = "events.k8s.io", Version = "v1", Kind = "Event", Plural = "events", Singular = "event", Namespaced = true, ShortNames = ["ev"],
            StorageResource = coreEvents, ToStorage = EventConversion.ToCore, FromStorage = EventConversion.FromCore,
            SelectableFields = coreEvents.SelectableFields,
        };
    }
}
