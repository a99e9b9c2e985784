using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.Deployments;
using Nautilus.Controllers.Endpoints;
using Nautilus.Controllers.Events;
using Nautilus.Controllers.GarbageCollection;
using Nautilus.Controllers.Namespaces;
using Nautilus.Controllers.NodeIpam;
using Nautilus.Controllers.NodeLifecycle;
using Nautilus.Controllers.ReplicaSets;
using Nautilus.Controllers.ResourceQuota;

namespace Nautilus.Controllers;

/// <summary>
/// The controller manager: one shared informer per resource, the controllers fed by them, all
/// talking to the API server through <see cref="ApiClient"/>. Runs until cancelled.
/// </summary>
public sealed class ControllerManager(ApiClient client, ILoggerFactory loggers, NodeIpamOptions? nodeIpam = null)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var informers = new InformerFactory(client, loggers);
        using var namespaceController = new NamespaceController(client, informers.For(ApiResource.Namespaces), loggers.CreateLogger<NamespaceController>());
        namespaceController.Start();

        var events = new EventBroadcaster(client, loggers.CreateLogger<EventBroadcaster>());
        using var replicaSetController = new ReplicaSetController(
            client, informers.For(WorkloadResources.ReplicaSets), informers.For(WorkloadResources.Pods),
            events.NewRecorder(ReplicaSetController.ComponentName), loggers.CreateLogger<ReplicaSetController>());
        using var deploymentController = new DeploymentController(
            client, informers.For(WorkloadResources.Deployments), informers.For(WorkloadResources.ReplicaSets), informers.For(WorkloadResources.Pods),
            events.NewRecorder(DeploymentController.ComponentName), loggers.CreateLogger<DeploymentController>());
        replicaSetController.Start();
        deploymentController.Start();

        var pods = informers.For(ClusterResources.Pods);
        var services = informers.For(ClusterResources.Services);
        var nodes = informers.For(ClusterResources.Nodes);
        using var endpointsController = new EndpointsController(client, services, pods, informers.For(ClusterResources.Endpoints), loggers.CreateLogger<EndpointsController>());
        using var endpointSliceController = new EndpointSliceController(
            client, services, pods, nodes, informers.For(ClusterResources.EndpointSlices), loggers.CreateLogger<EndpointSliceController>());
        using var nodeLifecycleController = new NodeLifecycleController(
            client, nodes, informers.For(ClusterResources.Leases), pods, loggers.CreateLogger<NodeLifecycleController>(),
            new NodeLifecycleOptions(), events.NewRecorder("node-controller"));
        using var taintEvictionController = new TaintEvictionController(
            client, nodes, pods, loggers.CreateLogger<TaintEvictionController>(), events.NewRecorder("taint-eviction-controller"));
        using var nodeIpamController = new NodeIpamController(client, nodes, loggers.CreateLogger<NodeIpamController>(), nodeIpam, events.NewRecorder("cidrAllocator"));
        using var resourceQuotaController = new ResourceQuotaController(client, informers, loggers.CreateLogger<ResourceQuotaController>());
        var garbageCollector = new GarbageCollector(informers, loggers.CreateLogger<GarbageCollector>());
        endpointsController.Start();
        endpointSliceController.Start();
        nodeLifecycleController.Start();
        taintEvictionController.Start();
        nodeIpamController.Start();
        resourceQuotaController.Start();

        await Task.WhenAll(
            informers.RunAsync(ct),
            events.RunAsync(ct),
            namespaceController.RunAsync(ct),
            replicaSetController.RunAsync(ct),
            deploymentController.RunAsync(ct),
            endpointsController.RunAsync(ct),
            endpointSliceController.RunAsync(ct),
            nodeLifecycleController.RunAsync(ct),
            taintEvictionController.RunAsync(ct),
            nodeIpamController.RunAsync(ct),
            resourceQuotaController.RunAsync(ct),
            garbageCollector.RunAsync(ct)).ConfigureAwait(false);
    }
}
