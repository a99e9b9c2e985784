using System.Text.Json.Nodes;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests;

/// <summary>Builders and probes shared by the whole-server tests.</summary>
public static class Workloads
{
    public static JsonObject ReplicaSet(string name, int replicas, string app, int minReadySeconds = 0) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "ReplicaSet",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["minReadySeconds"] = minReadySeconds,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = app } },
            ["template"] = Template(app, "nginx:1.25"),
        },
    };

    public static JsonObject Deployment(string name, int replicas, string app, string image = "nginx:1.25", string strategy = "RollingUpdate") => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["strategy"] = new JsonObject { ["type"] = strategy },
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = app } },
            ["template"] = Template(app, image),
        },
    };

    public static JsonObject Template(string app, string image) => new()
    {
        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = app } },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray { new JsonObject { ["name"] = "app", ["image"] = image } },
        },
    };

    public static async Task<List<JsonObject>> PodsAsync(this ServerFixture server, string ns, string? labelSelector = null) =>
        (await server.Api.ListAsync(WorkloadResources.Pods, ns, labelSelector)).Items;

    public static async Task<List<JsonObject>> ReplicaSetsAsync(this ServerFixture server, string ns) =>
        (await server.Api.ListAsync(WorkloadResources.ReplicaSets, ns)).Items;

    public static async Task<List<JsonObject>> EventsAsync(this ServerFixture server, string ns, string reason) =>
        (await server.Api.ListAsync(WorkloadResources.Events, ns)).Items.Where(e => KubeObject.String(e, "reason") == reason).ToList();

    /// <summary>Active (not being deleted) pods.</summary>
    public static List<JsonObject> Active(this List<JsonObject> pods) => pods.Where(p => !KubeObject.IsBeingDeleted(p)).ToList();

    /// <summary>Marks the pod Running and Ready through pods/status, as a kubelet would.</summary>
    public static async Task MakeReadyAsync(this ServerFixture server, JsonObject pod, DateTimeOffset? readySince = null)
    {
        var now = KubeObject.FormatTime(readySince ?? DateTimeOffset.UtcNow);
        var update = (JsonObject)pod.DeepClone();
        update["status"] = new JsonObject
        {
            ["phase"] = "Running",
            ["conditions"] = new JsonArray
            {
                new JsonObject { ["type"] = "Initialized", ["status"] = "True", ["lastTransitionTime"] = now },
                new JsonObject { ["type"] = "Ready", ["status"] = "True", ["lastTransitionTime"] = now },
                new JsonObject { ["type"] = "ContainersReady", ["status"] = "True", ["lastTransitionTime"] = now },
                new JsonObject { ["type"] = "PodScheduled", ["status"] = "True", ["lastTransitionTime"] = now },
            },
            ["podIP"] = "10.244.0.10",
            ["startTime"] = now,
        };
        try
        {
            await server.Api.UpdateAsync(WorkloadResources.Pods, KubeObject.Namespace(pod), KubeObject.Name(pod), update, "status");
        }
        catch (ApiStatusException e) when (e.IsNotFound || e.IsConflict)
        {
            // Deleted or changed meanwhile: the caller's loop sees it again.
        }
    }

    /// <summary>
    /// A stand-in kubelet for one namespace until disposed: every pod that is not Ready is made
    /// Ready, so rollouts can progress without a node agent.
    /// </summary>
    public static IAsyncDisposable StartKubelet(this ServerFixture server, string ns)
    {
        var cts = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                try
                {
                    foreach (var pod in (await server.PodsAsync(ns)).Active())
                    {
                        if (!PodConditions.IsReady(pod))
                        {
                            await server.MakeReadyAsync(pod);
                        }
                    }

                    await Task.Delay(50, cts.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        return new Kubelet(cts, loop);
    }

    private sealed class Kubelet(CancellationTokenSource cts, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await cts.CancelAsync();
            await loop;
            cts.Dispose();
        }
    }
}
