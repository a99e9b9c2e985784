namespace Nautilus.Scheduler;

/// <summary>Why the scheduler cannot explain a pod, with the HTTP status and Kubernetes reason to answer with.</summary>
public sealed class SchedulerExplainException(int statusCode, string reason, string message) : Exception(message)
{
    /// <summary>400 for a pod the scheduler cannot read, 404 for an unknown pod, 503 while the scheduler is not running.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>The Kubernetes Status reason: BadRequest, NotFound, ServiceUnavailable.</summary>
    public string Reason { get; } = reason;
}
