using System.Globalization;

namespace Nautilus.Agent;

/// <summary>
/// What an agent simulates: how many nodes, what they look like, how their pods behave, how
/// often they heartbeat. Defaults follow kubelet's (10 s lease renewal, 40 s lease duration,
/// 5 min node status report, 110 pods).
/// </summary>
public sealed record AgentOptions
{
    public int Nodes { get; init; } = 1;

    /// <summary>Nodes are named {prefix}-{index}.</summary>
    public string NamePrefix { get; init; } = "nautilus-node";

    /// <summary>Index of the first node; also picks its InternalIP, so two agents with disjoint index ranges never collide. Pod CIDRs come from the control plane.</summary>
    public int FirstIndex { get; init; }

    public string Cpu { get; init; } = "8";

    public string Memory { get; init; } = "32Gi";

    public int Pods { get; init; } = 110;

    public string EphemeralStorage { get; init; } = "100Gi";

    /// <summary>Nodes are spread over these zones round-robin (topology.kubernetes.io/zone).</summary>
    public IReadOnlyList<string> Zones { get; init; } = ["zone-a", "zone-b", "zone-c"];

    public string Region { get; init; } = "region-1";

    public string InstanceType { get; init; } = "nautilus.standard-8";

    /// <summary>Roles shown by kubectl get nodes (node-role.kubernetes.io/{role} labels).</summary>
    public IReadOnlyList<string> Roles { get; init; } = ["worker"];

    /// <summary>Node index i gets the (i+2)-th address of this range as its InternalIP.</summary>
    public string NodeIpRange { get; init; } = "172.16.0.0/12";

    public string KubeletVersion { get; init; } = "v1.32.0";

    /// <summary>Time from seeing a pod to its containers running, unless the pod's nautilus.io/start-delay annotation says otherwise.</summary>
    public TimeSpan PodStartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Run time of pods with restartPolicy Never or OnFailure (then Succeeded); null runs them
    /// forever. A pod's nautilus.io/run-duration annotation overrides it and applies under every
    /// restartPolicy: the containers then exit with the pod's nautilus.io/exit-code (default 0)
    /// and, under Always (or OnFailure with a non-zero code), restart with kubelet's back-off.
    /// </summary>
    public TimeSpan? PodRunDuration { get; init; }

    /// <summary>Time containers take to stop once a pod is deleted, capped by its grace period. Annotation nautilus.io/stop-delay.</summary>
    public TimeSpan PodStopDelay { get; init; } = TimeSpan.Zero;

    /// <summary>kubelet's first container restart back-off (10 s); it doubles per restart up to <see cref="MaxRestartBackOff"/>. Small in tests.</summary>
    public TimeSpan RestartBackOff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>kubelet's MaxContainerBackOff (5 min). A container that ran twice this long restarts at once, the back-off reset.</summary>
    public TimeSpan MaxRestartBackOff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A simulated container writes one log line per interval.</summary>
    public TimeSpan LogInterval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    public int LeaseDurationSeconds { get; init; } = 40;

    public TimeSpan NodeStatusReportInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Items per RegisterNodes / RenewLeases / ReportPodStatus call.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>The node names this agent simulates.</summary>
    public IEnumerable<string> NodeNames()
    {
        for (var i = 0; i < Nodes; i++)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{NamePrefix}-{FirstIndex + i}");
        }
    }
}
