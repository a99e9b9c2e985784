using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Api.OpenApi;

/// <summary>
/// The OpenAPI schemas of the served kinds, rendered from <see cref="ModelSchema"/> (the model
/// types with their documentation and kube's markers) as kube-apiserver's OpenAPI v3 writes them:
/// one definition per Go type under its kube name, fields that reference a definition as
/// <c>allOf: [{$ref}]</c> beside their description, and the markers
/// (<c>x-kubernetes-patch-merge-key</c>, <c>x-kubernetes-patch-strategy</c>,
/// <c>x-kubernetes-list-type</c>, <c>x-kubernetes-list-map-keys</c>, <c>x-kubernetes-map-type</c>)
/// on the fields that declare them. The v2 document is derived from these (see <see cref="OpenApiDocuments"/>).
/// </summary>
internal sealed class ModelSchemaSource : IOpenApiSchemaSource
{
    private const string SchemaRef = "#/components/schemas/";
    private const string MetaGroup = "meta.k8s.io";

    public bool DescribesPatchStrategies => true;

    public void AddDefinition(string group, string version, string kind, IDictionary<string, JsonObject> schemas)
    {
        var name = OpenApiDocuments.DefinitionName(group, version, kind);
        if (schemas.ContainsKey(name))
        {
            return;
        }

        if (group == MetaGroup && kind == "Patch")
        {
            schemas[name] = new JsonObject
            {
                ["description"] = "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
                ["type"] = "object",
            };
            return;
        }

        // meta.k8s.io kinds (Status, DeleteOptions) are modelled as core v1 entities by the client.
        var schema = group == MetaGroup ? ModelSchema.ForKind("", version, kind) : ModelSchema.ForKind(group, version, kind);
        if (schema?.Definition is null)
        {
            schemas[name] = new JsonObject
            {
                ["description"] = kind + " is served by this API server.",
                ["type"] = "object",
                ["x-kubernetes-preserve-unknown-fields"] = true,
                ["x-kubernetes-group-version-kind"] = new JsonArray(OpenApiDocuments.GroupVersionKind(group, version, kind)),
            };
            return;
        }

        var pending = new Queue<ModelSchema>();
        pending.Enqueue(schema);
        while (pending.TryDequeue(out var next))
        {
            if (next.Definition is { } definition && !schemas.ContainsKey(definition))
            {
                schemas[definition] = Definition(next, pending);
            }
        }
    }

    private static JsonObject Definition(ModelSchema node, Queue<ModelSchema> pending)
    {
        var result = new JsonObject();
        if (node.Description is { Length: > 0 } description)
        {
            result["description"] = description;
        }

        switch (node.Kind)
        {
            case ModelSchemaKind.Object:
                result["type"] = "object";
                if (node.Required.Length > 0)
                {
                    result["required"] = new JsonArray([.. node.Required.Select(r => (JsonNode)r)]);
                }

                var properties = new JsonObject();
                foreach (var (name, field) in node.Fields)
                {
                    properties[name] = Field(field.Schema, field.Description, field.Markers, pending);
                }

                result["properties"] = properties;
                if (node.GroupVersionKind is { } gvk)
                {
                    result["x-kubernetes-group-version-kind"] = new JsonArray(OpenApiDocuments.GroupVersionKind(gvk.Group, gvk.Version, gvk.Kind));
                }

                if (node.Atomic)
                {
                    result["x-kubernetes-map-type"] = "atomic";
                }

                break;
            case ModelSchemaKind.Scalar when node.OneOf is not null:
                if (node.Format is not null)
                {
                    result["format"] = node.Format;
                }

                result["oneOf"] = new JsonArray([.. node.OneOf.Select(t => (JsonNode)new JsonObject { ["type"] = t })]);
                break;
            default:
                result["type"] = node.JsonType ?? "object";
                if (node.Format is not null)
                {
                    result["format"] = node.Format;
                }

                break;
        }

        return result;
    }

    private static JsonObject Field(ModelSchema node, string? description, FieldMarkers markers, Queue<ModelSchema> pending)
    {
        JsonObject result;
        if (node.Definition is not null)
        {
            pending.Enqueue(node);
            var reference = new JsonObject { ["$ref"] = SchemaRef + node.Definition };
            if (description is null && markers == FieldMarkers.None)
            {
                return reference;
            }

            result = new JsonObject { ["allOf"] = new JsonArray(reference) };
        }
        else
        {
            result = [];
            switch (node.Kind)
            {
                case ModelSchemaKind.Array:
                    result["type"] = "array";
                    result["items"] = Field(node.Element ?? ModelSchema.Any, null, FieldMarkers.None, pending);
                    break;
                case ModelSchemaKind.Map:
                    result["type"] = "object";
                    result["additionalProperties"] = Field(node.Element ?? ModelSchema.Any, null, FieldMarkers.None, pending);
                    break;
                case ModelSchemaKind.Any:
                    result["type"] = "object";
                    result["x-kubernetes-preserve-unknown-fields"] = true;
                    break;
                default:
                    result["type"] = node.JsonType;
                    if (node.Format is not null)
                    {
                        result["format"] = node.Format;
                    }

                    break;
            }
        }

        if (description is { Length: > 0 })
        {
            result["description"] = description;
        }

        if (markers.ListMapKeys is { } keys)
        {
            result["x-kubernetes-list-map-keys"] = new JsonArray([.. keys.Select(k => (JsonNode)k)]);
        }

        if (markers.ListType is { } listType)
        {
            result["x-kubernetes-list-type"] = listType;
        }

        if (markers.MapType is { } mapType)
        {
            result["x-kubernetes-map-type"] = mapType;
        }

        if (markers.MergeKey is { } mergeKey)
        {
            result["x-kubernetes-patch-merge-key"] = mergeKey;
        }

        if (markers.PatchStrategy is { } strategy)
        {
            result["x-kubernetes-patch-strategy"] = strategy;
        }

        return result;
    }
}
