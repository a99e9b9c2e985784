using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Nautilus.Agent;

/// <summary>The nautilus-agent command line: where the server is and what to simulate.</summary>
public sealed record AgentCommandLine(AgentEndpoint Endpoint, AgentOptions Options)
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
        ArgumentNullException.ThrowIfNull(args);
        var options = new AgentOptions();
        string? kubeconfig = null, server = null, token = null, tokenFile = null, ca = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                (output ?? Console.Out).WriteLine(Usage);
                return null;
            }

            var name = arg;
            string? value = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }

            string Value(ref int index) => value ?? (index + 1 < args.Length ? args[++index] : throw new ArgumentException($"{name} needs a value."));

            switch (name)
            {
                case "--kubeconfig": kubeconfig = Value(ref i); break;
                case "--server": server = Value(ref i); break;
                case "--token": token = Value(ref i); break;
                case "--token-file": tokenFile = Value(ref i); break;
                case "--ca": ca = Value(ref i); break;
                case "--nodes": options = options with { Nodes = Int(name, Value(ref i), 1, 1_000_000) }; break;
                case "--name-prefix": options = options with { NamePrefix = Value(ref i) }; break;
                case "--first-index": options = options with { FirstIndex = Int(name, Value(ref i), 0, 1_000_000) }; break;
                case "--cpu": options = options with { Cpu = Value(ref i) }; break;
                case "--memory": options = options with { Memory = Value(ref i) }; break;
                case "--pods": options = options with { Pods = Int(name, Value(ref i), 1, 100_000) }; break;
                case "--zones": options = options with { Zones = Value(ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) }; break;
                case "--region": options = options with { Region = Value(ref i) }; break;
                case "--instance-type": options = options with { InstanceType = Value(ref i) }; break;
                case "--pod-start-delay": options = options with { PodStartDelay = Internal.Durations.Parse(name, Value(ref i)) }; break;
                case "--pod-run-duration": options = options with { PodRunDuration = Internal.Durations.Parse(name, Value(ref i)) }; break;
                case "--pod-stop-delay": options = options with { PodStopDelay = Internal.Durations.Parse(name, Value(ref i)) }; break;
                case "--restart-backoff": options = options with { RestartBackOff = Internal.Durations.Parse(name, Value(ref i)) }; break;
                case "--max-restart-backoff": options = options with { MaxRestartBackOff = Internal.Durations.Parse(name, Value(ref i)) }; break;
                case "--log-interval": options = options with { LogInterval = Internal.Durations.Parse(name, Value(ref i)) }; break;
                case "--lease-interval": options = options with { LeaseRenewInterval = Internal.Durations.Parse(name, Value(ref i)) }; break;
                default: throw new ArgumentException($"Unknown option '{arg}'. Run with --help to see the options.");
            }
        }

        AgentEndpoint endpoint;
        if (server is not null)
        {
            token ??= tokenFile is not null ? File.ReadAllText(tokenFile).Trim() : throw new ArgumentException("--server needs --token or --token-file.");
            endpoint = new AgentEndpoint(new Uri(server), token, ca is null ? null : X509Certificate2.CreateFromPem(File.ReadAllText(ca)));
        }
        else
        {
            kubeconfig ??= DefaultKubeconfig();
            endpoint = AgentChannel.FromKubeconfig(kubeconfig);
        }

        return new AgentCommandLine(endpoint, options);
    }

    private static string DefaultKubeconfig()
    {
        if (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment.Split(Path.PathSeparator)[0];
        }

        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = !string.IsNullOrEmpty(dataHome) && Path.IsPathFullyQualified(dataHome)
            ? dataHome
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(root, "nautilus", "kubeconfig");
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{name}: '{value}' is not a whole number from {min} to {max}.");
}
