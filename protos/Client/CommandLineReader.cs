using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Nautilus.Client;

/// <summary>
/// What the command-line programs that connect to the API server (nautilus-agent,
/// nautilus-scheduler) share: <c>--name value</c> / <c>--name=value</c> options, <c>--help</c>,
/// and the connection options (<c>--kubeconfig</c>, or <c>--server</c> with <c>--token</c> /
/// <c>--token-file</c> and <c>--ca</c>) resolved to a <see cref="ClusterEndpoint"/>.
/// </summary>
public sealed class CommandLineReader
{
    private string? _kubeconfig, _server, _token, _tokenFile, _ca;

    /// <summary>
    /// Reads <paramref name="args"/>, handing each option that is not a connection option to
    /// <paramref name="option"/> (its name, and a function that takes its value), which answers
    /// false for an option it does not know. Returns false after printing <paramref name="usage"/> for --help.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown option or a missing value.</exception>
    public bool Read(string[] args, string usage, TextWriter? output, Func<string, Func<string>, bool> option)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                (output ?? Console.Out).WriteLine(usage);
                return false;
            }

            var name = arg;
            string? inline = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                inline = arg[(equals + 1)..];
            }

            var at = i;
            string Value() => inline ?? (at + 1 < args.Length ? args[++at] : throw new ArgumentException($"{name} needs a value."));
            if (!ReadConnection(name, Value) && !option(name, Value))
            {
                throw new ArgumentException($"Unknown option '{arg}'. Run with --help to see the options.");
            }

            i = at;
        }

        return true;
    }

    /// <summary>The server to connect to: --server with its token and CA, else the kubeconfig ($KUBECONFIG's first file, else the server's default one).</summary>
    public ClusterEndpoint Endpoint()
    {
        if (_server is null)
        {
            return ClusterEndpoint.FromKubeconfig(_kubeconfig ?? DefaultKubeconfig());
        }

        var token = _token ?? (_tokenFile is not null ? File.ReadAllText(_tokenFile).Trim() : throw new ArgumentException("--server needs --token or --token-file."));
        return new ClusterEndpoint(new Uri(_server), token, _ca is null ? null : X509Certificate2.CreateFromPem(File.ReadAllText(_ca)));
    }

    /// <summary>A whole number option within bounds.</summary>
    public static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{name}: '{value}' is not a whole number from {min} to {max}.");

    private bool ReadConnection(string name, Func<string> value)
    {
        switch (name)
        {
            case "--kubeconfig": _kubeconfig = value(); return true;
            case "--server": _server = value(); return true;
            case "--token": _token = value(); return true;
            case "--token-file": _tokenFile = value(); return true;
            case "--ca": _ca = value(); return true;
            default: return false;
        }
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
}
