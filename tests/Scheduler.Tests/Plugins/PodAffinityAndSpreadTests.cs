using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;
using Nautilus.Scheduler.Internal.Plugins;

namespace Nautilus.Scheduler.Tests.Plugins;

/// <summary>InterPodAffinity and PodTopologySpread, after kube's filtering_test.go and scoring_test.go cases.</summary>
public class PodAffinityAndSpreadTests
{
    private static InterPodAffinity Affinity(FakeLister? lister = null) => new(new FrameworkHandle { Lister = lister ?? new FakeLister() });

    private const string ZoneAffinityToSecurityS1 = """
        {"affinity":{"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
          {"labelSelector":{"matchExpressions":[{"key":"security","operator":"In","values":["S1"]}]},"topologyKey":"zone"}]}}}
        """;

    private const string ZoneAntiAffinityToSecurityS1 = """
        {"affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
          {"labelSelector":{"matchExpressions":[{"key":"security","operator":"In","values":["S1"]}]},"topologyKey":"zone"}]}}}
        """;

    private static Status FilterOn(IPlugin plugin, PodInfo pod, string target, params NodeInfo[] nodes)
    {
        var snapshot = Snapshot.From(nodes);
        return T.Filter(plugin, pod, snapshot.Get(target)!, snapshot);
    }

    [Test]
    public void InterPodAffinity_AffinityMatchedInZone_Fits()
    {
        var pod = T.Pod().Spec(ZoneAffinityToSecurityS1).Build();
        var n1 = T.Node("n1").Label("zone", "z1").Info(T.Pod("s1").Label("security", "S1").Build());
        var n2 = T.Node("n2").Label("zone", "z1").Info();
        var n3 = T.Node("n3").Label("zone", "z2").Info();

        Assert.Multiple(() =>
        {
            Assert.That(FilterOn(Affinity(), pod, "n2", n1, n2, n3).IsSuccess, Is.True, "same zone as the matching pod");
            Assert.That(T.Describe(FilterOn(Affinity(), pod, "n3", n1, n2, n3)), Is.EqualTo("UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules"));
        });
    }

    [Test]
    public void InterPodAffinity_FirstPodMatchingItsOwnAffinity_Fits()
    {
        var pod = T.Pod().Label("security", "S1").Spec(ZoneAffinityToSecurityS1).Build();

        Assert.That(FilterOn(Affinity(), pod, "n1", T.Node("n1").Label("zone", "z1").Info()).IsSuccess, Is.True);
    }

    [Test]
    public void InterPodAffinity_NodeWithoutTopologyKey_Rejected()
    {
        var pod = T.Pod().Label("security", "S1").Spec(ZoneAffinityToSecurityS1).Build();

        Assert.That(T.Describe(FilterOn(Affinity(), pod, "n1", T.Node("n1").Info())), Is.EqualTo("UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules"));
    }

    [Test]
    public void InterPodAffinity_AntiAffinityMatchedInZone_Rejected()
    {
        var pod = T.Pod().Spec(ZoneAntiAffinityToSecurityS1).Build();
        var n1 = T.Node("n1").Label("zone", "z1").Info(T.Pod("s1").Label("security", "S1").Build());
        var n2 = T.Node("n2").Label("zone", "z1").Info();
        var n3 = T.Node("n3").Label("zone", "z2").Info();

        Assert.Multiple(() =>
        {
            Assert.That(T.Describe(FilterOn(Affinity(), pod, "n2", n1, n2, n3)), Is.EqualTo("Unschedulable: node(s) didn't match pod anti-affinity rules"));
            Assert.That(FilterOn(Affinity(), pod, "n3", n1, n2, n3).IsSuccess, Is.True);
        });
    }

    [Test]
    public void InterPodAffinity_ExistingPodAntiAffinity_Rejected()
    {
        var existing = T.Pod("e").Spec(ZoneAntiAffinityToSecurityS1).Build();
        var pod = T.Pod().Label("security", "S1").Build();
        var n1 = T.Node("n1").Label("zone", "z1").Info(existing);
        var n2 = T.Node("n2").Label("zone", "z1").Info();
        var n3 = T.Node("n3").Label("zone", "z2").Info();

        Assert.Multiple(() =>
        {
            Assert.That(T.Describe(FilterOn(Affinity(), pod, "n2", n1, n2, n3)), Is.EqualTo("Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules"));
            Assert.That(FilterOn(Affinity(), pod, "n3", n1, n2, n3).IsSuccess, Is.True);
        });
    }

    [Test]
    public void InterPodAffinity_OtherNamespace_NotCountedUnlessSelected()
    {
        var lister = new FakeLister();
        lister.NamespaceMap["team-a"] = new() { ["team"] = "a" };
        var other = T.Pod("s1", "team-a").Label("security", "S1").Build();
        var n1 = T.Node("n1").Label("zone", "z1").Info(other);
        var plain = T.Pod().Spec(ZoneAntiAffinityToSecurityS1).Build();
        var selecting = T.Pod().Spec(ZoneAntiAffinityToSecurityS1.Replace("\"topologyKey\":\"zone\"", "\"topologyKey\":\"zone\",\"namespaceSelector\":{\"matchLabels\":{\"team\":\"a\"}}")).Build();

        Assert.Multiple(() =>
        {
            Assert.That(FilterOn(Affinity(lister), plain, "n1", n1).IsSuccess, Is.True, "without namespaces the term covers only the pod's namespace");
            Assert.That(FilterOn(Affinity(lister), selecting, "n1", n1).IsSuccess, Is.False, "namespaceSelector selects team-a");
        });
    }

    [Test]
    public void InterPodAffinity_Score_PreferredAffinityNormalized()
    {
        // kube scoring_test.go: "Affinity: pod that matches topology key & pods in nodes will get high score comparing to others".
        var pod = T.Pod().Spec("""
            {"affinity":{"podAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
              {"weight":5,"podAffinityTerm":{"labelSelector":{"matchExpressions":[{"key":"security","operator":"In","values":["S1"]}]},"topologyKey":"region"}}]}}}
            """).Build();
        var nodes = new[]
        {
            T.Node("node1").Label("region", "China").Info(T.Pod("a").Label("security", "S1").Build()),
            T.Node("node2").Label("region", "India").Info(T.Pod("b").Label("security", "S2").Build()),
            T.Node("node3").Label("az", "az1").Info(),
        };

        Assert.That(T.Score(Affinity(), pod, nodes), Is.EqualTo(new long[] { 100, 0, 0 }));
    }

    private const string SpreadZone1 = """{"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule","labelSelector":{"matchLabels":{"foo":"bar"}}}]}""";

    [Test]
    public void PodTopologySpread_Filter_SkewAgainstGlobalMinimum()
    {
        // kube filtering_test.go "pods spread across zones as 3/3, all nodes fit" variant: zone1 has 2, zone2 has 1.
        var pod = T.Pod().Label("foo", "bar").Spec(SpreadZone1).Build();
        PodInfo Match(string n) => T.Pod(n).Label("foo", "bar").Build();
        var a = T.Node("a").Label("zone", "z1").Info(Match("p1"), Match("p2"));
        var b = T.Node("b").Label("zone", "z1").Info();
        var x = T.Node("x").Label("zone", "z2").Info(Match("p3"));
        var y = T.Node("y").Label("zone", "z2").Info();

        Assert.Multiple(() =>
        {
            Assert.That(T.Describe(FilterOn(new PodTopologySpread(), pod, "b", a, b, x, y)), Is.EqualTo("Unschedulable: node(s) didn't match pod topology spread constraints"));
            Assert.That(FilterOn(new PodTopologySpread(), pod, "y", a, b, x, y).IsSuccess, Is.True);
        });
    }

    [Test]
    public void PodTopologySpread_Filter_NodeMissingKey_Unresolvable()
    {
        var pod = T.Pod().Label("foo", "bar").Spec(SpreadZone1).Build();

        Assert.That(T.Describe(FilterOn(new PodTopologySpread(), pod, "n", T.Node("n").Info())), Is.EqualTo("UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)"));
    }

    [Test]
    public void PodTopologySpread_Filter_MinDomainsTreatsMinimumAsZero()
    {
        var pod = T.Pod().Label("foo", "bar").Spec(SpreadZone1.Replace("\"maxSkew\":1", "\"maxSkew\":1,\"minDomains\":3")).Build();
        var a = T.Node("a").Label("zone", "z1").Info(T.Pod("p1").Label("foo", "bar").Build());
        var x = T.Node("x").Label("zone", "z2").Info(T.Pod("p2").Label("foo", "bar").Build());

        Assert.That(FilterOn(new PodTopologySpread(), pod, "a", a, x).IsSuccess, Is.False, "only 2 of 3 domains exist: the minimum counts as 0, so 1 + 1 - 0 > 1");
    }

    [Test]
    public void PodTopologySpread_Score_FewerMatchingPodsScoresHigher()
    {
        // kube scoring_test.go "one constraint on node, all 4 nodes are candidates": counts 2,1,0,3 on hostname, maxSkew 1.
        var pod = T.Pod().Label("foo", "").Spec("""{"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"ScheduleAnyway","labelSelector":{"matchExpressions":[{"key":"foo","operator":"Exists"}]}}]}""").Build();
        PodInfo Match(string n) => T.Pod(n).Label("foo", "").Build();
        var nodes = new[]
        {
            T.Node("node-a").Info(Match("a1"), Match("a2")),
            T.Node("node-b").Info(Match("b1")),
            T.Node("node-c").Info(),
            T.Node("node-d").Info(Match("d1"), Match("d2"), Match("d3")),
        };

        Assert.That(T.Score(new PodTopologySpread(), pod, nodes), Is.EqualTo(new long[] { 20, 60, 100, 0 }));
    }
}
