using System.Net;
using Nautilus.Server.Api.Allocation;
using Nautilus.Server.Api.Strategies;

namespace Nautilus.Server.Tests.Strategies;

/// <summary>
/// Service defaulting (SetDefaults_Service) and the IP family fields kube's service storage fills
/// on a single-stack IPv4 cluster. Cluster IPs and node ports are the allocator's and not shown.
/// </summary>
public sealed class ServiceStrategyTests
{
    private static readonly ServiceStrategy Strategy = new();

    private static IEnumerable<TestCaseData> Cases() => new DefaultingCase[]
    {
        new("MinimalService_IsSingleStackClusterIPWithTcpPortsTargetingThePort",
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}""",
            """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
             "spec":{"internalTrafficPolicy":"Cluster","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack",
                     "ports":[{"port":80,"protocol":"TCP","targetPort":80}],"selector":{"app":"web"},"sessionAffinity":"None","type":"ClusterIP"},
             "status":{"loadBalancer":{}}}
            """),
        new("NodePortWithNamedTargetPort_GetsExternalTrafficPolicy",
            """{"metadata":{"name":"web"},"spec":{"type":"NodePort","selector":{"app":"web"},"ports":[{"name":"dns","port":53,"protocol":"UDP","targetPort":"dns"},{"name":"zero","port":81,"targetPort":0}]}}""",
            """
            {"metadata":{"name":"web"},
             "spec":{"externalTrafficPolicy":"Cluster","internalTrafficPolicy":"Cluster","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack",
                     "ports":[{"name":"dns","port":53,"protocol":"UDP","targetPort":"dns"},{"name":"zero","port":81,"protocol":"TCP","targetPort":81}],
                     "selector":{"app":"web"},"sessionAffinity":"None","type":"NodePort"},
             "status":{"loadBalancer":{}}}
            """),
        new("LoadBalancer_AllocatesNodePortsByDefault",
            """{"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","selector":{"app":"web"},"ports":[{"port":443,"targetPort":8443}]}}""",
            """
            {"metadata":{"name":"lb"},
             "spec":{"allocateLoadBalancerNodePorts":true,"externalTrafficPolicy":"Cluster","internalTrafficPolicy":"Cluster",
                     "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","ports":[{"port":443,"protocol":"TCP","targetPort":8443}],
                     "selector":{"app":"web"},"sessionAffinity":"None","type":"LoadBalancer"},
             "status":{"loadBalancer":{}}}
            """),
        new("ClientIPAffinity_GetsThreeHourTimeout",
            """{"metadata":{"name":"sticky"},"spec":{"sessionAffinity":"ClientIP","selector":{"app":"web"},"ports":[{"port":80}]}}""",
            """
            {"metadata":{"name":"sticky"},
             "spec":{"internalTrafficPolicy":"Cluster","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack",
                     "ports":[{"port":80,"protocol":"TCP","targetPort":80}],"selector":{"app":"web"},"sessionAffinity":"ClientIP",
                     "sessionAffinityConfig":{"clientIP":{"timeoutSeconds":10800}},"type":"ClusterIP"},
             "status":{"loadBalancer":{}}}
            """),
        new("NoAffinityWithAffinityConfig_DropsTheConfig",
            """{"metadata":{"name":"web"},"spec":{"sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}},"selector":{"app":"web"},"ports":[{"port":80}]}}""",
            """
            {"metadata":{"name":"web"},
             "spec":{"internalTrafficPolicy":"Cluster","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack",
                     "ports":[{"port":80,"protocol":"TCP","targetPort":80}],"selector":{"app":"web"},"sessionAffinity":"None","type":"ClusterIP"},
             "status":{"loadBalancer":{}}}
            """),
        new("HeadlessWithoutSelector_RequiresDualStack",
            """{"metadata":{"name":"db"},"spec":{"clusterIP":"None","ports":[{"port":5432}]}}""",
            """
            {"metadata":{"name":"db"},
             "spec":{"clusterIP":"None","internalTrafficPolicy":"Cluster","ipFamilies":["IPv4","IPv6"],"ipFamilyPolicy":"RequireDualStack",
                     "ports":[{"port":5432,"protocol":"TCP","targetPort":5432}],"sessionAffinity":"None","type":"ClusterIP"},
             "status":{"loadBalancer":{}}}
            """),
        new("ExternalName_HasNoTrafficPolicyOrFamilies",
            """{"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"example.com"}}""",
            """
            {"metadata":{"name":"ext"},"spec":{"externalName":"example.com","sessionAffinity":"None","type":"ExternalName"},"status":{"loadBalancer":{}}}
            """),
        new("ClusterIPWithExternalIPs_GetsExternalTrafficPolicy",
            """{"metadata":{"name":"web"},"spec":{"externalIPs":["192.0.2.10"],"selector":{"app":"web"},"ports":[{"port":80}]}}""",
            """
            {"metadata":{"name":"web"},
             "spec":{"externalIPs":["192.0.2.10"],"externalTrafficPolicy":"Cluster","internalTrafficPolicy":"Cluster","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack",
                     "ports":[{"port":80,"protocol":"TCP","targetPort":80}],"selector":{"app":"web"},"sessionAffinity":"None","type":"ClusterIP"},
             "status":{"loadBalancer":{}}}
            """),
        new("SetValues_AreKept",
            """
            {"metadata":{"name":"web"},"spec":{"type":"NodePort","externalTrafficPolicy":"Local","internalTrafficPolicy":"Local","ipFamilyPolicy":"PreferDualStack",
              "ipFamilies":["IPv4"],"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}},
              "selector":{"app":"web"},"ports":[{"port":80,"protocol":"SCTP","targetPort":8080}]},"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}}
            """,
            """
            {"metadata":{"name":"web"},"spec":{"type":"NodePort","externalTrafficPolicy":"Local","internalTrafficPolicy":"Local","ipFamilyPolicy":"PreferDualStack",
              "ipFamilies":["IPv4"],"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}},
              "selector":{"app":"web"},"ports":[{"port":80,"protocol":"SCTP","targetPort":8080}]},"status":{"loadBalancer":{}}}
            """),
    }.Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Cases))]
    public void Create_StoresWhatKubeApiserverStores(DefaultingCase row) => StrategyAssert.CreatesExactlyAndIdempotently(Strategy, row);

    [Test]
    public void UpdateOmittingIPFamilies_KeepsTheStoredOnes()
    {
        var stored = StrategyAssert.Create(Strategy, """{"metadata":{"name":"web"},"spec":{"ipFamilyPolicy":"PreferDualStack","selector":{"app":"web"},"ports":[{"port":80}]}}""");
        var replacement = StrategyAssert.Parse("""{"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]},"status":{"loadBalancer":{}}}""");

        var updated = StrategyAssert.Update(Strategy, replacement, stored);

        StrategyAssert.AreEqual(updated, stored);
    }

    [Test]
    public void LoadBalancerStatusIngressWithIP_GetsVipMode()
    {
        var service = StrategyAssert.Parse("""{"spec":{"type":"LoadBalancer","ports":[{"port":80}]},"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"},{"hostname":"lb.example.com"}]}}}""");

        Strategy.ApplyDefaults(service);

        StrategyAssert.AreEqual(service["status"], """{"loadBalancer":{"ingress":[{"ip":"192.0.2.1","ipMode":"VIP"},{"hostname":"lb.example.com"}]}}""");
    }

    [Test]
    public void CreateWithAllocator_DefaultsThenAllocatesAClusterIP()
    {
        var strategy = new ServiceStrategy(new ServiceAllocator());

        var created = StrategyAssert.Create(strategy, """{"metadata":{"name":"web","namespace":"default","uid":"u1"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}""");

        var spec = created["spec"]!;
        var clusterIp = spec["clusterIP"]?.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(IPAddress.TryParse(clusterIp, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork, Is.True, $"clusterIP {clusterIp}");
            StrategyAssert.AreEqual(spec["clusterIPs"], $$"""["{{clusterIp}}"]""");
            StrategyAssert.AreEqual(spec["ipFamilies"], """["IPv4"]""");
            Assert.That(spec["ipFamilyPolicy"]?.GetValue<string>(), Is.EqualTo("SingleStack"));
            StrategyAssert.AreEqual(spec["ports"], """[{"port":80,"protocol":"TCP","targetPort":80}]""");
        });
    }
}
