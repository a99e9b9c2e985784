using System.Text.Json.Nodes;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// client-go's ResourceEventHandler over an <see cref="Informer"/>: turns its changed keys into
/// add, update (old and new object) and delete (last object seen) calls, by remembering the last
/// object it saw for each key. After a relist every object comes again as an update (a resync).
/// Handlers run on the informer's watch loop: they must only look at caches and queue keys. The
/// objects they get are parsed for them from the cache (a handler that is not set costs nothing).
/// Subscribing to an informer that has objects already (a shared one started by another
/// controller) calls add for each of them, as client-go does, so their later updates and
/// deletions are told with the object seen before.
/// </summary>
public sealed class ResourceEventHandler
{
    private readonly Dictionary<string, CachedObject> _seen = new(StringComparer.Ordinal);
    private readonly Informer _informer;
    private readonly Action<JsonObject>? _onAdd;
    private readonly Action<JsonObject, JsonObject>? _onUpdate;
    private readonly Action<JsonObject>? _onDelete;

    private ResourceEventHandler(Informer informer, Action<JsonObject>? onAdd, Action<JsonObject, JsonObject>? onUpdate, Action<JsonObject>? onDelete)
    {
        _informer = informer;
        _onAdd = onAdd;
        _onUpdate = onUpdate;
        _onDelete = onDelete;
    }

    /// <summary>Subscribes the handlers to <paramref name="informer"/>.</summary>
    public static ResourceEventHandler Subscribe(Informer informer, Action<JsonObject>? onAdd = null, Action<JsonObject, JsonObject>? onUpdate = null, Action<JsonObject>? onDelete = null)
    {
        var handler = new ResourceEventHandler(informer, onAdd, onUpdate, onDelete);
        informer.Subscribe(handler.OnKey);
        handler.AddExisting();
        return handler;
    }

    private void AddExisting()
    {
        var added = new List<CachedObject>();
        foreach (var (key, obj) in _informer.Cached)
        {
            lock (_seen)
            {
                // Only what the cache still holds and no event has told since subscribing.
                if (!_seen.ContainsKey(key) && _informer.TryGetCached(key, out var current) && ReferenceEquals(current, obj))
                {
                    _seen[key] = obj;
                    added.Add(obj);
                }
            }
        }

        if (_onAdd is not null)
        {
            foreach (var obj in added)
            {
                _onAdd(obj.ToJsonObject());
            }
        }
    }

    private void OnKey(string key)
    {
        CachedObject? old;
        CachedObject? current;
        lock (_seen)
        {
            _seen.TryGetValue(key, out old);
            if (_informer.TryGetCached(key, out var obj))
            {
                current = obj;
                _seen[key] = obj;
            }
            else
            {
                current = null;
                _seen.Remove(key);
            }
        }

        if (current is null)
        {
            if (old is not null)
            {
                _onDelete?.Invoke(old.ToJsonObject());
            }
        }
        else if (old is null)
        {
            _onAdd?.Invoke(current.ToJsonObject());
        }
        else
        {
            _onUpdate?.Invoke(old.ToJsonObject(), current.ToJsonObject());
        }
    }
}
