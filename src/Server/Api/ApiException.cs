using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nautilus.Server.Api;

/// <summary>One entry of Status.details.causes.</summary>
public sealed record StatusCause(string Type, string Message, string Field);

/// <summary>
/// A failed API request, carrying the Kubernetes Status that kube-apiserver would answer with:
/// HTTP code, reason, message and details. Thrown anywhere in the API machinery; the service
/// layer writes it as a Status body (REST) or an RpcException (native gRPC).
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, string? name = null, string? group = null, string? kind = null, IReadOnlyList<StatusCause>? causes = null, int? retryAfterSeconds = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Name = name;
        Group = group;
        Kind = kind;
        Causes = causes;
        RetryAfterSeconds = retryAfterSeconds;
    }

    private static readonly JsonSerializerOptions StatusJsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int Code { get; }

    public string Reason { get; }

    public string? Name { get; }

    public string? Group { get; }

    public string? Kind { get; }

    public IReadOnlyList<StatusCause>? Causes { get; }

    public int? RetryAfterSeconds { get; }

    public static ApiException NotFound(ResourceDefinition resource, string name) =>
        new(404, "NotFound", $"{resource.QualifiedResource} \"{name}\" not found", name, resource.Group, resource.Plural);

    public static ApiException AlreadyExists(ResourceDefinition resource, string name) =>
        new(409, "AlreadyExists", $"{resource.QualifiedResource} \"{name}\" already exists", name, resource.Group, resource.Plural);

    public static ApiException Conflict(ResourceDefinition resource, string name, string detail) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {resource.QualifiedResource} \"{name}\": {detail}", name, resource.Group, resource.Plural);

    /// <summary>errors.NewForbidden: <c>pods "web" is forbidden: reason</c>, as admission plugins deny a request.</summary>
    public static ApiException Forbidden(ResourceDefinition resource, string name, string reason) =>
        new(403, "Forbidden", $"{resource.QualifiedResource} \"{name}\" is forbidden: {reason}", name, resource.Group, resource.Plural);

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException MethodNotAllowed(string message = "the server does not allow this method on the requested resource") =>
        new(405, "MethodNotAllowed", message);

    public static ApiException Gone(string message) => new(410, "Expired", message);

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/cbor", null);

    /// <summary>
    /// 422 Invalid as errors.NewInvalid writes it: <c>Kind[.group] "name" is invalid: field: message</c>,
    /// the causes aggregated as field.ErrorList.ToAggregate does (identical messages once, more
    /// than one in brackets joined by ", "); details carry every cause, the bare kind and the group.
    /// </summary>
    public static ApiException Invalid(ResourceDefinition resource, string name, IReadOnlyList<StatusCause> causes)
    {
        var qualifiedKind = resource.Group.Length == 0 ? resource.Kind : resource.Kind + "." + resource.Group;
        var messages = new List<string>(causes.Count);
        foreach (var cause in causes)
        {
            var text = $"{cause.Field}: {cause.Message}";
            if (!messages.Contains(text))
            {
                messages.Add(text);
            }
        }

        var message = messages.Count switch
        {
            0 => $"{qualifiedKind} \"{name}\" is invalid",
            1 => $"{qualifiedKind} \"{name}\" is invalid: {messages[0]}",
            _ => $"{qualifiedKind} \"{name}\" is invalid: [{string.Join(", ", messages)}]",
        };
        return new(422, "Invalid", message, name, resource.Group, resource.Kind, causes);
    }

    /// <summary>The Status object as kube-apiserver serializes it.</summary>
    public byte[] ToStatusJson()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Name is not null || Kind is not null || Causes is not null || RetryAfterSeconds is not null)
        {
            var details = new JsonObject();
            if (Name is not null)
            {
                details["name"] = Name;
            }

            if (!string.IsNullOrEmpty(Group))
            {
                details["group"] = Group;
            }

            if (Kind is not null)
            {
                details["kind"] = Kind;
            }

            if (Causes is { Count: > 0 })
            {
                var causes = new JsonArray();
                foreach (var cause in Causes)
                {
                    var c = new JsonObject();
                    if (cause.Type.Length > 0)
                    {
                        c["reason"] = cause.Type;
                    }

                    c["message"] = cause.Message;
                    if (cause.Field.Length > 0)
                    {
                        c["field"] = cause.Field;
                    }

                    causes.Add(c);
                }

                details["causes"] = causes;
            }

            if (RetryAfterSeconds is { } retry)
            {
                details["retryAfterSeconds"] = retry;
            }

            status["details"] = details;
        }

        status["code"] = Code;
        return JsonSerializer.SerializeToUtf8Bytes(status, StatusJsonOptions);
    }
}
