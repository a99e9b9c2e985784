using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Endpoints.Internal;

/// <summary>
/// kube's TriggerTimeTracker: the value of the <c>endpoints.kubernetes.io/last-change-trigger-time</c>
/// annotation, the earliest time of a change (a pod's Ready transition, the service's creation)
/// not yet reflected in the endpoints. Nothing on a service's first sync (the controller cannot
/// know which changes are new). Not safe for concurrent calls with the same key; the work
/// queue never hands one key to two workers.
/// </summary>
internal sealed class TriggerTimeTracker
{
    private readonly ConcurrentDictionary<string, ServiceState> _states = new(StringComparer.Ordinal);

    public DateTimeOffset? Compute(string serviceKey, JsonObject service, List<JsonObject> pods)
    {
        var known = _states.TryGetValue(serviceKey, out var state);
        var next = new ServiceState(new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal), default);
        DateTimeOffset? min = null;
        foreach (var pod in pods)
        {
            if (KubeFields.Time(KubeFields.Condition(pod, "Ready"), "lastTransitionTime") is not { } podTime)
            {
                continue;
            }

            var name = KubeFields.Name(pod);
            next.PodTriggerTimes[name] = podTime;
            if (state is null || !state.PodTriggerTimes.TryGetValue(name, out var previous) || podTime > previous)
            {
                min = min is { } m && m < podTime ? m : podTime;
            }
        }

        var serviceTime = KubeFields.Time(KubeFields.Metadata(service), "creationTimestamp") ?? default;
        if (serviceTime > (state?.LastServiceTriggerTime ?? default))
        {
            min = min is { } m && m < serviceTime ? m : serviceTime;
        }

        _states[serviceKey] = next with { LastServiceTriggerTime = serviceTime };
        return known ? min : null;
    }

    public void Delete(string serviceKey) => _states.TryRemove(serviceKey, out _);

    private sealed record ServiceState(Dictionary<string, DateTimeOffset> PodTriggerTimes, DateTimeOffset LastServiceTriggerTime);
}
