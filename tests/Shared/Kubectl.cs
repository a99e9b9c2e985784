using System.Diagnostics;

namespace Nautilus.Testing;

/// <summary>What a kubectl run printed and how it ended.</summary>
public readonly record struct KubectlResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// Runs the machine's kubectl against one test server, as a user would: only that server's
/// kubeconfig (<c>$KUBECONFIG</c> removed) and a discovery cache of the caller's own. Linked into
/// every test project whose fixture runs kubectl.
/// </summary>
internal static class Kubectl
{
    /// <summary>A kubectl run that takes longer is killed and the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs <paramref name="executable"/> with <c>--kubeconfig</c> <paramref name="kubeconfig"/> and
    /// <paramref name="args"/>, <paramref name="stdin"/> on its standard input if not null (for
    /// <c>-f -</c>) and <paramref name="environment"/> added to its environment.
    /// </summary>
    /// <exception cref="TimeoutException">kubectl did not finish within <see cref="Timeout"/>; it was killed.</exception>
    public static async Task<KubectlResult> RunAsync(
        string executable, string kubeconfig, string cacheDirectory, string[] args,
        string? stdin = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("--kubeconfig");
        startInfo.ArgumentList.Add(kubeconfig);
        foreach (string arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment.Remove("KUBECONFIG");
        startInfo.Environment["KUBECACHEDIR"] = cacheDirectory;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException("kubectl did not start.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), deadline.Token);
                process.StandardInput.Close();
            }

            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException(
                $"kubectl {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s.\n"
                + new KubectlResult(-1, await stdout, await stderr));
        }

        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }
}
