using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.OpenApi;

namespace Nautilus.Server.Tests.OpenApi;

/// <summary>
/// The schemas generated from the client's model types, checked against what kube-apiserver 1.32
/// publishes for the same definitions (api/openapi-spec/swagger.json and v3/api__v1_openapi.json).
/// </summary>
public sealed class GeneratedSchemaTests
{
    private static readonly OpenApiDocuments Documents = new(BuiltInResources.CreateRegistry());

    private static JsonObject V3Schemas(string group, string version) =>
        JsonNode.Parse(Documents.V3(group, version).Json)!["components"]!["schemas"]!.AsObject();

    private static JsonObject V2Definitions => JsonNode.Parse(Documents.V2Json)!["definitions"]!.AsObject();

    private static JsonNode Property(JsonObject schemas, string definition, string field) =>
        schemas[definition]!["properties"]![field] ?? throw new AssertionException(definition + " has no property " + field);

    [Test]
    public void Container_RequiresName_AndDescribesItAsKubeDoes()
    {
        var container = V3Schemas("", "v1")["io.k8s.api.core.v1.Container"]!;

        Assert.Multiple(() =>
        {
            Assert.That(container["required"]!.AsArray().Select(r => (string?)r), Is.EqualTo(new[] { "name" }));
            Assert.That((string?)container["description"], Is.EqualTo("A single application container that you want to run within a pod."));
            Assert.That((string?)container["properties"]!["name"]!["description"], Is.EqualTo(
                "Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated."));
            Assert.That((string?)container["properties"]!["name"]!["type"], Is.EqualTo("string"));
        });
    }

    [Test]
    public void PodSpecContainers_MergeByName_AsAMapList()
    {
        var containers = Property(V3Schemas("", "v1"), "io.k8s.api.core.v1.PodSpec", "containers");

        Assert.Multiple(() =>
        {
            Assert.That((string?)containers["type"], Is.EqualTo("array"));
            Assert.That((string?)containers["items"]!["$ref"], Is.EqualTo("#/components/schemas/io.k8s.api.core.v1.Container"));
            Assert.That((string?)containers["x-kubernetes-patch-merge-key"], Is.EqualTo("name"));
            Assert.That((string?)containers["x-kubernetes-patch-strategy"], Is.EqualTo("merge"));
            Assert.That((string?)containers["x-kubernetes-list-type"], Is.EqualTo("map"));
            Assert.That(containers["x-kubernetes-list-map-keys"]!.AsArray().Select(k => (string?)k), Is.EqualTo(new[] { "name" }));
        });
    }

    [TestCase("io.k8s.api.core.v1.Container", "ports", "containerPort", "merge")]
    [TestCase("io.k8s.api.core.v1.Container", "volumeMounts", "mountPath", "merge")]
    [TestCase("io.k8s.api.core.v1.PodSpec", "volumes", "name", "merge,retainKeys")]
    [TestCase("io.k8s.api.core.v1.ServiceSpec", "ports", "port", "merge")]
    [TestCase("io.k8s.api.core.v1.PodStatus", "conditions", "type", "merge")]
    [TestCase("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "ownerReferences", "uid", "merge")]
    public void MergeLists_CarryKubesPatchMarkers(string definition, string field, string mergeKey, string strategy)
    {
        var property = Property(V2Definitions, definition, field);

        Assert.That(((string?)property["x-kubernetes-patch-merge-key"], (string?)property["x-kubernetes-patch-strategy"]), Is.EqualTo((mergeKey, strategy)));
    }

    [Test]
    public void AtomicListsAndMaps_HaveNoPatchStrategy_AndAtomicMapsSayIt()
    {
        var v2 = V2Definitions;

        Assert.Multiple(() =>
        {
            Assert.That(Property(v2, "io.k8s.api.core.v1.PodSpec", "tolerations")["x-kubernetes-patch-strategy"], Is.Null);
            Assert.That(Property(v2, "io.k8s.api.core.v1.NodeSpec", "taints")["x-kubernetes-patch-merge-key"], Is.Null);
            Assert.That((string?)Property(v2, "io.k8s.api.core.v1.PodSpec", "nodeSelector")["x-kubernetes-map-type"], Is.EqualTo("atomic"));
            Assert.That((string?)Property(v2, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers")["x-kubernetes-list-type"], Is.EqualTo("set"));
            Assert.That((string?)v2["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]!["x-kubernetes-map-type"], Is.EqualTo("atomic"));
            Assert.That((string?)Property(v2, "io.k8s.api.apps.v1.DeploymentSpec", "strategy")["x-kubernetes-patch-strategy"], Is.EqualTo("retainKeys"));
        });
    }

    [Test]
    public void QuantityAndIntOrString_AreTypedAsKubePublishesThem()
    {
        var v2 = V2Definitions;
        var v3 = V3Schemas("", "v1");

        Assert.Multiple(() =>
        {
            Assert.That(((string?)v2["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["type"], (string?)v2["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["format"]),
                Is.EqualTo(("string", "int-or-string")));
            Assert.That((string?)v2["io.k8s.apimachinery.pkg.api.resource.Quantity"]!["type"], Is.EqualTo("string"));
            Assert.That((string?)v3["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["format"], Is.EqualTo("int-or-string"));
            Assert.That(v3["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["oneOf"]!.AsArray().Select(t => (string?)t!["type"]), Is.EqualTo(new[] { "integer", "string" }));
            Assert.That(v3["io.k8s.apimachinery.pkg.api.resource.Quantity"]!["oneOf"]!.AsArray().Select(t => (string?)t!["type"]), Is.EqualTo(new[] { "string", "number" }));
            Assert.That((string?)Property(v3, "io.k8s.api.core.v1.ResourceRequirements", "limits")["additionalProperties"]!["$ref"],
                Is.EqualTo("#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"));
            Assert.That((string?)Property(v3, "io.k8s.api.core.v1.ContainerPort", "containerPort")["format"], Is.EqualTo("int32"));
            Assert.That((string?)Property(v3, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "generation")["format"], Is.EqualTo("int64"));
        });
    }

    [Test]
    public void TimeFields_ReferenceTimeOrMicroTime()
    {
        var coordination = V3Schemas("coordination.k8s.io", "v1");
        var creation = Property(coordination, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp");
        var renew = Property(coordination, "io.k8s.api.coordination.v1.LeaseSpec", "renewTime");

        Assert.Multiple(() =>
        {
            Assert.That((string?)creation["allOf"]![0]!["$ref"], Is.EqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time"));
            Assert.That((string?)renew["allOf"]![0]!["$ref"], Is.EqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"));
            Assert.That((string?)coordination["io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"]!["format"], Is.EqualTo("date-time"));
        });
    }

    [Test]
    public void NestedTypes_AreNamedAfterTheirGoPackage()
    {
        var apps = V3Schemas("apps", "v1");
        var events = V3Schemas("events.k8s.io", "v1");

        Assert.Multiple(() =>
        {
            Assert.That(apps.Select(s => s.Key), Is.SupersetOf(new[]
            {
                "io.k8s.api.apps.v1.DeploymentSpec", "io.k8s.api.apps.v1.RollingUpdateDeployment", "io.k8s.api.core.v1.PodTemplateSpec",
                "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector", "io.k8s.api.core.v1.Container",
            }));
            Assert.That(events.Select(s => s.Key), Is.SupersetOf(new[] { "io.k8s.api.events.v1.Event", "io.k8s.api.events.v1.EventSeries", "io.k8s.api.core.v1.ObjectReference" }));
        });
    }

    [Test]
    public void Kinds_CarryTheirGroupVersionKind_AndListsRequireItems()
    {
        var apps = V3Schemas("apps", "v1");

        Assert.Multiple(() =>
        {
            var gvk = apps["io.k8s.api.apps.v1.Deployment"]!["x-kubernetes-group-version-kind"]!.AsArray().Single()!;
            Assert.That(((string?)gvk["group"], (string?)gvk["version"], (string?)gvk["kind"]), Is.EqualTo(("apps", "v1", "Deployment")));
            Assert.That(apps["io.k8s.api.apps.v1.DeploymentSpec"]!["x-kubernetes-group-version-kind"], Is.Null);
            Assert.That(apps["io.k8s.api.apps.v1.DeploymentList"]!["required"]!.AsArray().Select(r => (string?)r), Is.EqualTo(new[] { "items" }));
            Assert.That(apps["io.k8s.api.apps.v1.DeploymentSpec"]!["required"]!.AsArray().Select(r => (string?)r), Is.EqualTo(new[] { "selector", "template" }));
        });
    }

    [Test]
    public void V2_ReferencesDefinitions_WithTheDescriptionBesideTheRef()
    {
        var metadata = Property(V2Definitions, "io.k8s.api.core.v1.Pod", "metadata");

        Assert.Multiple(() =>
        {
            Assert.That((string?)metadata["$ref"], Is.EqualTo("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
            Assert.That((string?)metadata["description"], Does.StartWith("Standard object's metadata."));
            Assert.That(metadata["allOf"], Is.Null);
        });
    }
}
