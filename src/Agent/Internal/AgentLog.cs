using Microsoft.Extensions.Logging;

namespace Nautilus.Agent.Internal;

internal static partial class AgentLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Registered {Count} nodes")]
    public static partial void Registered(ILogger logger, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Node registration failed; retrying")]
    public static partial void RegistrationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Node {Node}: {Operation} failed with {Code}: {Message}")]
    public static partial void ItemFailed(ILogger logger, string node, string operation, int code, string message);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Lease renewal failed; the nodes re-register when the server answers again")]
    public static partial void LeaseRenewalFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Pod stream for {Count} nodes connected (resourceVersion \"{ResourceVersion}\")")]
    public static partial void StreamConnected(ILogger logger, int count, string resourceVersion);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Pod stream failed; reconnecting")]
    public static partial void StreamFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "resourceVersion {ResourceVersion} has expired; listing the current pods again")]
    public static partial void StreamExpired(ILogger logger, string resourceVersion);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Pod reports failed; retrying")]
    public static partial void ReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Log request {RequestId} for {Namespace}/{Pod} failed")]
    public static partial void LogRequestFailed(ILogger logger, string requestId, string @namespace, string pod, Exception exception);
}
