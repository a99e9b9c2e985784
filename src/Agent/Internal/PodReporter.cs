using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Nautilus.Agent.V1;

namespace Nautilus.Agent.Internal;

/// <summary>
/// Sends what the pods' state machine decided: statuses and deletion confirmations, in batches.
/// A batch that cannot reach the server is retried with backoff; an item the server refused for
/// a reason that may pass (conflict, overload) is queued again; an item for a pod that is gone
/// is dropped.
/// </summary>
internal sealed class PodReporter(V1.NodeAgent.NodeAgentClient client, PodReportQueue queue, AgentOptions options, TimeProvider time, ILogger logger)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var retry = Retry.Create(time, e => AgentLog.ReportFailed(logger, e));
        while (!ct.IsCancellationRequested)
        {
            var batch = await queue.TakeAsync(options.BatchSize, ct).ConfigureAwait(false);
            var statuses = new ReportPodStatusRequest();
            var statusActions = new List<PodAction>();
            var deletions = new ConfirmPodDeletionsRequest();
            var deletionActions = new List<PodAction>();
            foreach (var action in batch)
            {
                if (action.Kind == PodActionKind.ReportStatus)
                {
                    statuses.Pods.Add(new PodStatusReport
                    {
                        Namespace = action.Namespace,
                        Name = action.Name,
                        Uid = action.Uid,
                        Status = ByteString.CopyFrom(Encoding.UTF8.GetBytes(action.Status!.ToJsonString())),
                    });
                    statusActions.Add(action);
                }
                else
                {
                    deletions.Pods.Add(new PodReference { Namespace = action.Namespace, Name = action.Name, Uid = action.Uid });
                    deletionActions.Add(action);
                }
            }

            var retried = false;
            if (statusActions.Count > 0)
            {
                var response = await retry.ExecuteAsync(async token => await client.ReportPodStatusAsync(statuses, cancellationToken: token).ConfigureAwait(false), ct).ConfigureAwait(false);
                retried |= Settle(statusActions, response.Results, "status");
            }

            if (deletionActions.Count > 0)
            {
                var response = await retry.ExecuteAsync(async token => await client.ConfirmPodDeletionsAsync(deletions, cancellationToken: token).ConfigureAwait(false), ct).ConfigureAwait(false);
                retried |= Settle(deletionActions, response.Results, "deletion");
            }

            if (retried)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct).ConfigureAwait(false);
            }
        }
    }

    private bool Settle(List<PodAction> actions, IReadOnlyList<ItemResult> results, string operation)
    {
        var retried = false;
        for (var i = 0; i < actions.Count && i < results.Count; i++)
        {
            var code = results[i].Code;
            if (code < 300 || code == 404)
            {
                continue;
            }

            AgentLog.ItemFailed(logger, actions[i].Namespace + "/" + actions[i].Name, operation, code, results[i].Message);
            if (code is 409 or 429 or >= 500)
            {
                queue.Retry(actions[i]);
                retried = true;
            }
        }

        return retried;
    }
}
