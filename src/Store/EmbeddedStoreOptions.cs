namespace Nautilus.Store;

/// <summary>Configuration of <see cref="EmbeddedStore"/>.</summary>
public sealed record EmbeddedStoreOptions
{
    /// <summary>Where the write-ahead log and snapshots live; null keeps everything in memory (no durability).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Changes retained per resource type for watch resume and consistent pagination.
    /// A watch or continue token older than the window gets 410 Expired.</summary>
    public int EventWindow { get; init; } = 10_000;

    /// <summary>Per-type overrides of <see cref="EventWindow"/> (e.g. a larger window for pods).</summary>
    public IReadOnlyDictionary<ResourceType, int> EventWindowPerType { get; init; } = new Dictionary<ResourceType, int>();

    /// <summary>Live events a watcher may leave unread before it is cut off with
    /// <see cref="StorageErrorCode.WatcherTooSlow"/>. Writers never wait for watchers.</summary>
    public int WatchBufferSize { get; init; } = 1_000;

    /// <summary>How often watchers that allow bookmarks receive one with the current revision.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(60);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Field paths with a value index for lists and watch routing (metadata.name works too).
    /// An object lacking the field is not indexed; the index answers "" only while every object has the field.</summary>
    public IReadOnlyCollection<string> IndexedFields { get; init; } = ["spec.nodeName"];

    /// <summary>Log size after which a snapshot is written and a new log started; once the last
    /// snapshot is larger than this, the log grows to that size first (snapshot work stays
    /// proportional to the bytes written however large the state).</summary>
    public long SnapshotThresholdBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How long a list at a resourceVersion newer than the store waits for it before
    /// failing with <see cref="StorageErrorCode.TooLargeResourceVersion"/> (kube-apiserver waits 3 s).</summary>
    public TimeSpan ResourceVersionWaitTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Seals every record written to disk (the TEE provider's sealing key); null writes plaintext.</summary>
    public IStorageSealer? Sealer { get; init; }
}
