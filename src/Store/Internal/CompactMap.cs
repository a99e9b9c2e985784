using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Nautilus.Store.Internal;

/// <summary>
/// The labels or selectable fields of one stored object: a key array shared by every object with
/// the same keys (all pods share one for their fields; the pods of one template share one for
/// their labels) and an array of values, both holding interned strings. About 100 bytes where a
/// Dictionary with its own copies of the strings takes 500 to 900; lookups scan the few keys.
/// </summary>
internal sealed class CompactMap : IReadOnlyDictionary<string, string>
{
    public static readonly CompactMap Empty = new([], []);

    /// <summary>Key arrays by content; bounded, since key sets repeat across objects.</summary>
    private static readonly ConcurrentDictionary<KeySet, string[]> KeyArrays = new();
    private const int MaxKeyArrays = 1 << 14;

    private readonly string[] _keys;
    private readonly string[] _values;

    private CompactMap(string[] keys, string[] values)
    {
        _keys = keys;
        _values = values;
    }

    /// <summary>The map for <paramref name="source"/>, reusing it when it is already compact.</summary>
    public static CompactMap From(IReadOnlyDictionary<string, string>? source)
    {
        if (source is CompactMap compact)
        {
            return compact;
        }

        if (source is null || source.Count == 0)
        {
            return Empty;
        }

        var keys = new string[source.Count];
        var values = new string[source.Count];
        var i = 0;
        foreach (var (key, value) in source)
        {
            keys[i] = SharedStrings.Intern(key);
            values[i] = SharedStrings.Intern(value ?? "");
            i++;
        }

        return new CompactMap(SharedKeys(keys), values);
    }

    public int Count => _keys.Length;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => _keys;

    public IEnumerable<string> Values => _values;

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            value = null;
            return false;
        }

        value = _values[index];
        return true;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            yield return new KeyValuePair<string, string>(_keys[i], _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        var keys = _keys;
        for (var i = 0; i < keys.Length; i++)
        {
            // Interned keys usually match by reference; the string comparison covers the rest.
            if (ReferenceEquals(keys[i], key) || string.Equals(keys[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static string[] SharedKeys(string[] keys)
    {
        var set = new KeySet(keys);
        if (KeyArrays.TryGetValue(set, out var shared))
        {
            return shared;
        }

        return KeyArrays.Count < MaxKeyArrays ? KeyArrays.GetOrAdd(set, keys) : keys;
    }

    /// <summary>A key array compared by content.</summary>
    private readonly struct KeySet(string[] keys) : IEquatable<KeySet>
    {
        private readonly string[] _keys = keys;

        public bool Equals(KeySet other) => _keys.AsSpan().SequenceEqual(other._keys);

        public override bool Equals(object? obj) => obj is KeySet other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var key in _keys)
            {
                hash.Add(key, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
