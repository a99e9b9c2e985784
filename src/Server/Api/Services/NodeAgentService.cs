using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Nautilus.Agent.V1;
using Nautilus.Server.Api.NodeAgent;
using Nautilus.Server.Api.Objects;
using Nautilus.Store;

namespace Nautilus.Server.Api.Services;

/// <summary>
/// The node agents' service (native gRPC only). Every write goes through
/// <see cref="ResourceHandler"/>, so Nodes, Leases and pod statuses get the same validation,
/// resourceVersions and watch events as writes from any other client. Batches are written with
/// bounded parallelism: the store orders the writes, the parallelism hides their latency.
/// </summary>
public sealed class NodeAgentService(ResourceHandler handler, AgentConnections connections, TimeProvider time, IHostApplicationLifetime lifetime) : Agent.V1.NodeAgent.NodeAgentBase
{
    // Writes on behalf of node agents are owned, in managedFields, by the manager the kubelet uses.
    private static readonly WriteOptions KubeletWrite = new() { FieldManager = "kubelet" };

    private const int BatchParallelism = 16;
    private const int MaxBatch = 5_000;

    private static readonly ItemResult Ok = new() { Code = 200 };

    private ResourceDefinition Nodes => Resource("", "nodes");

    private ResourceDefinition Pods => Resource("", "pods");

    private ResourceDefinition Leases => Resource("coordination.k8s.io", "leases");

    public override async Task<RegisterNodesResponse> RegisterNodes(RegisterNodesRequest request, ServerCallContext context)
    {
        CheckBatch(request.Nodes.Count);
        var nodes = Nodes;
        var results = await ForEachAsync(request.Nodes, context.CancellationToken, (registration, ct) => RegisterAsync(nodes, registration, ct)).ConfigureAwait(false);
        var response = new RegisterNodesResponse();
        response.Results.AddRange(results);
        return response;
    }

    private async ValueTask RegisterAsync(ResourceDefinition nodes, NodeRegistration registration, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var existing = await handler.Store.GetAsync(nodes.StorageType, new ObjectKey("", registration.Name), ct).ConfigureAwait(false);
        if (existing is null)
        {
            try
            {
                await handler.CreateAsync(nodes, "", KubeJson.Serialize(NodeObjects.NewNode(registration, now)), KubeletWrite, ct).ConfigureAwait(false);
                return;
            }
            catch (ApiException e) when (e.Code == 409)
            {
                existing = await handler.Store.GetAsync(nodes.StorageType, new ObjectKey("", registration.Name), ct).ConfigureAwait(false);
                if (existing is null)
                {
                    throw;
                }
            }
        }

        var current = ObjectCodec.ToTree(existing);
        if (NodeObjects.MetadataPatch(registration, current) is { } patch)
        {
            await handler.PatchAsync(nodes, "", registration.Name, "", "application/merge-patch+json", Encoding.UTF8.GetBytes(patch.ToJsonString()), KubeletWrite, ct).ConfigureAwait(false);
        }

        var status = new JsonObject
        {
            ["kind"] = "Node",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["name"] = registration.Name },
            ["status"] = NodeObjects.Status(registration, current["status"] as JsonObject, now),
        };
        await handler.UpdateAsync(nodes, "", registration.Name, "status", KubeJson.Serialize(status), KubeletWrite, ct).ConfigureAwait(false);
    }

    public override async Task<GetPodCidrsResponse> GetPodCidrs(GetPodCidrsRequest request, ServerCallContext context)
    {
        CheckBatch(request.NodeNames.Count);
        var nodes = Nodes;
        var response = new GetPodCidrsResponse();
        foreach (var name in request.NodeNames)
        {
            var stored = await handler.Store.GetAsync(nodes.StorageType, new ObjectKey("", name), context.CancellationToken).ConfigureAwait(false);
            var entry = new NodePodCidrs { Found = stored is not null };
            if (stored is not null)
            {
                entry.PodCidrs.AddRange(NodeObjects.PodCidrs(ObjectCodec.ToTree(stored)));
            }

            response.Nodes.Add(entry);
        }

        return response;
    }

    public override async Task<RenewLeasesResponse> RenewLeases(RenewLeasesRequest request, ServerCallContext context)
    {
        CheckBatch(request.Leases.Count);
        var now = time.GetUtcNow();
        var leases = Leases;
        var nodes = Nodes;
        var results = await ForEachAsync(request.Leases, context.CancellationToken, async (renewal, ct) =>
        {
            var patch = Encoding.UTF8.GetBytes(new JsonObject { ["spec"] = NodeObjects.LeaseSpec(renewal.NodeName, renewal.LeaseDurationSeconds, now) }.ToJsonString());
            try
            {
                await handler.PatchAsync(leases, NodeObjects.LeaseNamespace, renewal.NodeName, "", "application/merge-patch+json", patch, KubeletWrite, ct).ConfigureAwait(false);
                return;
            }
            catch (ApiException e) when (e.Code == 404)
            {
            }

            // First renewal: create the Lease owned by the Node, as kubelet does.
            var node = await handler.Store.GetAsync(nodes.StorageType, new ObjectKey("", renewal.NodeName), ct).ConfigureAwait(false);
            var lease = NodeObjects.NewLease(renewal.NodeName, node?.Uid ?? "", renewal.LeaseDurationSeconds, now);
            try
            {
                await handler.CreateAsync(leases, NodeObjects.LeaseNamespace, KubeJson.Serialize(lease), KubeletWrite, ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Code == 409)
            {
                await handler.PatchAsync(leases, NodeObjects.LeaseNamespace, renewal.NodeName, "", "application/merge-patch+json", patch, KubeletWrite, ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        var response = new RenewLeasesResponse { RenewTime = NodeObjects.MicroTime(now) };
        response.Results.AddRange(results);
        return response;
    }

    public override async Task<ReportPodStatusResponse> ReportPodStatus(ReportPodStatusRequest request, ServerCallContext context)
    {
        CheckBatch(request.Pods.Count);
        var pods = Pods;
        var results = await ForEachAsync(request.Pods, context.CancellationToken, async (report, ct) =>
        {
            JsonNode? status;
            try
            {
                status = JsonNode.Parse(report.Status.Span);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw ApiException.BadRequest($"error decoding pod status: {e.Message}");
            }

            // PUT pods/status with the resourceVersion of the pod just read: the write lands only
            // on the pod with that uid, and a concurrent write makes us read and check again.
            for (var attempt = 0; ; attempt++)
            {
                var current = await handler.Store.GetAsync(pods.StorageType, new ObjectKey(report.Namespace, report.Name), ct).ConfigureAwait(false);
                if (current is null || current.Uid != report.Uid)
                {
                    throw new ApiException(404, "NotFound", $"pods \"{report.Name}\" with uid {report.Uid} not found");
                }

                // The stored pod with the reported status: a status write takes metadata from its
                // body, so sending the stored metadata keeps labels and annotations as they are
                // (what the kubelet's status patch achieves).
                var body = ObjectCodec.ToTree(current);
                body["status"] = status?.DeepClone();
                try
                {
                    await handler.UpdateAsync(pods, report.Namespace, report.Name, "status", KubeJson.Serialize(body), KubeletWrite, ct).ConfigureAwait(false);
                    return;
                }
                catch (ApiException e) when (e.Code == 409 && attempt < 5)
                {
                }
            }
        }).ConfigureAwait(false);

        var response = new ReportPodStatusResponse();
        response.Results.AddRange(results);
        return response;
    }

    public override async Task<ConfirmPodDeletionsResponse> ConfirmPodDeletions(ConfirmPodDeletionsRequest request, ServerCallContext context)
    {
        CheckBatch(request.Pods.Count);
        var pods = Pods;
        var results = await ForEachAsync(request.Pods, context.CancellationToken, async (pod, ct) =>
        {
            var options = KubeletWrite with { GracePeriodSeconds = 0, Preconditions = new Preconditions(Uid: pod.Uid) };
            try
            {
                await handler.DeleteAsync(pods, pod.Namespace, pod.Name, options, ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Code == 409)
            {
                // The uid precondition failed: that pod is gone, a new one has its name.
                throw new ApiException(404, "NotFound", $"pods \"{pod.Name}\" with uid {pod.Uid} not found");
            }
        }).ConfigureAwait(false);

        var response = new ConfirmPodDeletionsResponse();
        response.Results.AddRange(results);
        return response;
    }

    public override async Task WatchPods(WatchPodsRequest request, IServerStreamWriter<WatchPodsResponse> responseStream, ServerCallContext context)
    {
        if (request.NodeNames.Count == 0)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "node_names is empty"));
        }

        var pods = Pods;
        var nodes = new HashSet<string>(request.NodeNames, StringComparer.Ordinal);
        var fromStart = request.ResourceVersion.Length == 0;
        var options = new WatchOptions
        {
            // One node: the store's per-node watcher bucket. More: one watch over all pods,
            // filtered here, so an agent simulating thousands of nodes costs one watcher.
            Fields = nodes.Count == 1 ? FieldSelector.Parse("spec.nodeName=" + request.NodeNames[0]) : FieldSelector.Everything,
            ResourceVersion = fromStart ? null : request.ResourceVersion,
            SendInitialEvents = fromStart,
            AllowBookmarks = true,
        };

        IObjectWatch watch;
        try
        {
            watch = await handler.Store.WatchAsync(pods.StorageType, options, context.CancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Code is StorageErrorCode.Expired or StorageErrorCode.TooLargeResourceVersion)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.OutOfRange, e.Message));
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.InvalidArgument)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, e.Message));
        }

        // Ends with the server too: an open stream must not hold up graceful shutdown.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        using (watch)
        using (var agent = connections.Attach(nodes, responseStream))
        {
            var ct = stopping.Token;
            var initial = fromStart;
            try
            {
                var reader = watch.Events;
                while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
                {
                    while (reader.TryRead(out var e))
                    {
                        WatchPodsResponse message;
                        if (e.Type == WatchEventType.Bookmark)
                        {
                            message = new WatchPodsResponse { Bookmark = new Agent.V1.Bookmark { ResourceVersion = Text(e.ResourceVersion), InitialEventsEnd = e.InitialEventsEnd } };
                            if (e.InitialEventsEnd)
                            {
                                initial = false;
                            }
                        }
                        else
                        {
                            if (!nodes.Contains(e.Object!.GetField("spec.nodeName") ?? ""))
                            {
                                continue;
                            }

                            message = new WatchPodsResponse
                            {
                                Pod = new PodEvent
                                {
                                    Type = e.Type switch
                                    {
                                        WatchEventType.Added => PodEvent.Types.Type.Added,
                                        WatchEventType.Modified => PodEvent.Types.Type.Modified,
                                        _ => PodEvent.Types.Type.Deleted,
                                    },
                                    Pod = UnsafeByteOperations.UnsafeWrap(pods.Encode(e.Object.Json)),
                                    ResourceVersion = Text(e.ResourceVersion),
                                    Initial = initial,
                                },
                            };
                        }

                        await agent.WriteAsync(message, ct).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The agent went away.
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.WatcherTooSlow)
            {
                // Cut off for falling behind: the agent resumes from the last resourceVersion it saw.
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "the pod stream fell behind; resume from the last resourceVersion"));
            }
        }
    }

    public override async Task<SendLogsResponse> SendLogs(IAsyncStreamReader<LogChunk> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false))
        {
            return new SendLogsResponse();
        }

        var first = requestStream.Current;
        if (!connections.TryTakeLogSession(first.RequestId, out var session))
        {
            // The reader gave up already.
            return new SendLogsResponse();
        }

        session.First.TrySetResult(first);
        if (first.ErrorCode != 0)
        {
            return new SendLogsResponse();
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, session.ReaderGone, lifetime.ApplicationStopping);
        try
        {
            while (await requestStream.MoveNext(linked.Token).ConfigureAwait(false))
            {
                await session.Data.Writer.WriteAsync(requestStream.Current.Data.Memory, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The reader or the agent went away; ending the call tells the agent to stop.
        }
        catch (RpcException) when (linked.IsCancellationRequested)
        {
        }
        finally
        {
            session.Data.Writer.TryComplete();
        }

        return new SendLogsResponse();
    }

    private ResourceDefinition Resource(string group, string plural)
    {
        var version = "v1";
        return handler.Registry.TryGet(group, version, plural, out var resource)
            ? resource
            : throw new RpcException(new Grpc.Core.Status(StatusCode.Unimplemented, $"{plural} are not served"));
    }

    private static void CheckBatch(int count)
    {
        if (count > MaxBatch)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, $"a batch holds at most {MaxBatch} items"));
        }
    }

    private static string Text(long resourceVersion) => resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs <paramref name="write"/> for every item; each item's outcome lands at its index.</summary>
    private static async Task<ItemResult[]> ForEachAsync<T>(IReadOnlyList<T> items, CancellationToken ct, Func<T, CancellationToken, ValueTask> write)
    {
        var results = new ItemResult[items.Count];
        await Parallel.ForAsync(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = ct }, async (i, token) =>
        {
            try
            {
                await write(items[i], token).ConfigureAwait(false);
                results[i] = Ok;
            }
            catch (ApiException e)
            {
                results[i] = new ItemResult { Code = e.Code, Message = e.Message };
            }
            catch (StorageException e)
            {
                results[i] = new ItemResult { Code = e.Code == StorageErrorCode.KeyNotFound ? 404 : 500, Message = e.Message };
            }
        }).ConfigureAwait(false);
        return results;
    }
}
