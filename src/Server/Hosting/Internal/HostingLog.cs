namespace Nautilus.Server.Hosting.Internal;

/// <summary>Log messages of the hosting layer. Event ids 1000-1099.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Created cluster CA {Path}, valid until {NotAfter:u}")]
    public static partial void CreatedCertificateAuthority(ILogger logger, string path, DateTime notAfter);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Issued serving certificate {Path} for {Address}, valid until {NotAfter:u}")]
    public static partial void IssuedServingCertificate(ILogger logger, string path, string address, DateTime notAfter);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Created admin token {Path}")]
    public static partial void CreatedAdminToken(ILogger logger, string path);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Cannot read certificate {Path}; issuing a new one")]
    public static partial void UnreadableCertificate(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Wrote kubeconfig {Path}")]
    public static partial void WroteKubeconfig(ILogger logger, string path);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Rejected unauthenticated request {Method} {Path}")]
    public static partial void RejectedUnauthenticated(ILogger logger, string method, string path);
}
