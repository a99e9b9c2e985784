using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Nautilus.Api.V1;
using Nautilus.Bench;

namespace Nautilus.Load;

/// <summary>
/// Renews a Lease in kube-node-lease for each seeded node every 10 s, as kubelets do, so that a
/// long fill does not turn into a cluster whose nodes all went Unknown (the node lifecycle
/// controller would mark every pod NotReady, record an Event per pod and start evicting).
/// </summary>
internal sealed class NodeLeases(ApiClients api) : IAsyncDisposable
{
    private static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private int _nodes;

    /// <summary>Renews leases of nodes 0 to <paramref name="nodes"/> - 1 from now on.</summary>
    public void Cover(int nodes)
    {
        var first = _nodes == 0;
        _nodes = Math.Max(_nodes, nodes);
        if (first)
        {
            _running = Task.Run(() => RunAsync(_stop.Token));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        catch (RpcException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var sweep = Stopwatch.StartNew();
            var nodes = Volatile.Read(ref _nodes);
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                var client = api.Grpc[w % api.Grpc.Length];
                int i;
                while ((i = Interlocked.Increment(ref next)) < nodes && !ct.IsCancellationRequested)
                {
                    await RenewAsync(client, KubeObjects.NodeName(i), ct);
                }
            }, ct)));
            var wait = RenewInterval - sweep.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct);
            }
        }
    }

    private static async Task RenewAsync(Resources.ResourcesClient client, string node, CancellationToken ct)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var request = new ResourceRequest { Group = "coordination.k8s.io", Version = "v1", Resource = "leases", Namespace = "kube-node-lease", Name = node };
        try
        {
            request.Body = new Google.Api.HttpBody
            {
                ContentType = "application/merge-patch+json",
                Data = Google.Protobuf.ByteString.CopyFromUtf8("{\"spec\":{\"renewTime\":\"" + now + "\"}}"),
            };
            await client.PatchAsync(request, cancellationToken: ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            request.Name = "";
            request.Body = ApiClients.Json(Encoding.UTF8.GetBytes(
                "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"" + node + "\",\"namespace\":\"kube-node-lease\"},"
                + "\"spec\":{\"holderIdentity\":\"" + node + "\",\"leaseDurationSeconds\":40,\"renewTime\":\"" + now + "\"}}"));
            await ApiClients.GrpcCreateAsync(client, request, null, ct);
        }
        catch (RpcException)
        {
            // The next sweep tries again (or the renewals are over).
        }
    }
}
