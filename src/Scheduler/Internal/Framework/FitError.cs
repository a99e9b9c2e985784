using System.Text;

namespace Nautilus.Scheduler.Internal.Framework;

/// <summary>kube-scheduler 1.32's FitError message: "0/N nodes are available: {prefilter | sorted reason histogram}. {postfilter}".</summary>
internal static class FitError
{
    public static string Message(int numAllNodes, string? preFilterMessage, IReadOnlyDictionary<string, Status> nodeStatuses, string? postFilterMessage = null, Status? absentNodesStatus = null)
    {
        var sb = new StringBuilder();
        sb.Append("0/").Append(numAllNodes).Append(" nodes are available:");
        if (!string.IsNullOrEmpty(preFilterMessage))
        {
            sb.Append(' ').Append(preFilterMessage).Append('.');
        }
        else
        {
            var histogram = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var status in nodeStatuses.Values)
            {
                foreach (var reason in status.Reasons)
                {
                    histogram[reason] = histogram.GetValueOrDefault(reason) + 1;
                }
            }

            if (absentNodesStatus is { } absent && nodeStatuses.Count < numAllNodes)
            {
                foreach (var reason in absent.Reasons)
                {
                    histogram[reason] = histogram.GetValueOrDefault(reason) + (numAllNodes - nodeStatuses.Count);
                }
            }

            if (histogram.Count > 0)
            {
                var entries = new List<string>(histogram.Count);
                foreach (var (reason, count) in histogram)
                {
                    entries.Add(count + " " + reason);
                }

                entries.Sort(StringComparer.Ordinal);
                sb.Append(' ').AppendJoin(", ", entries).Append('.');
            }
        }

        if (!string.IsNullOrEmpty(postFilterMessage))
        {
            sb.Append(' ').Append(postFilterMessage);
        }

        return sb.ToString();
    }
}
