using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Discovery;

namespace Nautilus.Server.Api.OpenApi;

/// <summary>
/// Supplies the schemas published under components/schemas (OpenAPI v3) and definitions (v2).
/// Every schema of a kind carries <c>x-kubernetes-group-version-kind</c>; references are written
/// as <c>#/components/schemas/{name}</c> (the v2 document rewrites them to <c>#/definitions/</c>).
/// </summary>
public interface IOpenApiSchemaSource
{
    /// <summary>
    /// True when the schemas carry the list merge keys and patch strategies
    /// (<c>x-kubernetes-patch-merge-key</c>, <c>x-kubernetes-patch-strategy</c>). Only then do PATCH
    /// operations declare <c>application/strategic-merge-patch+json</c>: kubectl computes
    /// strategic merge patches from the published schema when they do, and from its compiled-in
    /// types when they do not, so a schema without merge keys must not claim it.
    /// </summary>
    bool DescribesPatchStrategies { get; }

    /// <summary>
    /// Adds the definition of (group, version, kind) and every definition it references to
    /// <paramref name="schemas"/> (keyed by definition name, see <see cref="OpenApiDocuments.DefinitionName"/>).
    /// List kinds (<c>PodList</c>) and the meta.k8s.io kinds (<c>ObjectMeta</c>, <c>ListMeta</c>,
    /// <c>Status</c>, <c>DeleteOptions</c>, <c>Patch</c>) are requested the same way.
    /// </summary>
    void AddDefinition(string group, string version, string kind, IDictionary<string, JsonObject> schemas);
}

/// <summary>Which representation of /openapi/v2 to answer with.</summary>
public enum OpenApiV2Format
{
    NotAcceptable,
    Json,
    Protobuf,
}

/// <summary>One OpenAPI v3 group-version document and its content hash (the <c>hash</c> query parameter and ETag).</summary>
public sealed record OpenApiV3Document(string Path, byte[] Json, string Hash);

/// <summary>
/// The OpenAPI documents kube-apiserver serves, built once from the registry: /openapi/v3 (index),
/// /openapi/v3/api/v1 and /openapi/v3/apis/{group}/{version} (one OpenAPI 3.0 document per
/// group-version) and /openapi/v2 (one Swagger 2.0 document).
/// </summary>
/// <remarks>
/// What clients rely on: kubectl create/apply ask the v3 document of an object's group-version
/// whether the PATCH operation for its kind declares the <c>fieldValidation</c> query parameter;
/// when it does, they skip client-side schema validation and let the server validate strictly.
/// kubectl explain finds the kind from the <c>x-kubernetes-group-version-kind</c> of the
/// operations on the resource's paths, then the schema carrying the same extension.
/// </remarks>
public sealed class OpenApiDocuments
{
    public const string V2ProtobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
    public const string V3ProtobufContentType = "application/com.github.proto-openapi.spec.v3.v1.0+protobuf";

    private const string SchemaRef = "#/components/schemas/";
    private const string MetaGroup = "meta.k8s.io";

    private static readonly JsonSerializerOptions SerializerOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly IOpenApiSchemaSource _source;
    private readonly ResourceRegistry _registry;
    private readonly Lazy<Built> _built;

    /// <summary>
    /// The documents are built on the first /openapi request, as kube-apiserver builds its v3
    /// documents lazily: the build reflects over the client's model types and reads their XML
    /// documentation (about a second, and some 50 MB of memory that stays with the process), which
    /// a server no client asks for its OpenAPI (a cluster driven by controllers and agents) should
    /// not pay. The descriptions read for it are dropped once the documents hold them.
    /// </summary>
    public OpenApiDocuments(ResourceRegistry registry, IOpenApiSchemaSource? schemaSource = null)
    {
        _source = schemaSource ?? new ModelSchemaSource();
        _registry = registry;
        _built = new Lazy<Built>(Build, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>GET /openapi/v3: the group-versions and the URL (with content hash) of each document.</summary>
    public byte[] V3Index => _built.Value.V3Index;

    /// <summary>GET /openapi/v2 as JSON.</summary>
    public byte[] V2Json => _built.Value.V2Json;

    /// <summary>GET /openapi/v2 as the gnostic OpenAPIv2 protobuf Document (swagger, info and definitions, see <see cref="GnosticV2"/>).</summary>
    public byte[] V2Protobuf => _built.Value.V2Protobuf;

    /// <summary>The v3 documents, keyed by index path ("api/v1", "apis/apps/v1").</summary>
    public IReadOnlyDictionary<string, OpenApiV3Document> V3Documents => _built.Value.V3;

    /// <summary>The v3 document of a group-version, or 404 as kube-apiserver clients see it.</summary>
    public OpenApiV3Document V3(string group, string version)
    {
        var path = string.IsNullOrEmpty(group) ? "api/" + version : "apis/" + group + "/" + version;
        return _built.Value.V3.TryGetValue(path, out var document) ? document : throw DiscoveryDocuments.NotFound();
    }

    public static OpenApiV2Format NegotiateV2(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return OpenApiV2Format.Json;
        }

        foreach (var range in MediaRange.ParseAccept(accept))
        {
            if (range.Matches("application", "json"))
            {
                return OpenApiV2Format.Json;
            }

            if (range.Type == "application" && range.SubType is "com.github.proto-openapi.spec.v2@v1.0+protobuf" or "com.github.proto-openapi.spec.v2.v1.0+protobuf")
            {
                return OpenApiV2Format.Protobuf;
            }
        }

        return OpenApiV2Format.NotAcceptable;
    }

    /// <summary>True when the Accept header admits the JSON representation of a v3 document.</summary>
    public static bool AcceptsV3Json(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return true;
        }

        foreach (var range in MediaRange.ParseAccept(accept))
        {
            if (range.Matches("application", "json"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The definition name kube-apiserver publishes for a kind: io.k8s.api.core.v1.Pod,
    /// io.k8s.api.apps.v1.Deployment, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta; groups
    /// outside k8s.io are reversed (com.example.stable.v1.CronTab), as for custom resources.
    /// </summary>
    public static string DefinitionName(string group, string version, string kind)
    {
        if (group == MetaGroup)
        {
            return "io.k8s.apimachinery.pkg.apis.meta." + version + "." + kind;
        }

        if (group.Length == 0)
        {
            return "io.k8s.api.core." + version + "." + kind;
        }

        if (group == "apiextensions.k8s.io")
        {
            return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version + "." + kind;
        }

        if (group == "apiregistration.k8s.io")
        {
            return "io.k8s.kube-aggregator.pkg.apis.apiregistration." + version + "." + kind;
        }

        if (group.EndsWith(".k8s.io", StringComparison.Ordinal) || !group.Contains('.', StringComparison.Ordinal))
        {
            var dot = group.IndexOf('.', StringComparison.Ordinal);
            return "io.k8s.api." + (dot < 0 ? group : group[..dot]) + "." + version + "." + kind;
        }

        var labels = group.Split('.');
        Array.Reverse(labels);
        return string.Join('.', labels) + "." + version + "." + kind;
    }

    /// <summary>The x-kubernetes-group-version-kind object, keys in the order kube-apiserver writes them.</summary>
    public static JsonObject GroupVersionKind(string group, string version, string kind) =>
        new() { ["group"] = group, ["kind"] = kind, ["version"] = version };

    private static IEnumerable<(string Group, string Version, string Kind)> ReferencedKinds(ResourceRegistry registry, string group, string version)
    {
        yield return (MetaGroup, "v1", "DeleteOptions");
        yield return (MetaGroup, "v1", "Patch");
        yield return (MetaGroup, "v1", "Status");
        foreach (var resource in registry.InGroupVersion(group, version))
        {
            yield return (resource.Group, resource.Version, resource.Kind);
            yield return (resource.Group, resource.Version, resource.ListKind);
            foreach (var subresource in resource.Subresources)
            {
                var info = DiscoveryDocuments.DescribeSubresource(resource, subresource);
                yield return (info.Group, info.Version, info.Kind);
            }
        }
    }

    private sealed record Built(Dictionary<string, OpenApiV3Document> V3, byte[] V3Index, byte[] V2Json, byte[] V2Protobuf);

    private Built Build()
    {
        var v3 = new Dictionary<string, OpenApiV3Document>(StringComparer.Ordinal);
        var v2Paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var v2Schemas = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var group in _registry.Groups.Prepend(""))
        {
            foreach (var version in _registry.VersionsOf(group))
            {
                var paths = BuildPaths(_registry, group, version);
                var schemas = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
                foreach (var (group2, version2, kind) in ReferencedKinds(_registry, group, version))
                {
                    _source.AddDefinition(group2, version2, kind, schemas);
                }

                var path = group.Length == 0 ? "api/" + version : "apis/" + group + "/" + version;
                var json = JsonSerializer.SerializeToUtf8Bytes(RenderV3(paths, schemas), SerializerOptions);
                v3[path] = new OpenApiV3Document(path, json, Convert.ToHexString(SHA512.HashData(json)));

                foreach (var item in paths)
                {
                    v2Paths[item.Path] = RenderV2PathItem(item);
                }

                foreach (var (name, schema) in schemas)
                {
                    v2Schemas.TryAdd(name, schema);
                }
            }
        }

        var v2 = RenderV2(v2Paths, v2Schemas);
        var built = new Built(v3, BuildIndex(v3), JsonSerializer.SerializeToUtf8Bytes(v2, SerializerOptions), GnosticV2.Encode(v2));
        Objects.ModelDocs.Release();
        return built;
    }

    private static byte[] BuildIndex(Dictionary<string, OpenApiV3Document> v3)
    {
        var paths = new JsonObject();
        foreach (var path in v3.Keys.Order(StringComparer.Ordinal))
        {
            paths[path] = new JsonObject { ["serverRelativeURL"] = "/openapi/v3/" + path + "?hash=" + v3[path].Hash };
        }

        return JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["paths"] = paths }, SerializerOptions);
    }

    // ---- the operation model, rendered as OpenAPI v3 and as Swagger 2.0 ----

    private sealed record Operation(
        string Method, string Action, string OperationId, string Description, string Tag, JsonObject Gvk,
        string[] Query, string? Body, string[] BodyTypes, string Response, string[] Codes);

    private sealed record PathItem(string Path, string[] PathParameters, string Kind, List<Operation> Operations);

    private static readonly string[] ListQuery =
        ["allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch"];

    private static readonly string[] WriteQuery = ["dryRun", "fieldManager", "fieldValidation"];
    private static readonly string[] PatchQuery = ["dryRun", "fieldManager", "fieldValidation", "force"];
    private static readonly string[] DeleteQuery = ["dryRun", "gracePeriodSeconds", "ignoreStoreReadErrorWithClusterBreakingPotential", "orphanDependents", "propagationPolicy"];

    private static readonly string[] DeleteCollectionQuery =
        ["continue", "dryRun", "fieldSelector", "gracePeriodSeconds", "ignoreStoreReadErrorWithClusterBreakingPotential", "labelSelector", "limit", "orphanDependents", "propagationPolicy", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds"];

    private List<PathItem> BuildPaths(ResourceRegistry registry, string group, string version)
    {
        var prefix = group.Length == 0 ? "/api/" + version : "/apis/" + group + "/" + version;
        var idPrefix = OperationIdPrefix(group) + char.ToUpperInvariant(version[0]) + version[1..];
        var tag = TagPrefix(group) + "_" + version;
        var items = new List<PathItem>();
        foreach (var r in registry.InGroupVersion(group, version))
        {
            var scope = r.Namespaced ? "Namespaced" : "";
            var collection = r.Namespaced ? prefix + "/namespaces/{namespace}/" + r.Plural : prefix + "/" + r.Plural;
            string[] collectionParameters = r.Namespaced ? ["namespace", "pretty"] : ["pretty"];
            string[] itemParameters = r.Namespaced ? ["name", "namespace", "pretty"] : ["name", "pretty"];
            var gvk = GroupVersionKind(r.Group, r.Version, r.Kind);
            var kindName = DefinitionName(r.Group, r.Version, r.Kind);
            var listName = DefinitionName(r.Group, r.Version, r.ListKind);
            var status = DefinitionName(MetaGroup, "v1", "Status");
            var deleteOptions = DefinitionName(MetaGroup, "v1", "DeleteOptions");
            var patch = DefinitionName(MetaGroup, "v1", "Patch");
            bool Has(string verb) => Array.IndexOf(r.Verbs, verb) >= 0;

            var collectionOps = new List<Operation>();
            if (Has("list"))
            {
                collectionOps.Add(new("get", "list", "list" + idPrefix + scope + r.Kind, "list or watch objects of kind " + r.Kind, tag, gvk, ListQuery, null, [], listName, ["200"]));
            }

            if (Has("create"))
            {
                collectionOps.Add(new("post", "post", "create" + idPrefix + scope + r.Kind, "create " + Article(r.Kind), tag, gvk, WriteQuery, kindName, ["*/*"], kindName, ["200", "201", "202"]));
            }

            if (Has("deletecollection"))
            {
                collectionOps.Add(new("delete", "deletecollection", "delete" + idPrefix + "Collection" + scope + r.Kind, "delete collection of " + r.Kind, tag, gvk, DeleteCollectionQuery, deleteOptions, ["*/*"], status, ["200"]));
            }

            if (collectionOps.Count > 0)
            {
                items.Add(new(collection, collectionParameters, r.Kind, collectionOps));
            }

            var itemOps = new List<Operation>();
            if (Has("get"))
            {
                itemOps.Add(new("get", "get", "read" + idPrefix + scope + r.Kind, "read the specified " + r.Kind, tag, gvk, [], null, [], kindName, ["200"]));
            }

            if (Has("update"))
            {
                itemOps.Add(new("put", "put", "replace" + idPrefix + scope + r.Kind, "replace the specified " + r.Kind, tag, gvk, WriteQuery, kindName, ["*/*"], kindName, ["200", "201"]));
            }

            if (Has("patch"))
            {
                itemOps.Add(new("patch", "patch", "patch" + idPrefix + scope + r.Kind, "partially update the specified " + r.Kind, tag, gvk, PatchQuery, patch, PatchContentTypes(), kindName, ["200", "201"]));
            }

            if (Has("delete"))
            {
                itemOps.Add(new("delete", "delete", "delete" + idPrefix + scope + r.Kind, "delete " + Article(r.Kind), tag, gvk, DeleteQuery, deleteOptions, ["*/*"], r.ReturnDeletedObject ? kindName : status, ["200", "202"]));
            }

            if (itemOps.Count > 0)
            {
                items.Add(new(collection + "/{name}", itemParameters, r.Kind, itemOps));
            }

            if (r.Namespaced && Has("list"))
            {
                items.Add(new(prefix + "/" + r.Plural, ["pretty"], r.Kind, [new("get", "list", "list" + idPrefix + r.Kind + "ForAllNamespaces", "list or watch objects of kind " + r.Kind, tag, gvk, ListQuery, null, [], listName, ["200"])]));
            }

            foreach (var subresource in r.Subresources)
            {
                var info = DiscoveryDocuments.DescribeSubresource(r, subresource);
                var subGvk = GroupVersionKind(info.Group, info.Version, info.Kind);
                var subName = DefinitionName(info.Group, info.Version, info.Kind);
                var suffix = char.ToUpperInvariant(subresource[0]) + subresource[1..];
                var subOps = new List<Operation>();
                foreach (var verb in info.Verbs)
                {
                    switch (verb)
                    {
                        case "get":
                            subOps.Add(new("get", "get", "read" + idPrefix + scope + r.Kind + suffix, "read " + subresource + " of the specified " + r.Kind, tag, subGvk, [], null, [], subName, ["200"]));
                            break;
                        case "update":
                            subOps.Add(new("put", "put", "replace" + idPrefix + scope + r.Kind + suffix, "replace " + subresource + " of the specified " + r.Kind, tag, subGvk, WriteQuery, subName, ["*/*"], subName, ["200", "201"]));
                            break;
                        case "patch":
                            subOps.Add(new("patch", "patch", "patch" + idPrefix + scope + r.Kind + suffix, "partially update " + subresource + " of the specified " + r.Kind, tag, subGvk, PatchQuery, patch, PatchContentTypes(), subName, ["200", "201"]));
                            break;
                        case "create":
                            subOps.Add(new("post", "post", "create" + idPrefix + scope + r.Kind + suffix, "create " + subresource + " of " + Article(r.Kind), tag, subGvk, WriteQuery, subName, ["*/*"], subName, ["200", "201", "202"]));
                            break;
                    }
                }

                if (subOps.Count > 0)
                {
                    items.Add(new(collection + "/{name}/" + subresource, itemParameters, r.Kind, subOps));
                }
            }
        }

        items.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        return items;
    }

    private string[] PatchContentTypes() => _source.DescribesPatchStrategies
        ? ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"]
        : ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"];

    private static string Article(string kind) => ("AEIOU".Contains(kind[0], StringComparison.Ordinal) ? "an " : "a ") + kind;

    /// <summary>coordination.k8s.io → Coordination, rbac.authorization.k8s.io → RbacAuthorization, "" → Core.</summary>
    private static string OperationIdPrefix(string group)
    {
        if (group.Length == 0)
        {
            return "Core";
        }

        var trimmed = group.EndsWith(".k8s.io", StringComparison.Ordinal) ? group[..^".k8s.io".Length] : group;
        return string.Concat(trimmed.Split('.', '-').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }

    private static string TagPrefix(string group)
    {
        var prefix = OperationIdPrefix(group);
        return char.ToLowerInvariant(prefix[0]) + prefix[1..];
    }

    private static JsonObject RenderV3(List<PathItem> items, SortedDictionary<string, JsonObject> schemas)
    {
        var paths = new JsonObject();
        foreach (var item in items)
        {
            var pathItem = new JsonObject();
            foreach (var op in item.Operations)
            {
                var operation = new JsonObject
                {
                    ["tags"] = new JsonArray(op.Tag),
                    ["description"] = op.Description,
                    ["operationId"] = op.OperationId,
                };
                if (op.Query.Length > 0)
                {
                    operation["parameters"] = new JsonArray([.. op.Query.Select(q => (JsonNode)ParameterV3(q, item.Kind))]);
                }

                if (op.Body is not null)
                {
                    var content = new JsonObject();
                    foreach (var type in op.BodyTypes)
                    {
                        content[type] = new JsonObject { ["schema"] = Ref(op.Body) };
                    }

                    operation["requestBody"] = new JsonObject { ["content"] = content, ["required"] = op.Method != "delete" };
                }

                var responses = new JsonObject();
                foreach (var code in op.Codes)
                {
                    responses[code] = new JsonObject
                    {
                        ["description"] = Reason(code),
                        ["content"] = new JsonObject
                        {
                            ["application/json"] = new JsonObject { ["schema"] = Ref(op.Response) },
                            ["application/yaml"] = new JsonObject { ["schema"] = Ref(op.Response) },
                        },
                    };
                }

                responses["401"] = new JsonObject { ["description"] = "Unauthorized" };
                operation["responses"] = responses;
                operation["x-kubernetes-action"] = op.Action;
                operation["x-kubernetes-group-version-kind"] = op.Gvk.DeepClone();
                pathItem[op.Method] = operation;
            }

            pathItem["parameters"] = new JsonArray([.. item.PathParameters.Select(p => (JsonNode)ParameterV3(p, item.Kind))]);
            paths[item.Path] = pathItem;
        }

        var components = new JsonObject();
        foreach (var (name, schema) in schemas)
        {
            components[name] = schema.DeepClone();
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = DiscoveryDocuments.GitVersion },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = components,
                ["securitySchemes"] = new JsonObject
                {
                    ["BearerToken"] = new JsonObject { ["type"] = "apiKey", ["description"] = "Bearer Token authentication", ["name"] = "authorization", ["in"] = "header" },
                },
            },
        };
    }

    private static JsonObject RenderV2PathItem(PathItem item)
    {
        var pathItem = new JsonObject();
        foreach (var op in item.Operations)
        {
            var operation = new JsonObject
            {
                ["description"] = op.Description,
                ["consumes"] = new JsonArray([.. op.BodyTypes.Select(t => (JsonNode)t!)]),
                ["produces"] = new JsonArray("application/json", "application/yaml"),
                ["schemes"] = new JsonArray("https"),
                ["tags"] = new JsonArray(op.Tag),
                ["operationId"] = op.OperationId,
            };
            if (op.BodyTypes.Length == 0)
            {
                operation.Remove("consumes");
            }

            var parameters = new JsonArray();
            if (op.Body is not null)
            {
                parameters.Add(new JsonObject { ["name"] = "body", ["in"] = "body", ["required"] = op.Method != "delete", ["schema"] = new JsonObject { ["$ref"] = "#/definitions/" + op.Body } });
            }

            foreach (var q in op.Query)
            {
                parameters.Add(ParameterV2(q, item.Kind));
            }

            if (parameters.Count > 0)
            {
                operation["parameters"] = parameters;
            }

            var responses = new JsonObject();
            foreach (var code in op.Codes)
            {
                responses[code] = new JsonObject { ["description"] = Reason(code), ["schema"] = new JsonObject { ["$ref"] = "#/definitions/" + op.Response } };
            }

            responses["401"] = new JsonObject { ["description"] = "Unauthorized" };
            operation["responses"] = responses;
            operation["x-kubernetes-action"] = op.Action;
            operation["x-kubernetes-group-version-kind"] = op.Gvk.DeepClone();
            pathItem[op.Method] = operation;
        }

        pathItem["parameters"] = new JsonArray([.. item.PathParameters.Select(p => (JsonNode)ParameterV2(p, item.Kind))]);
        return pathItem;
    }

    private static JsonObject RenderV2(SortedDictionary<string, JsonObject> items, SortedDictionary<string, JsonObject> schemas)
    {
        var paths = new JsonObject();
        foreach (var (path, item) in items)
        {
            paths[path] = item;
        }

        var definitions = new JsonObject();
        foreach (var (name, schema) in schemas)
        {
            definitions[name] = RewriteRefs(schema.DeepClone());
        }

        return new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = DiscoveryDocuments.GitVersion },
            ["paths"] = paths,
            ["definitions"] = definitions,
            ["securityDefinitions"] = new JsonObject
            {
                ["BearerToken"] = new JsonObject { ["description"] = "Bearer Token authentication", ["type"] = "apiKey", ["name"] = "authorization", ["in"] = "header" },
            },
            ["security"] = new JsonArray(new JsonObject { ["BearerToken"] = new JsonArray() }),
        };
    }

    /// <summary>
    /// A v3 schema as Swagger 2.0 writes it: references point into #/definitions/, a reference
    /// beside a description is a sibling $ref rather than allOf, and Quantity and IntOrString are
    /// typed strings rather than oneOf.
    /// </summary>
    private static JsonNode RewriteRefs(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["allOf"] is JsonArray { Count: 1 } allOf && allOf[0] is JsonObject only && only.Count == 1 && only["$ref"] is not null)
                {
                    obj.Remove("allOf");
                    obj.Insert(0, "$ref", only["$ref"]!.DeepClone());
                }

                if (obj["oneOf"] is JsonArray)
                {
                    obj.Remove("oneOf");
                    obj["type"] = "string";
                }

                foreach (var (key, value) in obj.ToList())
                {
                    if (key == "$ref" && value is JsonValue v && v.TryGetValue<string>(out var target) && target.StartsWith(SchemaRef, StringComparison.Ordinal))
                    {
                        obj[key] = "#/definitions/" + target[SchemaRef.Length..];
                    }
                    else if (value is not null)
                    {
                        RewriteRefs(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var element in array)
                {
                    if (element is not null)
                    {
                        RewriteRefs(element);
                    }
                }

                break;
        }

        return node;
    }

    private static JsonObject Ref(string definition) => new() { ["$ref"] = SchemaRef + definition };

    private static string Reason(string code) => code switch
    {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted",
        _ => code,
    };

    private static JsonObject ParameterV3(string name, string kind)
    {
        var (location, type, description) = Parameter(name, kind);
        var parameter = new JsonObject { ["name"] = name, ["in"] = location, ["description"] = description };
        if (location == "path")
        {
            parameter["required"] = true;
        }

        parameter["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true };
        return parameter;
    }

    private static JsonObject ParameterV2(string name, string kind)
    {
        var (location, type, description) = Parameter(name, kind);
        var parameter = new JsonObject { ["uniqueItems"] = true, ["type"] = type, ["description"] = description, ["name"] = name, ["in"] = location };
        if (location == "path")
        {
            parameter["required"] = true;
        }

        return parameter;
    }

    private static (string In, string Type, string Description) Parameter(string name, string kind) => name switch
    {
        "name" => ("path", "string", "name of the " + kind),
        "namespace" => ("path", "string", "object name and auth scope, such as for teams and projects"),
        "pretty" => ("query", "string", "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
        "allowWatchBookmarks" => ("query", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server's discretion."),
        "continue" => ("query", "string", "The continue option should be set when retrieving more results from the server. Its value is the continue token returned by the previous list call; the server answers 410 ResourceExpired when the token has expired."),
        "fieldSelector" => ("query", "string", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
        "labelSelector" => ("query", "string", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
        "limit" => ("query", "integer", "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results."),
        "resourceVersion" => ("query", "string", "resourceVersion sets a constraint on what resource versions a request may be served from. Defaults to unset."),
        "resourceVersionMatch" => ("query", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls. Defaults to unset."),
        "sendInitialEvents" => ("query", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection, followed by a bookmark event."),
        "timeoutSeconds" => ("query", "integer", "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity."),
        "watch" => ("query", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion."),
        "dryRun" => ("query", "string", "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed"),
        "fieldManager" => ("query", "string", "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint."),
        "fieldValidation" => ("query", "string", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: ignores any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: sends a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. - Strict: fails the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered."),
        "force" => ("query", "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests."),
        "gracePeriodSeconds" => ("query", "integer", "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used."),
        "ignoreStoreReadErrorWithClusterBreakingPotential" => ("query", "boolean", "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error."),
        "orphanDependents" => ("query", "boolean", "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned."),
        "propagationPolicy" => ("query", "string", "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
        _ => ("query", "string", name),
    };
}
