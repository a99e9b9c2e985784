using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Endpoints.Internal;

/// <summary>
/// kube's EndpointSliceTracker: the generation of every slice this controller wrote (or the
/// deletion it expects), per service. A sync whose cache has not caught up with the
/// controller's own writes is refused (it would create duplicates or undo changes), and slice
/// events that only echo those writes do not requeue the service.
/// </summary>
internal sealed class EndpointSliceTracker
{
    private const long DeletionExpected = -1;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, long>> _generationsByService = new(StringComparer.Ordinal);

    public static string? ServiceKey(JsonObject slice) =>
        KubeFields.String(KubeFields.Labels(slice), EndpointSliceController.ServiceNameLabel) is { Length: > 0 } service
            ? KubeFields.Namespace(slice) + "/" + service
            : null;

    public bool Has(JsonObject slice)
    {
        lock (_lock)
        {
            return Generations(slice) is { } generations && generations.ContainsKey(KubeFields.Uid(slice));
        }
    }

    /// <summary>Whether the slice shows something this controller did not write (unknown, or a newer generation).</summary>
    public bool ShouldSync(JsonObject slice)
    {
        lock (_lock)
        {
            return Generations(slice) is not { } generations
                || !generations.TryGetValue(KubeFields.Uid(slice), out var generation)
                || Generation(slice) > generation;
        }
    }

    /// <summary>Whether the cached slices lag behind this controller's writes for the service.</summary>
    public bool StaleSlices(string serviceKey, List<JsonObject> slices)
    {
        lock (_lock)
        {
            if (!_generationsByService.TryGetValue(serviceKey, out var generations))
            {
                return false;
            }

            var provided = new HashSet<string>(StringComparer.Ordinal);
            foreach (var slice in slices)
            {
                var uid = KubeFields.Uid(slice);
                provided.Add(uid);
                if (generations.TryGetValue(uid, out var generation) && (generation == DeletionExpected || generation > Generation(slice)))
                {
                    return true;
                }
            }

            foreach (var (uid, generation) in generations)
            {
                if (generation != DeletionExpected && !provided.Contains(uid))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Records a slice as the API server returned it after this controller's write.</summary>
    public void Update(JsonObject slice)
    {
        lock (_lock)
        {
            if (ServiceKey(slice) is { } key)
            {
                if (!_generationsByService.TryGetValue(key, out var generations))
                {
                    generations = new Dictionary<string, long>(StringComparer.Ordinal);
                    _generationsByService[key] = generations;
                }

                generations[KubeFields.Uid(slice)] = Generation(slice);
            }
        }
    }

    public void ExpectDeletion(JsonObject slice)
    {
        lock (_lock)
        {
            if (ServiceKey(slice) is { } key)
            {
                if (!_generationsByService.TryGetValue(key, out var generations))
                {
                    generations = new Dictionary<string, long>(StringComparer.Ordinal);
                    _generationsByService[key] = generations;
                }

                generations[KubeFields.Uid(slice)] = DeletionExpected;
            }
        }
    }

    /// <summary>
    /// Forgets a deleted slice; false when this controller did not expect the deletion (the
    /// service must sync). Unlike kube, a slice this controller never wrote (one left by an
    /// earlier run) counts as unexpected too, so its loss is repaired at once.
    /// </summary>
    public bool HandleDeletion(string serviceKey, string uid)
    {
        lock (_lock)
        {
            return _generationsByService.TryGetValue(serviceKey, out var generations)
                && generations.Remove(uid, out var generation)
                && generation == DeletionExpected;
        }
    }

    public void DeleteService(string serviceKey)
    {
        lock (_lock)
        {
            _generationsByService.Remove(serviceKey);
        }
    }

    private Dictionary<string, long>? Generations(JsonObject slice) =>
        ServiceKey(slice) is { } key && _generationsByService.TryGetValue(key, out var generations) ? generations : null;

    private static long Generation(JsonObject slice) => KubeFields.Long(KubeFields.Metadata(slice), "generation") ?? 0;
}
