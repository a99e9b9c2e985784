using System.Globalization;
using System.Net;

namespace Nautilus.Server.Hosting;

/// <summary>
/// How the server is started: where it listens, where it keeps its state, how many nodes it
/// simulates. Built from the command line by <see cref="Parse"/>.
/// </summary>
public sealed record ServerOptions
{
    /// <summary>The usage text printed for <c>--help</c>.</summary>
    public const string Usage = """
        Usage: nautilus [options]

        A Kubernetes control plane (API server, store, scheduler, controller manager) in one process.

        Options:
          --address <ip>      IP address to listen on (default 127.0.0.1)
          --port <port>       TLS port for the Kubernetes API and gRPC (default 6443; 0 picks a free port)
          --data-dir <path>   where state, credentials and the kubeconfig live
                              (default $XDG_DATA_HOME/nautilus, or ~/.local/share/nautilus)
          --nodes <count>     number of simulated nodes (default 3)
          --controllers=false run the API server without the controller manager
          --scheduler=false   run the API server without the scheduler
          --cluster-cidr <cidr>        pod range each node gets a subnet of (default 10.244.0.0/16)
          --node-cidr-mask-size <n>    prefix length of each node's subnet (default 24)
          --allocate-node-cidrs=false  leave spec.podCIDR of nodes alone
          --help              print this text and exit
        """;

    /// <summary>The IP address to bind.</summary>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>The TLS port; 0 lets the operating system choose a free one.</summary>
    public int Port { get; init; } = 6443;

    /// <summary>State, credentials and the kubeconfig. Defaults to <see cref="DefaultDataDirectory"/>.</summary>
    public string DataDirectory { get; init; } = DefaultDataDirectory();

    /// <summary>Number of simulated nodes.</summary>
    public int Nodes { get; init; } = 3;

    /// <summary>Run the controller manager in the process (default). Off: the API server alone, as kube-apiserver's integration tests run it.</summary>
    public bool RunControllers { get; init; } = true;

    /// <summary>Run the scheduler in the process (default).</summary>
    public bool RunScheduler { get; init; } = true;

    /// <summary>The node IPAM controller's --cluster-cidr, --node-cidr-mask-size and --allocate-node-cidrs.</summary>
    public Nautilus.Controllers.NodeIpam.NodeIpamOptions NodeIpam { get; init; } = new();

    /// <summary>
    /// <c>$XDG_DATA_HOME/nautilus</c> when XDG_DATA_HOME is set to an absolute path (as the XDG
    /// base directory specification requires), <c>~/.local/share/nautilus</c> otherwise.
    /// </summary>
    public static string DefaultDataDirectory()
    {
        string? xdgDataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (!string.IsNullOrEmpty(xdgDataHome) && Path.IsPathFullyQualified(xdgDataHome))
        {
            return Path.Combine(xdgDataHome, "nautilus");
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".local", "share", "nautilus");
    }

    /// <summary>
    /// Parses <c>--address</c>, <c>--port</c>, <c>--data-dir</c>, <c>--nodes</c> (each as
    /// <c>--name value</c> or <c>--name=value</c>) and <c>--help</c>.
    /// </summary>
    /// <returns>
    /// The options, or <c>null</c> when <c>--help</c> (or <c>-h</c>) was given: <see cref="Usage"/>
    /// has then been written to <paramref name="output"/> (standard output by default) and the
    /// caller should exit with code 0.
    /// </returns>
    /// <exception cref="ArgumentException">An unknown option, a missing value or an invalid value.</exception>
    public static ServerOptions? Parse(string[] args, TextWriter? output = null)
    {
        ArgumentNullException.ThrowIfNull(args);

        var options = new ServerOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h")
            {
                (output ?? Console.Out).WriteLine(Usage);
                return null;
            }

            string name = arg;
            string? value = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }

            switch (name)
            {
                case "--address":
                    value ??= NextValue(args, ref i, name);
                    if (!IPAddress.TryParse(value, out _))
                    {
                        throw new ArgumentException($"--address: '{value}' is not an IP address.");
                    }

                    options = options with { Address = value };
                    break;
                case "--port":
                    value ??= NextValue(args, ref i, name);
                    options = options with { Port = ParseInt(name, value, 0, IPEndPoint.MaxPort) };
                    break;
                case "--data-dir":
                    value ??= NextValue(args, ref i, name);
                    if (value.Length == 0)
                    {
                        throw new ArgumentException("--data-dir: the path is empty.");
                    }

                    options = options with { DataDirectory = Path.GetFullPath(value) };
                    break;
                case "--nodes":
                    value ??= NextValue(args, ref i, name);
                    options = options with { Nodes = ParseInt(name, value, 0, 100_000) };
                    break;
                case "--controllers":
                    options = options with { RunControllers = ParseBool(name, value ?? "true") };
                    break;
                case "--scheduler":
                    options = options with { RunScheduler = ParseBool(name, value ?? "true") };
                    break;
                case "--cluster-cidr":
                    value ??= NextValue(args, ref i, name);
                    options = options with { NodeIpam = options.NodeIpam with { ClusterCidr = value } };
                    break;
                case "--node-cidr-mask-size":
                    value ??= NextValue(args, ref i, name);
                    options = options with { NodeIpam = options.NodeIpam with { NodeCidrMaskSize = ParseInt(name, value, 1, 32) } };
                    break;
                case "--allocate-node-cidrs":
                    options = options with { NodeIpam = options.NodeIpam with { AllocateNodeCidrs = ParseBool(name, value ?? "true") } };
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{arg}'. Run with --help to see the options.");
            }
        }

        options.NodeIpam.Validate();
        return options;
    }

    private static string NextValue(string[] args, ref int i, string name)
    {
        if (i + 1 >= args.Length)
        {
            throw new ArgumentException($"{name} needs a value.");
        }

        return args[++i];
    }

    private static bool ParseBool(string name, string value) => value switch
    {
        "true" => true,
        "false" => false,
        _ => throw new ArgumentException($"{name}: '{value}' is not true or false."),
    };

    private static int ParseInt(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int result) || result < min || result > max)
        {
            throw new ArgumentException($"{name}: '{value}' is not a whole number from {min} to {max}.");
        }

        return result;
    }
}
