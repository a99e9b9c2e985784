using System.Globalization;
using System.Text.Json.Nodes;
using Google.Api;
using Grpc.Core;
using Nautilus.Api.V1;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Protobuf;
using Nautilus.Server.Api.Strategies.Validation;
using Nautilus.Store;

namespace Nautilus.Server.Api.Services;

/// <summary>
/// The resource API: one gRPC service whose RPCs carry the Kubernetes REST paths. Resolves the
/// path to a registered resource and hands the verb to <see cref="ResourceHandler"/>, the
/// list/watch path to <see cref="ListWatch"/>.
/// </summary>
public sealed class ResourcesService(ResourceHandler handler, Subresources subresources, ListWatch listWatch) : Resources.ResourcesBase
{
    private ResourceRegistry Registry => handler.Registry;

    public override async Task List(ResourceRequest request, IServerStreamWriter<HttpBody> responseStream, ServerCallContext context)
    {
        HttpBody response;
        try
        {
            // GET /api/v1/namespaces/{name}/status|finalize routes here: it is the namespace's subresource.
            if (request.Group.Length == 0 && request.Namespace.Length > 0 && request.Resource is "status" or "finalize")
            {
                var nsResource = Resolve(new ResourceRequest { Version = request.Version, Resource = "namespaces" });
                response = Responses.Json(context, (await handler.GetAsync(nsResource, "", request.Namespace, context.CancellationToken)).Json);
                await responseStream.WriteAsync(response);
                return;
            }

            var resource = Resolve(request);
            RequireVerb(resource, IsTrue(request.Watch) ? "watch" : "list");
            if (IsTrue(request.Watch))
            {
                await listWatch.WatchAsync(resource, request, responseStream, context);
                return;
            }

            response = await listWatch.ListAsync(resource, request, context);
        }
        catch (ApiException e)
        {
            response = Responses.Error(context, e);
        }

        await responseStream.WriteAsync(response);
    }

    public override async Task<HttpBody> Get(ResourceRequest request, ServerCallContext context)
    {
        try
        {
            var resource = Resolve(request);
            RequireVerb(resource, "get");
            var ct = context.CancellationToken;
            switch (request.Subresource)
            {
                case "":
                    return listWatch.Respond(resource, request, context, await handler.GetAsync(resource, request.Namespace, request.Name, ct));
                case "status":
                    RequireSubresource(resource, "status");
                    return Responses.Json(context, (await handler.GetAsync(resource, request.Namespace, request.Name, ct)).Json);
                case "scale":
                    RequireSubresource(resource, "scale");
                    return Responses.Json(context, Subresources.Scale(await handler.GetAsync(resource, request.Namespace, request.Name, ct)));
                default:
                    throw NotFound();
            }
        }
        catch (ApiException e)
        {
            return Responses.Error(context, e);
        }
    }

    public override async Task<HttpBody> Create(ResourceRequest request, ServerCallContext context)
    {
        try
        {
            var ct = context.CancellationToken;
            if (request.Subresource.Length > 0 || request.Name.Length > 0)
            {
                var target = Resolve(request);
                if (request.Subresource == "binding" && target.HasSubresource("binding"))
                {
                    var body = Body(request, context);
                    return Responses.Json(context, await subresources.BindAsync(target, request.Namespace, request.Name, body, IsDryRun(request), ct), 201);
                }

                throw ApiException.MethodNotAllowed();
            }

            var resource = Resolve(request);
            RequireVerb(resource, "create");
            var result = await handler.CreateAsync(resource, request.Namespace, Body(request, context), Options(request, context), ct);
            return Responses.Json(context, result.Json, result.StatusCode);
        }
        catch (ApiException e)
        {
            return Responses.Error(context, e);
        }
    }

    public override async Task<HttpBody> Update(ResourceRequest request, ServerCallContext context)
    {
        try
        {
            var ct = context.CancellationToken;
            if (request.Group.Length == 0 && request.Resource == "namespaces" && request.Subresource == "finalize")
            {
                var namespaces = Resolve(request);
                return Responses.Json(context, await subresources.FinalizeNamespaceAsync(namespaces, request.Name, Body(request, context), ct));
            }

            var resource = Resolve(request);
            RequireVerb(resource, "update");
            if (request.Subresource == "scale")
            {
                RequireSubresource(resource, "scale");
                var body = KubeJson.ParseObject(Body(request, context).Span);
                return Responses.Json(context, await subresources.UpdateScaleAsync(resource, request.Namespace, request.Name, _ => body, IsDryRun(request), ct, ScaleManager(request, context)));
            }

            RequireSubresource(resource, request.Subresource);
            var result = await handler.UpdateAsync(resource, request.Namespace, request.Name, request.Subresource, Body(request, context), Options(request, context), ct);
            return Responses.Json(context, result.Json, result.StatusCode);
        }
        catch (ApiException e)
        {
            return Responses.Error(context, e);
        }
    }

    public override async Task<HttpBody> Patch(ResourceRequest request, ServerCallContext context)
    {
        try
        {
            var ct = context.CancellationToken;
            var resource = Resolve(request);
            RequireVerb(resource, "patch");
            var contentType = request.Body?.ContentType is { Length: > 0 } type ? type : context.GetHttpContext().Request.ContentType ?? "";
            var body = Body(request, context);
            if (request.Subresource == "scale")
            {
                RequireSubresource(resource, "scale");
                var result = await subresources.UpdateScaleAsync(resource, request.Namespace, request.Name, scale =>
                {
                    var patched = contentType.StartsWith("application/json-patch+json", StringComparison.Ordinal)
                        ? Patching.JsonPatch.Apply(scale, body.Span)
                        : Patching.MergePatch.Apply(scale, JsonNode.Parse(body.Span), strategic: false);
                    return patched as JsonObject ?? throw new ApiException(422, "Invalid", "the patch result is not a JSON object");
                }, IsDryRun(request), ct, ScaleManager(request, context));
                return Responses.Json(context, result);
            }

            RequireSubresource(resource, request.Subresource);
            var written = await handler.PatchAsync(resource, request.Namespace, request.Name, request.Subresource, contentType, body, Options(request, context), ct);
            return Responses.Json(context, written.Json, written.StatusCode);
        }
        catch (ApiException e)
        {
            return Responses.Error(context, e);
        }
        catch (System.Text.Json.JsonException e)
        {
            return Responses.Error(context, ApiException.BadRequest($"error decoding patch: {e.Message}"));
        }
    }

    public override async Task<HttpBody> Delete(ResourceRequest request, ServerCallContext context)
    {
        try
        {
            var resource = Resolve(request);
            RequireVerb(resource, "delete");
            var result = await handler.DeleteAsync(resource, request.Namespace, request.Name, DeleteOptions(request, context), context.CancellationToken);
            return Responses.Json(context, result.Json, result.StatusCode);
        }
        catch (ApiException e)
        {
            return Responses.Error(context, e);
        }
    }

    public override async Task<HttpBody> DeleteCollection(ResourceRequest request, ServerCallContext context)
    {
        try
        {
            var resource = Resolve(request);
            RequireVerb(resource, "deletecollection");
            var (labels, fields) = ListWatch.Selectors(resource, request);
            var json = await handler.DeleteCollectionAsync(resource, resource.Namespaced && request.Namespace.Length > 0 ? request.Namespace : null, labels, fields, DeleteOptions(request, context), context.CancellationToken);
            return Responses.Json(context, json);
        }
        catch (ApiException e)
        {
            return Responses.Error(context, e);
        }
    }

    /// <summary>The registered resource a path names; 404 as kube-apiserver answers unknown paths.</summary>
    private ResourceDefinition Resolve(ResourceRequest request)
    {
        if (!Registry.TryGet(request.Group, request.Version, request.Resource, out var resource))
        {
            throw NotFound();
        }

        if (!resource.Namespaced && request.Namespace.Length > 0)
        {
            throw NotFound();
        }

        if (resource.Namespaced && request.Namespace.Length == 0 && request.Name.Length > 0)
        {
            throw NotFound();
        }

        return resource;
    }

    private static ApiException NotFound() => new(404, "NotFound", "the server could not find the requested resource");

    private static void RequireVerb(ResourceDefinition resource, string verb)
    {
        if (Array.IndexOf(resource.Verbs, verb) < 0)
        {
            throw ApiException.MethodNotAllowed();
        }
    }

    private static void RequireSubresource(ResourceDefinition resource, string subresource)
    {
        if (subresource.Length > 0 && !resource.HasSubresource(subresource))
        {
            throw NotFound();
        }
    }

    private static ReadOnlyMemory<byte> Body(ResourceRequest request, ServerCallContext context)
    {
        var body = request.Body;
        if (body is null || body.Data.IsEmpty)
        {
            throw ApiException.BadRequest("the body of the request is empty");
        }

        var contentType = body.ContentType is { Length: > 0 } t ? t : context.GetHttpContext().Request.ContentType ?? "application/json";
        if (KubernetesProtobuf.IsProtobuf(contentType))
        {
            // Typed Go clients (kubectl create ...) send built-in kinds as Kubernetes protobuf.
            return KubernetesProtobuf.ToJson(body.Data.Span);
        }

        var media = contentType.Split(';')[0].Trim();
        if (media is not ("application/json" or "application/json-patch+json" or "application/merge-patch+json" or "application/strategic-merge-patch+json" or "application/apply-patch+yaml" or "application/apply-patch+json" or "application/grpc" or "application/grpc+proto" or ""))
        {
            throw ApiException.UnsupportedMediaType(contentType);
        }

        return body.Data.Memory;
    }

    private static bool IsTrue(string value) => value is "true" or "1" or "True" or "TRUE" or "t" or "T";

    private static bool IsDryRun(ResourceRequest request)
    {
        foreach (var value in request.DryRun)
        {
            if (value == "All")
            {
                return true;
            }

            if (value.Length > 0)
            {
                throw ApiException.BadRequest($"Invalid dry run value: {value}");
            }
        }

        return false;
    }

    /// <summary>
    /// dryRun, and fieldValidation applied to the body: Strict fails here with kube's strict
    /// decoding error, Warn adds a Warning header per unknown or duplicate field.
    /// </summary>
    private WriteOptions Options(ResourceRequest request, ServerCallContext context)
    {
        var dryRun = IsDryRun(request);
        var http = context.GetHttpContext();
        var optionsKind = http.Request.Method switch { "POST" => "CreateOptions", "PATCH" => "PatchOptions", _ => "UpdateOptions" };
        var directive = FieldValidation.Directive(request.FieldValidation, optionsKind);
        if (request.Body is { Data.IsEmpty: false } body)
        {
            var contentType = body.ContentType is { Length: > 0 } t ? t : http.Request.ContentType ?? "application/json";
            FieldValidation.Check(Resolve(request), directive, body.Data.Span, ResourceHandler.MediaType(contentType),
                warning => http.Response.Headers.Append("Warning", FieldValidation.WarningHeader(warning)));
        }

        var force = IsTrue(request.Force);
        if (optionsKind == "PatchOptions")
        {
            var contentType = request.Body?.ContentType is { Length: > 0 } ct ? ct : http.Request.ContentType ?? "";
            var apply = ResourceHandler.MediaType(contentType) is "application/apply-patch+yaml" or "application/apply-patch+json";
            if (!apply && request.Force.Length > 0)
            {
                throw OptionsInvalid(optionsKind, new StatusCause("FieldValueForbidden", "Forbidden: may not be specified for non-apply patch", "force"));
            }

            if (apply && request.FieldManager.Length == 0)
            {
                throw OptionsInvalid(optionsKind, new StatusCause("FieldValueRequired", "Required value: is required for apply patch", "fieldManager"));
            }
        }

        if (System.Text.Encoding.UTF8.GetByteCount(request.FieldManager) > 128)
        {
            throw OptionsInvalid(optionsKind, new StatusCause("FieldValueTooLong", "Too long: may not be more than 128 bytes", "fieldManager"));
        }

        return new()
        {
            DryRun = dryRun,
            FieldValidation = directive,
            FieldManager = request.FieldManager.Length > 0 ? request.FieldManager : null,
            UserAgent = http.Request.Headers.UserAgent.ToString(),
            Force = force,
        };
    }

    /// <summary>Invalid CreateOptions/UpdateOptions/PatchOptions, as ValidatePatchOptions reports them.</summary>
    private static ApiException OptionsInvalid(string optionsKind, StatusCause cause) =>
        new(422, "Invalid", $"{optionsKind}.meta.k8s.io \"\" is invalid: {cause.Field}: {cause.Message}", null, "meta.k8s.io", optionsKind, [cause]);

    /// <summary>The manager a scale write is recorded under: fieldManager, else the user agent's product.</summary>
    private static string ScaleManager(ResourceRequest request, ServerCallContext context) =>
        request.FieldManager.Length > 0 ? request.FieldManager : Apply.FieldManager.ManagerFromUserAgent(context.GetHttpContext().Request.Headers.UserAgent.ToString());

    /// <summary>DeleteOptions from the body (kubectl sends one) and from the query, the query winning as in kube-apiserver.</summary>
    private static WriteOptions DeleteOptions(ResourceRequest request, ServerCallContext context)
    {
        long? grace = null;
        string? policy = null;
        Preconditions? preconditions = null;
        var dryRun = IsDryRun(request);
        if (request.Body is { Data.IsEmpty: false })
        {
            var options = KubeJson.ParseObject(Body(request, context).Span);
            if (options["gracePeriodSeconds"] is JsonValue g && g.TryGetValue<long>(out var gs))
            {
                grace = gs;
            }

            policy = KubeJson.GetString(options, "propagationPolicy");
            if (options["orphanDependents"] is JsonValue o && o.TryGetValue<bool>(out var orphan) && policy is null)
            {
                policy = orphan ? "Orphan" : "Background";
            }

            if (options["preconditions"] is JsonObject p)
            {
                var rv = KubeJson.GetString(p, "resourceVersion");
                preconditions = new Preconditions(KubeJson.GetString(p, "uid"), long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out var rvValue) ? rvValue : null);
            }

            if (options["dryRun"] is JsonArray d && d.Any(x => x?.ToString() == "All"))
            {
                dryRun = true;
            }
        }

        if (request.GracePeriodSeconds.Length > 0)
        {
            grace = long.TryParse(request.GracePeriodSeconds, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var g)
                ? g
                : throw ApiException.BadRequest($"invalid gracePeriodSeconds: {request.GracePeriodSeconds}");
        }

        if (request.PropagationPolicy.Length > 0)
        {
            policy = request.PropagationPolicy;
        }

        if (policy is not null and not ("Orphan" or "Background" or "Foreground"))
        {
            throw new ApiException(422, "Invalid", $"DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }

        return new WriteOptions { DryRun = dryRun, GracePeriodSeconds = grace, PropagationPolicy = policy, Preconditions = preconditions };
    }
}
