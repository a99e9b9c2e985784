using System.Globalization;
using System.Text.Json;
using Nautilus.Load;

if (args.Length > 0 && args[0] == "serve-baseline")
{
    return await BaselineServer.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "pod-template")
{
    // The seeded pod shape with NAME for its name, for bench/wrk-create.lua.
    Console.Out.Write(System.Text.Encoding.UTF8.GetString(Nautilus.Bench.KubeObjects.PodJson("ns-0", "NAME", "node-0", 0)));
    return 0;
}

LoadOptions? options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine("Nautilus.Load: " + e.Message);
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

if (options is null)
{
    return 0;
}

var runId = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + Random.Shared.Next(100, 999).ToString(CultureInfo.InvariantCulture);
var results = new List<ScenarioResult>();
var shape = new ClusterShape(options.Pods, options.Nodes, options.Namespaces);
Console.Error.WriteLine($"Nautilus.Load: target {options.Target}, {options.Protocol} over {options.Connections} connection(s), {options.Workers} in flight, {(options.Rate > 0 ? options.Rate + " req/s" : "closed loop")}");
byte[]? samplePod = null;
await using (var target = await ServerTarget.StartAsync(options, options.Target))
{
    Console.Error.WriteLine($"  server: {target.Name} at {target.BaseAddress}{(target.Pid is { } pid ? $" (pid {pid})" : "")}");
    using var api = new ApiClients(target, options.Connections);
    var needsSeed = options.Seed && target.Name == "nautilus" && options.Scenarios.Any(s => s is not ("memory" or "watch" or "agent-scale" or "rollout"));
    if (needsSeed)
    {
        await api.SeedAsync(options.Namespaces, (0, options.Nodes), (0, options.Pods), shape);
    }

    foreach (var scenario in options.Scenarios)
    {
        var result = scenario switch
        {
            "watch" => await WatchScenario.RunAsync(target, options, api, runId),
            "memory" => await MemoryScenario.RunAsync(target, options, api),
            "agent-scale" => await AgentScaleScenario.RunAsync(target, options, api, runId),
            "rollout" => await RolloutScenario.RunAsync(target, options, runId),
            _ => await Runner.RunAsync(scenario, target, options, options.Protocol.ToString().ToLowerInvariant(), Scenario.For(scenario, api, shape, options.Protocol, runId)),
        };
        results.Add(result);
        Report.PrintLine(result);
    }

    if (options.Baseline && target.Name == "nautilus")
    {
        var (ns, name, _) = shape.Pod(0);
        samplePod = await api.Rest.GetByteArrayAsync(new Uri($"/api/v1/namespaces/{ns}/pods/{name}", UriKind.Relative));
    }
}

if (samplePod is not null)
{
    // The yardstick: the same 'get' against Kestrel serving the same bytes over the same TLS.
    var body = Path.Combine(Path.GetTempPath(), "nautilus-baseline-pod-" + runId + ".json");
    await File.WriteAllBytesAsync(body, samplePod);
    try
    {
        await using var baseline = await ServerTarget.StartAsync(options, TargetKind.Baseline, body);
        using var api = new ApiClients(baseline, options.Connections);
        var result = await Runner.RunAsync("get", baseline, options, options.Protocol.ToString().ToLowerInvariant(), Scenario.For("get", api, shape, Protocol.Rest, runId));
        results.Add(result);
        Report.PrintLine(result);
    }
    finally
    {
        File.Delete(body);
    }
}

Report.PrintTable(results);
if (options.JsonPath is { } path)
{
    var json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
    if (path == "-")
    {
        Console.WriteLine(json);
    }
    else
    {
        await File.WriteAllTextAsync(path, json);
    }
}

return results.Any(r => r.Errors > 0) ? 1 : 0;
