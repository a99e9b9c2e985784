namespace Nautilus.Scheduler.Internal.Framework;

/// <summary>
/// State shared by the plugins during one pod's scheduling cycle, keyed by plugin-chosen names.
/// Written in PreFilter/PreScore (single-threaded), read in Filter/Score (possibly in parallel).
/// </summary>
internal sealed class CycleState
{
    private readonly Dictionary<string, object> _data = new(StringComparer.Ordinal);

    /// <summary>Plugins whose PreFilter returned Skip: their Filter does not run this cycle.</summary>
    public HashSet<string> SkipFilterPlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>Plugins whose PreScore returned Skip: their Score does not run this cycle.</summary>
    public HashSet<string> SkipScorePlugins { get; } = new(StringComparer.Ordinal);

    public void Write(string key, object value) => _data[key] = value;

    public T? Read<T>(string key)
        where T : class => _data.TryGetValue(key, out var v) ? v as T : null;
}
