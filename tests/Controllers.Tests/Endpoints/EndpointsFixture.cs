using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Endpoints;
using Nautilus.Controllers.GarbageCollection;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests.Endpoints;

/// <summary>
/// A server with the Endpoints and EndpointSlice controllers (and the garbage collector, which
/// removes a deleted service's slices) running over shared informers, and builders for the
/// services, nodes and pods the tests create. Pods are bound by setting spec.nodeName and get
/// their IPs and readiness through pods/status, as a node agent would write them.
/// </summary>
internal sealed class EndpointsFixture : IAsyncDisposable
{
    public const int MaxEndpointsPerSlice = 10;

    public static readonly ApiResource Services = ClusterResources.Services;
    public static readonly ApiResource EndpointsResource = ClusterResources.Endpoints;
    public static readonly ApiResource EndpointSlices = ClusterResources.EndpointSlices;
    public static readonly ApiResource Nodes = ClusterResources.Nodes;

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _controllers;

    private EndpointsFixture(ServerFixture server)
    {
        Server = server;
        var informers = new InformerFactory(server.Api, NullLoggerFactory.Instance);
        var services = informers.For(Services);
        var pods = informers.For(WorkloadResources.Pods);
        var endpoints = new EndpointsController(server.Api, services, pods, informers.For(EndpointsResource), NullLogger<EndpointsController>.Instance);
        var slices = new EndpointSliceController(server.Api, services, pods, informers.For(Nodes), informers.For(EndpointSlices), NullLogger<EndpointSliceController>.Instance, MaxEndpointsPerSlice);
        var collector = new GarbageCollector(informers, NullLogger<GarbageCollector>.Instance);
        endpoints.Start();
        slices.Start();
        var ct = _stop.Token;
        _controllers = Task.WhenAll(informers.RunAsync(ct), endpoints.RunAsync(ct), slices.RunAsync(ct), collector.RunAsync(ct));
    }

    public ServerFixture Server { get; }

    public ApiClient Api => Server.Api;

    public static async Task<EndpointsFixture> StartAsync() => new(await ServerFixture.StartAsync());

    public async Task<string> CreateNodeAsync(string zone = "zone-a")
    {
        var name = "node-" + Guid.NewGuid().ToString("N")[..8];
        await Api.CreateAsync(Nodes, "", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["topology.kubernetes.io/zone"] = zone } },
        });
        return name;
    }

    public static JsonObject Service(string name, string app, JsonArray? ports = null, string? clusterIP = null, bool publishNotReadyAddresses = false)
    {
        var spec = new JsonObject
        {
            ["selector"] = new JsonObject { ["app"] = app },
            ["ports"] = ports ?? new JsonArray
            {
                new JsonObject { ["name"] = "http", ["port"] = 80, ["targetPort"] = "http" },
                new JsonObject { ["name"] = "metrics", ["port"] = 9090, ["targetPort"] = 9091 },
            },
        };
        if (clusterIP is not null)
        {
            spec["clusterIP"] = clusterIP;
        }

        if (publishNotReadyAddresses)
        {
            spec["publishNotReadyAddresses"] = true;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["team"] = "blue" } },
            ["spec"] = spec,
        };
    }

    /// <summary>A pod bound to <paramref name="node"/> whose container names port 8080 "http".</summary>
    public async Task<JsonObject> CreatePodAsync(string ns, string name, string app, string node)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = app } },
            ["spec"] = new JsonObject
            {
                ["nodeName"] = node,
                ["containers"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["name"] = "app",
                        ["image"] = "nginx:1.25",
                        ["ports"] = new JsonArray { new JsonObject { ["name"] = "http", ["containerPort"] = 8080 } },
                    },
                },
            },
        };
        return await Api.CreateAsync(WorkloadResources.Pods, ns, pod);
    }

    /// <summary>Writes the pod's status as a node agent would: Running with <paramref name="ip"/>, Ready as given since <paramref name="since"/>.</summary>
    public async Task<JsonObject> SetPodStatusAsync(string ns, string name, string ip, bool ready, DateTimeOffset? since = null)
    {
        var time = KubeFields.FormatTime(since ?? DateTimeOffset.UtcNow);
        var pod = await Api.GetAsync(WorkloadResources.Pods, ns, name);
        pod["status"] = new JsonObject
        {
            ["phase"] = "Running",
            ["conditions"] = new JsonArray
            {
                new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False", ["lastTransitionTime"] = time },
            },
            ["podIP"] = ip,
            ["podIPs"] = new JsonArray { new JsonObject { ["ip"] = ip } },
        };
        return await Api.UpdateAsync(WorkloadResources.Pods, ns, name, pod, "status");
    }

    public async Task<JsonObject?> EndpointsAsync(string ns, string name)
    {
        try
        {
            return await Api.GetAsync(EndpointsResource, ns, name);
        }
        catch (ApiStatusException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public async Task<List<JsonObject>> SlicesAsync(string ns, string service) =>
        (await Api.ListAsync(EndpointSlices, ns, labelSelector: "kubernetes.io/service-name=" + service)).Items;

    /// <summary>The ready or not-ready IPs of the Endpoints object, sorted; empty when it does not exist.</summary>
    public async Task<string[]> AddressesAsync(string ns, string name, bool ready = true)
    {
        var endpoints = await EndpointsAsync(ns, name);
        if (endpoints is null)
        {
            return [];
        }

        return KubeFields.Objects(endpoints, "subsets")
            .SelectMany(s => KubeFields.Objects(s, ready ? "addresses" : "notReadyAddresses"))
            .Select(a => KubeFields.String(a, "ip") ?? "")
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>IP → conditions of every endpoint in the service's slices.</summary>
    public async Task<Dictionary<string, JsonObject>> SliceEndpointsAsync(string ns, string service)
    {
        var result = new Dictionary<string, JsonObject>();
        foreach (var slice in await SlicesAsync(ns, service))
        {
            foreach (var endpoint in KubeFields.Objects(slice, "endpoints"))
            {
                foreach (var address in endpoint["addresses"] as JsonArray ?? [])
                {
                    result[address!.GetValue<string>()] = endpoint;
                }
            }
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _controllers;
        _stop.Dispose();
        await Server.DisposeAsync();
    }
}
