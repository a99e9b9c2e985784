namespace Nautilus.Scheduler.Internal.Framework;

/// <summary>
/// State shared by the plugins during one pod's scheduling cycle, keyed by plugin-chosen names.
/// Written in PreFilter/PreScore (single-threaded), read in Filter/Score (possibly in parallel).
/// A cycle holds a handful of entries and Score reads them once per node, so they are a short
/// array searched by reference first (keys are string constants) rather than a hash map.
/// </summary>
internal sealed class CycleState
{
    private (string Key, object Value)[] _data = new (string, object)[4];
    private int _count;

    /// <summary>Plugins whose PreFilter returned Skip: their Filter does not run this cycle.</summary>
    public HashSet<string> SkipFilterPlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>Plugins whose PreScore returned Skip: their Score does not run this cycle.</summary>
    public HashSet<string> SkipScorePlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>The Filter plugins that run this cycle (set by the framework after PreFilter).</summary>
    internal IFilterPlugin[]? Filters { get; set; }

    /// <summary>The Score plugins that run this cycle, with weights (set by the framework after PreScore).</summary>
    internal (IScorePlugin Plugin, int Weight)[]? Scorers { get; set; }

    public void Write(string key, object value)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_data[i].Key, key, StringComparison.Ordinal))
            {
                _data[i].Value = value;
                return;
            }
        }

        if (_count == _data.Length)
        {
            Array.Resize(ref _data, _count * 2);
        }

        _data[_count++] = (key, value);
    }

    public T? Read<T>(string key)
        where T : class
    {
        var data = _data;
        for (var i = 0; i < _count; i++)
        {
            if (ReferenceEquals(data[i].Key, key))
            {
                return data[i].Value as T;
            }
        }

        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(data[i].Key, key, StringComparison.Ordinal))
            {
                return data[i].Value as T;
            }
        }

        return null;
    }
}
