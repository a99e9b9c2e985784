using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>Bind: POST pods/{name}/binding, as kube's DefaultBinder.</summary>
internal sealed class DefaultBinder(FrameworkHandle handle) : IBindPlugin
{
    public const string PluginName = "DefaultBinder";

    public string Name => PluginName;

    public async ValueTask<Status> BindAsync(CycleState state, PodInfo pod, string nodeName, CancellationToken ct)
    {
        if (handle.Api is null)
        {
            return Status.FromError("no API to bind through");
        }

        try
        {
            await handle.Api.BindAsync(pod, nodeName, ct).ConfigureAwait(false);
            return default;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return Status.FromError(e);
        }
    }
}
