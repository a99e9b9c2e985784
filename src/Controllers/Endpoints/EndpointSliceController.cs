using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Endpoints.Internal;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Endpoints;

/// <summary>
/// kube-controller-manager's EndpointSlice controller: for every service with a selector,
/// EndpointSlices (labels <c>kubernetes.io/service-name</c> and
/// <c>endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io</c>, owned by the
/// service) holding its pods' addresses with conditions ready, serving and terminating, node,
/// zone and resolved ports; at most <c>maxEndpointsPerSlice</c> endpoints per slice. Slices of a
/// deleted service go with it through the garbage collector.
/// </summary>
public sealed class EndpointSliceController : Controller
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    public const string ControllerName = "endpointslice-controller.k8s.io";

    /// <summary>kube's --max-endpoints-per-slice default.</summary>
    public const int DefaultMaxEndpointsPerSlice = 100;

    /// <summary>How soon a sync that found the cache behind this controller's own writes looks again.</summary>
    private static readonly TimeSpan CacheLagRetry = TimeSpan.FromMilliseconds(100);

    private readonly Informer _services;
    private readonly Informer _pods;
    private readonly Informer _nodes;
    private readonly Informer _slices;
    private readonly PodServiceIndex _podServices;
    private readonly TriggerTimeTracker _triggerTimes = new();
    private readonly EndpointSliceTracker _tracker = new();
    private readonly EndpointSliceReconciler _reconciler;

    /// <summary>What was last seen of each slice, to requeue its service when it is deleted.</summary>
    private readonly ConcurrentDictionary<string, SliceSeen> _seen = new(StringComparer.Ordinal);

    public EndpointSliceController(
        ApiClient client, Informer services, Informer pods, Informer nodes, Informer endpointSlices, ILogger<EndpointSliceController> logger,
        int maxEndpointsPerSlice = DefaultMaxEndpointsPerSlice, int workers = 5)
        : base("endpointslice-controller", logger, workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEndpointsPerSlice, 1);
        _services = services;
        _pods = pods;
        _nodes = nodes;
        _slices = endpointSlices;
        _podServices = new PodServiceIndex(services, pods);
        _reconciler = new EndpointSliceReconciler(client, nodes, _tracker, maxEndpointsPerSlice);
    }

    protected override IEnumerable<Informer> Informers => [_services, _pods, _nodes, _slices];

    public void Start()
    {
        _services.Subscribe(Queue.Add);
        _pods.Subscribe(key =>
        {
            foreach (var service in _podServices.ServicesFor(key))
            {
                Queue.Add(service);
            }
        });
        _slices.Subscribe(OnSliceChanged);
    }

    protected override async Task<TimeSpan?> ReconcileAsync(string key, CancellationToken ct)
    {
        if (!_services.TryGet(key, out var service))
        {
            // The slices are owned by the service: the garbage collector removes them.
            _tracker.DeleteService(key);
            _triggerTimes.Delete(key);
            return null;
        }

        if (ServiceEndpoints.IsExternalName(service) || ServiceEndpoints.Selector(service) is not { } selector)
        {
            return null;
        }

        var pods = ServiceEndpoints.SelectPods(_pods, service, selector);
        var ns = KubeFields.Namespace(service);
        var name = KubeFields.Name(service);
        var slices = new List<JsonObject>();
        foreach (var slice in _slices.ByNamespace(ns))
        {
            if (slice.Labels[ServiceNameLabel] == name && slice.Labels[ManagedByLabel] == ControllerName && !slice.IsBeingDeleted)
            {
                slices.Add(slice.ToJsonObject());
            }
        }

        if (_tracker.StaleSlices(key, slices))
        {
            // The cache has not seen this controller's last writes yet: look again once it has.
            return CacheLagRetry;
        }

        var triggerTime = _triggerTimes.Compute(key, service, pods);
        await _reconciler.ReconcileAsync(service, pods, slices, triggerTime, ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>A slice change requeues its service unless it only echoes this controller's own write.</summary>
    private void OnSliceChanged(string key)
    {
        if (_slices.TryGet(key, out var slice))
        {
            var managed = KubeFields.String(KubeFields.Labels(slice), ManagedByLabel) == ControllerName;
            var serviceKey = EndpointSliceTracker.ServiceKey(slice);
            _seen.TryGetValue(key, out var previous);
            _seen[key] = new SliceSeen(serviceKey, KubeFields.Uid(slice), managed);
            if (serviceKey is not null && ((managed && _tracker.ShouldSync(slice)) || (previous is not null && previous.Managed != managed)))
            {
                Queue.Add(serviceKey);
            }
        }
        else if (_seen.TryRemove(key, out var previous) && previous is { Managed: true, ServiceKey: { } serviceKey } && !_tracker.HandleDeletion(serviceKey, previous.Uid))
        {
            Queue.Add(serviceKey);
        }
    }

    private sealed record SliceSeen(string? ServiceKey, string Uid, bool Managed);
}
