using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Store.Compression;
using Polly;
using Polly.Retry;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// A shared informer: lists a resource, then watches it from the list's resourceVersion, keeping
/// a local cache keyed by namespace/name and telling its subscribers which keys changed. A watch
/// that ends resumes from the last revision seen; 410 Gone relists. Failures back off (Polly).
/// The cache holds <see cref="CachedObject"/>s (the JSON bytes and a few metadata fields, about
/// the size of the object as sent) and a namespace index (cache.NamespaceIndex), so a controller
/// lists one namespace without touching the others; JsonNode trees are built on request only.
/// </summary>
/// <param name="listPageSize">Objects per page when listing (client-go's pager default, 500).</param>
/// <param name="cacheObjects">False: the informer keeps only the keys (to tell deletions on a relist), its cache reads as
/// empty, and the objects reach <see cref="Subscribe(Action{string, CachedObject?})"/> subscribers as they arrive. For a
/// consumer that keeps its own model of every object (the scheduler's cache of pods), which would otherwise hold each pod twice.</param>
public sealed partial class Informer(ApiClient client, ApiResource resource, ILogger logger, int listPageSize = Informer.ListPageSize, bool cacheObjects = true)
{
    private readonly ConcurrentDictionary<string, CachedObject> _cache = new(StringComparer.Ordinal);

    /// <summary>namespace → key → object; written with <see cref="_cache"/> under <see cref="_indexLock"/>.</summary>
    private readonly Dictionary<string, Dictionary<string, CachedObject>> _byNamespace = new(StringComparer.Ordinal);
    private readonly Lock _indexLock = new();

    /// <summary>spec.nodeName → key → object, for the objects that have one (pods); written with <see cref="_cache"/> under <see cref="_indexLock"/>.</summary>
    private readonly Dictionary<string, Dictionary<string, CachedObject>> _byNode = new(StringComparer.Ordinal);

    /// <summary>The keys seen, when objects are not cached; written under <see cref="_indexLock"/>.</summary>
    private readonly HashSet<string>? _keys = cacheObjects ? null : new(StringComparer.Ordinal);
    private readonly ObjectCompressor _compressor = new();
    private readonly List<Action<string, CachedObject?>> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(10),
            MaxRetryAttempts = int.MaxValue,
        })
        .Build();

    /// <summary>Objects per page when listing, by default (client-go's pager default).</summary>
    public const int ListPageSize = 500;

    public ApiResource Resource => resource;

    /// <summary>Completes after the first list has filled the cache.</summary>
    public Task Synced => _synced.Task;

    public int Count
    {
        get
        {
            if (_keys is null)
            {
                return _cache.Count;
            }

            lock (_indexLock)
            {
                return _keys.Count;
            }
        }
    }

    /// <summary>Calls <paramref name="handler"/> with the key of every object added, changed or deleted (and of every object after a relist).</summary>
    public void Subscribe(Action<string> handler) => Subscribe((key, _) => handler(key));

    /// <summary>
    /// Calls <paramref name="handler"/> with the key and the object as received (with its JSON, whether
    /// or not the cache keeps it) for every object added or changed, and with null for every deletion.
    /// </summary>
    public void Subscribe(Action<string, CachedObject?> handler)
    {
        lock (_handlers)
        {
            _handlers.Add(handler);
        }
    }

    /// <summary>The cached object, parsed into a new JsonNode tree (the caller's own).</summary>
    public bool TryGet(string key, out JsonObject obj)
    {
        if (_cache.TryGetValue(key, out var cached))
        {
            obj = cached.ToJsonObject();
            return true;
        }

        obj = null!;
        return false;
    }

    /// <summary>Every cached object by key, as stored (a live view of the cache, nothing parsed).</summary>
    internal IEnumerable<KeyValuePair<string, CachedObject>> Cached => _cache;

    /// <summary>The cached object as stored: metadata at hand, nothing parsed.</summary>
    public bool TryGetCached(string key, [MaybeNullWhen(false)] out CachedObject obj) => _cache.TryGetValue(key, out obj);

    /// <summary>Every cached object, each parsed into a new tree. For small resources; large ones are read through an index (<see cref="ByNamespace"/>, <see cref="ByNodeName"/>).</summary>
    public IEnumerable<JsonObject> List()
    {
        foreach (var cached in _cache.Values)
        {
            yield return cached.ToJsonObject();
        }
    }

    /// <summary>The cached objects of one namespace (cache.NamespaceIndex), a snapshot.</summary>
    public List<CachedObject> ByNamespace(string ns)
    {
        lock (_indexLock)
        {
            return _byNamespace.TryGetValue(ns, out var objects) ? [.. objects.Values] : [];
        }
    }

    /// <summary>The cached pods bound to one node (the node-name indexer kube's node controllers use), a snapshot.</summary>
    public List<CachedObject> ByNodeName(string node)
    {
        lock (_indexLock)
        {
            return _byNode.TryGetValue(node, out var objects) ? [.. objects.Values] : [];
        }
    }

    /// <summary>The objects of one namespace, parsed, for small resources (ReplicaSets, Services).</summary>
    public List<JsonObject> ListNamespace(string ns)
    {
        var cached = ByNamespace(ns);
        var result = new List<JsonObject>(cached.Count);
        foreach (var obj in cached)
        {
            result.Add(obj.ToJsonObject());
        }

        return result;
    }

    public static string KeyOf(JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject;
        var ns = meta?["namespace"]?.GetValue<string>();
        var name = meta?["name"]?.GetValue<string>() ?? "";
        return string.IsNullOrEmpty(ns) ? name : ns + "/" + name;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var resourceVersion = "";
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion.Length == 0)
                {
                    resourceVersion = await _retry.ExecuteAsync(async token => await RelistAsync(token).ConfigureAwait(false), ct).ConfigureAwait(false);
                }

                await foreach (var e in client.WatchUtf8Async(resource, null, resourceVersion, bookmarks: true, ct).ConfigureAwait(false))
                {
                    var obj = CachedObject.FromUtf8(e.Object.Span);
                    if (obj.ResourceVersion.Length > 0)
                    {
                        resourceVersion = obj.ResourceVersion;
                    }

                    if (e.Type == "BOOKMARK")
                    {
                        continue;
                    }

                    if (e.Type == "DELETED")
                    {
                        Remove(obj.Key);
                        Notify(obj.Key, null);
                    }
                    else
                    {
                        Store(obj);
                        Notify(obj.Key, obj);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (ApiStatusException e) when (e.IsGone)
            {
                resourceVersion = "";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWatchFailed(logger, resource.ToString(), e.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Lists in pages (client-go's reflector pages its lists too): one
    /// response per page, so 150,000 pods never become one response of hundreds of megabytes on
    /// either side. A page whose snapshot is gone (410) fails the relist, which starts over.
    /// Subscribers hear of each page's objects once it is cached, and of the objects the list no
    /// longer has at its end.
    /// </summary>
    private async Task<string> RelistAsync(CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var resourceVersion = "";
        var continueToken = "";
        do
        {
            var (items, pageVersion, next) = await client.ListUtf8Async(resource, limit: listPageSize, continueToken: continueToken, ct: ct).ConfigureAwait(false);
            var page = new List<CachedObject>(items.Count);
            foreach (var item in items)
            {
                var obj = CachedObject.FromUtf8(item.Span);
                seen.Add(obj.Key);
                Store(obj);
                page.Add(obj);
            }

            foreach (var obj in page)
            {
                Notify(obj.Key, obj);
            }

            resourceVersion = pageVersion;
            continueToken = next;
        }
        while (continueToken.Length > 0);

        foreach (var key in CachedKeys())
        {
            if (!seen.Contains(key))
            {
                Remove(key);
                Notify(key, null);
            }
        }

        _synced.TrySetResult();
        return resourceVersion;
    }

    private List<string> CachedKeys()
    {
        lock (_indexLock)
        {
            return _keys is null ? [.. _cache.Keys] : [.. _keys];
        }
    }

    private void Store(CachedObject obj)
    {
        if (_keys is not null)
        {
            lock (_indexLock)
            {
                _keys.Add(obj.Key);
            }

            return;
        }

        // Cached objects are kept compressed against a sibling: a pod costs a few hundred bytes, not ~3 KB.
        obj = obj.Compress(_compressor);
        lock (_indexLock)
        {
            if (_cache.TryGetValue(obj.Key, out var previous) && previous.NodeName is { } before && before != obj.NodeName)
            {
                Unindex(_byNode, before, obj.Key);
            }

            if (obj.NodeName is { } node)
            {
                Index(_byNode, node, obj);
            }

            _cache[obj.Key] = obj;
            Index(_byNamespace, obj.Namespace, obj);
        }
    }

    private void Remove(string key)
    {
        lock (_indexLock)
        {
            _keys?.Remove(key);
            if (_cache.TryRemove(key, out var old))
            {
                Unindex(_byNamespace, old.Namespace, key);
                if (old.NodeName is { } node)
                {
                    Unindex(_byNode, node, key);
                }
            }
        }
    }

    private static void Index(Dictionary<string, Dictionary<string, CachedObject>> index, string value, CachedObject obj)
    {
        if (!index.TryGetValue(value, out var objects))
        {
            objects = new Dictionary<string, CachedObject>(StringComparer.Ordinal);
            index[value] = objects;
        }

        objects[obj.Key] = obj;
    }

    private static void Unindex(Dictionary<string, Dictionary<string, CachedObject>> index, string value, string key)
    {
        if (index.TryGetValue(value, out var objects))
        {
            objects.Remove(key);
            if (objects.Count == 0)
            {
                index.Remove(value);
            }
        }
    }

    private void Notify(string key, CachedObject? obj)
    {
        lock (_handlers)
        {
            foreach (var handler in _handlers)
            {
                handler(key, obj);
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Watch of {Resource} failed: {Error}; resuming")]
    private static partial void LogWatchFailed(ILogger logger, string resource, string error);
}
