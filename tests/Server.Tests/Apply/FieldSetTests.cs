using System.Text.Json.Nodes;
using Nautilus.Server.Api.Apply;

namespace Nautilus.Server.Tests.Apply;

public sealed class FieldSetTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static MergeSchema Deployment => MergeSchema.ForKind("apps", "v1", "Deployment")!;

    private static MergeSchema Pod => MergeSchema.ForKind("", "v1", "Pod")!;

    // (object, kind schema, the FieldsV1 kube-apiserver records for an applier of that object)
    private static readonly object[] FieldSetCases =
    [
        new object[]
        {
            "deployment: selector is atomic, containers by name, labels a map",
            """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}
            """,
            "Deployment",
            """
            {"f:apiVersion":{},"f:kind":{},"f:metadata":{"f:labels":{"f:app":{}},"f:name":{}},
             "f:spec":{"f:replicas":{},"f:selector":{},
                       "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}}
            """,
        },
        new object[]
        {
            "pod: ports keyed by containerPort and the defaulted protocol, env by name, finalizers a set, tolerations atomic",
            """
            {"metadata":{"finalizers":["example.com/a"]},
             "spec":{"tolerations":[{"key":"k","operator":"Exists"}],
                     "containers":[{"name":"c","ports":[{"containerPort":80}],"env":[{"name":"A","value":"1"}],"args":["x"]}]}}
            """,
            "Pod",
            """
            {"f:metadata":{"f:finalizers":{"v:\"example.com/a\"":{}}},
             "f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:args":{},"f:env":{"k:{\"name\":\"A\"}":{".":{},"f:name":{},"f:value":{}}},"f:name":{},
                       "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}},"f:tolerations":{}}}
            """,
        },
    ];

    [TestCaseSource(nameof(FieldSetCases))]
    public void ToFieldSet_ServedKind_GivesKubesFieldsV1(string scenario, string obj, string kind, string expected)
    {
        var schema = kind == "Pod" ? Pod : Deployment;

        var set = TypedValue.ToFieldSet(JsonNode.Parse(obj), schema);

        Assert.That(set.ToFieldsV1().ToJsonString(Relaxed), Is.EqualTo(JsonNode.Parse(expected)!.ToJsonString(Relaxed)), scenario);
    }

    [Test]
    public void FieldsV1_RoundTrip_KeepsMembersChildrenAndSelf()
    {
        var text = """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:image":{}}}}}}}""";

        var set = FieldSet.FromFieldsV1((JsonObject)JsonNode.Parse(text)!);

        Assert.That(set.ToFieldsV1().ToJsonString(Relaxed), Is.EqualTo(text));
        Assert.That(set.Has([PathElement.Field("metadata"), PathElement.Field("labels")]), Is.True);
        Assert.That(set.Has([PathElement.Field("metadata")]), Is.False);
    }

    [Test]
    public void ToFieldsV1_MixedElements_SortsFieldsBeforeKeysBeforeValues()
    {
        var set = FieldSet.Of(
            [PathElement.OfValue("b")],
            [PathElement.Key([("name", "z")])],
            [PathElement.Field("z")],
            [PathElement.Field("a")],
            [PathElement.OfValue("a")]);

        Assert.That(string.Join(",", set.ToFieldsV1().Select(p => p.Key)), Is.EqualTo("f:a,f:z,k:{\"name\":\"z\"},v:\"a\",v:\"b\""));
    }

    [Test]
    public void SetOperations_OverNestedPaths_FollowFieldpathSemantics()
    {
        var spec = PathElement.Field("spec");
        var a = FieldSet.Of([spec, PathElement.Field("replicas")], [spec, PathElement.Field("paused")], [PathElement.Field("status")]);
        var b = FieldSet.Of([spec, PathElement.Field("replicas")]);

        Assert.Multiple(() =>
        {
            Assert.That(a.Difference(b).ToString(), Is.EqualTo("""{"f:spec":{"f:paused":{}},"f:status":{}}"""));
            Assert.That(a.Intersection(b).ToString(), Is.EqualTo("""{"f:spec":{"f:replicas":{}}}"""));
            Assert.That(a.RecursiveDifference(FieldSet.Of([spec])).ToString(), Is.EqualTo("""{"f:status":{}}"""));
            Assert.That(b.Union(FieldSet.Of([spec])).ToString(), Is.EqualTo("""{"f:spec":{".":{},"f:replicas":{}}}"""));
        });
    }

    [Test]
    public void Compare_CreatedLabelsAndItems_MarkTheNewNodesThemselves()
    {
        var before = JsonNode.Parse("""{"metadata":{},"spec":{"template":{"spec":{"containers":null}}}}""");
        var after = JsonNode.Parse("""{"metadata":{"labels":{"app":"x"}},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}""");

        var comparison = TypedValue.Compare(before, after, Deployment);

        Assert.That(comparison.Added.ToString(), Is.EqualTo(
            """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{}}}}}}}"""));
        Assert.That(comparison.Modified.IsEmpty && comparison.Removed.IsEmpty, Is.True);
    }

    [Test]
    public void PathFormat_KeyedItem_IsWrittenAsConflictMessagesWriteIt()
    {
        PathElement[] path = [PathElement.Field("spec"), PathElement.Field("ports"), PathElement.Key([("port", 80), ("protocol", "TCP")]), PathElement.Field("targetPort")];

        Assert.That(PathElement.Format(path), Is.EqualTo(""".spec.ports[port=80,protocol="TCP"].targetPort"""));
    }

    [Test]
    public void FromFieldsV1_SameBytes_SharesOneReadOnlySet()
    {
        const string Fields = """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{}}}}}""";

        var first = FieldSet.FromFieldsV1((JsonObject)JsonNode.Parse(Fields)!);
        var second = FieldSet.FromFieldsV1((JsonObject)JsonNode.Parse(Fields)!);

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.SameAs(first));
            Assert.That(first.ToFieldsV1().ToJsonString(Relaxed), Is.EqualTo(Fields));
            Assert.Throws<InvalidOperationException>(() => first.AddMember(PathElement.Field("status")));
            Assert.That(first.Union(FieldSet.Of([PathElement.Field("status")])).ToFieldsV1().ToJsonString(Relaxed), Does.StartWith("""{"f:metadata":"""), "operations on a shared set make new sets");
        });
    }
}
