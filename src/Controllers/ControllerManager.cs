using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.Deployments;
using Nautilus.Controllers.Events;
using Nautilus.Controllers.Namespaces;
using Nautilus.Controllers.ReplicaSets;

namespace Nautilus.Controllers;

/// <summary>
/// The controller manager: one shared informer per resource, the controllers fed by them, all
/// talking to the API server through <see cref="ApiClient"/>. Runs until cancelled.
/// </summary>
public sealed class ControllerManager(ApiClient client, ILoggerFactory loggers)
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

        await Task.WhenAll(
            informers.RunAsync(ct),
            events.RunAsync(ct),
            namespaceController.RunAsync(ct),
            replicaSetController.RunAsync(ct),
            deploymentController.RunAsync(ct)).ConfigureAwait(false);
    }
}
