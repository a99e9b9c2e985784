namespace Nautilus.Store;

/// <summary>Preconditions checked against the current object before a delete or update (metav1.Preconditions).</summary>
public sealed record Preconditions(string? Uid = null, long? ResourceVersion = null);

/// <summary>resourceVersionMatch, as Kubernetes defines it for lists.</summary>
public enum ResourceVersionMatch
{
    /// <summary>Not given: rv unset means most recent, "0" any, X not older than X (exact when paginating).</summary>
    Unset,
    NotOlderThan,
    Exact,
}

/// <summary>Options of a list (metav1.ListOptions as the storage layer sees them).</summary>
public sealed record ListOptions
{
    /// <summary>Restrict to one namespace; null lists every namespace.</summary>
    public string? Namespace { get; init; }

    public LabelSelector Labels { get; init; } = LabelSelector.Everything;

    public FieldSelector Fields { get; init; } = FieldSelector.Everything;

    /// <summary>Page size; 0 means no limit.</summary>
    public long Limit { get; init; }

    /// <summary>The continue token of the previous page, if any.</summary>
    public string? Continue { get; init; }

    /// <summary>resourceVersion as given by the client: null/empty (most recent), "0" (any) or a revision.</summary>
    public string? ResourceVersion { get; init; }

    public ResourceVersionMatch ResourceVersionMatch { get; init; }
}

/// <summary>One page of a list: the items in key order, the revision the page was read at, and the token for the next page.</summary>
public sealed record ListResult(
    IReadOnlyList<StoredObject> Items,
    long ResourceVersion,
    string? Continue,
    long? RemainingItemCount);

/// <summary>Options of a watch.</summary>
public sealed record WatchOptions
{
    public string? Namespace { get; init; }

    public LabelSelector Labels { get; init; } = LabelSelector.Everything;

    public FieldSelector Fields { get; init; } = FieldSelector.Everything;

    /// <summary>
    /// null/empty or "0": start with a synthetic ADDED event for every matching object, then
    /// stream changes. A revision X: stream every change after X (410 Expired once X has left
    /// the event window).
    /// </summary>
    public string? ResourceVersion { get; init; }

    /// <summary>sendInitialEvents: with it, the initial events end with a BOOKMARK carrying the
    /// <c>k8s.io/initial-events-end</c> annotation.</summary>
    public bool SendInitialEvents { get; init; }

    /// <summary>allowWatchBookmarks: periodic BOOKMARK events carrying the current revision.</summary>
    public bool AllowBookmarks { get; init; }
}

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>
/// One watch event. For DELETED the object is the last state with the deletion revision.
/// For BOOKMARK only <see cref="ResourceVersion"/> is meaningful; <see cref="InitialEventsEnd"/>
/// marks the bookmark that closes the initial events.
/// </summary>
public readonly record struct WatchEvent(WatchEventType Type, StoredObject? Object, long ResourceVersion, bool InitialEventsEnd = false);
