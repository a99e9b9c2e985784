using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;
using Nautilus.Store;

namespace Nautilus.Server.Tests;

/// <summary>On start, graceful deletion picks up the pods a previous run left waiting, and only those.</summary>
public sealed class GracefulDeletionTests
{
    private static readonly ResourceRegistry Registry = BuiltInResources.CreateRegistry();

    private static StoredObject Pod(string name, string? deletionTimestamp, string[]? finalizers = null)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = "default", ["uid"] = "uid-" + name };
        if (deletionTimestamp is not null)
        {
            metadata["deletionTimestamp"] = deletionTimestamp;
            metadata["deletionGracePeriodSeconds"] = 30;
        }

        if (finalizers is not null)
        {
            metadata["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)f)]);
        }

        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            // Alike, so that the store keeps most of them compressed against a sibling.
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "nginx:1.27", ["terminationMessagePath"] = "/dev/termination-log", ["imagePullPolicy"] = "IfNotPresent" }) },
        };
        Registry.TryGet("", "v1", "pods", out var pods);
        return ObjectCodec.ToStored(pods!, pod);
    }

    [Test]
    public async Task Start_FinishesDeletionsPastTheirDeadline_AndLeavesOtherPods()
    {
        // Arrange: what a previous run left: pods running, one whose grace period ended while the
        // server was down, one held by a finalizer, and one whose deadline is far away.
        await using var store = new EmbeddedStore();
        Registry.TryGet("", "v1", "pods", out var pods);
        for (var i = 0; i < 20; i++)
        {
            await store.CreateAsync(pods!.StorageType, Pod("running-" + i, null));
        }

        await store.CreateAsync(pods!.StorageType, Pod("expired", "2020-01-01T00:00:00Z"));
        await store.CreateAsync(pods.StorageType, Pod("finalized", "2020-01-01T00:00:00Z", ["example.com/hold"]));
        await store.CreateAsync(pods.StorageType, Pod("later", DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)));
        var expired = (await store.GetAsync(pods.StorageType, new ObjectKey("default", "expired")))!;
        Assert.That(expired.IsCompressed, Is.True, "the pod being deleted is kept compressed");

        // Act
        using var graceful = new GracefulDeletion(store, TimeProvider.System, Registry);
        await graceful.StartAsync(CancellationToken.None);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await store.GetAsync(pods.StorageType, new ObjectKey("default", "expired")) is not null)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the expired pod was not deleted");
                await Task.Delay(20);
            }
        }
        finally
        {
            await graceful.StopAsync(CancellationToken.None);
        }

        // Assert
        var left = (await store.ListAsync(pods.StorageType, new ListOptions())).Items.Select(p => p.Name).ToList();
        Assert.That(left, Has.Count.EqualTo(22));
        Assert.That(left, Does.Contain("finalized").And.Contain("later").And.Contain("running-0"));
    }
}
