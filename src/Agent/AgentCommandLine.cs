using Nautilus.Client;

namespace Nautilus.Agent;

/// <summary>The nautilus-agent command line: where the server is and what to simulate.</summary>
public sealed record AgentCommandLine(ClusterEndpoint Endpoint, AgentOptions Options)
{
    public const string Usage = """
        Usage: nautilus-agent [options]

        Simulates Kubernetes nodes (a kubelet each) for a Nautilus control plane over native gRPC.

        Connection (default: $KUBECONFIG, else the kubeconfig the server writes to its data directory):
          --kubeconfig <path>        read server, CA and token from a kubeconfig
          --server <url>             https://host:port of the server
          --token <token>            bearer token (or --token-file <path>)
          --ca <path>                PEM file of the cluster CA to trust

        Nodes:
          --nodes <n>                number of nodes (default 1)
          --name-prefix <prefix>     nodes are named <prefix>-<index> (default nautilus-node)
          --first-index <i>          index of the first node; picks node IPs (default 0)
          --cpu <q> --memory <q> --pods <n>   capacity per node (default 8, 32Gi, 110)
          --zones <a,b,...>          zones to spread the nodes over (default zone-a,zone-b,zone-c)
          --region <r>               topology.kubernetes.io/region (default region-1)
          --instance-type <t>        node.kubernetes.io/instance-type (default nautilus.standard-8)
        Pod IPs come from each node's spec.podCIDR, assigned by the server (its --cluster-cidr).

        Pods (per-pod overrides: annotations nautilus.io/start-delay, run-duration, stop-delay, exit-code;
        a run-duration annotation makes the containers exit under any restartPolicy, and Always/OnFailure
        restart them as kubelet does: CrashLoopBackOff, restartCount, lastState, logs --previous):
          --pod-start-delay <d>      seen to running (default 1s)
          --pod-run-duration <d>     run time of restartPolicy Never/OnFailure pods (default: forever)
          --pod-stop-delay <d>       deletion to stopped, capped by the grace period (default 0s)
          --restart-backoff <d>      first container restart back-off, doubling per restart (default 10s)
          --max-restart-backoff <d>  cap of the restart back-off (default 5m)
          --log-interval <d>         one simulated log line per interval (default 2s)

        Heartbeats:
          --lease-interval <d>       Lease renewal period (default 10s)
          --help                     print this text
        """;

    /// <summary>Parses the arguments; null after printing <see cref="Usage"/> for --help.</summary>
    /// <exception cref="ArgumentException">An unknown option or an invalid value.</exception>
    public static AgentCommandLine? Parse(string[] args, TextWriter? output = null)
    {
        var options = new AgentOptions();
        var reader = new CommandLineReader();
        var read = reader.Read(args, Usage, output, (name, value) =>
        {
            switch (name)
            {
                case "--nodes": options = options with { Nodes = CommandLineReader.Int(name, value(), 1, 1_000_000) }; return true;
                case "--name-prefix": options = options with { NamePrefix = value() }; return true;
                case "--first-index": options = options with { FirstIndex = CommandLineReader.Int(name, value(), 0, 1_000_000) }; return true;
                case "--cpu": options = options with { Cpu = value() }; return true;
                case "--memory": options = options with { Memory = value() }; return true;
                case "--pods": options = options with { Pods = CommandLineReader.Int(name, value(), 1, 100_000) }; return true;
                case "--zones": options = options with { Zones = value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) }; return true;
                case "--region": options = options with { Region = value() }; return true;
                case "--instance-type": options = options with { InstanceType = value() }; return true;
                case "--pod-start-delay": options = options with { PodStartDelay = Internal.Durations.Parse(name, value()) }; return true;
                case "--pod-run-duration": options = options with { PodRunDuration = Internal.Durations.Parse(name, value()) }; return true;
                case "--pod-stop-delay": options = options with { PodStopDelay = Internal.Durations.Parse(name, value()) }; return true;
                case "--restart-backoff": options = options with { RestartBackOff = Internal.Durations.Parse(name, value()) }; return true;
                case "--max-restart-backoff": options = options with { MaxRestartBackOff = Internal.Durations.Parse(name, value()) }; return true;
                case "--log-interval": options = options with { LogInterval = Internal.Durations.Parse(name, value()) }; return true;
                case "--lease-interval": options = options with { LeaseRenewInterval = Internal.Durations.Parse(name, value()) }; return true;
                default: return false;
            }
        });
        return read ? new AgentCommandLine(reader.Endpoint(), options) : null;
    }
}
