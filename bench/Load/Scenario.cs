using System.Globalization;
using Nautilus.Bench;

namespace Nautilus.Load;

/// <summary>The request-level scenarios: what one request of each is, over REST or native gRPC.</summary>
internal static class Scenario
{
    public static readonly string[] Names = ["get", "table", "table-all", "list", "create", "update-status", "mix", "watch", "memory", "agent-scale", "rollout"];

    /// <summary>kubectl and informers page lists by 500.</summary>
    private const int PageSize = 500;

    /// <summary>Created pods are numbered across workers and scenarios of one run.</summary>
    private static int s_created;

    /// <summary>The operation one worker repeats in scenario <paramref name="name"/>.</summary>
    public static Func<Worker, Operation> For(string name, ApiClients api, ClusterShape shape, Protocol protocol, string runId) => name switch
    {
        "get" => _ => (w, ct) => Get(api, shape, protocol, w, ct),
        "table" => _ => (w, ct) => TableOfNamespace(api, shape, protocol, w, ct),
        "table-all" => _ => (w, ct) => protocol == Protocol.Grpc
            ? api.GrpcListAllPagesAsync("", PageSize, w, ct)
            : api.ListAllPagesAsync("/api/v1/pods", PageSize, w, ct, ApiClients.TableAccept),
        "list" => _ => (w, ct) => protocol == Protocol.Grpc
            ? api.GrpcListAllPagesAsync("", PageSize, w, ct)
            : api.ListAllPagesAsync("/api/v1/pods", PageSize, w, ct),
        "create" => _ => (w, ct) => Create(api, shape, protocol, runId, w, ct),
        "update-status" => _ => (w, ct) => UpdateStatus(api, shape, protocol, w, ct),
        "mix" => _ => (w, ct) => Mix(api, shape, protocol, runId, w, ct),
        _ => throw new ArgumentException("not a request scenario: " + name),
    };

    /// <summary>GET of one pod chosen at random among the seeded ones.</summary>
    private static async ValueTask<bool> Get(ApiClients api, ClusterShape shape, Protocol protocol, Worker worker, CancellationToken ct)
    {
        var (ns, name, _) = shape.Pod(worker.Random.Next(shape.Pods));
        if (protocol == Protocol.Grpc)
        {
            var pod = await api.GrpcFor(worker).GetAsync(ApiClients.PodRequest(ns, name), cancellationToken: ct).ConfigureAwait(false);
            worker.Bytes += pod.Data.Length;
            return true;
        }

        return await api.GetAsync("/api/v1/namespaces/" + ns + "/pods/" + name, worker, ct).ConfigureAwait(false);
    }

    /// <summary><c>kubectl get pods -n ns</c>: a Table of one namespace, 500 rows a page.</summary>
    private static ValueTask<bool> TableOfNamespace(ApiClients api, ClusterShape shape, Protocol protocol, Worker worker, CancellationToken ct)
    {
        var ns = KubeObjects.Namespace(worker.Random.Next(shape.Namespaces));
        return protocol == Protocol.Grpc
            ? api.GrpcListAllPagesAsync(ns, PageSize, worker, ct)
            : api.ListAllPagesAsync("/api/v1/namespaces/" + ns + "/pods", PageSize, worker, ct, ApiClients.TableAccept);
    }

    /// <summary>A new pod (bound to a node, so the scheduler leaves it be) in one of the seeded namespaces.</summary>
    private static async ValueTask<bool> Create(ApiClients api, ClusterShape shape, Protocol protocol, string runId, Worker worker, CancellationToken ct)
    {
        var index = Interlocked.Increment(ref s_created);
        var ns = KubeObjects.Namespace(index % shape.Namespaces);
        var name = "load-" + runId + "-" + index.ToString(CultureInfo.InvariantCulture);
        var json = KubeObjects.PodJson(ns, name, KubeObjects.NodeName(index % shape.Nodes), index);
        if (protocol == Protocol.Grpc)
        {
            var request = ApiClients.PodRequest(ns);
            request.Body = ApiClients.Json(json);
            return await ApiClients.GrpcCreateAsync(api.GrpcFor(worker), request, worker, ct).ConfigureAwait(false);
        }

        return await api.PostAsync("/api/v1/namespaces/" + ns + "/pods", json, worker, ct).ConfigureAwait(false);
    }

    /// <summary>A kubelet's status report: PUT pods/{name}/status of a random pod, with new timestamps each time.</summary>
    private static async ValueTask<bool> UpdateStatus(ApiClients api, ClusterShape shape, Protocol protocol, Worker worker, CancellationToken ct)
    {
        var index = worker.Random.Next(shape.Pods);
        var (ns, name, _) = shape.Pod(index);
        var json = KubeObjects.PodStatusJson(ns, name, index, worker.Sequence++);
        if (protocol == Protocol.Grpc)
        {
            var request = ApiClients.PodRequest(ns, name, "status");
            request.Body = ApiClients.Json(json);
            var updated = await api.GrpcFor(worker).UpdateAsync(request, cancellationToken: ct).ConfigureAwait(false);
            worker.Bytes += updated.Data.Length;
            return true;
        }

        return await api.PutAsync("/api/v1/namespaces/" + ns + "/pods/" + name + "/status", json, worker, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// What kubectl users and controllers send, roughly: 65% get of a pod, 10% Table of a
    /// namespace, 15% status updates, 5% label patches, 5% creates.
    /// </summary>
    private static ValueTask<bool> Mix(ApiClients api, ClusterShape shape, Protocol protocol, string runId, Worker worker, CancellationToken ct)
    {
        var roll = worker.Random.Next(100);
        if (roll < 65)
        {
            return Get(api, shape, protocol, worker, ct);
        }

        if (roll < 75)
        {
            return TableOfNamespace(api, shape, protocol, worker, ct);
        }

        if (roll < 90)
        {
            return UpdateStatus(api, shape, protocol, worker, ct);
        }

        if (roll < 95 && protocol == Protocol.Rest)
        {
            var (ns, name, _) = shape.Pod(worker.Random.Next(shape.Pods));
            var patch = System.Text.Encoding.UTF8.GetBytes("{\"metadata\":{\"labels\":{\"load/touched\":\"" + (worker.Sequence++ % 10).ToString(CultureInfo.InvariantCulture) + "\"}}}");
            return api.PatchAsync("/api/v1/namespaces/" + ns + "/pods/" + name, patch, "application/merge-patch+json", worker, ct);
        }

        return Create(api, shape, protocol, runId, worker, ct);
    }
}
