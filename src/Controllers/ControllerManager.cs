using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;
using Nautilus.Controllers.Namespaces;

namespace Nautilus.Controllers;

/// <summary>
/// The controller manager: one shared informer per resource, the controllers fed by them, all
/// talking to the API server through <see cref="ApiClient"/>. Runs until cancelled.
/// </summary>
public sealed class ControllerManager(ApiClient client, ILoggerFactory loggers)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var informers = new InformerFactory(client, loggers);
        using var namespaceController = new NamespaceController(client, informers.For(ApiResource.Namespaces), loggers.CreateLogger<NamespaceController>());
        namespaceController.Start();

        await Task.WhenAll(informers.RunAsync(ct), namespaceController.RunAsync(ct)).ConfigureAwait(false);
    }
}
