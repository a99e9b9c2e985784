using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests.Endpoints;

/// <summary>The Endpoints and EndpointSlice controllers against a real server: what clients read.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class EndpointsControllerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private EndpointsFixture _cluster = null!;
    private string _node = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _cluster = await EndpointsFixture.StartAsync();
        _node = await _cluster.CreateNodeAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _cluster.DisposeAsync();

    [Test]
    public async Task ServiceSelectingPods_EndpointsListReadyAndNotReadyAddressesWithResolvedPorts()
    {
        var ns = await _cluster.Server.CreateNamespaceAsync("ep");
        await _cluster.Api.CreateAsync(EndpointsFixture.Services, ns, EndpointsFixture.Service("web", "web"));
        var ready = await _cluster.CreatePodAsync(ns, "ready", "web", _node);
        var unready = await _cluster.CreatePodAsync(ns, "unready", "web", _node);
        await _cluster.CreatePodAsync(ns, "no-ip", "web", _node);
        await _cluster.CreatePodAsync(ns, "stranger", "other", _node);
        await _cluster.SetPodStatusAsync(ns, "ready", "10.1.0.1", ready: true);
        await _cluster.SetPodStatusAsync(ns, "unready", "10.1.0.2", ready: false);
        await _cluster.SetPodStatusAsync(ns, "stranger", "10.1.0.9", ready: true);

        await ServerFixture.WaitUntilAsync(
            async () => (await _cluster.AddressesAsync(ns, "web")).SequenceEqual(["10.1.0.1"]) && (await _cluster.AddressesAsync(ns, "web", ready: false)).SequenceEqual(["10.1.0.2"]),
            Deadline,
            () => "one ready and one not-ready address");

        var endpoints = (await _cluster.EndpointsAsync(ns, "web"))!;
        var expected = JsonNode.Parse($$"""
            [{
              "addresses": [{ "ip": "10.1.0.1", "nodeName": "{{_node}}", "targetRef": { "kind": "Pod", "namespace": "{{ns}}", "name": "ready", "uid": "{{KubeFields.Uid(ready)}}" } }],
              "notReadyAddresses": [{ "ip": "10.1.0.2", "nodeName": "{{_node}}", "targetRef": { "kind": "Pod", "namespace": "{{ns}}", "name": "unready", "uid": "{{KubeFields.Uid(unready)}}" } }],
              "ports": [{ "name": "http", "port": 8080, "protocol": "TCP" }, { "name": "metrics", "port": 9091, "protocol": "TCP" }]
            }]
            """);
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.DeepEquals(endpoints["subsets"], expected), Is.True, endpoints["subsets"]?.ToJsonString());
            Assert.That(KubeFields.String(KubeFields.Labels(endpoints), "team"), Is.EqualTo("blue"), "the service's labels");
        });
    }

    [Test]
    public async Task PodsComeGoAndChangeReadiness_EndpointsFollow()
    {
        var ns = await _cluster.Server.CreateNamespaceAsync("ep");
        await _cluster.Api.CreateAsync(EndpointsFixture.Services, ns, EndpointsFixture.Service("web", "web"));
        await _cluster.CreatePodAsync(ns, "a", "web", _node);
        await _cluster.CreatePodAsync(ns, "b", "web", _node);
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        await _cluster.SetPodStatusAsync(ns, "a", "10.2.0.1", ready: true, since: start);
        await _cluster.SetPodStatusAsync(ns, "b", "10.2.0.2", ready: false, since: start);
        await WaitAddressesAsync(ns, ["10.2.0.1"], ["10.2.0.2"]);

        var readySince = DateTimeOffset.UtcNow.AddSeconds(-3);
        await _cluster.SetPodStatusAsync(ns, "b", "10.2.0.2", ready: true, since: readySince);
        await WaitAddressesAsync(ns, ["10.2.0.1", "10.2.0.2"], []);
        var endpoints = (await _cluster.EndpointsAsync(ns, "web"))!;
        Assert.That(
            KubeFields.String(KubeFields.Metadata(endpoints)?["annotations"], "endpoints.kubernetes.io/last-change-trigger-time"),
            Is.EqualTo(KubeFields.FormatTime(readySince)),
            "the trigger time is the Ready transition that caused the change");

        // A pod bound to a node is deleted gracefully: while terminating it is no endpoint.
        await _cluster.Api.DeleteAsync(WorkloadResources.Pods, ns, "a");
        await WaitAddressesAsync(ns, ["10.2.0.2"], []);

        await _cluster.CreatePodAsync(ns, "c", "web", _node);
        await _cluster.SetPodStatusAsync(ns, "c", "10.2.0.3", ready: true);
        await WaitAddressesAsync(ns, ["10.2.0.2", "10.2.0.3"], []);

        // A relabelled pod leaves the service.
        await _cluster.Api.PatchAsync(WorkloadResources.Pods, ns, "c", "application/merge-patch+json", JsonNode.Parse("""{"metadata":{"labels":{"app":"elsewhere"}}}""")!);
        await WaitAddressesAsync(ns, ["10.2.0.2"], []);
    }

    [Test]
    public async Task HeadlessServiceWithoutPorts_AddressesWithoutPortsAndHeadlessLabel()
    {
        var ns = await _cluster.Server.CreateNamespaceAsync("ep");
        await _cluster.Api.CreateAsync(EndpointsFixture.Services, ns, EndpointsFixture.Service("db", "db", ports: [], clusterIP: "None"));
        await _cluster.CreatePodAsync(ns, "db-0", "db", _node);
        await _cluster.SetPodStatusAsync(ns, "db-0", "10.3.0.1", ready: true);

        await WaitAddressesAsync(ns, ["10.3.0.1"], [], service: "db");

        var endpoints = (await _cluster.EndpointsAsync(ns, "db"))!;
        var subset = KubeFields.Objects(endpoints, "subsets").Single();
        Assert.Multiple(() =>
        {
            Assert.That(subset["ports"], Is.Null);
            Assert.That(KubeFields.Labels(endpoints)?.ContainsKey("service.kubernetes.io/headless"), Is.True);
        });
        await ServerFixture.WaitUntilAsync(async () => (await _cluster.SliceEndpointsAsync(ns, "db")).ContainsKey("10.3.0.1"), Deadline, () => "a slice endpoint");
        var slice = (await _cluster.SlicesAsync(ns, "db")).Single();
        Assert.That(KubeFields.Labels(slice)?.ContainsKey("service.kubernetes.io/headless"), Is.True);
    }

    [Test]
    public async Task ServiceWithoutMatchingPods_EmptyEndpointsAndOnePlaceholderSlice()
    {
        var ns = await _cluster.Server.CreateNamespaceAsync("ep");
        await _cluster.Api.CreateAsync(EndpointsFixture.Services, ns, EndpointsFixture.Service("lonely", "nobody"));

        await ServerFixture.WaitUntilAsync(async () => await _cluster.EndpointsAsync(ns, "lonely") is not null, Deadline, () => "an Endpoints object");
        await ServerFixture.WaitUntilAsync(async () => (await _cluster.SlicesAsync(ns, "lonely")).Count == 1, Deadline, () => "a placeholder slice");
        var endpoints = (await _cluster.EndpointsAsync(ns, "lonely"))!;
        var slice = (await _cluster.SlicesAsync(ns, "lonely")).Single();
        Assert.Multiple(() =>
        {
            Assert.That(endpoints["subsets"], Is.Null);
            Assert.That(slice["endpoints"] as JsonArray ?? [], Is.Empty);
        });
    }

    [Test]
    public async Task ServiceDeleted_EndpointsAndSlicesGo()
    {
        var ns = await _cluster.Server.CreateNamespaceAsync("ep");
        await _cluster.Api.CreateAsync(EndpointsFixture.Services, ns, EndpointsFixture.Service("web", "web"));
        await _cluster.CreatePodAsync(ns, "a", "web", _node);
        await _cluster.SetPodStatusAsync(ns, "a", "10.4.0.1", ready: true);
        await WaitAddressesAsync(ns, ["10.4.0.1"], []);
        await ServerFixture.WaitUntilAsync(async () => (await _cluster.SlicesAsync(ns, "web")).Count == 1, Deadline, () => "a slice");

        await _cluster.Api.DeleteAsync(EndpointsFixture.Services, ns, "web");

        await ServerFixture.WaitUntilAsync(async () => await _cluster.EndpointsAsync(ns, "web") is null, Deadline, () => "Endpoints deleted");
        await ServerFixture.WaitUntilAsync(async () => (await _cluster.SlicesAsync(ns, "web")).Count == 0, Deadline, () => "slices collected");
    }

    [Test]
    public async Task EndpointSlices_CarryLabelsOwnerPortsAndConditions()
    {
        var ns = await _cluster.Server.CreateNamespaceAsync("eps");
        var service = await _cluster.Api.CreateAsync(EndpointsFixture.Services, ns, EndpointsFixture.Service("web", "web"));
        var ready = await _cluster.CreatePodAsync(ns, "ready", "web", _node);
        await _cluster.CreatePodAsync(ns, "unready", "web", _node);
        await _cluster.CreatePodAsync(ns, "leaving", "web", _node);
        await _cluster.SetPodStatusAsync(ns, "ready", "10.5.0.1", ready: true);
        await _cluster.SetPodStatusAsync(ns, "unready", "10.5.0.2", ready: false);
        await _cluster.SetPodStatusAsync(ns, "leaving", "10.5.0.3", ready: true);
        await ServerFixture.WaitUntilAsync(async () => (await _cluster.SliceEndpointsAsync(ns, "web")).Count == 3, Deadline, () => "three slice endpoints");

        // Bound to a node, the pod stays Terminating for its grace period.
        await _cluster.Api.DeleteAsync(WorkloadResources.Pods, ns, "leaving");

        await ServerFixture.WaitUntilAsync(
            async () => (await _cluster.SliceEndpointsAsync(ns, "web")).TryGetValue("10.5.0.3", out var e) && KubeFields.Bool(e["conditions"], "terminating") == true,
            Deadline,
            () => "the deleted pod terminating");
        var slice = (await _cluster.SlicesAsync(ns, "web")).Single();
        var endpoints = await _cluster.SliceEndpointsAsync(ns, "web");
        var owner = KubeFields.Objects(KubeFields.Metadata(slice), "ownerReferences").Single();
        Assert.Multiple(() =>
        {
            Assert.That(KubeFields.Name(slice), Does.StartWith("web-"));
            Assert.That(KubeFields.String(KubeFields.Labels(slice), "kubernetes.io/service-name"), Is.EqualTo("web"));
            Assert.That(KubeFields.String(KubeFields.Labels(slice), "endpointslice.kubernetes.io/managed-by"), Is.EqualTo("endpointslice-controller.k8s.io"));
            Assert.That(KubeFields.String(KubeFields.Labels(slice), "team"), Is.EqualTo("blue"));
            Assert.That(JsonNode.DeepEquals(owner, JsonNode.Parse($$"""{"apiVersion":"v1","kind":"Service","name":"web","uid":"{{KubeFields.Uid(service)}}","controller":true,"blockOwnerDeletion":true}""")), Is.True, owner.ToJsonString());
            Assert.That(KubeFields.String(slice, "addressType"), Is.EqualTo("IPv4"));
            Assert.That(JsonNode.DeepEquals(slice["ports"], JsonNode.Parse("""[{"name":"http","protocol":"TCP","port":8080},{"name":"metrics","protocol":"TCP","port":9091}]""")), Is.True, slice["ports"]?.ToJsonString());
            Assert.That(Conditions(endpoints["10.5.0.1"]), Is.EqualTo((true, true, false)));
            Assert.That(Conditions(endpoints["10.5.0.2"]), Is.EqualTo((false, false, false)));
            Assert.That(Conditions(endpoints["10.5.0.3"]), Is.EqualTo((false, true, true)), "terminating: not ready, still serving");
            Assert.That(KubeFields.String(endpoints["10.5.0.1"], "nodeName"), Is.EqualTo(_node));
            Assert.That(KubeFields.String(endpoints["10.5.0.1"], "zone"), Is.EqualTo("zone-a"));
            Assert.That(KubeFields.String(endpoints["10.5.0.1"]["targetRef"], "uid"), Is.EqualTo(KubeFields.Uid(ready)));
        });
        // Endpoints leave terminating pods out; its controller sees the deletion on its own schedule.
        await WaitAddressesAsync(ns, ["10.5.0.1"], ["10.5.0.2"]);
    }

    [Test]
    public async Task ManyPods_SlicesHoldAtMostMaxEndpointsEach()
    {
        var ns = await _cluster.Server.CreateNamespaceAsync("eps");
        await _cluster.Api.CreateAsync(EndpointsFixture.Services, ns, EndpointsFixture.Service("web", "web"));
        const int count = 25;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), async (i, _) =>
        {
            await _cluster.CreatePodAsync(ns, $"pod-{i}", "web", _node);
            await _cluster.SetPodStatusAsync(ns, $"pod-{i}", $"10.6.0.{i + 1}", ready: true);
        });

        await ServerFixture.WaitUntilAsync(async () => (await _cluster.SliceEndpointsAsync(ns, "web")).Count == count, Deadline, () => $"{count} slice endpoints");
        await WaitAddressesAsync(ns, Enumerable.Range(1, count).Select(i => $"10.6.0.{i}").Order(StringComparer.Ordinal).ToArray(), []);
        var slices = await _cluster.SlicesAsync(ns, "web");
        Assert.That(slices.Select(s => (s["endpoints"] as JsonArray)?.Count ?? 0), Has.All.LessThanOrEqualTo(EndpointsFixture.MaxEndpointsPerSlice));
        Assert.That(slices, Has.Count.EqualTo(3));

        await Parallel.ForEachAsync(Enumerable.Range(5, count - 5), async (i, _) => await _cluster.Api.DeleteAsync(WorkloadResources.Pods, ns, $"pod-{i}", ct: default));

        await ServerFixture.WaitUntilAsync(
            async () => (await _cluster.SliceEndpointsAsync(ns, "web")).Values.Count(e => KubeFields.Bool(e["conditions"], "terminating") != true) == 5,
            Deadline,
            () => "five live slice endpoints");
        await WaitAddressesAsync(ns, Enumerable.Range(1, 5).Select(i => $"10.6.0.{i}").ToArray(), []);
    }

    [Test]
    public async Task Kubectl_ReadsEndpointsAndSlices()
    {
        var ns = await _cluster.Server.CreateNamespaceAsync("ep");
        await _cluster.Api.CreateAsync(EndpointsFixture.Services, ns, EndpointsFixture.Service("web", "web"));
        await _cluster.CreatePodAsync(ns, "a", "web", _node);
        await _cluster.SetPodStatusAsync(ns, "a", "10.7.0.1", ready: true);
        await WaitAddressesAsync(ns, ["10.7.0.1"], []);
        await ServerFixture.WaitUntilAsync(async () => (await _cluster.SliceEndpointsAsync(ns, "web")).ContainsKey("10.7.0.1"), Deadline, () => "a slice endpoint");

        var endpoints = await _cluster.Server.Kubectl("get", "endpoints", "web", "-n", ns, "-o", "jsonpath={.subsets[*].addresses[*].ip} {.subsets[*].ports[?(@.name==\"http\")].port}");
        var slices = await _cluster.Server.Kubectl("get", "endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=web", "-o", "jsonpath={.items[*].endpoints[*].addresses[*]}");

        Assert.That(endpoints.ExitCode, Is.Zero, endpoints.ToString());
        Assert.That(endpoints.Stdout, Is.EqualTo("10.7.0.1 8080"));
        Assert.That(slices.ExitCode, Is.Zero, slices.ToString());
        Assert.That(slices.Stdout, Is.EqualTo("10.7.0.1"));
    }

    private static (bool? Ready, bool? Serving, bool? Terminating) Conditions(JsonObject endpoint)
    {
        var conditions = endpoint["conditions"];
        return (KubeFields.Bool(conditions, "ready"), KubeFields.Bool(conditions, "serving"), KubeFields.Bool(conditions, "terminating"));
    }

    private Task WaitAddressesAsync(string ns, string[] ready, string[] notReady, string service = "web") =>
        ServerFixture.WaitUntilAsync(
            async () => (await _cluster.AddressesAsync(ns, service)).SequenceEqual(ready) && (await _cluster.AddressesAsync(ns, service, ready: false)).SequenceEqual(notReady),
            Deadline,
            () => $"ready [{string.Join(", ", ready)}], not ready [{string.Join(", ", notReady)}]");
}
