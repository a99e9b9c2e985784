using System.Diagnostics;
using System.Globalization;

namespace Nautilus.Load;

/// <summary>One request of a scenario, issued by one worker; true when the server answered with success.</summary>
internal delegate ValueTask<bool> Operation(Worker worker, CancellationToken cancellationToken);

/// <summary>A worker's private state: its random source, a read buffer, its latencies and counts.</summary>
internal sealed class Worker(int index)
{
    private long[] _latencies = new long[4096];
    private long[] _fromSend = [];

    public int Index { get; } = index;

    public Random Random { get; } = new(index * 7919 + 17);

    /// <summary>Responses are read into this buffer and dropped.</summary>
    public byte[] Buffer { get; } = new byte[64 * 1024];

    public long Count;
    public long Errors;

    /// <summary>Open loop: requests this process itself sent over 1 ms after they were due (its own scheduling lag, not the server's).</summary>
    public long LateStarts;

    public long Bytes;
    public string? LastError;

    public int Sequence;

    public ReadOnlySpan<long> Latencies => _latencies.AsSpan(0, (int)Math.Min(Volatile.Read(ref Count), _latencies.Length));

    /// <summary>Open loop: each request's latency from when it was sent rather than due.</summary>
    public ReadOnlySpan<long> LatenciesFromSend => _fromSend.AsSpan(0, (int)Math.Min(Volatile.Read(ref Count), _fromSend.Length));

    /// <param name="fromSend">Open loop: the latency counted from when the request was sent.</param>
    public void Record(long ticks, bool ok, long? fromSend = null)
    {
        var count = (int)Count;
        if (count == _latencies.Length)
        {
            Array.Resize(ref _latencies, _latencies.Length * 2);
        }

        if (fromSend is { } sent)
        {
            if (count >= _fromSend.Length)
            {
                Array.Resize(ref _fromSend, _latencies.Length);
            }

            _fromSend[count] = sent;
        }

        _latencies[count] = ticks;
        Volatile.Write(ref Count, count + 1);
        if (!ok)
        {
            Interlocked.Increment(ref Errors);
        }
    }

    public void Reset()
    {
        Volatile.Write(ref Count, 0);
        Errors = 0;
        LateStarts = 0;
        Bytes = 0;
        LastError = null;
    }
}

/// <summary>What a scenario measured. Latencies in milliseconds.</summary>
internal sealed record ScenarioResult
{
    public required string Scenario { get; init; }

    public required string Target { get; init; }

    public required string Protocol { get; init; }

    public int Connections { get; init; }

    public int Concurrency { get; init; }

    /// <summary>Target rate; 0 for closed loop.</summary>
    public double Rate { get; init; }

    public long Requests { get; init; }

    public long Errors { get; init; }

    public double Seconds { get; init; }

    public double RequestsPerSecond { get; init; }

    public double P50 { get; init; }

    public double P90 { get; init; }

    public double P99 { get; init; }

    public double P999 { get; init; }

    public double Max { get; init; }

    public double MegabytesPerSecond { get; init; }

    /// <summary>Server CPU seconds per 1,000 requests, from process_cpu_seconds_total (the whole process when in process).</summary>
    public double? ServerCpuMsPerRequest { get; init; }

    public string? FirstError { get; init; }

    /// <summary>Scenario-specific figures (watch delivery, memory).</summary>
    public Dictionary<string, double> Extra { get; init; } = [];
}

/// <summary>
/// Runs workers against an operation for a fixed time, closed loop (each worker issues its next
/// request when the previous one is answered) or at a target rate (requests are due on a fixed
/// schedule and their latency counts from when they were due, so a stalled server is not hidden:
/// no coordinated omission). Prints a progress line every second.
/// </summary>
internal static class Runner
{
    public static async Task<ScenarioResult> RunAsync(string scenario, ServerTarget target, LoadOptions options, string protocol, Func<Worker, Operation> operation, int? workerCount = null)
    {
        var workers = new Worker[workerCount ?? options.Workers];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = new Worker(i);
        }

        var operations = workers.Select(operation).ToArray();
        if (options.Warmup > TimeSpan.Zero)
        {
            await PhaseAsync(scenario + " (warmup)", workers, operations, options.Warmup, options.Rate);
            foreach (var worker in workers)
            {
                worker.Reset();
            }
        }

        var before = await ScrapeAsync(target);
        var elapsed = await PhaseAsync(scenario, workers, operations, options.Duration, options.Rate);
        var after = await ScrapeAsync(target);
        var result = Summarize(scenario, target, options, protocol, workers, elapsed, CpuSeconds(before), CpuSeconds(after));
        AddServerSideLatency(result, DurationBuckets(before), DurationBuckets(after));
        if (options.Rate > 0 && result.Requests > 0)
        {
            result.Extra["late_starts_percent"] = 100.0 * workers.Sum(w => w.LateStarts) / result.Requests;
            var fromSend = workers.SelectMany(w => w.LatenciesFromSend.ToArray()).Order().ToArray();
            result.Extra["p99_from_send_ms"] = Percentile(fromSend, 0.99);
        }

        return result;
    }

    /// <summary>
    /// The server's own view of the phase, as Kubernetes' API call latency SLI is defined: the
    /// requests apiserver_request_duration_seconds counted during it (every verb and resource),
    /// the share within its first bucket (5 ms) and the bucket bound the 99th percentile falls under.
    /// The client's latency also holds the time requests wait in this process and the kernel.
    /// </summary>
    private static void AddServerSideLatency(ScenarioResult result, SortedDictionary<double, double>? before, SortedDictionary<double, double>? after)
    {
        if (before is null || after is null || !after.TryGetValue(double.PositiveInfinity, out var totalAfter))
        {
            return;
        }

        var total = totalAfter - before.GetValueOrDefault(double.PositiveInfinity);
        if (total <= 0)
        {
            return;
        }

        result.Extra["server_requests"] = total;
        result.Extra["server_within_5ms_percent"] = 100 * (after.GetValueOrDefault(0.005) - before.GetValueOrDefault(0.005)) / total;
        foreach (var (bound, count) in after)
        {
            if ((count - before.GetValueOrDefault(bound)) / total >= 0.99)
            {
                result.Extra["server_p99_at_most_ms"] = bound * 1000;
                break;
            }
        }
    }

    /// <summary>apiserver_request_duration_seconds' cumulative buckets (le → count) summed over every series; null when the target has none.</summary>
    private static SortedDictionary<double, double>? DurationBuckets(string? metrics)
    {
        const string Prefix = "apiserver_request_duration_seconds_bucket{";
        if (metrics is null)
        {
            return null;
        }

        var buckets = new SortedDictionary<double, double>();
        foreach (var line in metrics.Split('\n'))
        {
            if (!line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var le = line.IndexOf("le=\"", StringComparison.Ordinal);
            var close = le < 0 ? -1 : line.IndexOf('"', le + 4);
            if (close < 0)
            {
                continue;
            }

            var text = line[(le + 4)..close];
            var bound = text == "+Inf" ? double.PositiveInfinity : double.Parse(text, CultureInfo.InvariantCulture);
            var count = double.Parse(line.AsSpan(line.LastIndexOf(' ') + 1), CultureInfo.InvariantCulture);
            buckets[bound] = buckets.GetValueOrDefault(bound) + count;
        }

        return buckets.Count == 0 ? null : buckets;
    }

    public static ScenarioResult Summarize(string scenario, ServerTarget target, LoadOptions options, string protocol, Worker[] workers, TimeSpan elapsed, double? cpuBefore = null, double? cpuAfter = null)
    {
        var total = workers.Sum(w => (long)w.Latencies.Length);
        var all = new long[total];
        var offset = 0;
        foreach (var worker in workers)
        {
            worker.Latencies.CopyTo(all.AsSpan(offset));
            offset += worker.Latencies.Length;
        }

        Array.Sort(all);
        var errors = workers.Sum(w => w.Errors);
        return new ScenarioResult
        {
            Scenario = scenario,
            Target = target.Name,
            Protocol = protocol,
            Connections = options.Connections,
            Concurrency = workers.Length,
            Rate = options.Rate,
            Requests = total,
            Errors = errors,
            Seconds = elapsed.TotalSeconds,
            RequestsPerSecond = total / elapsed.TotalSeconds,
            P50 = Percentile(all, 0.50),
            P90 = Percentile(all, 0.90),
            P99 = Percentile(all, 0.99),
            P999 = Percentile(all, 0.999),
            Max = all.Length == 0 ? 0 : Milliseconds(all[^1]),
            MegabytesPerSecond = workers.Sum(w => w.Bytes) / elapsed.TotalSeconds / (1024 * 1024),
            ServerCpuMsPerRequest = cpuBefore is { } before && cpuAfter is { } after && total > 0 ? (after - before) * 1000 / total : null,
            FirstError = workers.Select(w => w.LastError).FirstOrDefault(e => e is not null),
        };
    }

    public static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Milliseconds(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)]);

    /// <summary>process_cpu_seconds_total of the server, from its /metrics; null when it has none (the baseline).</summary>
    public static async Task<double?> ServerCpuSecondsAsync(ServerTarget target) => CpuSeconds(await ScrapeAsync(target));

    /// <summary>The server's /metrics text; null for the baseline, or when it cannot be read.</summary>
    private static async Task<string?> ScrapeAsync(ServerTarget target)
    {
        if (target.Name != "nautilus")
        {
            return null;
        }

        try
        {
            return await target.ScrapeMetricsAsync();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static double? CpuSeconds(string? metrics)
    {
        const string Name = "process_cpu_seconds_total ";
        foreach (var line in (metrics ?? "").Split('\n'))
        {
            if (line.StartsWith(Name, StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(Name.Length), CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private static async Task<TimeSpan> PhaseAsync(string label, Worker[] workers, Operation[] operations, TimeSpan duration, double rate)
    {
        using var stop = new CancellationTokenSource();
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var interval = rate > 0 ? Stopwatch.Frequency / rate : 0;
        long issued = 0;
        var tasks = new Task[workers.Length];
        for (var i = 0; i < workers.Length; i++)
        {
            var worker = workers[i];
            var op = operations[i];
            tasks[i] = Task.Run(async () =>
            {
                while (true)
                {
                    long due;
                    if (interval > 0)
                    {
                        due = start + (long)(Interlocked.Increment(ref issued) * interval);
                        if (due >= end)
                        {
                            return;
                        }

                        var wait = due - Stopwatch.GetTimestamp();
                        if (wait > Stopwatch.Frequency / 1000)
                        {
                            await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                        }
                    }
                    else
                    {
                        due = Stopwatch.GetTimestamp();
                        if (due >= end)
                        {
                            return;
                        }
                    }

                    var sent = Stopwatch.GetTimestamp();
                    if (interval > 0 && sent - due > Stopwatch.Frequency / 1000)
                    {
                        worker.LateStarts++;
                    }

                    bool ok;
                    try
                    {
                        ok = await op(worker, stop.Token);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        ok = false;
                        worker.LastError ??= e.GetType().Name + ": " + e.Message;
                    }

                    var done = Stopwatch.GetTimestamp();
                    worker.Record(done - due, ok, interval > 0 ? done - sent : null);
                }
            });
        }

        var all = Task.WhenAll(tasks);
        var lastCount = 0L;
        var lastTime = start;
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(1000));
            var now = Stopwatch.GetTimestamp();
            var count = workers.Sum(w => Volatile.Read(ref w.Count));
            var errors = workers.Sum(w => Volatile.Read(ref w.Errors));
            var perSecond = (count - lastCount) / ((double)(now - lastTime) / Stopwatch.Frequency);
            Progress.Write(string.Create(CultureInfo.InvariantCulture,
                $"  {label,-28} {Math.Min((double)(now - start) / Stopwatch.Frequency, duration.TotalSeconds),5:0.0}/{duration.TotalSeconds:0}s  {perSecond,10:N0} req/s  {count,10:N0} requests  {errors,6:N0} errors"));
            (lastCount, lastTime) = (count, now);
        }

        await all;
        Progress.Done();
        return TimeSpan.FromSeconds((double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency);
    }
}

/// <summary>The progress line: rewritten in place on a terminal, a line every few seconds in a log.</summary>
internal static class Progress
{
    private static long s_lastLine;
    private static string s_last = "";

    public static void Write(string line)
    {
        s_last = line;
        if (!Console.IsErrorRedirected)
        {
            Console.Error.Write("\r" + line + "   ");
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (now - s_lastLine > 5 * Stopwatch.Frequency)
        {
            s_lastLine = now;
            Console.Error.WriteLine(line);
        }
    }

    /// <summary>Ends the line (in a log: writes the final state).</summary>
    public static void Done()
    {
        if (Console.IsErrorRedirected)
        {
            Console.Error.WriteLine(s_last);
            s_lastLine = 0;
        }
        else
        {
            Console.Error.WriteLine();
        }
    }
}
