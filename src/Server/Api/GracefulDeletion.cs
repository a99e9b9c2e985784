using Nautilus.Server.Api.Objects;
using Nautilus.Store;

namespace Nautilus.Server.Api;

/// <summary>
/// Finishes graceful deletions: a pod deleted with a grace period stays (with deletionTimestamp)
/// until a node agent confirms with a zero grace period or the period ends, when it is removed
/// here. On start it picks up every pod still waiting, so a restart loses none.
/// </summary>
public sealed class GracefulDeletion(IObjectStore store, TimeProvider time, ResourceRegistry registry) : BackgroundService
{
    private static readonly ResourceType Pods = new("", "pods");

    private readonly CancellationTokenSource _stopping = new();

    public void Schedule(ResourceDefinition resource, ObjectKey key, string uid, TimeSpan delay)
    {
        var token = _stopping.Token;
        _ = FinishLaterAsync(resource.StorageType, key, uid, delay, token);
    }

    private async Task FinishLaterAsync(ResourceType type, ObjectKey key, string uid, TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, time, token).ConfigureAwait(false);
            var current = await store.GetAsync(type, key, token).ConfigureAwait(false);
            if (current is null || current.Uid != uid)
            {
                return;
            }

            var meta = ResourceHandler.Metadata(ObjectCodec.ToTree(current));
            if (meta["finalizers"] is System.Text.Json.Nodes.JsonArray { Count: > 0 })
            {
                return;
            }

            var deadline = KubeJson.ParseTimestamp(KubeJson.GetString(meta, "deletionTimestamp"));
            if (deadline is null)
            {
                return;
            }

            if (deadline > time.GetUtcNow())
            {
                await FinishLaterAsync(type, key, uid, deadline.Value - time.GetUtcNow(), token).ConfigureAwait(false);
                return;
            }

            await store.DeleteAsync(type, key, new Preconditions(Uid: uid), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (StorageException)
        {
            // Gone or replaced meanwhile: nothing left to finish.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!registry.TryGet("", "v1", "pods", out var pods))
        {
            return;
        }

        var list = await store.ListAsync(Pods, new ListOptions(), stoppingToken).ConfigureAwait(false);
        foreach (var pod in list.Items)
        {
            // Only pods being deleted are parsed: parsing every pod held up a restart with
            // 90,000 pods for 1.5 s.
            if (!pod.JsonContains("\"deletionTimestamp\":"u8))
            {
                continue;
            }

            var meta = ResourceHandler.Metadata(ObjectCodec.ToTree(pod));
            if (KubeJson.ParseTimestamp(KubeJson.GetString(meta, "deletionTimestamp")) is { } deadline)
            {
                var delay = deadline - time.GetUtcNow();
                Schedule(pods, pod.Key, pod.Uid, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }
}
