using System.Text.Json.Nodes;

namespace Nautilus.Agent.Internal;

/// <summary>
/// The pods of every node in the process behind one lock: the state machine, and the queue of
/// what to tell the server. Everything that touches pods (the pod stream, the clock, log
/// requests) goes through here.
/// </summary>
internal sealed class AgentPods(PodLifecycle lifecycle, PodReportQueue reports)
{
    private readonly Lock _gate = new();

    public PodReportQueue Reports => reports;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return lifecycle.Count;
            }
        }
    }

    public void BeginInitialSet()
    {
        lock (_gate)
        {
            lifecycle.BeginInitialSet();
        }
    }

    public void EndInitialSet()
    {
        lock (_gate)
        {
            lifecycle.EndInitialSet();
            reports.Enqueue(lifecycle.Advance());
        }
    }

    public void Upsert(JsonObject pod)
    {
        lock (_gate)
        {
            lifecycle.Upsert(pod);
            reports.Enqueue(lifecycle.Advance());
        }
    }

    public void Delete(JsonObject pod)
    {
        lock (_gate)
        {
            lifecycle.Delete(pod);
        }
    }

    public void Advance()
    {
        lock (_gate)
        {
            if (lifecycle.NextDue is not null)
            {
                reports.Enqueue(lifecycle.Advance());
            }
        }
    }

    /// <summary>A node learned its pod CIDR: pods waiting for an IP start.</summary>
    public void AssignPodCidr(SimulatedNode node, string cidr)
    {
        lock (_gate)
        {
            if (node.AssignPodCidr(cidr))
            {
                lifecycle.NetworkReady(node);
                reports.Enqueue(lifecycle.Advance());
            }
        }
    }

    /// <summary>Reads one pod under the lock.</summary>
    public T Read<T>(string ns, string name, Func<SimulatedPod?, T> read)
    {
        lock (_gate)
        {
            return read(lifecycle.TryGet(ns, name, out var pod) ? pod : null);
        }
    }
}
