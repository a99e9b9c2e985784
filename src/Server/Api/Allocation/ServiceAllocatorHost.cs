using Nautilus.Store;

namespace Nautilus.Server.Api.Allocation;

/// <summary>
/// Runs <see cref="ServiceAllocator.RunAsync"/> for the life of the host. Starting waits until the
/// allocator has reserved what the stored services hold, so the API port (started after the hosted
/// services) never serves a create that could take an address a stored service has.
/// </summary>
public sealed class ServiceAllocatorHost(ServiceAllocator allocator, IObjectStore store) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _running = Task.Run(() => allocator.RunAsync(store, _stopping.Token), CancellationToken.None);
        await Task.WhenAny(allocator.Ready, _running).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_running.IsFaulted)
        {
            await _running.ConfigureAwait(false);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();
}
