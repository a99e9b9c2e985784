using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Polly;
using Polly.Retry;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// A shared informer: lists a resource, then watches it from the list's resourceVersion, keeping
/// a local cache keyed by namespace/name and telling its subscribers which keys changed. A watch
/// that ends resumes from the last revision seen; 410 Gone relists. Failures back off (Polly).
/// </summary>
public sealed partial class Informer(ApiClient client, ApiResource resource, ILogger logger)
{
    private readonly ConcurrentDictionary<string, JsonObject> _cache = new(StringComparer.Ordinal);
    private readonly List<Action<string>> _handlers = [];
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

    public ApiResource Resource => resource;

    /// <summary>Completes after the first list has filled the cache.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Calls <paramref name="handler"/> with the key of every object added, changed or deleted (and of every object after a relist).</summary>
    public void Subscribe(Action<string> handler)
    {
        lock (_handlers)
        {
            _handlers.Add(handler);
        }
    }

    public bool TryGet(string key, out JsonObject obj) => _cache.TryGetValue(key, out obj!);

    public IEnumerable<JsonObject> List() => _cache.Values;

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

                await foreach (var e in client.WatchAsync(resource, null, resourceVersion, bookmarks: true, ct).ConfigureAwait(false))
                {
                    resourceVersion = (e.Object["metadata"] as JsonObject)?["resourceVersion"]?.GetValue<string>() ?? resourceVersion;
                    if (e.Type == "BOOKMARK")
                    {
                        continue;
                    }

                    var key = KeyOf(e.Object);
                    if (e.Type == "DELETED")
                    {
                        _cache.TryRemove(key, out _);
                    }
                    else
                    {
                        _cache[key] = e.Object;
                    }

                    Notify(key);
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

    private async Task<string> RelistAsync(CancellationToken ct)
    {
        var (items, resourceVersion) = await client.ListAsync(resource, ct: ct).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var key = KeyOf(item);
            seen.Add(key);
            _cache[key] = item;
        }

        foreach (var key in _cache.Keys)
        {
            if (!seen.Contains(key))
            {
                _cache.TryRemove(key, out _);
                Notify(key);
            }
        }

        foreach (var key in seen)
        {
            Notify(key);
        }

        _synced.TrySetResult();
        return resourceVersion;
    }

    private void Notify(string key)
    {
        lock (_handlers)
        {
            foreach (var handler in _handlers)
            {
                handler(key);
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Watch of {Resource} failed: {Error}; resuming")]
    private static partial void LogWatchFailed(ILogger logger, string resource, string error);
}
