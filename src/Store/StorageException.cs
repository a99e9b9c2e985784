namespace Nautilus.Store;

public enum StorageErrorCode
{
    KeyNotFound,
    KeyExists,

    /// <summary>A precondition or compare-and-swap failed: the object changed.</summary>
    Conflict,

    /// <summary>The requested revision or continue token has left the retained history (HTTP 410).</summary>
    Expired,

    /// <summary>A revision newer than any committed (kube-apiserver: "Too large resource version").</summary>
    TooLargeResourceVersion,

    /// <summary>A malformed resourceVersion or continue token (HTTP 400).</summary>
    InvalidArgument,

    /// <summary>The watcher fell behind the bounded event buffer and was cut off.</summary>
    WatcherTooSlow,
}

/// <summary>A storage failure with the code the API layer maps to a Kubernetes Status.</summary>
public sealed class StorageException(StorageErrorCode code, string message, ObjectKey key = default, long currentRevision = 0)
    : Exception(message)
{
    public StorageErrorCode Code { get; } = code;

    public ObjectKey Key { get; } = key;

    /// <summary>The store's revision when the failure happened (for Expired and TooLarge messages).</summary>
    public long CurrentRevision { get; } = currentRevision;
}
