using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Nautilus.Load;

/// <summary>
/// Issue 6's speed figures: how long a Deployment of <c>--replicas</c> (1,000) pods takes from
/// its create (what <c>kubectl apply</c> sends for a new object) to every pod Ready and a Service's
/// Endpoints listing every address, then how long a rolling update (default 25% surge and
/// unavailability, a new image as <c>kubectl set image</c> patches it) takes until
/// <c>kubectl rollout status</c> would report it complete and the Endpoints show only new pods.
/// Pods run on the spawned server's simulated nodes (<c>--server-arg --nodes=N</c>; a node takes
/// 110 pods, so N ≥ replicas × 1.25 / 110). Polls every 100 ms over REST. Also reports the
/// server's CPU seconds (process_cpu_seconds_total) spent in each step, polling included.
/// </summary>
internal static class RolloutScenario
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    public static async Task<ScenarioResult> RunAsync(ServerTarget target, LoadOptions options, string runId)
    {
        using var http = target.CreateRestClient(2);
        var ns = "rollout-" + runId;
        var replicas = options.Replicas;
        var extra = new Dictionary<string, double> { ["replicas"] = replicas };
        var readyNodes = await WaitAsync<int>("ready nodes", async () => (await ReadyNodesAsync(http)) is var n && n > 0 && n * 110 >= replicas * 1.25 ? n : null);
        extra["nodes"] = readyNodes;
        Console.Error.WriteLine($"  rollout: {readyNodes} simulated nodes Ready; namespace {ns}");

        await PostAsync(http, "/api/v1/namespaces", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        await PostAsync(http, $"/api/v1/namespaces/{ns}/services", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = "web" },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["app"] = "web" },
                ["ports"] = new JsonArray { new JsonObject { ["port"] = 80, ["targetPort"] = "http" } },
            },
        });

        var cpu = await Runner.ServerCpuSecondsAsync(target);
        var start = Stopwatch.GetTimestamp();
        await PostAsync(http, $"/apis/apps/v1/namespaces/{ns}/deployments", Deployment(replicas, "nginx:1.25"));
        Console.Error.WriteLine($"  rollout: created deployment web with {replicas:N0} replicas");
        var (ready, addresses) = await WaitRolloutAsync(http, ns, replicas, generation: 1, start, "create");
        extra["create_to_ready_s"] = ready;
        extra["create_to_endpoints_s"] = addresses;
        extra["create_server_cpu_s"] = await Runner.ServerCpuSecondsAsync(target) - cpu ?? 0;
        cpu = await Runner.ServerCpuSecondsAsync(target);

        start = Stopwatch.GetTimestamp();
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, new Uri($"/apis/apps/v1/namespaces/{ns}/deployments/web", UriKind.Relative))
        {
            Content = new StringContent("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}}}""", Encoding.UTF8, "application/strategic-merge-patch+json"),
        })
        using (var response = await http.SendAsync(patch))
        {
            await EnsureAsync(response);
        }

        Console.Error.WriteLine("  rollout: set image nginx:1.27");
        (ready, addresses) = await WaitRolloutAsync(http, ns, replicas, generation: 2, start, "rolling update");
        extra["rolling_update_s"] = ready;
        extra["rolling_update_endpoints_s"] = addresses;
        extra["rolling_update_server_cpu_s"] = await Runner.ServerCpuSecondsAsync(target) - cpu ?? 0;

        using (await http.DeleteAsync(new Uri($"/api/v1/namespaces/{ns}", UriKind.Relative)))
        {
        }

        return new ScenarioResult
        {
            Scenario = "rollout",
            Target = target.Name,
            Protocol = "rest",
            Connections = 1,
            Concurrency = 1,
            Seconds = extra["create_to_ready_s"] + extra["rolling_update_s"],
            Extra = extra,
        };
    }

    /// <summary>
    /// Seconds from <paramref name="start"/> until the Deployment is complete at <paramref name="generation"/>
    /// (observed, every replica updated, ready and available, no old ones: rollout status' test), and until
    /// the Service's Endpoints hold <paramref name="replicas"/> ready addresses, all of current pods.
    /// </summary>
    private static async Task<(double Ready, double Endpoints)> WaitRolloutAsync(HttpClient http, string ns, int replicas, long generation, long start, string step)
    {
        double? ready = null, endpoints = null;
        var progress = Stopwatch.StartNew();
        while (ready is null || endpoints is null)
        {
            if (Stopwatch.GetElapsedTime(start) > StepTimeout)
            {
                throw new TimeoutException($"{step}: not done within {StepTimeout.TotalMinutes} min (ready {ready}, endpoints {endpoints})");
            }

            var d = await GetAsync(http, $"/apis/apps/v1/namespaces/{ns}/deployments/web");
            var status = d["status"];
            long Field(string name) => status?[name]?.GetValue<long>() ?? 0;
            var complete = Field("observedGeneration") >= generation && Field("updatedReplicas") == replicas && Field("replicas") == replicas
                && Field("readyReplicas") == replicas && Field("availableReplicas") == replicas;
            if (ready is null && complete)
            {
                ready = Stopwatch.GetElapsedTime(start).TotalSeconds;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  rollout: {step}: {replicas:N0} pods updated and Ready after {ready:0.00} s"));
            }

            var count = await EndpointAddressesAsync(http, ns);
            if (endpoints is null && count == replicas && ready is not null && await EndpointsAreCurrentAsync(http, ns))
            {
                endpoints = Stopwatch.GetElapsedTime(start).TotalSeconds;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  rollout: {step}: Endpoints list {replicas:N0} addresses after {endpoints:0.00} s"));
            }

            if (progress.Elapsed >= TimeSpan.FromSeconds(1))
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  rollout: {step}: {Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s: updated {Field("updatedReplicas")}, ready {Field("readyReplicas")}, available {Field("availableReplicas")}, total {Field("replicas")}; endpoints {count}"));
                progress.Restart();
            }

            await Task.Delay(PollInterval);
        }

        return (ready.Value, endpoints.Value);
    }

    private static async Task<int> EndpointAddressesAsync(HttpClient http, string ns)
    {
        using var response = await http.GetAsync(new Uri($"/api/v1/namespaces/{ns}/endpoints/web", UriKind.Relative));
        if (!response.IsSuccessStatusCode)
        {
            return 0;
        }

        var endpoints = await response.Content.ReadFromJsonAsync<JsonObject>() ?? [];
        var count = 0;
        foreach (var subset in endpoints["subsets"] as JsonArray ?? [])
        {
            count += (subset?["addresses"] as JsonArray)?.Count ?? 0;
        }

        return count;
    }

    /// <summary>Every address of the Endpoints names a pod that exists and is not being deleted.</summary>
    private static async Task<bool> EndpointsAreCurrentAsync(HttpClient http, string ns)
    {
        var pods = await GetAsync(http, $"/api/v1/namespaces/{ns}/pods");
        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in pods["items"] as JsonArray ?? [])
        {
            if (pod?["metadata"]?["deletionTimestamp"] is null && pod?["metadata"]?["name"]?.GetValue<string>() is { } name)
            {
                current.Add(name);
            }
        }

        var endpoints = await GetAsync(http, $"/api/v1/namespaces/{ns}/endpoints/web");
        foreach (var subset in endpoints["subsets"] as JsonArray ?? [])
        {
            foreach (var address in subset?["addresses"] as JsonArray ?? [])
            {
                if (address?["targetRef"]?["name"]?.GetValue<string>() is not { } name || !current.Contains(name))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static async Task<int> ReadyNodesAsync(HttpClient http)
    {
        var nodes = await GetAsync(http, "/api/v1/nodes");
        var ready = 0;
        foreach (var node in nodes["items"] as JsonArray ?? [])
        {
            foreach (var condition in node?["status"]?["conditions"] as JsonArray ?? [])
            {
                if (condition?["type"]?.GetValue<string>() == "Ready" && condition["status"]?.GetValue<string>() == "True")
                {
                    ready++;
                }
            }
        }

        return ready;
    }

    private static async Task<T> WaitAsync<T>(string what, Func<Task<T?>> probe)
        where T : struct
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (deadline.Elapsed > StepTimeout)
            {
                throw new TimeoutException("no " + what + " within " + StepTimeout.TotalMinutes + " min (start the server with --server-arg --nodes=N)");
            }

            await Task.Delay(PollInterval);
        }
    }

    private static JsonObject Deployment(int replicas, string image) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = "web" },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "web" } },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray
                    {
                        new JsonObject
                        {
                            ["name"] = "app",
                            ["image"] = image,
                            ["ports"] = new JsonArray { new JsonObject { ["name"] = "http", ["containerPort"] = 8080 } },
                            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "1m", ["memory"] = "1Mi" } },
                        },
                    },
                },
            },
        },
    };

    private static async Task<JsonObject> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        await EnsureAsync(response);
        return await response.Content.ReadFromJsonAsync<JsonObject>() ?? [];
    }

    private static async Task PostAsync(HttpClient http, string path, JsonObject body)
    {
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        await EnsureAsync(response);
    }

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
