using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Api;
using Grpc.Core;
using Nautilus.Scheduler;
using Nautilus.Scheduler.V1;

namespace Nautilus.Server.Api.Services;

/// <summary>
/// The Scheduler service (protos/nautilus/scheduler/v1/scheduler.proto): explains where a pod
/// would go and why, from the in-process scheduler's live cache. POST .../explain takes a Pod as
/// JSON; GET .../namespaces/{namespace}/pods/{name}/explain names an existing one. Failures are
/// Kubernetes Status bodies (REST) or RpcExceptions carrying them (native gRPC).
/// </summary>
public sealed class SchedulerExplainService(SchedulerHost scheduler, ResourceHandler handler) : Nautilus.Scheduler.V1.Scheduler.SchedulerBase
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override async Task<HttpBody> Explain(ExplainRequest request, ServerCallContext context)
    {
        try
        {
            var explanation = request.Name.Length > 0
                ? await scheduler.ExplainAsync(await ReadStoredPodAsync(request.Namespace, request.Name, context.CancellationToken).ConfigureAwait(false), context.CancellationToken).ConfigureAwait(false)
                : await scheduler.ExplainAsync(ReadPod(request.Body), context.CancellationToken).ConfigureAwait(false);
            return Responses.Json(context, JsonSerializer.SerializeToUtf8Bytes(explanation, Compact));
        }
        catch (SchedulerExplainException e)
        {
            return Responses.Error(context, new ApiException(e.StatusCode, e.Reason, e.Message));
        }
        catch (ApiException e)
        {
            return Responses.Error(context, e);
        }
    }

    /// <summary>
    /// An existing pod as the API has it now (a consistent read), not as the scheduler's informer
    /// last saw it: a pod created a moment ago is explained rather than reported missing.
    /// </summary>
    private async Task<JsonObject> ReadStoredPodAsync(string ns, string name, CancellationToken ct)
    {
        handler.Registry.TryGet("", "v1", "pods", out var pods);
        var stored = await handler.GetAsync(pods, ns, name, ct).ConfigureAwait(false);
        return Objects.KubeJson.ParseStored(stored.Json);
    }

    /// <summary>The posted Pod: JSON only (the explanation is not stored, so YAML and protobuf bodies are not worth decoding here).</summary>
    private static JsonObject ReadPod(HttpBody? body)
    {
        if (body is null || body.Data.IsEmpty)
        {
            throw ApiException.BadRequest("the request body must be a Pod");
        }

        var contentType = body.ContentType ?? "";
        if (contentType.Length > 0 && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw ApiException.UnsupportedMediaType(contentType);
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body.Data.Span);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest("the request body is not valid JSON: " + e.Message);
        }

        if (node is not JsonObject pod)
        {
            throw ApiException.BadRequest("the request body must be a Pod object");
        }

        if (pod["kind"] is JsonValue kind && kind.GetValueKind() == JsonValueKind.String && kind.GetValue<string>() != "Pod")
        {
            throw ApiException.BadRequest($"the request body must be a Pod, not {kind.GetValue<string>()}");
        }

        return pod;
    }
}
