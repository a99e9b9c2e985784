using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Google.Api;
using Google.Protobuf;
using k8s;
using k8s.Models;
using Nautilus.Scheduler.V1;

namespace Nautilus.E2E.Tests;

/// <summary>
/// The Scheduler service's explanations as a user reaches them: REST under
/// /apis/scheduling.nautilus.io/v1alpha1 (beside, not shadowing, the generic resource routes)
/// and native gRPC. Nodes are plain Node objects (no node agent).
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class SchedulerExplainTests
{
    private const string ExplainPath = "/apis/scheduling.nautilus.io/v1alpha1/explain";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private ServerFixture _server = null!;

    private IKubernetes Client => _server.Client;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await ServerFixture.StartAsync();
        await CreateNodeAsync("small-a", cpu: "2");
        await CreateNodeAsync("small-b", cpu: "2");
        await CreateNodeAsync("tainted", cpu: "4", new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" });

        // The scheduler answers once its caches hold the three nodes.
        await ServerFixture.WaitUntilAsync(async () =>
        {
            using var response = await PostAsync(PodJson("probe", "100m"));
            return response.StatusCode == HttpStatusCode.OK && (await ReadAsync(response))["numAllNodes"]!.GetValue<int>() == 3;
        }, Deadline, "the scheduler serves explanations over three nodes");
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task PostedPod_VerdictPerNode_ScoresPerPlugin_SelectedNode_NothingCreated()
    {
        using var response = await PostAsync(PodJson("would-be", "500m"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var explanation = await ReadAsync(response);
        var nodes = explanation["nodes"]!.AsArray().Select(n => n!.AsObject()).ToDictionary(n => n["name"]!.GetValue<string>());
        var feasible = nodes["small-a"];
        var scores = feasible["scores"]!.AsArray().Select(s => s!.AsObject()).ToDictionary(s => s["plugin"]!.GetValue<string>());
        Assert.Multiple(() =>
        {
            Assert.That(explanation["kind"]!.GetValue<string>(), Is.EqualTo("SchedulingExplanation"));
            Assert.That(explanation["schedulerName"]!.GetValue<string>(), Is.EqualTo("default-scheduler"));
            Assert.That(explanation["pod"]!["namespace"]!.GetValue<string>(), Is.EqualTo("default"), "a pod without namespace is explained in default");
            Assert.That(explanation["feasibleNodes"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(explanation["selectedNode"]!.GetValue<string>(), Is.AnyOf("small-a", "small-b"));
            Assert.That(nodes["tainted"]["feasible"]!.GetValue<bool>(), Is.False);
            Assert.That(nodes["tainted"]["plugin"]!.GetValue<string>(), Is.EqualTo("TaintToleration"));
            Assert.That(nodes["tainted"]["code"]!.GetValue<string>(), Is.EqualTo("UnschedulableAndUnresolvable"));
            Assert.That(nodes["tainted"]["reasons"]![0]!.GetValue<string>(), Is.EqualTo("node(s) had untolerated taint {dedicated: gpu}"));
            Assert.That(feasible["feasible"]!.GetValue<bool>(), Is.True);
            Assert.That(scores["NodeResourcesFit"]["weight"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(scores["TaintToleration"]["weight"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(scores["NodeResourcesFit"]["raw"]!.GetValue<long>(), Is.InRange(0, 100));
            Assert.That(feasible["totalScore"]!.GetValue<long>(), Is.EqualTo(scores.Values.Sum(s => s["weighted"]!.GetValue<long>())));
        });

        var error = Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => Client.CoreV1.ReadNamespacedPodAsync("would-be", "default"));
        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "explaining does not create the pod");
    }

    [Test]
    public async Task ExistingPendingPod_FitErrorMessageAndPreemptionDryRun()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(KubernetesJson.Deserialize<V1Pod>(PodJson("huge", "64")), ns);

        using var response = await _server.HttpClient.GetAsync($"/apis/scheduling.nautilus.io/v1alpha1/namespaces/{ns}/pods/huge/explain");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var explanation = await ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(explanation["pod"]!["name"]!.GetValue<string>(), Is.EqualTo("huge"));
            Assert.That(explanation["selectedNode"], Is.Null);
            Assert.That(explanation["feasibleNodes"]!.GetValue<int>(), Is.Zero);
            Assert.That(explanation["message"]!.GetValue<string>(), Is.EqualTo(
                "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."));
            Assert.That(explanation["preemption"]!["plugin"]!.GetValue<string>(), Is.EqualTo("DefaultPreemption"));
            Assert.That(explanation["nodes"]!.AsArray().Count(n => n!["plugin"]?.GetValue<string>() == "NodeResourcesFit"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task UnknownPod_NotFoundStatus()
    {
        using var response = await _server.HttpClient.GetAsync("/apis/scheduling.nautilus.io/v1alpha1/namespaces/default/pods/missing/explain");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var status = await ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(status["kind"]!.GetValue<string>(), Is.EqualTo("Status"));
            Assert.That(status["reason"]!.GetValue<string>(), Is.EqualTo("NotFound"));
            Assert.That(status["message"]!.GetValue<string>(), Is.EqualTo("pods \"missing\" not found"));
        });
    }

    [Test]
    public async Task NotAPod_BadRequest_UnknownProfile_BadRequest()
    {
        using var notPod = await PostAsync("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"}}""");
        using var otherScheduler = await PostAsync("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"schedulerName":"someone-else","containers":[{"name":"c","image":"i"}]}}""");

        Assert.Multiple(async () =>
        {
            Assert.That(notPod.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(otherScheduler.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await ReadAsync(otherScheduler))["message"]!.GetValue<string>(), Does.Contain("someone-else"));
        });
    }

    [Test]
    public async Task WithoutToken_Unauthorized()
    {
        using var anonymous = _server.CreateHttpClient(bearerToken: null);

        using var response = await anonymous.PostAsync(ExplainPath, new StringContent(PodJson("p", "100m"), Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task GenericResourceRoutes_StillServePods()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(KubernetesJson.Deserialize<V1Pod>(PodJson("plain", "100m")), ns);

        var pod = await Client.CoreV1.ReadNamespacedPodAsync("plain", ns);
        var list = await Client.CoreV1.ListNamespacedPodAsync(ns);

        Assert.Multiple(() =>
        {
            Assert.That(pod.Metadata.Name, Is.EqualTo("plain"));
            Assert.That(list.Items.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "plain" }));
        });
    }

    [Test]
    public async Task NativeGrpc_ExplainsByNameAndByBody()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(KubernetesJson.Deserialize<V1Pod>(PodJson("grpc", "100m")), ns);
        var client = new Nautilus.Scheduler.V1.Scheduler.SchedulerClient(_server.GrpcChannel);

        var byName = await client.ExplainAsync(new ExplainRequest { Namespace = ns, Name = "grpc" });
        var byBody = await client.ExplainAsync(new ExplainRequest { Body = new HttpBody { ContentType = "application/json", Data = ByteString.CopyFromUtf8(PodJson("body", "100m")) } });

        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.Parse(byName.Data.Span)!["pod"]!["name"]!.GetValue<string>(), Is.EqualTo("grpc"));
            Assert.That(JsonNode.Parse(byBody.Data.Span)!["selectedNode"]!.GetValue<string>(), Is.AnyOf("small-a", "small-b"));
        });
    }

    private Task<HttpResponseMessage> PostAsync(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return _server.HttpClient.PostAsync(ExplainPath, content);
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    private static string PodJson(string name, string cpu) => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "main",
                ["image"] = "nginx",
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = cpu } },
            }),
        },
    }.ToJsonString();

    private async Task CreateNodeAsync(string name, string cpu, V1Taint? taint = null)
    {
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new("8Gi"), ["pods"] = new("110") };
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
            Spec = new V1NodeSpec { Taints = taint is null ? null : [taint] },
        };
        var created = await Client.CoreV1.CreateNodeAsync(node);
        created.Status = new V1NodeStatus
        {
            Capacity = resources,
            Allocatable = resources,
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
        };
        // Unconditional, as kubelet's status writes: the node IPAM controller may have set spec.podCIDR meanwhile.
        created.Metadata.ResourceVersion = null;
        await Client.CoreV1.ReplaceNodeStatusAsync(created, name);
    }
}
