using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Discovery;

namespace Nautilus.Server.Tests.Discovery;

/// <summary>
/// The discovery documents, read back through the official Kubernetes client models: what
/// kubectl api-resources, api-versions and the RESTMapper see.
/// </summary>
public sealed class DiscoveryDocumentsTests
{
    private const string KubectlAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    private static readonly ResourceRegistry Registry = BuiltInResources.CreateRegistry();
    private static readonly DiscoveryDocuments Documents = new(Registry);

    private static IEnumerable<TestCaseData> GroupVersions() =>
        Registry.All.Select(r => (r.Group, r.Version)).Distinct().Select(gv => new TestCaseData(gv.Group, gv.Version).SetArgDisplayNames(gv.Group.Length == 0 ? "core/" + gv.Version : gv.Group + "/" + gv.Version));

    private static T Read<T>(byte[] json) => KubernetesJson.Deserialize<T>(Encoding.UTF8.GetString(json));

    [Test]
    public void Version_ReportsKubernetes132ForKubectlsVersionDispatch()
    {
        var info = Read<VersionInfo>(Documents.Version);

        Assert.Multiple(() =>
        {
            Assert.That(info.Major, Is.EqualTo("1"));
            Assert.That(info.Minor, Is.EqualTo("32"));
            Assert.That(info.GitVersion, Does.StartWith("v1.32.0"));
            Assert.That(info.GitTreeState, Is.EqualTo("clean"));
            Assert.That(info.Platform, Does.Match("^[a-z]+/[a-z0-9]+$"));
            Assert.That(info.BuildDate, Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));
        });
    }

    [Test]
    public void CoreVersions_ListsV1AndTheAddressTheClientReached()
    {
        var versions = Read<V1APIVersions>(DiscoveryDocuments.CoreVersions("10.0.0.9:6443"));

        Assert.Multiple(() =>
        {
            Assert.That(versions.Kind, Is.EqualTo("APIVersions"));
            Assert.That(versions.Versions, Is.EqualTo(new[] { "v1" }));
            Assert.That(versions.ServerAddressByClientCIDRs.Single().ClientCIDR, Is.EqualTo("0.0.0.0/0"));
            Assert.That(versions.ServerAddressByClientCIDRs.Single().ServerAddress, Is.EqualTo("10.0.0.9:6443"));
        });
    }

    [Test]
    public void Groups_ListEveryNamedGroupInKubeApiserverOrder()
    {
        var list = Read<V1APIGroupList>(Documents.Groups);

        Assert.Multiple(() =>
        {
            Assert.That(list.Kind, Is.EqualTo("APIGroupList"));
            Assert.That(list.ApiVersion, Is.EqualTo("v1"));
            Assert.That(list.Groups.Select(g => g.Name), Is.EqualTo(new[] { "apps", "events.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io" }));
            Assert.That(list.Groups.Select(g => g.Name), Is.EquivalentTo(Registry.Groups));
            foreach (var group in list.Groups)
            {
                Assert.That(group.Versions.Select(v => v.GroupVersion), Is.EqualTo(Registry.VersionsOf(group.Name).Select(v => group.Name + "/" + v)));
                Assert.That(group.PreferredVersion.Version, Is.EqualTo(Registry.VersionsOf(group.Name)[0]));
            }
        });
    }

    [Test]
    public void Group_NamedGroup_IsAnApiGroup()
    {
        var group = Read<V1APIGroup>(Documents.Group("apps"));

        Assert.Multiple(() =>
        {
            Assert.That(group.Kind, Is.EqualTo("APIGroup"));
            Assert.That(group.Name, Is.EqualTo("apps"));
            Assert.That(group.PreferredVersion.GroupVersion, Is.EqualTo("apps/v1"));
        });
    }

    [TestCaseSource(nameof(GroupVersions))]
    public void Resources_ListEveryRegisteredResourceWithItsShortNamesVerbsAndScope(string group, string version)
    {
        var list = Read<V1APIResourceList>(Documents.Resources(group, version));

        Assert.That(list.GroupVersion, Is.EqualTo(group.Length == 0 ? version : group + "/" + version));
        foreach (var resource in Registry.InGroupVersion(group, version))
        {
            var entry = list.Resources.SingleOrDefault(r => r.Name == resource.Plural);
            Assert.That(entry, Is.Not.Null, resource.Plural);
            Assert.Multiple(() =>
            {
                Assert.That(entry!.Kind, Is.EqualTo(resource.Kind));
                Assert.That(entry.SingularName, Is.EqualTo(resource.Singular));
                Assert.That(entry.Namespaced, Is.EqualTo(resource.Namespaced));
                Assert.That(entry.Verbs, Is.EquivalentTo(resource.Verbs));
                Assert.That(entry.ShortNames ?? [], Is.EqualTo(resource.ShortNames));
                Assert.That(entry.Categories ?? [], Is.EqualTo(resource.Categories));
                Assert.That(entry.StorageVersionHash, Is.EqualTo(DiscoveryDocuments.StorageVersionHash(group, version, resource.Kind)));
                foreach (var subresource in resource.Subresources)
                {
                    Assert.That(list.Resources.Any(r => r.Name == resource.Plural + "/" + subresource), resource.Plural + "/" + subresource);
                }
            });
        }

        Assert.That(list.Resources.Count, Is.EqualTo(Registry.InGroupVersion(group, version).Sum(r => 1 + r.Subresources.Length)), "no entry beyond the registered resources and subresources");
    }

    [TestCaseSource(nameof(GroupVersions))]
    public void Resources_AreSortedByNameWithSubresourcesAfterTheirResource(string group, string version)
    {
        var names = Read<V1APIResourceList>(Documents.Resources(group, version)).Resources.Select(r => r.Name).ToList();

        Assert.That(names, Is.EqualTo(names.Order(StringComparer.Ordinal)));
    }

    private static IEnumerable<TestCaseData> SubresourceCases()
    {
        yield return new TestCaseData("", "v1", "pods/status", null, null, "Pod", new[] { "get", "patch", "update" });
        yield return new TestCaseData("", "v1", "pods/binding", null, null, "Binding", new[] { "create" });
        yield return new TestCaseData("", "v1", "namespaces/finalize", null, null, "Namespace", new[] { "update" });
        yield return new TestCaseData("", "v1", "namespaces/status", null, null, "Namespace", new[] { "get", "patch", "update" });
        yield return new TestCaseData("apps", "v1", "deployments/scale", "autoscaling", "v1", "Scale", new[] { "get", "patch", "update" });
        yield return new TestCaseData("apps", "v1", "replicasets/status", null, null, "ReplicaSet", new[] { "get", "patch", "update" });
    }

    [TestCaseSource(nameof(SubresourceCases))]
    public void Subresource_IsPublishedAsKubeApiserverPublishesIt(string group, string version, string name, string? subGroup, string? subVersion, string kind, string[] verbs)
    {
        var entry = Read<V1APIResourceList>(Documents.Resources(group, version)).Resources.Single(r => r.Name == name);

        Assert.Multiple(() =>
        {
            Assert.That(entry.Kind, Is.EqualTo(kind));
            Assert.That(entry.Group, Is.EqualTo(subGroup));
            Assert.That(entry.Version, Is.EqualTo(subVersion));
            Assert.That(entry.Verbs, Is.EqualTo(verbs));
            Assert.That(entry.SingularName, Is.Empty);
            Assert.That(entry.StorageVersionHash, Is.Null);
        });
    }

    [TestCase("", "v1", "ConfigMap", "qFsyl6wFWjQ=")]
    [TestCase("", "v1", "Pod", "xPOwRZ+Yhw8=")]
    [TestCase("apps", "v1", "Deployment", "8aSe+NMegvE=")]
    [TestCase("apps", "v1", "ReplicaSet", "P1RzHs8/mWQ=")]
    public void StorageVersionHash_IsTheValueKubeApiserverPublishes(string group, string version, string kind, string expected) =>
        Assert.That(DiscoveryDocuments.StorageVersionHash(group, version, kind), Is.EqualTo(expected));

    [Test]
    public void CoreResourceList_HasNoApiVersionAndGroupListsHaveV1_AsKubeApiserverWritesThem()
    {
        var core = JsonNode.Parse(Documents.Resources("", "v1"))!.AsObject();
        var apps = JsonNode.Parse(Documents.Resources("apps", "v1"))!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(core.ContainsKey("apiVersion"), Is.False);
            Assert.That(apps["apiVersion"]!.GetValue<string>(), Is.EqualTo("v1"));
            Assert.That(core.Select(p => p.Key), Is.EqualTo(new[] { "kind", "groupVersion", "resources" }));
            Assert.That(Documents.Resources("", "v1")[^1], Is.EqualTo((byte)'\n'), "encoded objects end with a newline");
        });
    }

    [TestCase("nope", "v1")]
    [TestCase("apps", "v2")]
    [TestCase("", "v2")]
    public void Resources_UnknownGroupVersion_Is404NotFound(string group, string version)
    {
        var error = Assert.Throws<ApiException>(() => Documents.Resources(group, version))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Code, Is.EqualTo(404));
            Assert.That(error.Reason, Is.EqualTo("NotFound"));
            Assert.That(error.Message, Is.EqualTo("the server could not find the requested resource"));
        });
    }

    [Test]
    public void Group_UnknownGroup_Is404NotFound() =>
        Assert.That(Assert.Throws<ApiException>(() => Documents.Group("nope"))!.Code, Is.EqualTo(404));

    [Test]
    public void AggregatedCore_HasEveryCoreResourceWithScopeResponseKindAndSubresources()
    {
        var list = Read<V2APIGroupDiscoveryList>(Documents.AggregatedCoreV2);

        Assert.That(list.Kind, Is.EqualTo("APIGroupDiscoveryList"));
        Assert.That(list.ApiVersion, Is.EqualTo("apidiscovery.k8s.io/v2"));
        var core = list.Items.Single();
        Assert.That(core.Metadata?.Name, Is.Null.Or.Empty);
        AssertAggregatedGroup(core, "");
    }

    [Test]
    public void AggregatedGroups_HaveEveryNamedGroupInOrder()
    {
        var list = Read<V2APIGroupDiscoveryList>(Documents.AggregatedGroupsV2);

        Assert.That(list.Items.Select(i => i.Metadata.Name), Is.EqualTo(Documents.OrderedGroups));
        foreach (var item in list.Items)
        {
            AssertAggregatedGroup(item, item.Metadata.Name);
        }
    }

    [Test]
    public void AggregatedV2Beta1_SameDocumentUnderTheBetaVersion()
    {
        var list = Read<V2beta1APIGroupDiscoveryList>(Documents.AggregatedGroupsV2Beta1);

        Assert.Multiple(() =>
        {
            Assert.That(list.ApiVersion, Is.EqualTo("apidiscovery.k8s.io/v2beta1"));
            Assert.That(list.Items.Select(i => i.Metadata.Name), Is.EqualTo(Documents.OrderedGroups));
        });
    }

    private static void AssertAggregatedGroup(V2APIGroupDiscovery item, string group)
    {
        Assert.That(item.Versions.Select(v => v.Version), Is.EqualTo(Registry.VersionsOf(group)));
        foreach (var version in item.Versions)
        {
            Assert.That(version.Freshness, Is.EqualTo("Current"));
            var names = version.Resources.Select(r => r.Resource).ToList();
            Assert.That(names, Is.EqualTo(names.Order(StringComparer.Ordinal)));
            foreach (var resource in Registry.InGroupVersion(group, version.Version))
            {
                var entry = version.Resources.SingleOrDefault(r => r.Resource == resource.Plural);
                Assert.That(entry, Is.Not.Null, resource.Plural);
                Assert.Multiple(() =>
                {
                    Assert.That(entry!.Scope, Is.EqualTo(resource.Namespaced ? "Namespaced" : "Cluster"));
                    Assert.That(entry.SingularResource, Is.EqualTo(resource.Singular));
                    Assert.That(entry.ResponseKind.Group, Is.EqualTo(resource.Group));
                    Assert.That(entry.ResponseKind.Version, Is.EqualTo(resource.Version));
                    Assert.That(entry.ResponseKind.Kind, Is.EqualTo(resource.Kind));
                    Assert.That(entry.Verbs, Is.EquivalentTo(resource.Verbs));
                    Assert.That(entry.ShortNames ?? [], Is.EqualTo(resource.ShortNames));
                    Assert.That(entry.Categories ?? [], Is.EqualTo(resource.Categories));
                    Assert.That((entry.Subresources ?? []).Select(s => s.Subresource), Is.EquivalentTo(resource.Subresources));
                    foreach (var subresource in entry.Subresources ?? [])
                    {
                        var expected = DiscoveryDocuments.DescribeSubresource(resource, subresource.Subresource);
                        Assert.That(subresource.ResponseKind.Kind, Is.EqualTo(expected.Kind));
                        Assert.That(subresource.ResponseKind.Group, Is.EqualTo(expected.Group));
                        Assert.That(subresource.Verbs, Is.EqualTo(expected.Verbs));
                    }
                });
            }
        }
    }

    private static IEnumerable<TestCaseData> AcceptCases()
    {
        yield return new TestCaseData(KubectlAccept, DiscoveryFormat.AggregatedV2).SetArgDisplayNames("kubectl 1.32");
        yield return new TestCaseData("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", DiscoveryFormat.AggregatedV2Beta1).SetArgDisplayNames("v2beta1 client");
        yield return new TestCaseData("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;profile=nopeer," + KubectlAccept, DiscoveryFormat.AggregatedV2).SetArgDisplayNames("nopeer profile");
        yield return new TestCaseData("application/json", DiscoveryFormat.Legacy).SetArgDisplayNames("json");
        yield return new TestCaseData("application/json; charset=utf-8", DiscoveryFormat.Legacy).SetArgDisplayNames("json charset");
        yield return new TestCaseData("", DiscoveryFormat.Legacy).SetArgDisplayNames("none");
        yield return new TestCaseData("*/*", DiscoveryFormat.Legacy).SetArgDisplayNames("any");
        yield return new TestCaseData("application/vnd.kubernetes.protobuf, */*", DiscoveryFormat.Legacy).SetArgDisplayNames("protobuf then any");
        yield return new TestCaseData("application/json;q=0.5, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", DiscoveryFormat.AggregatedV2).SetArgDisplayNames("q-values");
        yield return new TestCaseData("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0, application/json", DiscoveryFormat.Legacy).SetArgDisplayNames("q=0 refuses");
        yield return new TestCaseData("text/html", DiscoveryFormat.NotAcceptable).SetArgDisplayNames("html");
        yield return new TestCaseData("application/json;as=Table;v=v1;g=meta.k8s.io", DiscoveryFormat.NotAcceptable).SetArgDisplayNames("table only");
    }

    [TestCaseSource(nameof(AcceptCases))]
    public void Negotiate_PicksTheFirstFormatTheClientAccepts(string accept, DiscoveryFormat expected) =>
        Assert.That(DiscoveryDocuments.Negotiate(accept), Is.EqualTo(expected));

    [Test]
    public void Negotiate_GroupVersionEndpoints_NeverAnswerAggregated() =>
        Assert.That(DiscoveryDocuments.Negotiate("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", allowAggregated: false), Is.EqualTo(DiscoveryFormat.NotAcceptable));
}
