using System.Globalization;
using System.Text;

namespace Nautilus.Load;

/// <summary>Results as a table for people (and, in Program, JSON for machines).</summary>
internal static class Report
{
    public static void PrintLine(ScenarioResult r)
    {
        if (r.FirstError is { } error)
        {
            Console.Error.WriteLine($"  {r.Scenario}: {r.Errors:N0} errors; first: {error}");
        }
    }

    public static void PrintTable(IReadOnlyList<ScenarioResult> results)
    {
        var table = new StringBuilder();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{"scenario",-14} {"target",-9} {"proto",-5} {"conns",5} {"inflight",8} {"requests",10} {"req/s",10} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"p99.9 ms",8} {"max ms",8} {"errors",7} {"MB/s",7} {"cpu ms/req",10}"));
        foreach (var r in results.Where(r => r.Scenario != "memory"))
        {
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Scenario,-14} {r.Target,-9} {r.Protocol,-5} {r.Connections,5} {r.Concurrency,8} {r.Requests,10:N0} {r.RequestsPerSecond,10:N0} {r.P50,8:0.000} {r.P90,8:0.000} {r.P99,8:0.000} {r.P999,8:0.000} {r.Max,8:0.0} {r.Errors,7:N0} {r.MegabytesPerSecond,7:0.0} {(r.ServerCpuMsPerRequest is { } cpu ? cpu.ToString("0.000", CultureInfo.InvariantCulture) : "-"),10}"));
        }

        foreach (var r in results)
        {
            if (r.Extra.Count > 0)
            {
                table.AppendLine(r.Scenario + ": " + string.Join(", ", r.Extra.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key} {e.Value:0.##}"))));
            }
        }

        var nautilus = results.FirstOrDefault(r => r.Scenario == "get" && r.Target == "nautilus");
        var baseline = results.FirstOrDefault(r => r.Scenario == "get" && r.Target == "baseline");
        if (nautilus is not null && baseline is not null && baseline.RequestsPerSecond > 0)
        {
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"get: Nautilus serves {nautilus.RequestsPerSecond / baseline.RequestsPerSecond:0.00}x the requests/s of the trivial endpoint ({nautilus.RequestsPerSecond:N0} vs {baseline.RequestsPerSecond:N0})"));
        }

        Console.WriteLine(table.ToString());
    }
}
