using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Allocation;

namespace Nautilus.Server.Tests.Allocation;

/// <summary>
/// Create and update allocations as kube-apiserver 1.32 makes them: the fields it fills and the
/// exact Status it answers with.
/// </summary>
public sealed class ServiceAllocatorTests
{
    [Test]
    public void ThousandParallelCreates_GetDistinctAddressesFromTheDynamicBlock()
    {
        var allocator = new ServiceAllocator();
        var services = Enumerable.Range(0, 1000).Select(i => ServiceJson.Create($"svc-{i}")).ToArray();

        Parallel.ForEach(services, new ParallelOptions { MaxDegreeOfParallelism = 32 }, s => allocator.AllocateOnCreate(s, dryRun: false));

        var ips = services.Select(s => s["spec"]!["clusterIP"]!.GetValue<string>()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ips.Distinct().Count(), Is.EqualTo(1000));
            Assert.That(allocator.ClusterIPCount, Is.EqualTo(1000));
            // The first 256 addresses (10.96.0.1-10.96.1.0) are left to requests naming them.
            Assert.That(ips.Select(IPAddress.Parse).Select(Number), Has.All.InRange(Number(IPAddress.Parse("10.96.1.1")), Number(IPAddress.Parse("10.111.255.254"))));
            Assert.That(services.Select(s => s["spec"]!["clusterIPs"]!.ToJsonString()), Is.EqualTo(ips.Select(ip => $"[\"{ip}\"]")));
        });
    }

    [Test]
    public void ParallelCreatesAndReleases_NeverHandOutAnAddressTwice()
    {
        var allocator = new ServiceAllocator(new ServiceAllocatorOptions { ServiceCidr = "10.0.0.0/20" });
        var held = new ConcurrentDictionary<string, string>();
        var duplicates = 0;

        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            var service = ServiceJson.Create($"svc-{i}");
            allocator.AllocateOnCreate(service, dryRun: false);
            var ip = service["spec"]!["clusterIP"]!.GetValue<string>();
            if (!held.TryAdd(ip, service["metadata"]!["uid"]!.GetValue<string>()))
            {
                Interlocked.Increment(ref duplicates);
            }

            if (i % 2 == 0)
            {
                held.TryRemove(ip, out _);
                allocator.ReleaseFor(service);
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(duplicates, Is.Zero);
            Assert.That(allocator.ClusterIPCount, Is.EqualTo(2000));
        });
    }

    [Test]
    public void RequestedFreeAddress_IsHonoured()
    {
        var allocator = new ServiceAllocator();
        var service = ServiceJson.Create("a", clusterIP: "10.96.0.10");

        allocator.AllocateOnCreate(service, dryRun: false);

        Assert.Multiple(() =>
        {
            Assert.That(Spec(service)["clusterIP"]!.GetValue<string>(), Is.EqualTo("10.96.0.10"));
            Assert.That(Spec(service)["clusterIPs"]!.ToJsonString(), Is.EqualTo("[\"10.96.0.10\"]"));
            Assert.That(Spec(service)["ipFamilies"]!.ToJsonString(), Is.EqualTo("[\"IPv4\"]"));
            Assert.That(Spec(service)["ipFamilyPolicy"]!.GetValue<string>(), Is.EqualTo("SingleStack"));
            Assert.That(allocator.HasClusterIP("10.96.0.10"), Is.True);
        });
    }

    [Test]
    public void RequestedTakenAddress_Is422AsKubeWordsIt()
    {
        var allocator = new ServiceAllocator();
        allocator.AllocateOnCreate(ServiceJson.Create("a", clusterIP: "10.96.0.5"), dryRun: false);

        var e = Assert.Throws<ApiException>(() => allocator.AllocateOnCreate(ServiceJson.Create("b", clusterIP: "10.96.0.5"), dryRun: false))!;

        Assert.Multiple(() =>
        {
            Assert.That(e.Code, Is.EqualTo(422));
            Assert.That(e.Reason, Is.EqualTo("Invalid"));
            Assert.That(e.Message, Is.EqualTo("Service \"b\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.5\"}: failed to allocate IP 10.96.0.5: provided IP is already allocated"));
            Assert.That(e.Causes![0].Field, Is.EqualTo("spec.clusterIPs"));
            Assert.That(e.Causes[0].Type, Is.EqualTo("FieldValueInvalid"));
        });
    }

    [TestCase("192.168.0.5")]
    [TestCase("10.96.0.0")]
    [TestCase("10.111.255.255")]
    public void RequestedAddressOutsideTheRange_Is422AsKubeWordsIt(string requested)
    {
        var allocator = new ServiceAllocator();

        var e = Assert.Throws<ApiException>(() => allocator.AllocateOnCreate(ServiceJson.Create("a", clusterIP: requested), dryRun: false))!;

        Assert.That(e.Message, Is.EqualTo(
            $"Service \"a\" is invalid: spec.clusterIPs: Invalid value: []string{{\"{requested}\"}}: failed to allocate IP {requested}: the provided IP ({requested}) is not in the valid range. The range of valid IPs is 10.96.0.0/12"));
    }

    [Test]
    public void NotAnAddress_Is422()
    {
        var allocator = new ServiceAllocator();

        var e = Assert.Throws<ApiException>(() => allocator.AllocateOnCreate(ServiceJson.Create("a", clusterIP: "10.96.5"), dryRun: false))!;

        Assert.That(e.Message, Is.EqualTo("Service \"a\" is invalid: spec.clusterIPs[0]: Invalid value: \"10.96.5\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    }

    [Test]
    public void IPv6_IsNotConfigured()
    {
        var allocator = new ServiceAllocator();
        var families = ServiceJson.Create("a");
        Spec(families)["ipFamilies"] = new JsonArray("IPv6");
        var dual = ServiceJson.Create("b");
        Spec(dual)["ipFamilyPolicy"] = "RequireDualStack";

        var e1 = Assert.Throws<ApiException>(() => allocator.AllocateOnCreate(families, dryRun: false))!;
        var e2 = Assert.Throws<ApiException>(() => allocator.AllocateOnCreate(ServiceJson.Create("c", clusterIP: "fd00::5"), dryRun: false))!;
        var e3 = Assert.Throws<ApiException>(() => allocator.AllocateOnCreate(dual, dryRun: false))!;

        Assert.Multiple(() =>
        {
            Assert.That(e1.Message, Is.EqualTo("Service \"a\" is invalid: spec.ipFamilies[0]: Invalid value: \"IPv6\": not configured on this cluster"));
            Assert.That(e2.Message, Is.EqualTo("Service \"c\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"fd00::5\"}: IPv6 is not configured on this cluster"));
            Assert.That(e3.Message, Is.EqualTo("Service \"b\" is invalid: spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"));
            Assert.That(allocator.ClusterIPCount, Is.Zero);
        });
    }

    [Test]
    public void PreferDualStack_OnASingleStackCluster_GetsOneIPv4Address()
    {
        var allocator = new ServiceAllocator();
        var service = ServiceJson.Create("a");
        Spec(service)["ipFamilyPolicy"] = "PreferDualStack";

        allocator.AllocateOnCreate(service, dryRun: false);

        Assert.Multiple(() =>
        {
            Assert.That(Spec(service)["ipFamilies"]!.ToJsonString(), Is.EqualTo("[\"IPv4\"]"));
            Assert.That(Spec(service)["ipFamilyPolicy"]!.GetValue<string>(), Is.EqualTo("PreferDualStack"));
            Assert.That(Spec(service)["clusterIPs"]!.AsArray(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void KubernetesServiceAddress_GoesOnlyToARequestNamingIt()
    {
        // /29: six usable addresses, 10.0.0.1-10.0.0.6; 10.0.0.1 is never picked dynamically.
        var allocator = new ServiceAllocator(new ServiceAllocatorOptions { ServiceCidr = "10.0.0.0/29" });
        var dynamic = Enumerable.Range(0, 5).Select(i => ServiceJson.Create($"s{i}")).ToList();
        dynamic.ForEach(s => allocator.AllocateOnCreate(s, dryRun: false));

        var full = Assert.Throws<ApiException>(() => allocator.AllocateOnCreate(ServiceJson.Create("s5"), dryRun: false))!;
        var kubernetes = ServiceJson.Create("kubernetes", clusterIP: "10.0.0.1");
        allocator.AllocateOnCreate(kubernetes, dryRun: false);

        Assert.Multiple(() =>
        {
            Assert.That(dynamic.Select(s => Spec(s)["clusterIP"]!.GetValue<string>()), Is.EquivalentTo(new[] { "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6" }));
            Assert.That(full.Code, Is.EqualTo(500));
            Assert.That(full.Message, Is.EqualTo("Internal error occurred: failed to allocate a serviceIP: range is full"));
            Assert.That(Spec(kubernetes)["clusterIP"]!.GetValue<string>(), Is.EqualTo("10.0.0.1"));
        });
    }

    [Test]
    public void Headless_ReservesNothing()
    {
        var allocator = new ServiceAllocator();
        var withSelector = ServiceJson.Create("a", clusterIP: "None");
        var withoutSelector = ServiceJson.Create("b", clusterIP: "None");
        Spec(withoutSelector).Remove("selector");

        allocator.AllocateOnCreate(withSelector, dryRun: false);
        allocator.AllocateOnCreate(withoutSelector, dryRun: false);

        Assert.Multiple(() =>
        {
            Assert.That(Spec(withSelector)["clusterIP"]!.GetValue<string>(), Is.EqualTo("None"));
            Assert.That(Spec(withSelector)["clusterIPs"]!.ToJsonString(), Is.EqualTo("[\"None\"]"));
            Assert.That(Spec(withSelector)["ipFamilies"]!.ToJsonString(), Is.EqualTo("[\"IPv4\"]"));
            Assert.That(Spec(withSelector)["ipFamilyPolicy"]!.GetValue<string>(), Is.EqualTo("SingleStack"));
            // kube's special case: headless and selectorless defaults to RequireDualStack, both families.
            Assert.That(Spec(withoutSelector)["ipFamilies"]!.ToJsonString(), Is.EqualTo("[\"IPv4\",\"IPv6\"]"));
            Assert.That(Spec(withoutSelector)["ipFamilyPolicy"]!.GetValue<string>(), Is.EqualTo("RequireDualStack"));
            Assert.That(allocator.ClusterIPCount, Is.Zero);
        });
    }

    [Test]
    public void ExternalName_GetsNoClusterIP()
    {
        var allocator = new ServiceAllocator();
        var service = ServiceJson.Create("a", type: "ExternalName");
        Spec(service)["externalName"] = "example.com";

        allocator.AllocateOnCreate(service, dryRun: false);

        Assert.Multiple(() =>
        {
            Assert.That(Spec(service).ContainsKey("clusterIP"), Is.False);
            Assert.That(Spec(service).ContainsKey("clusterIPs"), Is.False);
            Assert.That(Spec(service).ContainsKey("ipFamilies"), Is.False);
            Assert.That(Spec(service).ContainsKey("ipFamilyPolicy"), Is.False);
            Assert.That(allocator.ClusterIPCount, Is.Zero);
        });
    }

    [Test]
    public void NodePortService_GetsANodePortPerPort_FromTheDynamicBlock()
    {
        var allocator = new ServiceAllocator();
        var service = ServiceJson.Create("a", type: "NodePort", ports: [(80, 0), (443, 0)]);

        allocator.AllocateOnCreate(service, dryRun: false);

        var nodePorts = Ports(service).Select(p => p["nodePort"]!.GetValue<int>()).ToList();
        Assert.Multiple(() =>
        {
            // The first 86 ports (30000-30085) are left to requests naming them.
            Assert.That(nodePorts, Has.All.InRange(30086, 32767));
            Assert.That(nodePorts.Distinct().Count(), Is.EqualTo(2));
            Assert.That(nodePorts.All(allocator.HasNodePort), Is.True);
            Assert.That(Spec(service)["clusterIP"], Is.Not.Null);
        });
    }

    [Test]
    public void SamePortNumberOnTwoProtocols_SharesOneNodePort()
    {
        var allocator = new ServiceAllocator();
        var service = ServiceJson.Create("dns", type: "NodePort", ports: [(53, 0), (53, 0)]);
        Ports(service)[1]["protocol"] = "UDP";

        allocator.AllocateOnCreate(service, dryRun: false);

        Assert.Multiple(() =>
        {
            Assert.That(Ports(service)[1]["nodePort"]!.GetValue<int>(), Is.EqualTo(Ports(service)[0]["nodePort"]!.GetValue<int>()));
            Assert.That(allocator.NodePortCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void RequestedNodePort_IsHonouredOrRefusedAsKubeWordsIt()
    {
        var allocator = new ServiceAllocator();
        var first = ServiceJson.Create("a", type: "NodePort", ports: [(80, 30080)]);
        allocator.AllocateOnCreate(first, dryRun: false);

        var taken = Assert.Throws<ApiException>(() => allocator.AllocateOnCreate(ServiceJson.Create("b", type: "NodePort", ports: [(80, 30080)]), dryRun: false))!;
        var outside = Assert.Throws<ApiException>(() => allocator.AllocateOnCreate(ServiceJson.Create("c", type: "NodePort", ports: [(80, 0), (81, 80)]), dryRun: false))!;

        Assert.Multiple(() =>
        {
            Assert.That(Ports(first)[0]["nodePort"]!.GetValue<int>(), Is.EqualTo(30080));
            Assert.That(taken.Code, Is.EqualTo(422));
            Assert.That(taken.Message, Is.EqualTo("Service \"b\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"));
            Assert.That(outside.Message, Is.EqualTo("Service \"c\" is invalid: spec.ports[1].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"));
            // Failed creates gave back the addresses and ports they had taken.
            Assert.That(allocator.ClusterIPCount, Is.EqualTo(1));
            Assert.That(allocator.NodePortCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void LoadBalancerWithLocalTrafficPolicy_GetsAHealthCheckNodePort()
    {
        var allocator = new ServiceAllocator();
        var local = ServiceJson.Create("a", type: "LoadBalancer", ports: [(80, 0)]);
        Spec(local)["externalTrafficPolicy"] = "Local";
        var noNodePorts = ServiceJson.Create("b", type: "LoadBalancer", ports: [(80, 0)]);
        Spec(noNodePorts)["allocateLoadBalancerNodePorts"] = false;

        allocator.AllocateOnCreate(local, dryRun: false);
        allocator.AllocateOnCreate(noNodePorts, dryRun: false);

        Assert.Multiple(() =>
        {
            Assert.That(allocator.HasNodePort(Spec(local)["healthCheckNodePort"]!.GetValue<int>()), Is.True);
            Assert.That(Ports(local)[0]["nodePort"], Is.Not.Null);
            Assert.That(Ports(noNodePorts)[0].ContainsKey("nodePort"), Is.False);
            Assert.That(allocator.NodePortCount, Is.EqualTo(2));
        });
    }

    [Test]
    public void RequestedHealthCheckNodePortTaken_Is500AsKubeAnswersIt()
    {
        var allocator = new ServiceAllocator();
        allocator.AllocateOnCreate(ServiceJson.Create("a", type: "NodePort", ports: [(80, 30500)]), dryRun: false);
        var service = ServiceJson.Create("b", type: "LoadBalancer", ports: [(80, 0)]);
        Spec(service)["externalTrafficPolicy"] = "Local";
        Spec(service)["healthCheckNodePort"] = 30500;

        var e = Assert.Throws<ApiException>(() => allocator.AllocateOnCreate(service, dryRun: false))!;

        Assert.Multiple(() =>
        {
            Assert.That(e.Code, Is.EqualTo(500));
            Assert.That(e.Message, Is.EqualTo("Internal error occurred: failed to allocate requested HealthCheck NodePort 30500: provided port is already allocated"));
            Assert.That(allocator.NodePortCount, Is.EqualTo(1));
            Assert.That(allocator.ClusterIPCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void DryRun_FillsFieldsAsKubeDoes_AndReservesNothing()
    {
        var allocator = new ServiceAllocator();
        allocator.AllocateOnCreate(ServiceJson.Create("a", clusterIP: "10.96.0.7", type: "NodePort", ports: [(80, 30080)]), dryRun: false);
        var service = ServiceJson.Create("b", type: "NodePort", ports: [(80, 0), (81, 0)]);
        var takenPort = ServiceJson.Create("c", type: "NodePort", ports: [(80, 30080)]);

        allocator.AllocateOnCreate(service, dryRun: true);
        var e = Assert.Throws<ApiException>(() => allocator.AllocateOnCreate(takenPort, dryRun: true))!;
        // kube's dry-run IP allocator checks the range only, so a taken address passes.
        var takenIP = ServiceJson.Create("d", clusterIP: "10.96.0.7");
        allocator.AllocateOnCreate(takenIP, dryRun: true);
        allocator.ReleaseFor(takenIP);

        Assert.Multiple(() =>
        {
            Assert.That(Spec(service)["clusterIP"]!.GetValue<string>(), Is.EqualTo("10.96.0.0"));
            Assert.That(Ports(service).Select(p => p["nodePort"]!.GetValue<int>()), Is.EqualTo(new[] { 32769, 32770 }));
            Assert.That(e.Message, Is.EqualTo("Service \"c\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"));
            Assert.That(allocator.ClusterIPCount, Is.EqualTo(1));
            Assert.That(allocator.NodePortCount, Is.EqualTo(1));
            Assert.That(allocator.HasClusterIP("10.96.0.7"), Is.True, "releasing a dry run must not free another service's address");
        });
    }

    [Test]
    public void ReleaseFor_GivesBackWhatAnAbortedCreateTook()
    {
        var allocator = new ServiceAllocator();
        var service = ServiceJson.Create("a", type: "LoadBalancer", ports: [(80, 0)]);
        Spec(service)["externalTrafficPolicy"] = "Local";
        allocator.AllocateOnCreate(service, dryRun: false);

        allocator.ReleaseFor(service);
        allocator.ReleaseFor(service);

        Assert.Multiple(() =>
        {
            Assert.That(allocator.ClusterIPCount, Is.Zero);
            Assert.That(allocator.NodePortCount, Is.Zero);
        });
    }

    [Test]
    public void UpdateToNodePort_KeepsTheAddressAndAllocatesNodePorts()
    {
        var allocator = new ServiceAllocator();
        var old = ServiceJson.Create("a", ports: [(80, 0)]);
        allocator.AllocateOnCreate(old, dryRun: false);
        var updated = ServiceJson.Create("a", type: "NodePort", ports: [(80, 0)], uid: Uid(old));

        allocator.UpdateAllocations(updated, old);

        Assert.Multiple(() =>
        {
            // A client that left clusterIP out keeps the allocated one (patchAllocatedValues).
            Assert.That(Spec(updated)["clusterIP"]!.GetValue<string>(), Is.EqualTo(Spec(old)["clusterIP"]!.GetValue<string>()));
            Assert.That(Spec(updated)["clusterIPs"]!.ToJsonString(), Is.EqualTo(Spec(old)["clusterIPs"]!.ToJsonString()));
            Assert.That(allocator.HasNodePort(Ports(updated)[0]["nodePort"]!.GetValue<int>()), Is.True);
            Assert.That(allocator.ClusterIPCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void UpdateChangingTheAddress_Is422AsKubeWordsIt()
    {
        var allocator = new ServiceAllocator();
        var old = ServiceJson.Create("a", clusterIP: "10.96.0.20");
        allocator.AllocateOnCreate(old, dryRun: false);
        var updated = (JsonObject)old.DeepClone();
        Spec(updated)["clusterIP"] = "10.96.0.21";

        var e = Assert.Throws<ApiException>(() => allocator.UpdateAllocations(updated, old))!;

        Assert.Multiple(() =>
        {
            Assert.That(e.Code, Is.EqualTo(422));
            Assert.That(e.Message, Is.EqualTo("Service \"a\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.21\"}: may not change once set"));
            Assert.That(allocator.HasClusterIP("10.96.0.21"), Is.False);
        });
    }

    [Test]
    public void UpdateToClusterIP_DropsNodePorts_AndToExternalName_DropsTheAddress()
    {
        var allocator = new ServiceAllocator();
        var old = ServiceJson.Create("a", type: "NodePort", ports: [(80, 0)]);
        allocator.AllocateOnCreate(old, dryRun: false);
        var toClusterIP = (JsonObject)old.DeepClone();
        Spec(toClusterIP)["type"] = "ClusterIP";
        var toExternalName = (JsonObject)old.DeepClone();
        Spec(toExternalName)["type"] = "ExternalName";
        Spec(toExternalName)["externalName"] = "example.com";

        allocator.UpdateAllocations(toClusterIP, old);
        allocator.UpdateAllocations(toExternalName, old);

        Assert.Multiple(() =>
        {
            Assert.That(Ports(toClusterIP)[0].ContainsKey("nodePort"), Is.False);
            Assert.That(Spec(toClusterIP)["clusterIP"]!.GetValue<string>(), Is.EqualTo(Spec(old)["clusterIP"]!.GetValue<string>()));
            Assert.That(Spec(toExternalName).ContainsKey("clusterIP"), Is.False);
            Assert.That(Spec(toExternalName).ContainsKey("clusterIPs"), Is.False);
            Assert.That(Spec(toExternalName).ContainsKey("ipFamilies"), Is.False);
            Assert.That(Spec(toExternalName).ContainsKey("ipFamilyPolicy"), Is.False);
            // Released once the update is stored, not before: nothing was stored here.
            Assert.That(allocator.NodePortCount, Is.EqualTo(1));
            Assert.That(allocator.ClusterIPCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void UpdateFromExternalName_AllocatesAnAddress()
    {
        var allocator = new ServiceAllocator();
        var old = ServiceJson.Create("a", type: "ExternalName");
        Spec(old)["externalName"] = "example.com";
        allocator.AllocateOnCreate(old, dryRun: false);
        var updated = ServiceJson.Create("a", clusterIP: "10.96.0.30", uid: Uid(old));

        allocator.UpdateAllocations(updated, old);

        Assert.Multiple(() =>
        {
            Assert.That(Spec(updated)["clusterIPs"]!.ToJsonString(), Is.EqualTo("[\"10.96.0.30\"]"));
            Assert.That(Spec(updated)["ipFamilyPolicy"]!.GetValue<string>(), Is.EqualTo("SingleStack"));
            Assert.That(allocator.HasClusterIP("10.96.0.30"), Is.True);
        });
    }

    [Test]
    public void AddedPortOnUpdate_GetsANodePort_AndKeepsTheExistingOnes()
    {
        var allocator = new ServiceAllocator();
        var old = ServiceJson.Create("a", type: "NodePort", ports: [(80, 0)]);
        Ports(old)[0]["name"] = "http";
        allocator.AllocateOnCreate(old, dryRun: false);
        var updated = ServiceJson.Create("a", type: "NodePort", ports: [(80, 0), (443, 0)], uid: Uid(old));
        Ports(updated)[0]["name"] = "http";
        Ports(updated)[1]["name"] = "https";

        allocator.UpdateAllocations(updated, old);

        Assert.Multiple(() =>
        {
            Assert.That(Ports(updated)[0]["nodePort"]!.GetValue<int>(), Is.EqualTo(Ports(old)[0]["nodePort"]!.GetValue<int>()));
            Assert.That(allocator.HasNodePort(Ports(updated)[1]["nodePort"]!.GetValue<int>()), Is.True);
            Assert.That(allocator.NodePortCount, Is.EqualTo(2));
        });
    }

    [Test]
    public void AllocatedFields_AreWrittenInServiceSpecOrder()
    {
        var allocator = new ServiceAllocator();
        var service = ServiceJson.Create("a", type: "NodePort", ports: [(80, 0)]);

        allocator.AllocateOnCreate(service, dryRun: false);

        Assert.That(Spec(service).Select(m => m.Key), Is.EqualTo(new[] { "ports", "selector", "clusterIP", "clusterIPs", "type", "ipFamilies", "ipFamilyPolicy" }));
    }

    private static JsonObject Spec(JsonObject service) => service["spec"]!.AsObject();

    private static List<JsonObject> Ports(JsonObject service) => Spec(service)["ports"]!.AsArray().Select(p => p!.AsObject()).ToList();

    private static string Uid(JsonObject service) => service["metadata"]!["uid"]!.GetValue<string>();

    private static long Number(IPAddress ip)
    {
        var b = ip.GetAddressBytes();
        return ((long)b[0] << 24) | ((long)b[1] << 16) | ((long)b[2] << 8) | b[3];
    }
}
