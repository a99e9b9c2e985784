using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// One shared informer per resource, as client-go's SharedInformerFactory: every controller that
/// needs pods gets the same cache and the same watch. Informers asked for before
/// <see cref="RunAsync"/> start with it; later ones start at once.
/// </summary>
public sealed class InformerFactory(ApiClient client, ILoggerFactory loggers)
{
    private readonly object _lock = new();
    private readonly Dictionary<ApiResource, Informer> _informers = [];
    private readonly List<Task> _running = [];
    private CancellationToken? _started;

    public ApiClient Client => client;

    public Informer For(ApiResource resource)
    {
        lock (_lock)
        {
            if (_informers.TryGetValue(resource, out var informer))
            {
                return informer;
            }

            informer = new Informer(client, resource, loggers.CreateLogger<Informer>());
            _informers[resource] = informer;
            if (_started is { } ct)
            {
                _running.Add(informer.RunAsync(ct));
            }

            return informer;
        }
    }

    /// <summary>Runs every informer until <paramref name="ct"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            _started = ct;
            foreach (var informer in _informers.Values)
            {
                _running.Add(informer.RunAsync(ct));
            }
        }

        return WaitAllAsync();
    }

    private async Task WaitAllAsync()
    {
        while (true)
        {
            Task[] tasks;
            lock (_lock)
            {
                tasks = [.. _running];
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
            lock (_lock)
            {
                if (_running.Count == tasks.Length)
                {
                    return;
                }
            }
        }
    }
}
