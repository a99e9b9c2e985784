using Microsoft.Extensions.Logging;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// A level-triggered controller: informers feed keys into a rate-limited work queue and N workers
/// call <see cref="ReconcileAsync"/>, which must be idempotent. A failed key is retried with
/// exponential backoff; a successful one is forgotten.
/// </summary>
public abstract partial class Controller(string name, ILogger logger, int workers = 2) : IDisposable
{
    public string Name { get; } = name;

    protected WorkQueue Queue { get; } = new(name: name);

    protected ILogger Logger { get; } = logger;

    /// <summary>Brings the world for <paramref name="key"/> to its desired state. Returns a delay to look again later, or null.</summary>
    protected abstract Task<TimeSpan?> ReconcileAsync(string key, CancellationToken ct);

    /// <summary>The informers whose first list must be complete before workers start.</summary>
    protected abstract IEnumerable<Informer> Informers { get; }

    public async Task RunAsync(CancellationToken ct)
    {
        foreach (var informer in Informers)
        {
            await informer.Synced.WaitAsync(ct).ConfigureAwait(false);
        }

        var tasks = new Task[workers];
        for (var i = 0; i < workers; i++)
        {
            tasks[i] = WorkAsync(ct);
        }

        await using (ct.Register(Queue.ShutDown))
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            string? key;
            try
            {
                key = await Queue.GetAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (key is null)
            {
                return;
            }

            try
            {
                var again = await ReconcileAsync(key, ct).ConfigureAwait(false);
                Queue.Forget(key);
                if (again is { } delay)
                {
                    Queue.AddAfter(key, delay);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogReconcileFailed(Logger, Name, key, Queue.Failures(key), e.Message);
                Queue.AddRateLimited(key);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    public void Dispose()
    {
        Queue.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "{Controller} failed to reconcile {Key} (attempt {Attempt}): {Error}")]
    private static partial void LogReconcileFailed(ILogger logger, string controller, string key, int attempt, string error);
}
