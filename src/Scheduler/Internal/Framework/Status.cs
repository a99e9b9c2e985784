namespace Nautilus.Scheduler.Internal.Framework;

internal enum StatusCode
{
    Success,
    Error,
    Unschedulable,
    UnschedulableAndUnresolvable,
    Wait,
    Skip,
}

/// <summary>
/// The outcome of a plugin call, as kube's framework.Status. The default value is Success, so a
/// plugin that passes returns <c>default</c> and allocates nothing; a constant failure is a static
/// Status whose reasons array is shared.
/// </summary>
internal readonly struct Status
{
    private readonly string[]? _reasons;

    private Status(StatusCode code, string[]? reasons, string? plugin, Exception? error)
    {
        Code = code;
        _reasons = reasons;
        Plugin = plugin;
        Error = error;
    }

    public StatusCode Code { get; }

    /// <summary>The plugin that returned this status (set by the framework).</summary>
    public string? Plugin { get; }

    public Exception? Error { get; }

    public IReadOnlyList<string> Reasons => _reasons ?? [];

    public bool IsSuccess => Code == StatusCode.Success;

    public bool IsSkip => Code == StatusCode.Skip;

    public bool IsWait => Code == StatusCode.Wait;

    /// <summary>Unschedulable or UnschedulableAndUnresolvable: the pod does not fit, as opposed to an error.</summary>
    public bool IsRejected => Code is StatusCode.Unschedulable or StatusCode.UnschedulableAndUnresolvable;

    public string Message => _reasons is null ? Error?.Message ?? "" : string.Join(", ", _reasons);

    public static Status Success => default;

    public static Status Skip { get; } = new(StatusCode.Skip, null, null, null);

    public static Status New(StatusCode code, params string[] reasons) => new(code, reasons.Length == 0 ? null : reasons, null, null);

    public static Status Unschedulable(params string[] reasons) => New(StatusCode.Unschedulable, reasons);

    public static Status Unresolvable(params string[] reasons) => New(StatusCode.UnschedulableAndUnresolvable, reasons);

    public static Status FromError(Exception error) => new(StatusCode.Error, [error.Message], null, error);

    public static Status FromError(string message) => new(StatusCode.Error, [message], null, null);

    public Status WithPlugin(string plugin) => new(Code, _reasons, plugin, Error);

    public override string ToString() => Plugin is null ? $"{Code}: {Message}" : $"{Code} ({Plugin}): {Message}";
}
