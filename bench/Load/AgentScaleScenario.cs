using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nautilus.Bench;

namespace Nautilus.Load;

/// <summary>
/// Issue 5's scale figures: one nautilus-agent process simulating --nodes nodes (5,000 for the
/// figures) against the server. Reports the time until every node is registered, Ready and has
/// its pod CIDR; CPU and RSS of the server and of the agent while idle (leases renewed, node
/// statuses posted, nothing else) over --duration seconds after --warmup seconds of settling;
/// then the time --pods unbound pods take from their creation to Running through the scheduler
/// and the agent (the whole batch, and each pod's create-to-Running latency), seen on a watch.
/// </summary>
internal static class AgentScaleScenario
{
    private static readonly TimeSpan SetupDeadline = TimeSpan.FromMinutes(15);
    private static readonly double ClockTicksPerSecond = 100.0;

    public static async Task<ScenarioResult> RunAsync(ServerTarget target, LoadOptions options, ApiClients api, string runId)
    {
        if (target.Pid is not { } serverPid)
        {
            throw new ArgumentException("agent-scale needs the server's process (spawned, or --kubeconfig with --server-pid)");
        }

        var extra = new Dictionary<string, double> { ["nodes"] = options.Nodes, ["pods"] = options.Pods };
        var caPath = Path.Combine(Path.GetTempPath(), "nautilus-agent-scale-ca-" + runId + ".pem");
        await File.WriteAllTextAsync(caPath, target.Ca.ExportCertificatePem());
        using var agent = StartAgent(target, caPath, options.Nodes, "scale-" + runId);
        try
        {
            // Registration: every node Ready with a pod CIDR.
            var start = Stopwatch.GetTimestamp();
            await WaitForNodesAsync(api.Rest, options.Nodes, agent);
            extra["register_seconds"] = Seconds(start);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  agent-scale: {options.Nodes:N0} nodes Ready with pod CIDRs after {extra["register_seconds"]:0.0} s"));

            // Idle: heartbeats only.
            await Task.Delay(options.Warmup);
            var (serverCpu, agentCpu) = await CpuOverAsync(serverPid, agent.Id, options.Duration);
            extra["idle_server_cpu_percent"] = serverCpu;
            extra["idle_agent_cpu_percent"] = agentCpu;
            extra["idle_server_rss_mb"] = Mb(Rss(serverPid));
            extra["idle_agent_rss_mb"] = Mb(Rss(agent.Id));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  agent-scale: idle over {options.Duration.TotalSeconds:0} s: server {serverCpu:0.0}% of a core, RSS {extra["idle_server_rss_mb"]:0} MiB; agent {agentCpu:0.0}% of a core, RSS {extra["idle_agent_rss_mb"]:0} MiB"));

            // Pods: created unbound, scheduled, started by the agent.
            var ns = "scale-" + runId;
            await api.Rest.PostAsync(new Uri("/api/v1/namespaces", UriKind.Relative), Content(KubeObjects.NamespaceJson(ns)));
            var running = await RunPodsAsync(api.Rest, target, ns, options.Pods, serverPid, agent, extra);
            return new ScenarioResult
            {
                Scenario = "agent-scale",
                Target = target.Name,
                Protocol = "grpc",
                Connections = options.Connections,
                Concurrency = 32,
                Requests = running,
                Errors = options.Pods - running,
                FirstError = running < options.Pods ? $"{options.Pods - running:N0} pods did not reach Running" : null,
                Seconds = Seconds(start),
                Extra = extra,
            };
        }
        finally
        {
            if (!agent.HasExited)
            {
                agent.Kill(entireProcessTree: true);
                await agent.WaitForExitAsync();
            }

            File.Delete(caPath);
        }
    }

    private static Process StartAgent(ServerTarget target, string caPath, int nodes, string prefix)
    {
        var assembly = AgentAssembly();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[assembly, "--server", target.BaseAddress.ToString(), "--token", target.Token, "--ca", caPath,
            "--nodes", nodes.ToString(CultureInfo.InvariantCulture), "--name-prefix", prefix])
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + assembly);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line && line.Contains("fail", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine("  agent: " + line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// The agent from its own build output (src/Agent, built with bench/Load through the server's
    /// reference): the copy beside this tool resolves its dependencies against the server's.
    /// </summary>
    private static string AgentAssembly()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "nautilus.sln")))
            {
                var path = Path.Combine(directory.FullName, "src", "Agent", "bin", "Release", "net10.0", "nautilus-agent.dll");
                return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build with -c Release first", path);
            }
        }

        throw new FileNotFoundException("run the tool from the repository's build output (nautilus.sln not found above it)");
    }

    private static async Task WaitForNodesAsync(HttpClient rest, int nodes, Process agent)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var (ready, withCidr) = await CountNodesAsync(rest);
            if (ready >= nodes && withCidr >= nodes)
            {
                return;
            }

            if (agent.HasExited || deadline.Elapsed > SetupDeadline)
            {
                throw new InvalidOperationException($"only {ready:N0} of {nodes:N0} nodes Ready, {withCidr:N0} with a pod CIDR (agent exited: {agent.HasExited})");
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task<(int Ready, int WithCidr)> CountNodesAsync(HttpClient rest)
    {
        using var response = await rest.GetAsync(new Uri("/api/v1/nodes", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        using var list = await JsonDocument.ParseAsync(body);
        var (ready, withCidr) = (0, 0);
        foreach (var node in list.RootElement.GetProperty("items").EnumerateArray())
        {
            if (node.TryGetProperty("spec", out var spec) && spec.TryGetProperty("podCIDR", out _))
            {
                withCidr++;
            }

            if (node.TryGetProperty("status", out var status) && status.TryGetProperty("conditions", out var conditions)
                && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True"))
            {
                ready++;
            }
        }

        return (ready, withCidr);
    }

    /// <summary>Creates the pods (32 in flight) while a watch on the namespace sees them scheduled and Running; returns how many ran.</summary>
    private static async Task<int> RunPodsAsync(HttpClient rest, ServerTarget target, string ns, int pods, int serverPid, Process agent, Dictionary<string, double> extra)
    {
        var created = new long[pods];
        var scheduled = new long[pods];
        var running = new long[pods];
        var runningCount = 0;
        var allRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        using var watchClient = target.CreateRestClient(1);
        var watch = Task.Run(async () =>
        {
            using var response = await watchClient.GetAsync(new Uri($"/api/v1/namespaces/{ns}/pods?watch=1", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, stop.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token), Encoding.UTF8);
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                var now = Stopwatch.GetTimestamp();
                using var e = JsonDocument.Parse(line);
                var pod = e.RootElement.GetProperty("object");
                var name = pod.GetProperty("metadata").GetProperty("name").GetString() ?? "";
                if (!name.StartsWith("p-", StringComparison.Ordinal) || !int.TryParse(name.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= pods)
                {
                    continue;
                }

                if (scheduled[index] == 0 && pod.GetProperty("spec").TryGetProperty("nodeName", out var node) && node.GetString() is { Length: > 0 })
                {
                    scheduled[index] = now;
                }

                if (running[index] == 0 && pod.TryGetProperty("status", out var status) && status.TryGetProperty("phase", out var phase) && phase.GetString() == "Running")
                {
                    running[index] = now;
                    if (++runningCount == pods)
                    {
                        allRunning.TrySetResult();
                    }
                }
            }
        }, stop.Token);

        // Let the watch open before the first create (a late one still starts with every pod as ADDED).
        await Task.Delay(TimeSpan.FromSeconds(1));
        var cpuBefore = (Cpu(serverPid), Cpu(agent.Id));
        var start = Stopwatch.GetTimestamp();
        var next = -1;
        var failures = 0;
        var creators = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < pods)
            {
                var name = "p-" + i.ToString(CultureInfo.InvariantCulture);
                var json = Encoding.UTF8.GetString(KubeObjects.PodJson(ns, name, "", i)).Replace("\"nodeName\":\"\",", "", StringComparison.Ordinal);
                created[i] = Stopwatch.GetTimestamp();
                using var response = await rest.PostAsync(new Uri($"/api/v1/namespaces/{ns}/pods", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        await Task.WhenAll(creators);
        extra["create_seconds"] = Seconds(start);
        extra["create_failures"] = failures;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  agent-scale: {pods:N0} pods created in {extra["create_seconds"]:0.0} s"));

        var progress = Stopwatch.StartNew();
        while (!allRunning.Task.IsCompleted && progress.Elapsed < SetupDeadline && !watch.IsCompleted)
        {
            await Task.WhenAny(allRunning.Task, Task.Delay(TimeSpan.FromSeconds(5)));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  agent-scale: {Volatile.Read(ref runningCount):N0} Running after {Seconds(start):0.0} s"));
        }

        var cpuAfter = (Cpu(serverPid), Cpu(agent.Id));
        var elapsed = Seconds(start);
        await stop.CancelAsync();
        try
        {
            await watch;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
        }

        var latencies = new List<double>(pods);
        long lastScheduled = 0, lastRunning = 0;
        for (var i = 0; i < pods; i++)
        {
            if (running[i] != 0)
            {
                latencies.Add((running[i] - created[i]) * 1000.0 / Stopwatch.Frequency);
                lastRunning = Math.Max(lastRunning, running[i]);
            }

            lastScheduled = Math.Max(lastScheduled, scheduled[i]);
        }

        latencies.Sort();
        extra["all_scheduled_seconds"] = lastScheduled == 0 ? -1 : (lastScheduled - start) / (double)Stopwatch.Frequency;
        extra["all_running_seconds"] = lastRunning == 0 ? -1 : (lastRunning - start) / (double)Stopwatch.Frequency;
        extra["running"] = latencies.Count;
        extra["pod_create_to_running_p50_ms"] = Percentile(latencies, 0.50);
        extra["pod_create_to_running_p99_ms"] = Percentile(latencies, 0.99);
        extra["pods_phase_server_cpu_percent"] = (cpuAfter.Item1 - cpuBefore.Item1) / elapsed * 100;
        extra["pods_phase_agent_cpu_percent"] = (cpuAfter.Item2 - cpuBefore.Item2) / elapsed * 100;
        extra["pods_server_rss_mb"] = Mb(Rss(serverPid));
        extra["pods_agent_rss_mb"] = Mb(Rss(agent.Id));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  agent-scale: {latencies.Count:N0}/{pods:N0} Running; all scheduled after {extra["all_scheduled_seconds"]:0.0} s, all Running after {extra["all_running_seconds"]:0.0} s; create to Running p50 {extra["pod_create_to_running_p50_ms"]:0} ms, p99 {extra["pod_create_to_running_p99_ms"]:0} ms"));
        return latencies.Count;
    }

    private static async Task<(double Server, double Agent)> CpuOverAsync(int serverPid, int agentPid, TimeSpan window)
    {
        var (server, agent, start) = (Cpu(serverPid), Cpu(agentPid), Stopwatch.GetTimestamp());
        await Task.Delay(window);
        var seconds = Seconds(start);
        return ((Cpu(serverPid) - server) / seconds * 100, (Cpu(agentPid) - agent) / seconds * 100);
    }

    /// <summary>User plus system CPU seconds of a process (/proc/&lt;pid&gt;/stat utime and stime).</summary>
    private static double Cpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
    }

    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim()[..^2].Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? -1 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static double Seconds(long start) => (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

    private static ByteArrayContent Content(byte[] json)
    {
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }
}
