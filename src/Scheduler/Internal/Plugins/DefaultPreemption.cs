using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>
/// PostFilter: decides, as kube's DefaultPreemption, whether evicting lower-priority pods could
/// help, and produces its part of the FitError ("preemption: 0/N nodes are available: ...").
/// Nodes rejected as unresolvable are "Preemption is not helpful for scheduling"; nodes without
/// lower-priority pods have "No preemption victims found for incoming pod"; on the rest the
/// filters are rerun without the lower-priority pods. Victim eviction and nomination are not
/// performed yet: a node where preemption would help is reported with the reason it failed.
/// </summary>
internal sealed class DefaultPreemption(FrameworkHandle handle) : IPostFilterPlugin
{
    public const string PluginName = "DefaultPreemption";
    public const string NotHelpful = "Preemption is not helpful for scheduling";
    public const string NoVictims = "No preemption victims found for incoming pod";

    private static readonly Status NotHelpfulStatus = Status.Unresolvable(NotHelpful);
    private static readonly Status NoVictimsStatus = Status.Unresolvable(NoVictims);

    public string Name => PluginName;

    public Status PostFilter(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyDictionary<string, Status> nodeStatuses, out string? nominatedNode)
    {
        nominatedNode = null;
        if (pod.PreemptionPolicy == "Never")
        {
            return Status.Unschedulable("preemption: not eligible due to preemptionPolicy=Never.");
        }

        var statuses = new Dictionary<string, Status>(snapshot.NumNodes, StringComparer.Ordinal);
        foreach (var node in snapshot.Nodes)
        {
            var status = nodeStatuses.TryGetValue(node.Name, out var s) ? s : NotHelpfulStatus;
            if (status.Code == StatusCode.UnschedulableAndUnresolvable)
            {
                statuses[node.Name] = NotHelpfulStatus;
                continue;
            }

            var whatIf = node.Clone();
            var victims = 0;
            foreach (var p in node.Pods)
            {
                if (p.Priority < pod.Priority)
                {
                    whatIf.RemovePod(p);
                    victims++;
                }
            }

            if (victims == 0)
            {
                statuses[node.Name] = NoVictimsStatus;
                continue;
            }

            statuses[node.Name] = handle.RunFilters?.Invoke(state, pod, whatIf) is { IsSuccess: false } refiltered ? refiltered : status;
        }

        return Status.Unschedulable("preemption: " + FitError.Message(snapshot.NumNodes, null, statuses));
    }
}
