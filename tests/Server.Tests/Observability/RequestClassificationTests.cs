using Nautilus.Api.V1;
using Nautilus.Server.Api;
using Nautilus.Server.Observability;

namespace Nautilus.Server.Tests.Observability;

/// <summary>
/// Resource requests get kube-apiserver's metric labels (installer.go's scope, metrics.CleanVerb),
/// whichever surface they arrive on.
/// </summary>
public sealed class RequestClassificationTests
{
    private static readonly ResourceRegistry Registry = BuiltInResources.CreateRegistry();

    private static IEnumerable<TestCaseData> Cases()
    {
        static ResourceRequest Pods(string ns = "", string name = "", string sub = "") =>
            new() { Version = "v1", Resource = "pods", Namespace = ns, Name = name, Subresource = sub };

        yield return Case("get one pod", "Get", Pods("default", "web-1"), null, "GET", "pods", "", "resource");
        yield return Case("list a namespace", "List", Pods("default"), null, "LIST", "pods", "", "namespace");
        yield return Case("list all namespaces", "List", Pods(), null, "LIST", "pods", "", "cluster");
        yield return Case("watch", "List", new ResourceRequest(Pods("default")) { Watch = "true" }, null, "WATCH", "pods", "", "namespace");
        yield return Case("watch=0 is a list", "List", new ResourceRequest(Pods()) { Watch = "0" }, null, "LIST", "pods", "", "cluster");
        yield return Case("create", "Create", Pods("default"), null, "POST", "pods", "", "resource");
        yield return Case("binding", "Create", Pods("default", "web-1", "binding"), null, "POST", "pods", "binding", "resource");
        yield return Case("status update", "Update", Pods("default", "web-1", "status"), null, "PUT", "pods", "status", "resource");
        yield return Case("merge patch", "Patch", Pods("default", "web-1"), "application/merge-patch+json", "PATCH", "pods", "", "resource");
        yield return Case("server-side apply", "Patch", Pods("default", "web-1"), "application/apply-patch+yaml", "APPLY", "pods", "", "resource");
        yield return Case("delete", "Delete", Pods("default", "web-1"), null, "DELETE", "pods", "", "resource");
        yield return Case("delete collection", "DeleteCollection", Pods("default"), null, "DELETE", "pods", "", "namespace");
        yield return Case("cluster-scoped list", "List", new ResourceRequest { Version = "v1", Resource = "nodes" }, null, "LIST", "nodes", "", "cluster");
        yield return Case("namespace status on the collection route", "List", new ResourceRequest { Version = "v1", Namespace = "kube-system", Resource = "status" }, null, "GET", "namespaces", "status", "resource");
        yield return Case("named group", "Get", new ResourceRequest { Group = "apps", Version = "v1", Resource = "deployments", Namespace = "default", Name = "web" }, null, "GET", "deployments", "", "resource");
    }

    private static TestCaseData Case(string name, string rpc, ResourceRequest request, string? contentType, string verb, string resource, string subresource, string scope) =>
        new TestCaseData(rpc, request, contentType).Returns((verb, resource, subresource, scope)).SetName("Classify_" + name.Replace(' ', '_'));

    [TestCaseSource(nameof(Cases))]
    public (string Verb, string Resource, string Subresource, string Scope) Classify_GivesKubeApiserverLabels(string rpc, ResourceRequest request, string? contentType)
    {
        var labels = ResourceMetricsInterceptor.Classify(Registry, rpc, request, contentType);

        return (ApiServerMetrics.VerbText(labels.Verb), labels.Resource?.Plural ?? "", labels.Subresource, ApiServerMetrics.ScopeText(labels.Scope));
    }

    [Test]
    public void Classify_UnknownResource_HasNoResourceLabels()
    {
        var labels = ResourceMetricsInterceptor.Classify(Registry, "List", new ResourceRequest { Version = "v1", Resource = "widgets" }, null);

        Assert.That((labels.Resource, labels.Subresource, labels.Scope), Is.EqualTo(((ResourceDefinition?)null, "", RequestScope.None)));
    }

    [Test]
    public void Classify_UnknownSubresource_IsNotALabel()
    {
        var labels = ResourceMetricsInterceptor.Classify(Registry, "Get", new ResourceRequest { Version = "v1", Resource = "pods", Namespace = "a", Name = "b", Subresource = "made-up" }, null);

        Assert.That(labels.Subresource, Is.Empty);
    }

    [Test]
    public void Classify_DryRunAll_IsLabelled()
    {
        var request = new ResourceRequest { Version = "v1", Resource = "pods", Namespace = "default", DryRun = { "All" } };

        var labels = ResourceMetricsInterceptor.Classify(Registry, "Create", request, null);

        Assert.That(labels.DryRun, Is.True);
    }
}
