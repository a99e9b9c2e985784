using System.Collections;
using System.Text.Json.Nodes;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// An object's metadata.labels as an informer caches them: one flat array of keys and values
/// (a few dozen bytes per label instead of a JsonObject's node per member). Immutable.
/// </summary>
public sealed class ObjectLabels : IReadOnlyCollection<KeyValuePair<string, string>>
{
    public static readonly ObjectLabels Empty = new([]);

    private readonly string[] _pairs;

    /// <param name="pairs">key, value, key, value... (owned by this instance from now on).</param>
    internal ObjectLabels(string[] pairs) => _pairs = pairs;

    public int Count => _pairs.Length / 2;

    /// <summary>The label's value, or null when the object does not carry it.</summary>
    public string? this[string key]
    {
        get
        {
            for (var i = 0; i < _pairs.Length; i += 2)
            {
                if (string.Equals(_pairs[i], key, StringComparison.Ordinal))
                {
                    return _pairs[i + 1];
                }
            }

            return null;
        }
    }

    public bool SetEquals(ObjectLabels other)
    {
        if (other.Count != Count)
        {
            return false;
        }

        for (var i = 0; i < _pairs.Length; i += 2)
        {
            if (other[_pairs[i]] != _pairs[i + 1])
            {
                return false;
            }
        }

        return true;
    }

    public JsonObject ToJsonObject()
    {
        var result = new JsonObject();
        for (var i = 0; i < _pairs.Length; i += 2)
        {
            result[_pairs[i]] = _pairs[i + 1];
        }

        return result;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _pairs.Length; i += 2)
        {
            yield return new KeyValuePair<string, string>(_pairs[i], _pairs[i + 1]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
