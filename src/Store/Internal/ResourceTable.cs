using Nautilus.Store.Compression;

namespace Nautilus.Store.Internal;

/// <summary>
/// The current objects of one resource type with their secondary indexes and event window.
/// Every change is made under the store lock; objects are immutable and shared with readers.
/// A point read (<see cref="TryGet"/>, <see cref="Count"/>) needs no lock (<see cref="ObjectMap"/>).
/// </summary>
internal sealed class ResourceTable
{
    private readonly ObjectMap _objects = new();

    /// <summary>label key → label value → keys.</summary>
    private readonly Dictionary<string, Dictionary<string, HashSet<ObjectKey>>> _labelIndex = new(StringComparer.Ordinal);

    /// <summary>Per indexed field path: value → keys of the objects that carry the field.</summary>
    private readonly Dictionary<string, HashSet<ObjectKey>>[] _fieldIndexes;

    /// <summary>Per indexed field path: objects that do not carry the field (they read as "").</summary>
    private readonly int[] _fieldMissing;

    private readonly ObjectCompressor _compressor = new();

    public ResourceTable(ResourceType type, string[] indexedFields, int windowCapacity, long historyFloor)
    {
        Type = type;
        IndexedFields = indexedFields;
        _fieldIndexes = new Dictionary<string, HashSet<ObjectKey>>[indexedFields.Length];
        _fieldMissing = new int[indexedFields.Length];
        for (var i = 0; i < indexedFields.Length; i++)
        {
            _fieldIndexes[i] = new Dictionary<string, HashSet<ObjectKey>>(StringComparer.Ordinal);
        }

        Window = new EventWindow(windowCapacity, historyFloor);
        Watchers = new WatcherRegistry(indexedFields);
    }

    public ResourceType Type { get; }

    public string[] IndexedFields { get; }

    public SortedKeyList Keys { get; } = new();

    public EventWindow Window { get; }

    /// <summary>Guarded by the store's dispatch lock, not the store lock.</summary>
    public WatcherRegistry Watchers { get; }

    public int Count => _objects.Count;

    /// <summary>Every current object, in no order; the caller holds the store lock, so none changes meanwhile.</summary>
    public IEnumerable<StoredObject> Objects => _objects.Values;

    public bool TryGet(ObjectKey key, out StoredObject obj) => _objects.TryGet(key, out obj!);

    /// <summary><paramref name="obj"/> compressed against a sibling (<see cref="ObjectCompressor"/>): how the table and its event window keep objects.</summary>
    public StoredObject Compact(StoredObject obj) => obj.Compress(_compressor);

    /// <summary>Loads an object from a snapshot: indexed, but not an event.</summary>
    public void Restore(StoredObject obj)
    {
        if (_objects.TryGet(obj.Key, out var previous))
        {
            Unindex(previous, null);
        }
        else
        {
            Keys.Add(obj.Key);
        }

        obj = Compact(obj);
        _objects.Set(obj);
        Index(obj, null);
    }

    /// <summary>Applies one committed change: objects, keys, indexes, and the event window.</summary>
    public void Apply(in ChangeEvent change)
    {
        var key = change.Object.Key;
        var previous = change.Previous;
        if (change.Type == WatchEventType.Deleted)
        {
            _objects.Remove(key);
            Keys.Remove(key);
            if (previous is not null)
            {
                Unindex(previous, null);
            }
        }
        else
        {
            if (previous is null)
            {
                Keys.Add(key);
            }

            _objects.Set(change.Object);
            if (previous is not null)
            {
                Unindex(previous, change.Object);
            }

            Index(change.Object, previous);
        }

        Window.Append(change);
    }

    /// <summary>How many keys have label <paramref name="key"/> set to one of <paramref name="values"/>.</summary>
    public int LabelCandidateCount(string key, IReadOnlyList<string> values)
    {
        if (!_labelIndex.TryGetValue(key, out var byValue))
        {
            return 0;
        }

        var count = 0;
        foreach (var value in values)
        {
            if (byValue.TryGetValue(value, out var keys))
            {
                count += keys.Count;
            }
        }

        return count;
    }

    public void AddLabelCandidates(string key, IReadOnlyList<string> values, List<ObjectKey> into)
    {
        if (!_labelIndex.TryGetValue(key, out var byValue))
        {
            return;
        }

        foreach (var value in values)
        {
            if (byValue.TryGetValue(value, out var keys))
            {
                into.AddRange(keys);
            }
        }
    }

    /// <summary>Index of <paramref name="path"/> among the indexed fields, or -1.</summary>
    public int FieldIndexOf(string path) => Array.IndexOf(IndexedFields, path);

    /// <summary>
    /// The keys whose field has <paramref name="value"/>, when the index can answer: objects
    /// without the field read as "" but are not indexed, so "" is answerable only while none lacks it.
    /// </summary>
    public bool TryGetFieldCandidates(int fieldIndex, string value, out HashSet<ObjectKey>? keys)
    {
        if (value.Length == 0 && _fieldMissing[fieldIndex] != 0)
        {
            keys = null;
            return false;
        }

        _fieldIndexes[fieldIndex].TryGetValue(value, out keys);
        return true;
    }

    private void Index(StoredObject obj, StoredObject? previous)
    {
        foreach (var (label, value) in obj.Labels)
        {
            if (previous is not null && previous.Labels.TryGetValue(label, out var old) && old == value)
            {
                continue;
            }

            if (!_labelIndex.TryGetValue(label, out var byValue))
            {
                byValue = new Dictionary<string, HashSet<ObjectKey>>(StringComparer.Ordinal);
                _labelIndex[label] = byValue;
            }

            if (!byValue.TryGetValue(value, out var keys))
            {
                keys = [];
                byValue[value] = keys;
            }

            keys.Add(obj.Key);
        }

        for (var i = 0; i < IndexedFields.Length; i++)
        {
            var value = obj.GetField(IndexedFields[i]);
            if (previous is not null && previous.GetField(IndexedFields[i]) == value)
            {
                continue;
            }

            if (value is null)
            {
                _fieldMissing[i]++;
                continue;
            }

            if (!_fieldIndexes[i].TryGetValue(value, out var keys))
            {
                keys = [];
                _fieldIndexes[i][value] = keys;
            }

            keys.Add(obj.Key);
        }
    }

    /// <summary>Removes the index entries of <paramref name="previous"/> that <paramref name="next"/> does not keep.</summary>
    private void Unindex(StoredObject previous, StoredObject? next)
    {
        foreach (var (label, value) in previous.Labels)
        {
            if (next is not null && next.Labels.TryGetValue(label, out var kept) && kept == value)
            {
                continue;
            }

            if (_labelIndex.TryGetValue(label, out var byValue) && byValue.TryGetValue(value, out var keys))
            {
                keys.Remove(previous.Key);
                if (keys.Count == 0)
                {
                    byValue.Remove(value);
                    if (byValue.Count == 0)
                    {
                        _labelIndex.Remove(label);
                    }
                }
            }
        }

        for (var i = 0; i < IndexedFields.Length; i++)
        {
            var value = previous.GetField(IndexedFields[i]);
            if (next is not null && next.GetField(IndexedFields[i]) == value)
            {
                continue;
            }

            if (value is null)
            {
                _fieldMissing[i]--;
                continue;
            }

            if (_fieldIndexes[i].TryGetValue(value, out var keys))
            {
                keys.Remove(previous.Key);
                if (keys.Count == 0)
                {
                    _fieldIndexes[i].Remove(value);
                }
            }
        }
    }
}
