using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Nautilus.Agent;

namespace Nautilus.Scheduler;

/// <summary>The nautilus-scheduler command line: where the API server is and how to schedule.</summary>
public sealed record SchedulerCommandLine(AgentEndpoint Endpoint, SchedulerOptions Options)
{
    public const string Usage = """
        Usage: nautilus-scheduler [options]

        Runs the Nautilus scheduler (kube-scheduler's framework and profiles) as its own process
        against a Nautilus API server; start the server with --scheduler=false.

        Connection (default: $KUBECONFIG, else the kubeconfig the server writes to its data directory):
          --kubeconfig <path>        read server, CA and token from a kubeconfig
          --server <url>             https://host:port of the server
          --token <token>            bearer token (or --token-file <path>)
          --ca <path>                PEM file of the cluster CA to trust

        Scheduling:
          --profiles <a,b>           scheduler names served (default default-scheduler,nautilus-scheduler)
          --percentage-of-nodes-to-score <n>   0-100; 0 is kube's adaptive default (default 0)
          --parallelism <n>          workers filtering nodes in parallel (default 16)
          --help                     print this text
        """;

    private static readonly string[] KnownProfiles = ["default-scheduler", "nautilus-scheduler"];

    /// <summary>Parses the arguments; null after printing <see cref="Usage"/> for --help.</summary>
    /// <exception cref="ArgumentException">An unknown option or an invalid value.</exception>
    public static SchedulerCommandLine? Parse(string[] args, TextWriter? output = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new SchedulerOptions();
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
                case "--profiles": options = With(options, profiles: Profiles(Value(ref i))); break;
                case "--percentage-of-nodes-to-score": options = With(options, percentage: Int(name, Value(ref i), 0, 100)); break;
                case "--parallelism": options = With(options, parallelism: Int(name, Value(ref i), 1, 1024)); break;
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
            endpoint = AgentChannel.FromKubeconfig(kubeconfig ?? DefaultKubeconfig());
        }

        return new SchedulerCommandLine(endpoint, options);
    }

    private static SchedulerOptions With(SchedulerOptions o, IReadOnlyList<string>? profiles = null, int? percentage = null, int? parallelism = null) => new()
    {
        Profiles = profiles ?? o.Profiles,
        PercentageOfNodesToScore = percentage ?? o.PercentageOfNodesToScore,
        Parallelism = parallelism ?? o.Parallelism,
        PodInitialBackoff = o.PodInitialBackoff,
        PodMaxBackoff = o.PodMaxBackoff,
        PodMaxInUnschedulablePodsDuration = o.PodMaxInUnschedulablePodsDuration,
        AssumedPodTtl = o.AssumedPodTtl,
        InstanceName = o.InstanceName,
        Time = o.Time,
    };

    private static string[] Profiles(string value)
    {
        var profiles = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var profile in profiles)
        {
            if (Array.IndexOf(KnownProfiles, profile) < 0)
            {
                throw new ArgumentException($"--profiles: unknown profile '{profile}'; known: {string.Join(", ", KnownProfiles)}.");
            }
        }

        return profiles.Length > 0 ? profiles : throw new ArgumentException("--profiles needs at least one profile.");
    }

    /// <summary>$KUBECONFIG's first file, else where the server writes its kubeconfig by default.</summary>
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
