using System.Threading.Channels;

namespace Nautilus.Store;

/// <summary>
/// Computes the next state of an object inside <see cref="IObjectStore.GuaranteedUpdateAsync"/>.
/// Receives the current object (null when it does not exist and the caller allowed that) and
/// returns the object to write, or the same instance to leave it unchanged. May throw to abort;
/// the exception reaches the caller unchanged. Called again with the newer object on a conflict,
/// so it must not have side effects.
/// </summary>
public delegate ValueTask<StoredObject> UpdateFunction(StoredObject? current, CancellationToken cancellationToken);

/// <summary>
/// The storage interface, shaped like kube-apiserver's <c>storage.Interface</c>. One global,
/// monotonically increasing revision orders every write; every write is a compare-and-swap on it.
/// A write is durable before the returned task completes. Failures are <see cref="StorageException"/>.
/// </summary>
public interface IObjectStore
{
    /// <summary>The revision of the newest committed write.</summary>
    long CurrentRevision { get; }

    /// <summary>Number of objects of one type (apiserver_storage_objects).</summary>
    long Count(ResourceType type);

    /// <summary>The object, or null when it does not exist.</summary>
    ValueTask<StoredObject?> GetAsync(ResourceType type, ObjectKey key, CancellationToken cancellationToken = default);

    ValueTask<ListResult> ListAsync(ResourceType type, ListOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a watch. Throws <see cref="StorageException"/> with <see cref="StorageErrorCode.Expired"/>
    /// when the requested revision has left the event window. Events arrive in revision order
    /// on a bounded channel; a watcher that falls too far behind has its channel completed with a
    /// <see cref="StorageException"/> (<see cref="StorageErrorCode.WatcherTooSlow"/>) instead of
    /// stalling writers, and can resume from the last revision it saw.
    /// </summary>
    ValueTask<IObjectWatch> WatchAsync(ResourceType type, WatchOptions options, CancellationToken cancellationToken = default);

    /// <summary>Creates the object. <see cref="StorageErrorCode.KeyExists"/> when the key is taken.</summary>
    ValueTask<StoredObject> CreateAsync(ResourceType type, StoredObject obj, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the object and returns its last state stamped with the deletion revision.
    /// <see cref="StorageErrorCode.KeyNotFound"/>, or <see cref="StorageErrorCode.Conflict"/>
    /// when a precondition does not hold.
    /// </summary>
    ValueTask<StoredObject> DeleteAsync(ResourceType type, ObjectKey key, Preconditions? preconditions = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the object, applies <paramref name="tryUpdate"/>, and writes the result if the object
    /// has not changed meanwhile; retries with the newer object otherwise. Returns the written
    /// object (or the current one when tryUpdate left it unchanged).
    /// </summary>
    /// <param name="ignoreNotFound">Call tryUpdate with null instead of failing when the object does not exist (create on update).</param>
    ValueTask<StoredObject> GuaranteedUpdateAsync(
        ResourceType type,
        ObjectKey key,
        UpdateFunction tryUpdate,
        Preconditions? preconditions = null,
        bool ignoreNotFound = false,
        CancellationToken cancellationToken = default);
}

/// <summary>A running watch. Disposing it stops the watch and releases its channel.</summary>
public interface IObjectWatch : IDisposable
{
    ChannelReader<WatchEvent> Events { get; }
}
