using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests.Machinery;

/// <summary>The shared informer against a real server: paged lists, the namespace index, then the watch.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class InformerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly ApiResource ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true);

    private ServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task ListInPagesOfTwo_CachesEveryObject_IndexedByNamespace_ThenFollowsTheWatch()
    {
        var ns = await _server.CreateNamespaceAsync("informer");
        var other = await _server.CreateNamespaceAsync("informer");
        for (var i = 0; i < 5; i++)
        {
            await _server.Api.CreateAsync(ConfigMaps, ns, ConfigMap("cm-" + i));
        }

        await _server.Api.CreateAsync(ConfigMaps, other, ConfigMap("elsewhere"));
        var informer = new Informer(_server.Api, ConfigMaps, NullLogger.Instance, listPageSize: 2);
        using var stop = new CancellationTokenSource();
        var running = informer.RunAsync(stop.Token);
        try
        {
            await informer.Synced.WaitAsync(Deadline);

            Assert.That(informer.ByNamespace(ns).Select(o => o.Name), Is.EquivalentTo(Enumerable.Range(0, 5).Select(i => "cm-" + i)));
            Assert.That(informer.ByNamespace(other).Select(o => o.Key), Is.EqualTo(new[] { other + "/elsewhere" }));
            Assert.That(informer.TryGet(ns + "/cm-3", out var cm3) && cm3["data"]?["k"]?.GetValue<string>() == "v", Is.True);

            await _server.Api.DeleteAsync(ConfigMaps, ns, "cm-0");
            await _server.Api.CreateAsync(ConfigMaps, ns, ConfigMap("cm-5"));
            await ServerFixture.WaitUntilAsync(
                () => Task.FromResult(informer.ByNamespace(ns).Select(o => o.Name).Order().SequenceEqual(["cm-1", "cm-2", "cm-3", "cm-4", "cm-5"])),
                Deadline,
                () => "the watch's delete and create in the namespace index: " + string.Join(",", informer.ByNamespace(ns).Select(o => o.Name)));
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    private static JsonObject ConfigMap(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["data"] = new JsonObject { ["k"] = "v" },
    };
}
