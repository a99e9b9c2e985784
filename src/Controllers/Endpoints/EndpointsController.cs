using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Endpoints.Internal;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Endpoints;

/// <summary>
/// kube-controller-manager's endpoints controller: for every service with a selector, an
/// Endpoints object of the same name listing the ready and not-ready addresses of the pods it
/// selects, with the service ports resolved against each pod (numeric and named target ports),
/// packed into subsets of addresses sharing ports. Kept current as pods come, go and change
/// readiness; deleted with the service. At most 1000 addresses (then the
/// <c>endpoints.kubernetes.io/over-capacity: truncated</c> annotation).
/// </summary>
public sealed partial class EndpointsController(
    ApiClient client, Informer services, Informer pods, Informer endpoints, ILogger<EndpointsController> logger, int workers = 5)
    : Controller("endpoint-controller", logger, workers)
{
    /// <summary>kube's maxCapacity for an Endpoints object.</summary>
    public const int MaxCapacity = 1000;

    private const string OverCapacityAnnotation = "endpoints.kubernetes.io/over-capacity";
    private const string LeaderElectionAnnotation = "control-plane.alpha.kubernetes.io/leader";

    /// <summary>How soon a sync that found the cache behind this controller's own writes looks again.</summary>
    private static readonly TimeSpan CacheLagRetry = TimeSpan.FromMilliseconds(100);

    private readonly PodServiceIndex _podServices = new(services, pods);
    private readonly TriggerTimeTracker _triggerTimes = new();

    /// <summary>resourceVersions this controller has already replaced: a cache still showing one is stale.</summary>
    private readonly ConcurrentDictionary<string, string> _staleVersions = new(StringComparer.Ordinal);

    protected override IEnumerable<Informer> Informers => [services, pods, endpoints];

    public void Start()
    {
        services.Subscribe(Queue.Add);
        pods.Subscribe(key =>
        {
            foreach (var service in _podServices.ServicesFor(key))
            {
                Queue.Add(service);
            }
        });
        endpoints.Subscribe(key =>
        {
            // The first list brings every Endpoints object once (leftovers of deleted services are
            // removed, as kube's checkLeftoverEndpoints); afterwards only deletions matter.
            if (!endpoints.TryGet(key, out var current))
            {
                Queue.Add(key);
            }
            else if (!endpoints.Synced.IsCompleted && KubeFields.String(KubeFields.Metadata(current)?["annotations"], LeaderElectionAnnotation) is null)
            {
                Queue.Add(key);
            }
        });
    }

    protected override async Task<TimeSpan?> ReconcileAsync(string key, CancellationToken ct)
    {
        var slash = key.IndexOf('/');
        var ns = key[..slash];
        var name = key[(slash + 1)..];
        if (!services.TryGet(key, out var service))
        {
            try
            {
                await client.DeleteAsync(ClusterResources.Endpoints, ns, name, ct: ct).ConfigureAwait(false);
            }
            catch (ApiStatusException e) when (e.IsNotFound)
            {
            }

            _triggerTimes.Delete(key);
            _staleVersions.TryRemove(key, out _);
            return null;
        }

        if (ServiceEndpoints.IsExternalName(service) || ServiceEndpoints.Selector(service) is not { } selector)
        {
            return null;
        }

        var selected = ServiceEndpoints.SelectPods(pods, service, selector);
        var triggerTime = _triggerTimes.Compute(key, service, selected);
        var subsets = EndpointSubsets.Repack(BuildEntries(service, selected));

        var exists = endpoints.TryGet(key, out var current);
        if (exists && _staleVersions.TryGetValue(key, out var stale) && stale == KubeFields.ResourceVersion(current))
        {
            // The cache has not seen this controller's last write yet: look again once it has.
            return CacheLagRetry;
        }

        var serviceLabels = KubeFields.Labels(service);
        if (exists
            && JsonNode.DeepEquals(current["subsets"] ?? new JsonArray(), subsets)
            && ServiceEndpoints.LabelsEqual(KubeFields.Labels(current), serviceLabels, ignoring: ServiceEndpoints.HeadlessServiceLabel)
            && CapacityAnnotationSetCorrectly(current))
        {
            return null;
        }

        var next = exists
            ? (JsonObject)current.DeepClone()
            : new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Endpoints",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            };
        var metadata = (JsonObject)next["metadata"]!;
        var annotations = ServiceEndpoints.ToMap(metadata["annotations"] as JsonObject);
        if (triggerTime is { } t)
        {
            annotations[ServiceEndpoints.LastChangeTriggerTimeAnnotation] = KubeFields.FormatRfc3339Nano(t);
        }
        else
        {
            annotations.Remove(ServiceEndpoints.LastChangeTriggerTimeAnnotation);
        }

        if (EndpointSubsets.Truncate(subsets, MaxCapacity))
        {
            annotations[OverCapacityAnnotation] = "truncated";
        }
        else
        {
            annotations.Remove(OverCapacityAnnotation);
        }

        var labels = ServiceEndpoints.ToMap(serviceLabels);
        if (!ServiceEndpoints.IsServiceIPSet(service))
        {
            labels[ServiceEndpoints.HeadlessServiceLabel] = "";
        }
        else
        {
            labels.Remove(ServiceEndpoints.HeadlessServiceLabel);
        }

        ServiceEndpoints.SetMap(metadata, "labels", labels);
        ServiceEndpoints.SetMap(metadata, "annotations", annotations);
        if (subsets.Count > 0)
        {
            next["subsets"] = subsets;
        }
        else
        {
            next.Remove("subsets");
        }

        if (!exists)
        {
            try
            {
                await client.CreateAsync(ClusterResources.Endpoints, ns, next, ct).ConfigureAwait(false);
            }
            catch (ApiStatusException e) when (e.Code == 403 && e.Message.Contains("being terminated", StringComparison.Ordinal))
            {
                // The namespace is terminating: creates keep failing, drop the key.
            }
            catch (ApiStatusException e) when (e.Code == 409 && e.Reason == "AlreadyExists")
            {
                // Created by this controller a moment ago; the cache has not seen it yet.
                return CacheLagRetry;
            }

            return null;
        }

        var updated = await client.UpdateAsync(ClusterResources.Endpoints, ns, name, next, ct: ct).ConfigureAwait(false);
        var previousVersion = KubeFields.ResourceVersion(current);
        if (KubeFields.ResourceVersion(updated) != previousVersion)
        {
            _staleVersions[key] = previousVersion;
        }

        LogUpdated(Logger, key, subsets.Sum(s => (s?["addresses"] as JsonArray)?.Count ?? 0), subsets.Sum(s => (s?["notReadyAddresses"] as JsonArray)?.Count ?? 0));
        return null;
    }

    /// <summary>One (address, ready, port) entry per pod and resolvable service port, as kube's addEndpointSubset.</summary>
    private static List<EndpointSubsets.Entry> BuildEntries(JsonObject service, List<JsonObject> selected)
    {
        var entries = new List<EndpointSubsets.Entry>();
        var publishNotReady = ServiceEndpoints.PublishNotReadyAddresses(service);
        var ports = KubeFields.Objects(service["spec"], "ports").ToList();
        var headless = KubeFields.String(service["spec"], "clusterIP") == "None";
        var families = ServiceEndpoints.IpFamilies(service);
        var wantIPv6 = families.Count > 0
            ? families[0] == "IPv6"
            : ServiceEndpoints.IsServiceIPSet(service) && ServiceEndpoints.IsIPv6(KubeFields.String(service["spec"], "clusterIP")!);
        foreach (var pod in selected)
        {
            if (!ServiceEndpoints.ShouldPodBeInEndpoints(pod, publishNotReady))
            {
                continue;
            }

            var podIPs = ServiceEndpoints.PodIPs(pod);
            if (families.Count == 0 && !ServiceEndpoints.IsServiceIPSet(service))
            {
                // A headless service of an API server that does not set ipFamilies: the pod's first IP decides.
                wantIPv6 = ServiceEndpoints.IsIPv6(podIPs[0]);
            }

            var ip = podIPs.FirstOrDefault(candidate => ServiceEndpoints.IsIPv6(candidate) == wantIPv6);
            if (ip is null)
            {
                continue;
            }

            var address = new JsonObject { ["ip"] = ip };
            if (ServiceEndpoints.ShouldSetHostname(pod, service))
            {
                address["hostname"] = KubeFields.String(pod["spec"], "hostname");
            }

            address["nodeName"] = KubeFields.String(pod["spec"], "nodeName") ?? "";
            address["targetRef"] = ServiceEndpoints.PodReference(pod);
            var ready = publishNotReady || ServiceEndpoints.IsPodReady(pod);
            if (ports.Count == 0)
            {
                // Headless services may have no ports.
                if (headless)
                {
                    entries.Add(new EndpointSubsets.Entry(address, ready, null));
                }

                continue;
            }

            foreach (var servicePort in ports)
            {
                if (ServiceEndpoints.FindPort(pod, servicePort) is not { } portNumber)
                {
                    continue;
                }

                var port = new JsonObject();
                if (KubeFields.String(servicePort, "name") is { Length: > 0 } portName)
                {
                    port["name"] = portName;
                }

                port["port"] = portNumber;
                port["protocol"] = KubeFields.String(servicePort, "protocol") ?? "TCP";
                if (KubeFields.String(servicePort, "appProtocol") is { } appProtocol)
                {
                    port["appProtocol"] = appProtocol;
                }

                entries.Add(new EndpointSubsets.Entry(address, ready, port));
            }
        }

        return entries;
    }

    /// <summary>The over-capacity annotation is present exactly when it must be (never, unless over capacity).</summary>
    private static bool CapacityAnnotationSetCorrectly(JsonObject endpointsObject)
    {
        var count = 0;
        foreach (var subset in KubeFields.Objects(endpointsObject, "subsets"))
        {
            count += ((subset["addresses"] as JsonArray)?.Count ?? 0) + ((subset["notReadyAddresses"] as JsonArray)?.Count ?? 0);
        }

        return count <= MaxCapacity && KubeFields.String(KubeFields.Metadata(endpointsObject)?["annotations"], OverCapacityAnnotation) is null;
    }

    [LoggerMessage(EventId = 2600, Level = LogLevel.Debug, Message = "Updated endpoints {Key}: {Ready} ready, {NotReady} not ready")]
    private static partial void LogUpdated(ILogger logger, string key, int ready, int notReady);
}
