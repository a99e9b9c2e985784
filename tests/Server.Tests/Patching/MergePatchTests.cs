using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Patching;

namespace Nautilus.Server.Tests.Patching;

/// <summary>
/// Strategic merge patch driven by the kind's schema markers, with the outcomes kube-apiserver
/// gives for the same patches (staging/src/k8s.io/apimachinery/pkg/util/strategicpatch).
/// </summary>
public sealed class MergePatchTests
{
    private static IEnumerable<TestCaseData> StrategicCases() => new (string Scenario, string Kind, string Target, string Patch, string Expected)[]
    {
        ("ContainersMergeByName", "Pod",
            """{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"2"}]}}""",
            """{"spec":{"containers":[{"name":"b","image":"3"}]}}""",
            """{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"3"}]}}"""),
        ("NewContainerAppended", "Pod",
            """{"spec":{"containers":[{"name":"a","image":"1"}]}}""",
            """{"spec":{"containers":[{"name":"c","image":"9"}]}}""",
            """{"spec":{"containers":[{"name":"a","image":"1"},{"name":"c","image":"9"}]}}"""),
        ("ContainerPortsMergeByContainerPort", "Pod",
            """{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"}]}]}}""",
            """{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"web"},{"containerPort":443}]}]}}""",
            """{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"web"},{"containerPort":443}]}]}}"""),
        ("EnvMergesByName_DeleteDirective", "Pod",
            """{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]}]}}""",
            """{"spec":{"containers":[{"name":"a","env":[{"$patch":"delete","name":"X"}]}]}}""",
            """{"spec":{"containers":[{"name":"a","env":[{"name":"Y","value":"2"}]}]}}"""),
        ("TolerationsAreAtomic_Replaced", "Pod",
            """{"spec":{"tolerations":[{"key":"a","operator":"Exists"}]}}""",
            """{"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}}""",
            """{"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}}"""),
        ("ContainerArgsAreAtomic_Replaced", "Pod",
            """{"spec":{"containers":[{"name":"a","args":["x","y"]}]}}""",
            """{"spec":{"containers":[{"name":"a","args":["z"]}]}}""",
            """{"spec":{"containers":[{"name":"a","args":["z"]}]}}"""),
        ("FinalizersMergeAsASet", "ConfigMap",
            """{"metadata":{"finalizers":["a","b"]}}""",
            """{"metadata":{"finalizers":["b","c"]}}""",
            """{"metadata":{"finalizers":["a","b","c"]}}"""),
        ("DeleteFromPrimitiveList", "ConfigMap",
            """{"metadata":{"finalizers":["a","b"]}}""",
            """{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}""",
            """{"metadata":{"finalizers":["b"]}}"""),
        ("ServicePortsMergeByPort", "Service",
            """{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}}""",
            """{"spec":{"ports":[{"port":80,"targetPort":9090}]}}""",
            """{"spec":{"ports":[{"port":80,"targetPort":9090},{"port":443}]}}"""),
        ("RetainKeysClearsTheOtherStrategy", "Deployment",
            """{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}""",
            """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""",
            """{"spec":{"strategy":{"type":"Recreate"}}}"""),
        ("ReplaceDirectiveOnAMergeList", "Pod",
            """{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""",
            """{"spec":{"containers":[{"$patch":"replace"},{"name":"c"}]}}""",
            """{"spec":{"containers":[{"name":"c"}]}}"""),
        ("SetElementOrder_ReordersTheMergedList", "Pod",
            """{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""",
            """{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a","image":"x"}]}}""",
            """{"spec":{"containers":[{"name":"b"},{"name":"a","image":"x"}]}}"""),
        ("LabelsAreAMap_NullDeletes", "ConfigMap",
            """{"metadata":{"labels":{"a":"1","b":"2"}}}""",
            """{"metadata":{"labels":{"a":null,"c":"3"}}}""",
            """{"metadata":{"labels":{"b":"2","c":"3"}}}"""),
    }.Select(c => new TestCaseData(c.Kind, c.Target, c.Patch, c.Expected).SetArgDisplayNames(c.Scenario));

    [TestCaseSource(nameof(StrategicCases))]
    public void Strategic_FollowsTheSchemasPatchStrategies(string kind, string target, string patch, string expected)
    {
        var schema = ModelSchema.ForKind(kind == "Deployment" ? "apps" : "", "v1", kind);

        var result = MergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch), strategic: true, schema);

        Assert.That(result!.ToJsonString(), Is.EqualTo(JsonNode.Parse(expected)!.ToJsonString()));
    }

    [Test]
    public void Strategic_UnmodelledKind_KnowsObjectMetadata()
    {
        var result = MergePatch.Apply(
            JsonNode.Parse("""{"metadata":{"finalizers":["a"]},"spec":{"list":[1,2]}}"""),
            JsonNode.Parse("""{"metadata":{"finalizers":["b"]},"spec":{"list":[3]}}"""),
            strategic: true);

        Assert.That(result!.ToJsonString(), Is.EqualTo("""{"metadata":{"finalizers":["a","b"]},"spec":{"list":[3]}}"""));
    }

    [Test]
    public void JsonMergePatch_ReplacesEveryList()
    {
        var result = MergePatch.Apply(
            JsonNode.Parse("""{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"""),
            JsonNode.Parse("""{"spec":{"containers":[{"name":"b","image":"x"}]}}"""),
            strategic: false);

        Assert.That(result!.ToJsonString(), Is.EqualTo("""{"spec":{"containers":[{"name":"b","image":"x"}]}}"""));
    }

    [Test]
    public void Strategic_MergeListItemWithoutItsKey_FailsAsStrategicpatchDoes()
    {
        var error = Assert.Throws<ApiException>(() => MergePatch.Apply(
            JsonNode.Parse("""{"spec":{"containers":[{"name":"a"}]}}"""),
            JsonNode.Parse("""{"spec":{"containers":[{"image":"x"}]}}"""),
            strategic: true,
            ModelSchema.ForKind("", "v1", "Pod")))!;

        Assert.That((error.Code, error.Message), Is.EqualTo((500, "map: map[image:x] does not contain declared merge key: name")));
    }
}
