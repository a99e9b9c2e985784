using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Nautilus.Server.Api;
using Nautilus.Server.Api.OpenApi;

namespace Nautilus.Server.Tests.OpenApi;

/// <summary>
/// The OpenAPI documents, checked the way kubectl 1.32 reads them: the v3 index, the fieldValidation
/// lookup of create/apply (client-go's queryParamVerifierV3), the explain template's GVK lookup,
/// and the v2 fallbacks.
/// </summary>
public sealed class OpenApiDocumentsTests
{
    private static readonly ResourceRegistry Registry = BuiltInResources.CreateRegistry();
    private static readonly OpenApiDocuments Documents = new(Registry);

    private static IEnumerable<TestCaseData> Resources() =>
        Registry.All.Select(r => new TestCaseData(r.Group, r.Version, r.Plural).SetArgDisplayNames(r.QualifiedResource + "/" + r.Version));

    private static JsonObject V3(string group, string version) => JsonNode.Parse(Documents.V3(group, version).Json)!.AsObject();

    private static bool IsGvk(JsonNode? node, string group, string version, string kind) =>
        node is JsonObject o && (string?)o["group"] == group && (string?)o["version"] == version && (string?)o["kind"] == kind;

    [Test]
    public void Index_ListsEveryGroupVersionWithItsContentHash()
    {
        var paths = JsonNode.Parse(Documents.V3Index)!["paths"]!.AsObject();
        var expected = Registry.All.Select(r => r.Group.Length == 0 ? "api/" + r.Version : "apis/" + r.Group + "/" + r.Version).Distinct();

        Assert.That(paths.Select(p => p.Key), Is.EquivalentTo(expected));
        foreach (var (path, entry) in paths)
        {
            var hash = Convert.ToHexString(SHA512.HashData(Documents.V3Documents[path].Json));
            Assert.That((string?)entry!["serverRelativeURL"], Is.EqualTo("/openapi/v3/" + path + "?hash=" + hash));
        }
    }

    [Test]
    public void Index_IsStableAcrossBuilds() =>
        Assert.That(new OpenApiDocuments(BuiltInResources.CreateRegistry()).V3Index, Is.EqualTo(Documents.V3Index));

    /// <summary>client-go's supportsQueryParamV3: the first PATCH operation tagged with the kind must declare the query parameter.</summary>
    [TestCaseSource(nameof(Resources))]
    public void Patch_OfEveryKind_DeclaresFieldValidation_SoKubectlValidatesOnTheServer(string group, string version, string plural)
    {
        Registry.TryGet(group, version, plural, out var resource);
        var document = V3(group, version);

        var patch = document["paths"]!.AsObject()
            .Select(p => p.Value!["patch"])
            .FirstOrDefault(op => op is not null && IsGvk(op["x-kubernetes-group-version-kind"], group, version, resource.Kind));

        Assert.That(patch, Is.Not.Null, "a PATCH operation for the kind");
        var query = patch!["parameters"]!.AsArray().Where(p => (string?)p!["in"] == "query").Select(p => (string?)p!["name"]).ToList();
        Assert.That(query, Is.SupersetOf(new[] { "fieldValidation", "dryRun", "fieldManager" }));
    }

    [TestCaseSource(nameof(Resources))]
    public void CreateAndReplace_DeclareFieldValidation(string group, string version, string plural)
    {
        Registry.TryGet(group, version, plural, out var resource);
        var paths = V3(group, version)["paths"]!.AsObject();

        foreach (var method in new[] { "post", "put" })
        {
            var op = paths.Select(p => p.Value![method]).First(o => o is not null && IsGvk(o["x-kubernetes-group-version-kind"], group, version, resource.Kind));
            Assert.That(op!["parameters"]!.AsArray().Select(p => (string?)p!["name"]), Does.Contain("fieldValidation"), method);
        }
    }

    /// <summary>kubectl explain: a collection or item path of the resource carries the GVK, and a schema carries it too.</summary>
    [TestCaseSource(nameof(Resources))]
    public void Explain_FindsTheKindFromThePathsAndItsSchema(string group, string version, string plural)
    {
        Registry.TryGet(group, version, plural, out var resource);
        var document = V3(group, version);
        var prefix = group.Length == 0 ? "/api" : "/apis/" + group;
        string[] searchPaths =
        [
            $"{prefix}/{version}/{plural}", $"{prefix}/{version}/{plural}/{{name}}",
            $"{prefix}/{version}/namespaces/{{namespace}}/{plural}", $"{prefix}/{version}/namespaces/{{namespace}}/{plural}/{{name}}",
        ];

        var gvk = searchPaths
            .Select(p => document["paths"]![p])
            .Where(item => item is not null)
            .SelectMany(item => new[] { "get", "post", "put", "patch", "delete" }.Select(m => item![m]?["x-kubernetes-group-version-kind"]))
            .FirstOrDefault(g => g is not null);
        Assert.That(IsGvk(gvk, group, version, resource.Kind), Is.True, "GVK on the resource's paths");

        var schema = document["components"]!["schemas"]!.AsObject()
            .Select(s => s.Value!.AsObject())
            .SingleOrDefault(s => s["x-kubernetes-group-version-kind"] is JsonArray a && a.Any(g => IsGvk(g, group, version, resource.Kind)));
        Assert.That(schema, Is.Not.Null, "a schema tagged with the GVK");
        var properties = schema!["properties"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(properties.Select(p => p.Key), Is.SupersetOf(new[] { "apiVersion", "kind", "metadata" }));
            Assert.That(properties.All(p => !string.IsNullOrEmpty((string?)p.Value!["description"])), "every field is described");
            Assert.That((string?)schema["description"], Is.Not.Empty);
        });
    }

    [Test]
    public void EveryReference_ResolvesWithinItsDocument()
    {
        foreach (var (path, document) in Documents.V3Documents)
        {
            var json = JsonNode.Parse(document.Json)!;
            var schemas = json["components"]!["schemas"]!.AsObject();
            foreach (var reference in References(json))
            {
                Assert.That(reference, Does.StartWith("#/components/schemas/"), path);
                Assert.That(schemas.ContainsKey(reference["#/components/schemas/".Length..]), Is.True, path + ": " + reference);
            }
        }
    }

    [Test]
    public void Patch_WithGeneratedSchemas_OffersStrategicMergePatch()
    {
        var patch = V3("", "v1")["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}"]!["patch"]!;

        Assert.That(patch["requestBody"]!["content"]!.AsObject().Select(c => c.Key), Is.EquivalentTo(new[]
        {
            "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
        }));
    }

    [Test]
    public void SchemaSource_IsPluggable_AndPatchStrategiesEnableStrategicMergePatch()
    {
        var source = new RecordingSchemaSource();
        var documents = new OpenApiDocuments(Registry, source);
        var v1 = JsonNode.Parse(documents.V3("", "v1").Json)!;

        Assert.Multiple(() =>
        {
            Assert.That(source.Requested, Does.Contain(("", "v1", "Pod")));
            Assert.That(source.Requested, Does.Contain(("", "v1", "PodList")));
            Assert.That(source.Requested, Does.Contain(("autoscaling", "v1", "Scale")));
            Assert.That(v1["components"]!["schemas"]!["io.k8s.api.core.v1.Pod"]!["description"]!.GetValue<string>(), Is.EqualTo("from the source"));
            Assert.That(v1["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}"]!["patch"]!["requestBody"]!["content"]!.AsObject().ContainsKey("application/strategic-merge-patch+json"), Is.True);
        });
    }

    [TestCase("", "v1", "Pod", "io.k8s.api.core.v1.Pod")]
    [TestCase("apps", "v1", "Deployment", "io.k8s.api.apps.v1.Deployment")]
    [TestCase("coordination.k8s.io", "v1", "Lease", "io.k8s.api.coordination.v1.Lease")]
    [TestCase("scheduling.k8s.io", "v1", "PriorityClass", "io.k8s.api.scheduling.v1.PriorityClass")]
    [TestCase("rbac.authorization.k8s.io", "v1", "Role", "io.k8s.api.rbac.v1.Role")]
    [TestCase("meta.k8s.io", "v1", "ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")]
    [TestCase("stable.example.com", "v1", "CronTab", "com.example.stable.v1.CronTab")]
    public void DefinitionName_IsTheNameKubeApiserverPublishes(string group, string version, string kind, string expected) =>
        Assert.That(OpenApiDocuments.DefinitionName(group, version, kind), Is.EqualTo(expected));

    [Test]
    public void V3_UnknownGroupVersion_Is404()
    {
        var error = Assert.Throws<ApiException>(() => Documents.V3("nope", "v1"))!;

        Assert.That(error.Code, Is.EqualTo(404));
    }

    [Test]
    public void V2Json_HasEveryPathAndDefinitionsReferencedAsSwagger2()
    {
        var document = JsonNode.Parse(Documents.V2Json)!;
        var definitions = document["definitions"]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That((string?)document["swagger"], Is.EqualTo("2.0"));
            Assert.That(document["paths"]!.AsObject().ContainsKey("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"), Is.True);
            Assert.That(definitions.ContainsKey("io.k8s.api.core.v1.Pod"), Is.True);
            foreach (var reference in References(document))
            {
                Assert.That(reference, Does.StartWith("#/definitions/"));
                Assert.That(definitions.ContainsKey(reference["#/definitions/".Length..]), Is.True, reference);
            }
        });
    }

    [Test]
    public void V2Protobuf_IsAGnosticDocumentWithEveryDefinition()
    {
        var fields = Fields(Documents.V2Protobuf.AsSpan().ToArray());
        var definitions = Fields(fields[9].Single().ToByteArray())[1].Select(named => Fields(named.ToByteArray())).ToList();
        var pod = definitions.Single(d => d[1].Single().ToStringUtf8() == "io.k8s.api.core.v1.Pod")[2].Single();
        var podFields = Fields(pod.ToByteArray());
        var extension = Fields(podFields[31].Single().ToByteArray());

        Assert.Multiple(() =>
        {
            Assert.That(fields[1].Single().ToStringUtf8(), Is.EqualTo("2.0"));
            Assert.That(Fields(fields[2].Single().ToByteArray())[1].Single().ToStringUtf8(), Is.EqualTo("Kubernetes"));
            Assert.That(definitions, Has.Count.EqualTo(JsonNode.Parse(Documents.V2Json)!["definitions"]!.AsObject().Count));
            Assert.That(podFields[4].Single().ToStringUtf8(), Does.StartWith("Pod is a collection of containers"));
            Assert.That(extension[1].Single().ToStringUtf8(), Is.EqualTo("x-kubernetes-group-version-kind"));
            Assert.That(Fields(extension[2].Single().ToByteArray())[2].Single().ToStringUtf8(), Is.EqualTo("""[{"group":"","kind":"Pod","version":"v1"}]"""));
        });
    }

    /// <summary>The length-delimited fields of a protobuf message by field number (every field here is a string or message).</summary>
    private static Dictionary<int, List<ByteString>> Fields(byte[] message)
    {
        var input = new CodedInputStream(message);
        var fields = new Dictionary<int, List<ByteString>>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            if (!fields.TryGetValue(number, out var values))
            {
                fields[number] = values = [];
            }

            values.Add(input.ReadBytes());
        }

        return fields;
    }

    [TestCase("application/com.github.proto-openapi.spec.v2@v1.0+protobuf", OpenApiV2Format.Protobuf)]
    [TestCase("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", OpenApiV2Format.Protobuf)]
    [TestCase("application/json", OpenApiV2Format.Json)]
    [TestCase("*/*", OpenApiV2Format.Json)]
    [TestCase("", OpenApiV2Format.Json)]
    [TestCase("application/vnd.kubernetes.protobuf", OpenApiV2Format.NotAcceptable)]
    public void NegotiateV2_ServesWhatTheClientAccepts(string accept, OpenApiV2Format expected) =>
        Assert.That(OpenApiDocuments.NegotiateV2(accept), Is.EqualTo(expected));

    private static IEnumerable<string> References(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref")
                    {
                        yield return value!.GetValue<string>();
                    }
                    else if (value is not null)
                    {
                        foreach (var r in References(value))
                        {
                            yield return r;
                        }
                    }
                }

                break;
            case JsonArray array:
                foreach (var element in array.Where(e => e is not null))
                {
                    foreach (var r in References(element!))
                    {
                        yield return r;
                    }
                }

                break;
        }
    }

    private sealed class RecordingSchemaSource : IOpenApiSchemaSource
    {
        public List<(string, string, string)> Requested { get; } = [];

        public bool DescribesPatchStrategies => true;

        public void AddDefinition(string group, string version, string kind, IDictionary<string, JsonObject> schemas)
        {
            Requested.Add((group, version, kind));
            schemas[OpenApiDocuments.DefinitionName(group, version, kind)] = new JsonObject
            {
                ["description"] = "from the source",
                ["type"] = "object",
                ["x-kubernetes-group-version-kind"] = new JsonArray(OpenApiDocuments.GroupVersionKind(group, version, kind)),
            };
        }
    }
}
