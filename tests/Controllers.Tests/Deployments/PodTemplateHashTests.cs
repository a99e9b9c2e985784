using System.Text;
using System.Text.Json.Nodes;
using Nautilus.Controllers.Deployments;

namespace Nautilus.Controllers.Tests.Deployments;

public sealed class PodTemplateHashTests
{
    [TestCase("", 0x811c9dc5u)]
    [TestCase("a", 0xe40c292cu)]
    [TestCase("foobar", 0xbf9cf968u)]
    public void Fnv32a_MatchesReferenceVectors(string input, uint expected) =>
        Assert.That(PodTemplateHash.Fnv32a.Append(PodTemplateHash.Fnv32a.Offset, Encoding.ASCII.GetBytes(input)), Is.EqualTo(expected));

    [TestCase("0123456789", "456789bcdf")]
    [TestCase("3962158005", "7fb659d449")]
    [TestCase("abc", "vwx")]
    public void SafeEncodeString_MapsAsKube(string input, string expected) =>
        Assert.That(PodTemplateHash.SafeEncodeString(input), Is.EqualTo(expected));

    [Test]
    public void Compute_HasKubeShape_AndIgnoresMemberOrder()
    {
        var a = JsonNode.Parse("""{"metadata":{"labels":{"app":"web","tier":"front"}},"spec":{"containers":[{"name":"app","image":"nginx"}]}}""")!.AsObject();
        var b = JsonNode.Parse("""{"spec":{"containers":[{"image":"nginx","name":"app"}]},"metadata":{"creationTimestamp":null,"labels":{"tier":"front","app":"web"}}}""")!.AsObject();

        var hash = PodTemplateHash.Compute(a, null);

        Assert.That(hash, Does.Match("^[456789bcdf]{1,10}$"));
        Assert.That(PodTemplateHash.Compute(b, null), Is.EqualTo(hash));
    }

    [TestCase(null, "59cb84c67")]
    [TestCase(1L, "78fd6967c4")]
    public void Compute_IsStable_AcrossProcessesAndReleases(long? collisionCount, string expected)
    {
        // Pinned values: a changed encoding would rename every existing Deployment's ReplicaSet on upgrade.
        var template = JsonNode.Parse("""{"spec":{"containers":[{"name":"app","image":"nginx:1.25"}]}}""")!.AsObject();

        Assert.That(PodTemplateHash.Compute(template, collisionCount), Is.EqualTo(expected));
    }

    [Test]
    public void Compute_DiffersByTemplateAndCollisionCount()
    {
        var a = JsonNode.Parse("""{"spec":{"containers":[{"name":"app","image":"nginx:1.25"}]}}""")!.AsObject();
        var b = JsonNode.Parse("""{"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}""")!.AsObject();

        var hashes = new[] { PodTemplateHash.Compute(a, null), PodTemplateHash.Compute(b, null), PodTemplateHash.Compute(a, 0), PodTemplateHash.Compute(a, 1) };

        Assert.That(hashes, Is.Unique);
    }

    [Test]
    public void EqualIgnoreHash_IgnoresOnlyTheHashLabel()
    {
        var deployment = JsonNode.Parse("""{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx"}]}}""")!.AsObject();
        var replicaSet = JsonNode.Parse("""{"metadata":{"labels":{"app":"web","pod-template-hash":"5d8f9"}},"spec":{"containers":[{"name":"app","image":"nginx"}]}}""")!.AsObject();
        var other = JsonNode.Parse("""{"metadata":{"labels":{"app":"web","pod-template-hash":"5d8f9"}},"spec":{"containers":[{"name":"app","image":"httpd"}]}}""")!.AsObject();

        Assert.That(PodTemplateHash.EqualIgnoreHash(deployment, replicaSet), Is.True);
        Assert.That(PodTemplateHash.EqualIgnoreHash(deployment, other), Is.False);
    }
}
