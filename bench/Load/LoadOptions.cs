using System.Globalization;

namespace Nautilus.Load;

/// <summary>How the server is reached.</summary>
internal enum TargetKind
{
    /// <summary>A Nautilus server started as a child process (the default: nothing shared with the load).</summary>
    Spawn,

    /// <summary>A Nautilus server in this process.</summary>
    InProcess,

    /// <summary>A running server named by a kubeconfig.</summary>
    Kubeconfig,

    /// <summary>The trivial Kestrel endpoint (same TLS, fixed pod bytes), as a child process.</summary>
    Baseline,
}

internal enum Protocol
{
    Rest,
    Grpc,
}

/// <summary>The command line of the load generator.</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        Usage: Nautilus.Load [options]
               Nautilus.Load serve-baseline [--port <port>]

        Drives a Nautilus server over loopback sockets and reports requests/s, latency percentiles
        and errors per scenario (a table, and JSON with --json).

        Target (one of):
          (default)              start the server as a child process (dotnet nautilus.dll)
          --in-process           start the server in this process
          --kubeconfig <path>    a running server: URL, CA data and token from the kubeconfig
          --baseline-only        the trivial Kestrel endpoint (same TLS, fixed pod bytes, no work)
          --server-pid <pid>     with --kubeconfig: the server's process, for memory figures
          --server-arg <arg>     pass an option to the spawned server (repeatable), e.g.
                                 --server-arg --controllers=false --server-arg --scheduler=false
        Load:
          --scenario <names>     comma-separated: get, table, table-all, list, create, update-status,
                                 mix, watch, memory, agent-scale, rollout (default: get)
          --protocol rest|grpc   REST is HTTP/1.1 keep-alive JSON with a bearer token (kubectl,
                                 client libraries); gRPC is native HTTP/2 (node agents). Default rest
          --connections <n>      connections to the server (default 4)
          --concurrency <n>      requests in flight (default: one per connection)
          --rate <r>             target requests/s in total (default 0: closed loop)
          --duration <s>         measured seconds per scenario (default 10)
          --warmup <s>           unmeasured seconds before each scenario (default 2)
          --baseline             after the scenarios, run 'get' against the trivial endpoint too
                                 and print Nautilus' throughput as a ratio of it
        Cluster (seeded by the load generator unless --no-seed):
          --pods <n>             pods (default 10000)
          --nodes <n>            nodes (default 100)
          --namespaces <n>       namespaces (default 10)
          --no-seed              the cluster is already seeded with these numbers
        Watch:
          --watchers <n>         watchers (default 1000)
          --events <n>           pod events written per second (default 20)
        Memory (--scenario memory): 10,000 pods on 100 nodes, then 150,000 pods on 5,000 nodes
          --memory-steps <list>  pods:nodes steps (default 10000:100,150000:5000)
        Agent scale (--scenario agent-scale): one nautilus-agent process simulating --nodes nodes
                                 (registration time; idle CPU and RSS of server and agent over
                                 --duration after --warmup), then --pods unbound pods from
                                 creation to Running through the scheduler
        Rollout (--scenario rollout; give the spawned server simulated nodes: --server-arg --nodes=20):
          --replicas <n>         the Deployment's replicas (default 1000): create to all Ready and a
                                 full Endpoints object, then a rolling update with default surge
        Output:
          --json <path>          also write the results as JSON ('-' for standard output)
        """;

    public TargetKind Target { get; init; } = TargetKind.Spawn;

    public string? Kubeconfig { get; init; }

    public int? ServerPid { get; init; }

    public List<string> ServerArgs { get; init; } = [];

    public List<string> Scenarios { get; init; } = [];

    public Protocol Protocol { get; init; } = Protocol.Rest;

    public int Connections { get; init; } = 4;

    public int? Concurrency { get; init; }

    public double Rate { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    public bool Baseline { get; init; }

    public int Pods { get; init; } = 10_000;

    public int Nodes { get; init; } = 100;

    public int Namespaces { get; init; } = 10;

    public bool Seed { get; init; } = true;

    public int Watchers { get; init; } = 1000;

    public int EventsPerSecond { get; init; } = 20;

    public List<(int Pods, int Nodes)> MemorySteps { get; init; } = [(10_000, 100), (150_000, 5_000)];

    public int Replicas { get; init; } = 1000;

    public string? JsonPath { get; init; }

    public int Workers => Concurrency ?? Connections;

    /// <summary>Parses the command line; null after printing the usage.</summary>
    public static LoadOptions? Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException(args[i] + " needs a value");
            int Int() => int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture);
            double Number() => double.Parse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture);

            options = args[i] switch
            {
                "--help" or "-h" => null,
                "--in-process" => options with { Target = TargetKind.InProcess },
                "--kubeconfig" => options with { Target = TargetKind.Kubeconfig, Kubeconfig = Next() },
                "--baseline-only" => options with { Target = TargetKind.Baseline },
                "--server-pid" => options with { ServerPid = Int() },
                "--server-arg" => options with { ServerArgs = [.. options.ServerArgs, Next()] },
                "--scenario" or "--scenarios" => options with { Scenarios = [.. options.Scenarios, .. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] },
                "--protocol" => options with { Protocol = Next() switch { "rest" => Protocol.Rest, "grpc" => Protocol.Grpc, var p => throw new ArgumentException("unknown protocol " + p) } },
                "--connections" => options with { Connections = Math.Max(1, Int()) },
                "--concurrency" => options with { Concurrency = Math.Max(1, Int()) },
                "--rate" => options with { Rate = Number() },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Number()) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(Number()) },
                "--baseline" => options with { Baseline = true },
                "--pods" => options with { Pods = Int() },
                "--nodes" => options with { Nodes = Math.Max(1, Int()) },
                "--namespaces" => options with { Namespaces = Math.Max(1, Int()) },
                "--no-seed" => options with { Seed = false },
                "--watchers" => options with { Watchers = Math.Max(1, Int()) },
                "--events" => options with { EventsPerSecond = Math.Max(1, Int()) },
                "--replicas" => options with { Replicas = Math.Max(1, Int()) },
                "--memory-steps" => options with { MemorySteps = [.. Next().Split(',').Select(ParseStep)] },
                "--json" => options with { JsonPath = Next() },
                _ => throw new ArgumentException("unknown option " + args[i]),
            };
            if (options is null)
            {
                Console.WriteLine(Usage);
                return null;
            }
        }

        if (options.Scenarios.Count == 0)
        {
            options = options with { Scenarios = ["get"] };
        }

        foreach (var scenario in options.Scenarios)
        {
            if (!Scenario.Names.Contains(scenario))
            {
                throw new ArgumentException("unknown scenario " + scenario + "; known: " + string.Join(", ", Scenario.Names));
            }
        }

        return options;
    }

    private static (int, int) ParseStep(string step)
    {
        var parts = step.Split(':');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
