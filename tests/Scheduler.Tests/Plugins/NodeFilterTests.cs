using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Plugins;

namespace Nautilus.Scheduler.Tests.Plugins;

/// <summary>TaintToleration, NodeUnschedulable, NodeName, NodePorts, NodeAffinity filters, after kube's plugin tests.</summary>
public class NodeFilterTests
{
    private static IEnumerable<TestCaseData> TaintCases()
    {
        yield return new TestCaseData(T.Node("n"), T.Pod(), "Success").SetName("Taint_NoTaints_Fits");
        yield return new TestCaseData(T.Node("n").Taint("dedicated", "user1", "NoSchedule"), T.Pod(), "UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: user1}").SetName("Taint_NoScheduleNotTolerated_Unresolvable");
        yield return new TestCaseData(T.Node("n").Taint("dedicated", "user1", "NoSchedule"), T.Pod().Spec("""{"tolerations":[{"key":"dedicated","value":"user1","effect":"NoSchedule"}]}"""), "Success").SetName("Taint_EqualToleration_Fits");
        yield return new TestCaseData(T.Node("n").Taint("dedicated", "user1", "NoSchedule"), T.Pod().Spec("""{"tolerations":[{"key":"dedicated","operator":"Equal","value":"user2","effect":"NoSchedule"}]}"""), "UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: user1}").SetName("Taint_ValueMismatch_Unresolvable");
        yield return new TestCaseData(T.Node("n").Taint("foo", "bar", "NoSchedule"), T.Pod().Spec("""{"tolerations":[{"key":"foo","operator":"Exists","effect":"NoSchedule"}]}"""), "Success").SetName("Taint_ExistsToleration_Fits");
        yield return new TestCaseData(T.Node("n").Taint("foo", "bar", "NoExecute"), T.Pod().Spec("""{"tolerations":[{"operator":"Exists"}]}"""), "Success").SetName("Taint_TolerateEverything_Fits");
        yield return new TestCaseData(T.Node("n").Taint("foo", "bar", "NoExecute"), T.Pod().Spec("""{"tolerations":[{"key":"foo","operator":"Exists","effect":"NoSchedule"}]}"""), "UnschedulableAndUnresolvable: node(s) had untolerated taint {foo: bar}").SetName("Taint_EffectMismatch_Unresolvable");
        yield return new TestCaseData(T.Node("n").Taint("foo", "bar", "PreferNoSchedule"), T.Pod(), "Success").SetName("Taint_PreferNoScheduleIgnoredByFilter_Fits");
    }

    [TestCaseSource(nameof(TaintCases))]
    public void TaintToleration_Filter(NodeBuilder node, PodBuilder pod, string expected) =>
        Assert.That(T.Describe(T.Filter(new TaintToleration(), pod.Build(), node.Info())), Is.EqualTo(expected));

    [Test]
    public void TaintToleration_Score_FewerIntolerablePreferNoScheduleWins()
    {
        // kube taint_toleration_test.go: "the more intolerable taints a node has, the lower score it gets."
        var pod = T.Pod().Spec("""{"tolerations":[{"key":"foo","operator":"Equal","value":"bar","effect":"PreferNoSchedule"}]}""").Build();
        var nodes = new[]
        {
            T.Node("node1").Info(),
            T.Node("node2").Taint("cpu-type", "arm64", "PreferNoSchedule").Info(),
            T.Node("node3").Taint("cpu-type", "arm64", "PreferNoSchedule").Taint("disk-type", "ssd", "PreferNoSchedule").Info(),
        };

        Assert.That(T.Score(new TaintToleration(), pod, nodes), Is.EqualTo(new long[] { 100, 50, 0 }));
    }

    [Test]
    public void NodeUnschedulable_UnschedulableNode_RejectsUnlessTolerated()
    {
        var node = T.Node("n").Unschedulable().Info();
        var tolerating = T.Pod().Spec("""{"tolerations":[{"key":"node.kubernetes.io/unschedulable","operator":"Exists","effect":"NoSchedule"}]}""").Build();

        Assert.Multiple(() =>
        {
            Assert.That(T.Describe(T.Filter(new NodeUnschedulable(), T.Pod().Build(), node)), Is.EqualTo("UnschedulableAndUnresolvable: node(s) were unschedulable"));
            Assert.That(T.Filter(new NodeUnschedulable(), tolerating, node).IsSuccess, Is.True);
        });
    }

    [Test]
    public void NodeName_OtherNode_Rejected()
    {
        var pod = T.Pod().Node("other").Build();

        Assert.That(T.Describe(T.Filter(new NodeName(), pod, T.Node("n").Info())), Is.EqualTo("UnschedulableAndUnresolvable: node(s) didn't match the requested node name"));
    }

    private static IEnumerable<TestCaseData> PortCases()
    {
        // kube node_ports_test.go
        yield return new TestCaseData(T.Pod(), T.Pod("e"), true).SetName("Ports_NothingRunning_Fits");
        yield return new TestCaseData(T.Pod().HostPort(8080, "UDP", "127.0.0.1"), T.Pod("e").HostPort(9090, "UDP", "127.0.0.1"), true).SetName("Ports_OtherPort_Fits");
        yield return new TestCaseData(T.Pod().HostPort(8080, "UDP", "127.0.0.1"), T.Pod("e").HostPort(8080, "UDP", "127.0.0.1"), false).SetName("Ports_SamePortSameIp_Conflicts");
        yield return new TestCaseData(T.Pod().HostPort(8080, "UDP", "127.0.0.2"), T.Pod("e").HostPort(8080, "UDP", "127.0.0.1"), true).SetName("Ports_SamePortOtherIp_Fits");
        yield return new TestCaseData(T.Pod().HostPort(8080, "TCP", "127.0.0.1"), T.Pod("e").HostPort(8080, "UDP", "127.0.0.1"), true).SetName("Ports_SamePortOtherProtocol_Fits");
        yield return new TestCaseData(T.Pod().HostPort(8001, "TCP", "0.0.0.0"), T.Pod("e").HostPort(8001, "TCP", "127.0.0.1"), false).SetName("Ports_AnyIpVersusSpecific_Conflicts");
        yield return new TestCaseData(T.Pod().HostPort(8001, "TCP", "127.0.0.1"), T.Pod("e").HostPort(8001, "TCP"), false).SetName("Ports_SpecificVersusUnsetIp_Conflicts");
    }

    [TestCaseSource(nameof(PortCases))]
    public void NodePorts_Filter(PodBuilder pod, PodBuilder existing, bool fits)
    {
        var status = T.Filter(new NodePorts(), pod.Build(), T.Node("n").Info(existing.Build()));

        Assert.That(status.IsSuccess, Is.EqualTo(fits), T.Describe(status));
        if (!fits)
        {
            Assert.That(T.Describe(status), Is.EqualTo("Unschedulable: node(s) didn't have free ports for the requested pod ports"));
        }
    }

    private static IEnumerable<TestCaseData> AffinityCases()
    {
        // kube node_affinity_test.go
        const string Reject = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";
        yield return new TestCaseData(T.Pod(), T.Node("n"), "Success").SetName("Affinity_NoRequirements_Fits");
        yield return new TestCaseData(T.Pod().Spec("""{"nodeSelector":{"foo":"bar"}}"""), T.Node("n"), Reject).SetName("Affinity_NodeSelectorMissingLabel_Rejected");
        yield return new TestCaseData(T.Pod().Spec("""{"nodeSelector":{"foo":"bar"}}"""), T.Node("n").Label("foo", "bar"), "Success").SetName("Affinity_NodeSelectorMatches_Fits");
        yield return new TestCaseData(In("foo", "In", """["value1","value2"]"""), T.Node("n").Label("foo", "bar"), Reject).SetName("Affinity_InNotMatching_Rejected");
        yield return new TestCaseData(In("kernel-version", "Gt", """["0204"]"""), T.Node("n").Label("kernel-version", "0206"), "Success").SetName("Affinity_GtMatches_Fits");
        yield return new TestCaseData(In("kernel-version", "Lt", """["0204"]"""), T.Node("n").Label("kernel-version", "0206"), Reject).SetName("Affinity_LtNotMatching_Rejected");
        yield return new TestCaseData(In("mem-type", "NotIn", """["DDR","DDR2"]"""), T.Node("n").Label("mem-type", "DDR3"), "Success").SetName("Affinity_NotInMatches_Fits");
        yield return new TestCaseData(In("GPU", "Exists", "[]"), T.Node("n").Label("GPU", "NVIDIA-GRID-K1"), "Success").SetName("Affinity_ExistsMatches_Fits");
        yield return new TestCaseData(In("GPU", "DoesNotExist", "[]"), T.Node("n").Label("GPU", "NVIDIA-GRID-K1"), Reject).SetName("Affinity_DoesNotExistFails_Rejected");
        yield return new TestCaseData(T.Pod().Spec("""{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{}]}}}}"""), T.Node("n").Label("foo", "bar"), Reject).SetName("Affinity_EmptyTermMatchesNothing_Rejected");
        yield return new TestCaseData(T.Pod().Spec("""{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"foo","operator":"In","values":["x"]}]},{"matchExpressions":[{"key":"diffkey","operator":"In","values":["wrong","value2"]}]}]}}}}"""), T.Node("n").Label("diffkey", "value2"), "Success").SetName("Affinity_TermsAreOred_Fits");
        yield return new TestCaseData(T.Pod().Spec("""{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["n"]}]}]}}}}"""), T.Node("n"), "Success").SetName("Affinity_MatchFieldsName_Fits");
        yield return new TestCaseData(T.Pod().Spec("""{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["other"]}]}]}}}}"""), T.Node("n"), "UnschedulableAndUnresolvable: excluded by PreFilter").SetName("Affinity_MatchFieldsOtherName_ExcludedAtPreFilter");
        yield return new TestCaseData(T.Pod().Spec("""{"nodeSelector":{"foo":"bar"},"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"GPU","operator":"Exists"}]}]}}}}"""), T.Node("n").Label("GPU", "x"), Reject).SetName("Affinity_SelectorAndAffinityBothRequired_Rejected");
    }

    private static PodBuilder In(string key, string op, string values) =>
        T.Pod().Spec("{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"" + key + "\",\"operator\":\"" + op + "\",\"values\":" + values + "}]}]}}}}");

    [TestCaseSource(nameof(AffinityCases))]
    public void NodeAffinity_Filter(PodBuilder pod, NodeBuilder node, string expected) =>
        Assert.That(T.Describe(T.Filter(new NodeAffinity(), pod.Build(), node.Info())), Is.EqualTo(expected));

    [Test]
    public void NodeAffinity_Score_WeightsOfMatchingPreferredTerms()
    {
        // kube node_affinity_test.go TestNodeAffinityPriority "all nodes matches the preferred scheduling policies".
        var pod = T.Pod().Spec("""
            {"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
              {"weight":2,"preference":{"matchExpressions":[{"key":"foo","operator":"In","values":["bar"]}]}},
              {"weight":4,"preference":{"matchExpressions":[{"key":"key","operator":"In","values":["value"]}]}},
              {"weight":5,"preference":{"matchExpressions":[{"key":"foo","operator":"In","values":["bar"]},{"key":"key","operator":"In","values":["value"]},{"key":"az","operator":"In","values":["az1"]}]}}]}}}
            """).Build();
        var nodes = new[]
        {
            T.Node("node1").Label("foo", "bar").Info(),
            T.Node("node2").Label("key", "value").Info(),
            T.Node("node3").Label("foo", "bar").Label("key", "value").Label("az", "az1").Info(),
        };

        Assert.That(T.Score(new NodeAffinity(), pod, nodes), Is.EqualTo(new long[] { 18, 36, 100 }));
    }

    [Test]
    public void ImageLocality_Score_ScalesBySizeAndSpread()
    {
        // After kube image_locality_test.go (sizes and spread computed by hand):
        // node1 has gcr.io/40:latest (40MB), node2 has gcr.io/300:latest (300MB); pod wants both.
        const long Mb = 1024 * 1024;
        var pod = T.Pod().Container("""{"name":"a","image":"gcr.io/40"}""").Container("""{"name":"b","image":"gcr.io/300"}""").Build();
        var nodes = new[]
        {
            T.Node("node1").Image(40 * Mb, "gcr.io/40:latest").Image(2000 * Mb, "gcr.io/2000:latest").Info(),
            T.Node("node2").Image(300 * Mb, "gcr.io/300:latest").Image(250 * Mb, "gcr.io/250:latest").Info(),
        };

        // node1: 40MB * 1/2 = 20MB < 23MB -> 0. node2: 300MB * 1/2 = 150MB -> 100 * (150-23) / (2000-23) = 6.
        Assert.That(T.Score(new ImageLocality(), pod, nodes), Is.EqualTo(new long[] { 0, 6 }));
    }

    [Test]
    public void VolumeBinding_MissingUnboundAndBoundClaims()
    {
        var lister = new FakeLister();
        lister.Claims["default/bound"] = new ClaimInfo("default", "bound", "pv1", false);
        lister.Claims["default/unbound"] = new ClaimInfo("default", "unbound", "", false);
        lister.Volumes["pv1"] = new VolumeInfo("pv1", Internal.Model.NodeSelector.Parse(System.Text.Json.Nodes.JsonNode.Parse("""{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}""")!.AsObject()));
        var plugin = new VolumeBinding(new FrameworkHandle { Lister = lister });
        PodBuilder WithClaim(string claim) => T.Pod().Spec($$$"""{"volumes":[{"name":"v","persistentVolumeClaim":{"claimName":"{{{claim}}}"}}]}""");

        Assert.Multiple(() =>
        {
            Assert.That(T.Describe(T.Filter(plugin, WithClaim("missing").Build(), T.Node("n").Info())), Is.EqualTo("UnschedulableAndUnresolvable: persistentvolumeclaim \"missing\" not found"));
            Assert.That(T.Describe(T.Filter(plugin, WithClaim("unbound").Build(), T.Node("n").Info())), Is.EqualTo("UnschedulableAndUnresolvable: pod has unbound immediate PersistentVolumeClaims"));
            Assert.That(T.Filter(plugin, WithClaim("bound").Build(), T.Node("n").Label("zone", "a").Info()).IsSuccess, Is.True);
            Assert.That(T.Describe(T.Filter(plugin, WithClaim("bound").Build(), T.Node("n").Label("zone", "b").Info())), Is.EqualTo("UnschedulableAndUnresolvable: node(s) had volume node affinity conflict"));
        });
    }
}
