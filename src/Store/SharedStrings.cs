using System.Collections.Concurrent;

namespace Nautilus.Store;

/// <summary>
/// One copy of each string that repeats across many objects: label keys and values, field values,
/// namespace, node and image names, phases ("Running" 150,000 times over). The store, the
/// informers and the scheduler's pod cache all intern through it. Bounded: past the cap, strings
/// are kept as they come, so one-off values cannot grow the pool without limit.
/// </summary>
public static class SharedStrings
{
    private const int MaxEntries = 1 << 18;
    private static readonly ConcurrentDictionary<string, string> Strings = new(StringComparer.Ordinal);

    public static string Intern(string value)
    {
        if (value.Length == 0)
        {
            return string.Empty;
        }

        if (Strings.TryGetValue(value, out var shared))
        {
            return shared;
        }

        return Strings.Count < MaxEntries ? Strings.GetOrAdd(value, value) : value;
    }
}
