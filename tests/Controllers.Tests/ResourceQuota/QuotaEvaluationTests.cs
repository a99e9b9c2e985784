using System.Text.Json.Nodes;
using Nautilus.Controllers.ResourceQuota;

namespace Nautilus.Controllers.Tests.ResourceQuota;

/// <summary>The pod evaluator's usage and constraints as kube computes them (pkg/quota/v1/evaluator/core/pods.go, resourcehelper.PodRequests).</summary>
public sealed class QuotaEvaluationTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [TestCase("""{"containers":[{"name":"a","resources":{"requests":{"cpu":"100m"}}},{"name":"b","resources":{"requests":{"cpu":"200m"}}}]}""", "requests.cpu", "300m", TestName = "Containers_AddUp")]
    [TestCase("""{"containers":[{"name":"a","resources":{"requests":{"cpu":"100m"}}}],"initContainers":[{"name":"i","resources":{"requests":{"cpu":"1"}}}]}""", "requests.cpu", "1", TestName = "LargerInitContainer_Wins")]
    [TestCase("""{"containers":[{"name":"a","resources":{"requests":{"cpu":"100m"}}}],"initContainers":[{"name":"s","restartPolicy":"Always","resources":{"requests":{"cpu":"200m"}}},{"name":"i","resources":{"requests":{"cpu":"250m"}}}]}""", "requests.cpu", "450m", TestName = "InitContainer_RunsBesideEarlierSidecars")]
    [TestCase("""{"containers":[{"name":"a","resources":{"requests":{"memory":"64Mi"}}},{"name":"b","resources":{"requests":{"memory":"64Mi"}}}]}""", "memory", "128Mi", TestName = "BinaryQuantities_SumInBinaryFormat")]
    [TestCase("""{"containers":[{"name":"a","resources":{"requests":{"cpu":"100m"},"limits":{"cpu":"1"}}}],"overhead":{"cpu":"250m"}}""", "limits.cpu", "1250m", TestName = "Overhead_AddsToSetLimits")]
    [TestCase("""{"containers":[{"name":"a","resources":{"requests":{"cpu":"100m"}}}],"overhead":{"cpu":"250m","memory":"1Mi"}}""", "requests.memory", "1Mi", TestName = "Overhead_AddsToRequests")]
    public void PodUsage_FollowsPodRequests(string spec, string resource, string expected)
    {
        var pod = new JsonObject { ["spec"] = JsonNode.Parse(spec) };

        var usage = QuotaEvaluation.PodUsage(pod, Now);

        Assert.That(usage[resource].ToString(), Is.EqualTo(expected));
    }

    [TestCase("Succeeded")]
    [TestCase("Failed")]
    public void TerminalPod_CountsOnlyAsAnObject(string phase)
    {
        var pod = new JsonObject
        {
            ["spec"] = JsonNode.Parse("""{"containers":[{"name":"a","resources":{"requests":{"cpu":"1"}}}]}"""),
            ["status"] = new JsonObject { ["phase"] = phase },
        };

        var usage = QuotaEvaluation.PodUsage(pod, Now);

        Assert.That(usage.Keys, Is.EqualTo(new[] { "count/pods" }));
    }

    [Test]
    public void PodMissingTrackedValues_NamesEachResourceAndItsContainers()
    {
        var pod = new JsonObject
        {
            ["spec"] = JsonNode.Parse("""{"containers":[{"name":"web","resources":{"requests":{"cpu":"1"}}},{"name":"log"}],"initContainers":[{"name":"setup"}]}"""),
        };

        var message = QuotaEvaluation.PodConstraintsViolation(pod, ["requests.cpu", "limits.memory", "pods"]);

        Assert.That(message, Is.EqualTo("must specify limits.memory for: log,setup,web; requests.cpu for: log,setup"));
    }

    [TestCase("pods", "", "pods")]
    [TestCase("requests.cpu", "", "pods")]
    [TestCase("requests.example.com/gpu", "", "pods")]
    [TestCase("services.nodeports", "", "services")]
    [TestCase("requests.storage", "", "persistentvolumeclaims")]
    [TestCase("configmaps", "", "configmaps")]
    [TestCase("count/deployments.apps", "apps", "deployments")]
    [TestCase("count/secrets", "", "secrets")]
    public void ChargedBy_MapsQuotaNamesToTheirEvaluator(string name, string group, string resource) =>
        Assert.That(QuotaEvaluation.ChargedBy(name), Is.EqualTo(((string, string)?)(group, resource)));

    [Test]
    public void UnknownQuotaName_IsChargedByNothing() => Assert.That(QuotaEvaluation.ChargedBy("widgets"), Is.Null);
}
