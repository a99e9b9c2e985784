using Nautilus.Client;

namespace Nautilus.Scheduler;

/// <summary>The nautilus-scheduler command line: where the API server is and how to schedule.</summary>
public sealed record SchedulerCommandLine(ClusterEndpoint Endpoint, SchedulerOptions Options)
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
        var options = new SchedulerOptions();
        var reader = new CommandLineReader();
        var read = reader.Read(args, Usage, output, (name, value) =>
        {
            switch (name)
            {
                case "--profiles": options = With(options, profiles: Profiles(value())); return true;
                case "--percentage-of-nodes-to-score": options = With(options, percentage: CommandLineReader.Int(name, value(), 0, 100)); return true;
                case "--parallelism": options = With(options, parallelism: CommandLineReader.Int(name, value(), 1, 1024)); return true;
                default: return false;
            }
        });
        return read ? new SchedulerCommandLine(reader.Endpoint(), options) : null;
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
}
