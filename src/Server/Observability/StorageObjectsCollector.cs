using Nautilus.Server.Api;
using Nautilus.Store;

namespace Nautilus.Server.Observability;

/// <summary>apiserver_storage_objects{resource}: the number of stored objects of each resource, read when scraped.</summary>
public sealed class StorageObjectsCollector : IMetricsCollector
{
    private const string Name = "apiserver_storage_objects";
    private static readonly string[] Labels = ["resource"];

    private readonly IObjectStore _store;
    private readonly (ResourceType Type, string Label)[] _types;

    public StorageObjectsCollector(MetricsRegistry registry, ResourceRegistry resources, IObjectStore store)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(resources);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        var types = new List<(ResourceType, string)>();
        foreach (var resource in resources.All)
        {
            // One series per storage location: versions of one resource share it.
            if (resource.StorageResource is null && !types.Exists(t => t.Item1 == resource.StorageType))
            {
                types.Add((resource.StorageType, resource.QualifiedResource));
            }
        }

        _types = [.. types];
        registry.Reserve(Name);
        registry.AddCollector(this);
    }

    public void Collect(PrometheusWriter writer)
    {
        writer.WriteHeader(Name, "Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.", "gauge");
        foreach (var (type, label) in _types)
        {
            long count;
            try
            {
                count = _store.Count(type);
            }
            catch (ObjectDisposedException)
            {
                count = -1;
            }

            writer.WriteSample(Name, null, Labels, [label], count);
        }
    }
}
