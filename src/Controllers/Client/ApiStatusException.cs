using System.Text.Json.Nodes;

namespace Nautilus.Controllers.Client;

/// <summary>A request the API refused, with the Kubernetes Status it answered.</summary>
public sealed class ApiStatusException(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public bool IsNotFound => Code == 404;

    public bool IsConflict => Code == 409 && Reason == "Conflict";

    public bool IsGone => Code == 410;

    internal static ApiStatusException FromStatus(JsonObject status) =>
        new(status["code"]?.GetValue<int>() ?? 500, status["reason"]?.GetValue<string>() ?? "", status["message"]?.GetValue<string>() ?? "");
}
