using System.Text;
using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests.Machinery;

public sealed class CachedObjectTests
{
    private const string Pod = """
        {"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-1","namespace":"prod","uid":"u-1","resourceVersion":"42",
        "labels":{"app":"web","tier":"front"},"finalizers":["example.com/keep"],
        "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web","uid":"rs-1","controller":true,"blockOwnerDeletion":true},
        {"apiVersion":"v1","kind":"ConfigMap","name":"cm","uid":"cm-1"}],
        "managedFields":[{"manager":"kubectl","operation":"Update","fieldsV1":{"f:metadata":{}}}]},
        "spec":{"containers":[{"name":"c","image":"nginx"}],"nodeName":"node-7"},"status":{"phase":"Running",
        "conditions":[{"type":"PodScheduled","status":"True","lastTransitionTime":"2025-12-31T00:00:00Z"},{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}
        """;

    [Test]
    public void FromUtf8_ReadsTheMetadataIndexesNeed()
    {
        var cached = CachedObject.FromUtf8(Encoding.UTF8.GetBytes(Pod));

        Assert.Multiple(() =>
        {
            Assert.That(cached.Key, Is.EqualTo("prod/web-1"));
            Assert.That(cached.Namespace, Is.EqualTo("prod"));
            Assert.That(cached.Name, Is.EqualTo("web-1"));
            Assert.That(cached.Uid, Is.EqualTo("u-1"));
            Assert.That(cached.ResourceVersion, Is.EqualTo("42"));
            Assert.That(cached.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" }));
            Assert.That(cached.Labels["tier"], Is.EqualTo("front"));
            Assert.That(cached.Labels["absent"], Is.Null);
            Assert.That(cached.Finalizers, Is.EqualTo(new[] { "example.com/keep" }));
            Assert.That(cached.OwnerReferences, Has.Count.EqualTo(2));
            Assert.That(cached.ControllerOf(), Is.EqualTo(new ControllerReference("apps/v1", "ReplicaSet", "web", "rs-1", true, true)));
            Assert.That(cached.NodeName, Is.EqualTo("node-7"));
            Assert.That(cached.IsBeingDeleted, Is.False);
            Assert.That(cached.Phase, Is.EqualTo("Running"));
            Assert.That(cached.IsActivePod, Is.True);
            Assert.That(cached.IsReady, Is.True);
            Assert.That(cached.ReadySince, Is.EqualTo(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(cached.IsAvailable(10, new DateTimeOffset(2026, 1, 1, 0, 0, 5, TimeSpan.Zero)), Is.False);
            Assert.That(cached.IsAvailable(10, new DateTimeOffset(2026, 1, 1, 0, 0, 11, TimeSpan.Zero)), Is.True);
        });
    }

    [TestCase("""{"metadata":{"name":"a","managedFields":[{"manager":"m"}],"uid":"u"},"spec":{}}""", """{"metadata":{"name":"a","uid":"u"},"spec":{}}""", TestName = "ManagedFields_InTheMiddle_AreDropped")]
    [TestCase("""{"metadata":{"name":"a","managedFields":[{"manager":"m"}]}}""", """{"metadata":{"name":"a"}}""", TestName = "ManagedFields_Last_AreDropped")]
    [TestCase("""{"metadata":{"managedFields":[{"manager":"m"}]},"spec":{}}""", """{"metadata":{},"spec":{}}""", TestName = "ManagedFields_Only_AreDropped")]
    [TestCase("{ \"metadata\" : { \"name\" : \"a\" ,\n \"managedFields\" : [ ] \n } }", """{"metadata":{"name":"a"}}""", TestName = "ManagedFields_WithWhitespace_AreDropped")]
    [TestCase("""{"metadata":{"name":"a"},"spec":{"managedFields":1}}""", """{"metadata":{"name":"a"},"spec":{"managedFields":1}}""", TestName = "ManagedFields_OutsideMetadata_AreKept")]
    public void FromUtf8_DropsManagedFieldsOnly(string json, string expected)
    {
        var cached = CachedObject.FromUtf8(Encoding.UTF8.GetBytes(json));

        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(cached.Utf8Json), JsonNode.Parse(expected)), Is.True, cached.ToString());
    }

    [Test]
    public void ToJsonObject_IsTheObjectLessManagedFields_AndTheCallersOwn()
    {
        var cached = CachedObject.FromUtf8(Encoding.UTF8.GetBytes(Pod));
        var expected = (JsonObject)JsonNode.Parse(Pod)!;
        ((JsonObject)expected["metadata"]!).Remove("managedFields");

        var first = cached.ToJsonObject();
        first["spec"]!["nodeName"] = "changed";

        Assert.That(JsonNode.DeepEquals(cached.ToJsonObject(), expected), Is.True);
    }

    [Test]
    public void FromUtf8_ClusterScopedBeingDeleted_KeyIsTheName()
    {
        var cached = CachedObject.FromUtf8("""{"metadata":{"name":"node-1","deletionTimestamp":"2026-01-01T00:00:00Z"}}"""u8);

        Assert.Multiple(() =>
        {
            Assert.That(cached.Key, Is.EqualTo("node-1"));
            Assert.That(cached.IsBeingDeleted, Is.True);
            Assert.That(cached.Labels, Is.Empty);
            Assert.That(cached.ControllerOf(), Is.Null);
            Assert.That(cached.NodeName, Is.Null);
        });
    }

    [Test]
    public void LabelSelector_MatchesCachedLabels_AsItMatchesJson()
    {
        var cached = CachedObject.FromUtf8(Encoding.UTF8.GetBytes(Pod));
        var matching = LabelSelector.Parse(JsonNode.Parse("""{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["front"]}]}"""));
        var other = LabelSelector.Parse(JsonNode.Parse("""{"matchExpressions":[{"key":"tier","operator":"DoesNotExist"}]}"""));

        Assert.Multiple(() =>
        {
            Assert.That(matching.Matches(cached.Labels), Is.True);
            Assert.That(other.Matches(cached.Labels), Is.False);
        });
    }
}
