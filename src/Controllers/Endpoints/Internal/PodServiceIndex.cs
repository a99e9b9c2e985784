using System.Collections.Concurrent;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Endpoints.Internal;

/// <summary>
/// Which services a pod change concerns (kube's GetServicesToUpdateOnPodChange). Informers
/// report only keys, so the last seen labels and endpoint-relevant state of each pod are kept:
/// a deleted pod still maps to the services that selected it, a relabelled one to the services
/// of both label sets, and a change no endpoint shows (a status heartbeat) to none.
/// </summary>
internal sealed class PodServiceIndex(Informer services, Informer pods)
{
    private readonly ConcurrentDictionary<string, PodState> _pods = new(StringComparer.Ordinal);

    public List<string> ServicesFor(string podKey)
    {
        var result = new List<string>();
        var hasCurrent = pods.TryGetCached(podKey, out var pod);
        PodState? old;
        PodState? current = null;
        if (hasCurrent)
        {
            current = PodState.Of(pod!);
            _pods.TryGetValue(podKey, out old);
            _pods[podKey] = current;
        }
        else
        {
            _pods.TryRemove(podKey, out old);
        }

        if (current is not null && old is not null && current.Fingerprint == old.Fingerprint && current.Labels.SetEquals(old.Labels))
        {
            return result;
        }

        var ns = podKey[..Math.Max(podKey.IndexOf('/'), 0)];
        foreach (var service in services.ListNamespace(ns))
        {
            if (ServiceEndpoints.Selector(service) is not { } selector)
            {
                continue;
            }

            if ((current is not null && KubeFields.SelectorMatches(selector, current.Labels))
                || (old is not null && KubeFields.SelectorMatches(selector, old.Labels)))
            {
                result.Add(Informer.KeyOf(service));
            }
        }

        return result;
    }

    /// <summary>A pod's labels and what its endpoints show: uid, IPs, readiness, deletion, phase, node, hostname.</summary>
    private sealed record PodState(ObjectLabels Labels, string Fingerprint)
    {
        public static PodState Of(CachedObject cached)
        {
            var pod = cached.ToJsonObject();
            var spec = pod["spec"];
            var fingerprint = string.Join('|',
                KubeFields.Uid(pod),
                string.Join(',', ServiceEndpoints.PodIPs(pod)),
                ServiceEndpoints.IsPodReady(pod) ? "ready" : "unready",
                KubeFields.String(KubeFields.Condition(pod, "Ready"), "lastTransitionTime") ?? "",
                KubeFields.String(KubeFields.Metadata(pod), "deletionTimestamp") ?? "",
                KubeFields.String(pod["status"], "phase") ?? "",
                KubeFields.String(spec, "nodeName") ?? "",
                KubeFields.String(spec, "hostname") ?? "",
                KubeFields.String(spec, "subdomain") ?? "");
            return new PodState(cached.Labels, fingerprint);
        }
    }
}
