using System.Text.Json.Nodes;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;
using Nautilus.Scheduler.Internal.Plugins;

namespace Nautilus.Scheduler.Tests.Plugins;

/// <summary>
/// PodTopologySpread's system default constraints (defaultingType: System, the default-scheduler
/// profile): a pod without constraints is scored with hostname maxSkew 3 and zone maxSkew 5,
/// ScheduleAnyway, selecting what the services and the controlling workload that select it
/// select (kube's scoring_test.go and helper.DefaultSelector cases). Expected scores follow
/// kube's formula: count × log(domains + 2) + maxSkew - 1 per constraint, rounded, normalized
/// as 100 × (max + min - score) / max.
/// </summary>
public sealed class DefaultSpreadTests
{
    internal sealed record Case(
        string Scenario,
        ProfileConfig Profile,
        PodInfo Pod,
        NodeInfo[] Nodes,
        Action<FakeLister> Objects,
        long[] Expected)
    {
        public override string ToString() => Scenario;
    }

    private static PodInfo Web(string name) => T.Pod(name).Label("app", "web").Build();

    private static IEnumerable<TestCaseData> Cases() => new Case[]
    {
        new("ServiceSelectsPod_NodesWithoutZone_SpreadByHostnameOnly",
            ProfileConfig.DefaultScheduler(),
            T.Pod().Label("app", "web").Build(),
            [T.Node("a").Info(Web("a1")), T.Node("b").Info(Web("b1"), Web("b2")), T.Node("c").Info()],
            lister => lister.Services["default"] = [new() { ["app"] = "web" }],
            [60, 40, 100]),
        new("ReplicaSetSelectsPod_NodeWithoutZoneIsItsOwnDomain",
            ProfileConfig.DefaultScheduler(),
            T.Pod().Label("app", "web").Owner("web-rs").Build(),
            [
                T.Node("a").Label("topology.kubernetes.io/zone", "z1").Info(Web("a1")),
                T.Node("b").Label("topology.kubernetes.io/zone", "z1").Info(),
                T.Node("c").Label("topology.kubernetes.io/zone", "z2").Info(T.Pod("db").Label("app", "db").Build()),
                T.Node("d").Info(),
            ],
            lister => lister.Workloads[("ReplicaSet", "default/web-rs")] = LabelSelector.Parse(new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } }),
            [22, 33, 55, 100]),
        new("NothingSelectsPod_NoDefaultConstraints",
            ProfileConfig.DefaultScheduler(),
            T.Pod().Label("app", "web").Build(),
            [T.Node("a").Info(Web("a1")), T.Node("b").Info()],
            lister => lister.Services["default"] = [new() { ["app"] = "other" }],
            [0, 0]),
        new("ServiceInAnotherNamespace_DoesNotSelect",
            ProfileConfig.DefaultScheduler(),
            T.Pod().Label("app", "web").Build(),
            [T.Node("a").Info(Web("a1")), T.Node("b").Info()],
            lister => lister.Services["elsewhere"] = [new() { ["app"] = "web" }],
            [0, 0]),
        new("NautilusProfile_DoesNotDefault",
            ProfileConfig.NautilusScheduler(),
            T.Pod().Label("app", "web").Build(),
            [T.Node("a").Info(Web("a1")), T.Node("b").Info()],
            lister => lister.Services["default"] = [new() { ["app"] = "web" }],
            [0, 0]),
    }.Select(c => new TestCaseData(c).SetArgDisplayNames(c.Scenario));

    [TestCaseSource(nameof(Cases))]
    public void Score_WithSystemDefaults_MatchesKube(object row)
    {
        var c = (Case)row;
        var lister = new FakeLister();
        c.Objects(lister);
        var plugin = new PodTopologySpread(new FrameworkHandle { Lister = lister, Profile = c.Profile });

        Assert.That(T.Score(plugin, c.Pod, c.Nodes), Is.EqualTo(c.Expected));
    }

    [Test]
    public void PodWithOwnConstraints_IgnoresTheDefaults()
    {
        var lister = new FakeLister();
        lister.Services["default"] = [new() { ["app"] = "web" }];
        var plugin = new PodTopologySpread(new FrameworkHandle { Lister = lister, Profile = ProfileConfig.DefaultScheduler() });
        var pod = T.Pod().Label("app", "web").Spec("""{"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"rack","whenUnsatisfiable":"ScheduleAnyway","labelSelector":{"matchLabels":{"app":"web"}}}]}""").Build();

        // Only nodes with a rack take part; their hostnames would have scored the same.
        var scores = T.Score(plugin, pod, [T.Node("a").Label("rack", "r1").Info(Web("a1")), T.Node("b").Label("rack", "r2").Info(), T.Node("c").Info()]);

        Assert.That(scores, Is.EqualTo(new long[] { 0, 100, 0 }));
    }

    [Test]
    public void DefaultConstraints_NeverFilter()
    {
        var lister = new FakeLister();
        lister.Services["default"] = [new() { ["app"] = "web" }];
        var plugin = new PodTopologySpread(new FrameworkHandle { Lister = lister, Profile = ProfileConfig.DefaultScheduler() });
        var crowded = T.Node("a").Info(Web("a1"), Web("a2"), Web("a3"), Web("a4"), Web("a5"));

        Assert.That(T.Filter(plugin, T.Pod().Label("app", "web").Build(), crowded).IsSuccess, Is.True, "the defaults are ScheduleAnyway");
    }

    [Test]
    public void DefaultSelector_MergesServicesAndAddsTheWorkloadsRequirements()
    {
        var lister = new FakeLister();
        lister.Services["default"] = [new() { ["app"] = "web" }, new() { ["tier"] = "front" }, new() { ["app"] = "db" }];
        lister.Workloads[("StatefulSet", "default/web")] = LabelSelector.Parse(JsonNode.Parse("""{"matchExpressions":[{"key":"shard","operator":"Exists"}]}""")!.AsObject());
        var pod = T.Pod().Label("app", "web").Label("tier", "front").Label("shard", "0").Owner("web", "StatefulSet").Build();

        var selector = PodTopologySpread.DefaultSelector(pod, lister);

        Assert.That(selector.Matches(new() { ["app"] = "web", ["tier"] = "front", ["shard"] = "7" }), Is.True);
        Assert.That(selector.Matches(new() { ["app"] = "web", ["tier"] = "front" }), Is.False, "the stateful set's requirement");
        Assert.That(selector.Matches(new() { ["app"] = "web", ["shard"] = "7" }), Is.False, "the second service's selector");
    }

    [Test]
    public void DefaultSelector_OwnerOfAnotherKind_AddsNothing()
    {
        var lister = new FakeLister();
        lister.Workloads[("ReplicaSet", "default/job-1")] = LabelSelector.Parse(new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } });
        var pod = T.Pod().Label("app", "web").Owner("job-1", "Job", "batch/v1").Build();

        Assert.That(PodTopologySpread.DefaultSelector(pod, lister).IsEmpty, Is.True);
    }
}
