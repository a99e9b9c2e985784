using System.Text;
using System.Text.Json;

namespace Nautilus.Server.Api.Strategies.Validation;

/// <summary>
/// Server-side field validation (<c>?fieldValidation=Strict|Warn|Ignore</c>) of a request body:
/// unknown fields (not in the kind's schema) and duplicate fields, found in one pass over the raw
/// bytes before they are parsed. Strict fails with kube's strict decoding error (400); Warn, the
/// default, returns each as a <c>Warning</c> header and the body is decoded with the last of any
/// duplicate winning; Ignore drops them silently.
/// </summary>
public static class FieldValidation
{
    public const string Strict = "Strict";
    public const string Warn = "Warn";
    public const string Ignore = "Ignore";

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    /// <summary>The directive of a request (Warn when unset); an unknown value is the 422 kube answers for the options object.</summary>
    /// <param name="optionsKind">CreateOptions, UpdateOptions or PatchOptions.</param>
    public static string Directive(string value, string optionsKind) => value switch
    {
        "" => Warn,
        Strict or Warn or Ignore => value,
        _ => throw new ApiException(422, "Invalid",
            $"{optionsKind}.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: {GoValue.Quote(value)}: supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
            "", "meta.k8s.io", optionsKind,
            [new StatusCause("FieldValueNotSupported", $"Unsupported value: {GoValue.Quote(value)}: supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"", "fieldValidation")]),
    };

    /// <summary>
    /// Checks a create, update or patch body of <paramref name="resource"/>. Strict throws the 400
    /// (prefixed with "Kind in version ... cannot be handled as a Kind" for whole objects, bare for
    /// patches, as kube's handlers word them); Warn hands each problem to <paramref name="warn"/>.
    /// Bodies that are not JSON objects, and JSON patches, are left to the decoder.
    /// </summary>
    public static void Check(ResourceDefinition resource, string directive, ReadOnlySpan<byte> body, string mediaType, Action<string> warn)
    {
        if (directive == Ignore)
        {
            return;
        }

        var patch = mediaType is "application/merge-patch+json" or "application/strategic-merge-patch+json";
        if (!patch && mediaType is not ("application/json" or ""))
        {
            return;
        }

        var schema = FieldSchema.ForKind(resource.Group, resource.Version, resource.Kind);
        if (schema is null)
        {
            return;
        }

        var problems = Problems(body, schema, strategicPatch: mediaType == "application/strategic-merge-patch+json");
        if (problems is null)
        {
            return;
        }

        if (directive == Strict)
        {
            var error = "strict decoding error: " + string.Join(", ", problems);
            throw ApiException.BadRequest(patch ? error : $"{resource.Kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: {error}");
        }

        foreach (var problem in problems)
        {
            warn(problem);
        }
    }

    /// <summary>The unknown and duplicate fields of a JSON object, in the order a decoder meets them; empty for malformed JSON.</summary>
    public static List<string> Find(ReadOnlySpan<byte> json, FieldSchema schema, bool strategicPatch = false) =>
        Problems(json, schema, strategicPatch) ?? [];

    /// <summary>As <see cref="Find"/>, null when there is no problem: the common case allocates nothing.</summary>
    private static List<string>? Problems(ReadOnlySpan<byte> json, FieldSchema schema, bool strategicPatch)
    {
        var scratch = WalkScratch.Rent();
        try
        {
            var walk = new Walk(json, scratch, strategicPatch);
            return walk.Object(schema);
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            WalkScratch.Return(scratch);
        }
    }

    /// <summary>
    /// One pass of the reader over a body. Names are matched as the reader's UTF-8 bytes (a
    /// declared member by its ordinal, a map key by its bytes) and a path is spelled only for a
    /// problem, so a body without problems allocates nothing. Escaped names take a slow path
    /// through strings.
    /// </summary>
    private ref struct Walk(ReadOnlySpan<byte> json, WalkScratch scratch, bool strategicPatch)
    {
        private readonly ReadOnlySpan<byte> _json = json;
        private Utf8JsonReader _reader = new(json, ReaderOptions);
        private List<string>? _problems;

        /// <summary>The problems of the body when it is an object (null for none); anything else is left to the decoder.</summary>
        public List<string>? Object(FieldSchema schema)
        {
            if (_reader.Read() && _reader.TokenType == JsonTokenType.StartObject)
            {
                Value(schema);
            }

            return _problems;
        }

        /// <summary>The value at the reader (its first token read); leaves the reader on its last token.</summary>
        private void Value(FieldSchema schema)
        {
            switch (_reader.TokenType)
            {
                case JsonTokenType.StartObject when schema.Properties is not null:
                    Struct(schema);
                    break;
                case JsonTokenType.StartObject when schema.Values is not null:
                    Map(schema.Values);
                    break;
                case JsonTokenType.StartArray when schema.Items is not null:
                    var index = 0;
                    while (_reader.Read() && _reader.TokenType != JsonTokenType.EndArray)
                    {
                        scratch.Push(new PathSegment(index++));
                        Value(schema.Items);
                        scratch.Pop();
                    }

                    break;
                default:
                    _reader.Skip();
                    break;
            }
        }

        /// <summary>An object of declared members: one flag per member ordinal finds a duplicate.</summary>
        private void Struct(FieldSchema schema)
        {
            var flags = scratch.ReserveFlags(schema.MemberCount);
            while (_reader.Read() && _reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!Member(schema, out var segment, out var ordinal, out _))
                {
                    continue;
                }

                scratch.Push(segment);
                if (ordinal < 0)
                {
                    Report("unknown field ");
                    _reader.Skip();
                }
                else
                {
                    if (scratch.TestAndSetFlag(flags, ordinal))
                    {
                        Report("duplicate field ");
                    }

                    Value(schema.Member(ordinal));
                }

                scratch.Pop();
            }

            scratch.ReleaseFlags(flags);
        }

        /// <summary>An object of free keys (labels, annotations, data): any key goes, each once.</summary>
        private void Map(FieldSchema values)
        {
            var map = scratch.BeginMap();
            while (_reader.Read() && _reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!Member(null, out var segment, out _, out var unescaped))
                {
                    continue;
                }

                scratch.Push(segment);
                var key = unescaped is null ? new MapKey(segment.Start, segment.Length, unescaped: false) : scratch.Unescaped(unescaped);
                if (!scratch.AddKey(ref map, key, _json))
                {
                    Report("duplicate field ");
                }

                Value(values);
                scratch.Pop();
            }

            scratch.EndMap(map);
        }

        /// <summary>
        /// Reads the property name at the reader and moves to its value; false for a
        /// strategic-merge-patch directive ($patch, $retainKeys, $setElementOrder/...,
        /// $deleteFromPrimitiveList/...), whose value it skips. The name is read as a decoder reads
        /// it: an escaped name comes back unescaped as a string, and a name that is not UTF-8 fails
        /// as the reader's GetString fails on it (a declared member's name needs no such check).
        /// </summary>
        /// <param name="declaring">The struct whose member the name may be (null in a map); <paramref name="ordinal"/> is -1 when it does not declare it.</param>
        private bool Member(FieldSchema? declaring, out PathSegment segment, out int ordinal, out string? unescaped)
        {
            segment = new((int)_reader.TokenStartIndex + 1, _reader.ValueSpan.Length, _reader.ValueIsEscaped);
            ordinal = -1;
            bool directive;
            if (!segment.Escaped)
            {
                unescaped = null;
                var name = _reader.ValueSpan;
                if (declaring is not null)
                {
                    ordinal = declaring.IndexOf(name);
                }

                if (ordinal < 0 && !System.Text.Unicode.Utf8.IsValid(name))
                {
                    _ = _reader.GetString();
                }

                directive = name.Length > 0 && name[0] == (byte)'$';
            }
            else
            {
                unescaped = _reader.GetString()!;
                if (declaring is not null)
                {
                    ordinal = declaring.IndexOf(Encoding.UTF8.GetBytes(unescaped));
                }

                directive = unescaped.StartsWith('$');
            }

            _reader.Read();
            if (strategicPatch && directive)
            {
                _reader.Skip();
                return false;
            }

            return true;
        }

        /// <summary>A problem at the current path, each text once.</summary>
        private void Report(string what)
        {
            var problem = what + Quote(scratch.FormatPath(_json));
            _problems ??= [];
            if (!_problems.Contains(problem))
            {
                _problems.Add(problem);
            }
        }
    }

    /// <summary>A step of the path being walked: a name (where it is in the body) or an array index.</summary>
    private readonly struct PathSegment
    {
        public PathSegment(int start, int length, bool escaped)
        {
            Start = start;
            Length = length;
            Escaped = escaped;
            Index = -1;
        }

        public PathSegment(int index)
        {
            Index = index;
        }

        /// <summary>Where the name's bytes start (after the opening quote).</summary>
        public int Start { get; }

        /// <summary>The name's length in the body (escapes as written).</summary>
        public int Length { get; }

        public bool Escaped { get; }

        /// <summary>The array index, or -1 for a name.</summary>
        public int Index { get; }

        /// <summary>The name as a decoder reads it: escaped names are read again from the body.</summary>
        public string Name(ReadOnlySpan<byte> json)
        {
            if (!Escaped)
            {
                return Encoding.UTF8.GetString(json.Slice(Start, Length));
            }

            var reader = new Utf8JsonReader(json.Slice(Start - 1, Length + 2));
            reader.Read();
            return reader.GetString()!;
        }
    }

    /// <summary>A map key met so far: its bytes in the body, or (escaped in the body) in the scratch's unescaped bytes.</summary>
    private struct MapKey(int start, int length, bool unescaped)
    {
        public readonly int Start = start;
        public readonly int Length = length;
        public readonly bool Unescaped = unescaped;
        public int Hash;
        public int Next;
    }

    /// <summary>A map being walked: where its keys start on the key stack and, past <see cref="WalkScratch.LinearKeys"/> keys, its hash buckets.</summary>
    private struct MapState
    {
        public int KeyBase;
        public int UnescapedBase;
        public int BucketBase;
        public int BucketCount;
    }

    /// <summary>
    /// The walk's stacks, kept per thread and reused (the walk is synchronous): the path, the
    /// duplicate flags of the structs being walked, the keys of the maps being walked and their
    /// hash buckets. Each is a stack because objects nest: an inner object's entries are above its
    /// parent's and gone before the parent's next member.
    /// </summary>
    private sealed class WalkScratch
    {
        /// <summary>Maps up to this many keys compare a new key with each earlier one; larger maps hash.</summary>
        public const int LinearKeys = 16;

        /// <summary>A scratch grown past this many entries (a huge ConfigMap) is dropped rather than kept by the thread.</summary>
        private const int MaxKeptEntries = 16 * 1024;

        [ThreadStatic]
        private static WalkScratch? t_free;

        private PathSegment[] _path = new PathSegment[32];
        private int _depth;
        private ulong[] _flags = new ulong[32];
        private int _flagCount;
        private MapKey[] _keys = new MapKey[64];
        private int _keyCount;
        private int[] _buckets = [];
        private int _bucketCount;
        private byte[] _unescaped = [];
        private int _unescapedCount;

        public static WalkScratch Rent()
        {
            var scratch = t_free ?? new WalkScratch();
            t_free = null;
            return scratch;
        }

        public static void Return(WalkScratch scratch)
        {
            scratch._depth = scratch._flagCount = scratch._keyCount = scratch._bucketCount = scratch._unescapedCount = 0;
            if (scratch._keys.Length <= MaxKeptEntries && scratch._buckets.Length <= MaxKeptEntries * 4 && scratch._unescaped.Length <= MaxKeptEntries * 16)
            {
                t_free = scratch;
            }
        }

        public void Push(PathSegment segment)
        {
            if (_depth == _path.Length)
            {
                Array.Resize(ref _path, _depth * 2);
            }

            _path[_depth++] = segment;
        }

        public void Pop() => _depth--;

        /// <summary>The path as kube spells it: names joined by dots, indexes in brackets.</summary>
        public string FormatPath(ReadOnlySpan<byte> json)
        {
            var text = new StringBuilder();
            for (var i = 0; i < _depth; i++)
            {
                var segment = _path[i];
                if (segment.Index >= 0)
                {
                    text.Append('[').Append(segment.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
                }
                else
                {
                    if (text.Length > 0)
                    {
                        text.Append('.');
                    }

                    text.Append(segment.Name(json));
                }
            }

            return text.ToString();
        }

        /// <summary>Cleared flags for a struct's members (64 per word, any number of members); returns where they start.</summary>
        public int ReserveFlags(int members)
        {
            var words = (members + 63) >> 6;
            var start = _flagCount;
            if (start + words > _flags.Length)
            {
                Array.Resize(ref _flags, Math.Max(_flags.Length * 2, start + words));
            }

            _flags.AsSpan(start, words).Clear();
            _flagCount += words;
            return start;
        }

        /// <summary>Sets the flag of a member; true when it was already set (the member is a duplicate).</summary>
        public bool TestAndSetFlag(int flags, int ordinal)
        {
            ref var word = ref _flags[flags + (ordinal >> 6)];
            var bit = 1UL << ordinal;
            var seen = (word & bit) != 0;
            word |= bit;
            return seen;
        }

        public void ReleaseFlags(int flags) => _flagCount = flags;

        public MapState BeginMap() => new() { KeyBase = _keyCount, UnescapedBase = _unescapedCount, BucketBase = _bucketCount };

        public void EndMap(MapState map)
        {
            _keyCount = map.KeyBase;
            _unescapedCount = map.UnescapedBase;
            _bucketCount = map.BucketBase;
        }

        /// <summary>An escaped key's UTF-8 bytes, unescaped, kept until its map ends.</summary>
        public MapKey Unescaped(string name)
        {
            var length = Encoding.UTF8.GetByteCount(name);
            if (_unescapedCount + length > _unescaped.Length)
            {
                Array.Resize(ref _unescaped, Math.Max(256, Math.Max(_unescaped.Length * 2, _unescapedCount + length)));
            }

            Encoding.UTF8.GetBytes(name, _unescaped.AsSpan(_unescapedCount));
            var key = new MapKey(_unescapedCount, length, unescaped: true);
            _unescapedCount += length;
            return key;
        }

        /// <summary>
        /// Adds a key to the map on top of the stack; false when the map has it already. Small maps
        /// compare bytes with each earlier key; from <see cref="LinearKeys"/> keys on, the map hashes
        /// its keys into buckets of its own (with the process's randomized hash, so no body can make
        /// the lookups quadratic).
        /// </summary>
        public bool AddKey(ref MapState map, MapKey key, ReadOnlySpan<byte> json)
        {
            var bytes = Bytes(key, json);
            var count = _keyCount - map.KeyBase;
            if (map.BucketCount == 0)
            {
                for (var i = map.KeyBase; i < _keyCount; i++)
                {
                    if (Bytes(_keys[i], json).SequenceEqual(bytes))
                    {
                        return false;
                    }
                }

                Append(key);
                if (count + 1 == LinearKeys)
                {
                    Rehash(ref map, LinearKeys * 4, json);
                }

                return true;
            }

            key.Hash = Hash(bytes);
            var bucket = map.BucketBase + (key.Hash & (map.BucketCount - 1));
            for (var i = _buckets[bucket] - 1; i >= 0; i = _keys[i].Next - 1)
            {
                if (_keys[i].Hash == key.Hash && Bytes(_keys[i], json).SequenceEqual(bytes))
                {
                    return false;
                }
            }

            key.Next = _buckets[bucket];
            Append(key);
            _buckets[bucket] = _keyCount;
            if (count + 1 > map.BucketCount / 2)
            {
                Rehash(ref map, map.BucketCount * 2, json);
            }

            return true;
        }

        private void Append(MapKey key)
        {
            if (_keyCount == _keys.Length)
            {
                Array.Resize(ref _keys, _keyCount * 2);
            }

            _keys[_keyCount++] = key;
        }

        /// <summary>(Re)builds the buckets of the map on top of the stack; its region is the top of the bucket stack, so it grows in place.</summary>
        private void Rehash(ref MapState map, int bucketCount, ReadOnlySpan<byte> json)
        {
            if (map.BucketBase + bucketCount > _buckets.Length)
            {
                Array.Resize(ref _buckets, Math.Max(_buckets.Length * 2, map.BucketBase + bucketCount));
            }

            var buckets = _buckets.AsSpan(map.BucketBase, bucketCount);
            buckets.Clear();
            for (var i = map.KeyBase; i < _keyCount; i++)
            {
                ref var entry = ref _keys[i];
                if (map.BucketCount == 0)
                {
                    entry.Hash = Hash(Bytes(entry, json));
                }

                ref var head = ref buckets[entry.Hash & (bucketCount - 1)];
                entry.Next = head;
                head = i + 1;
            }

            map.BucketCount = bucketCount;
            _bucketCount = map.BucketBase + bucketCount;
        }

        private ReadOnlySpan<byte> Bytes(in MapKey key, ReadOnlySpan<byte> json) =>
            key.Unescaped ? _unescaped.AsSpan(key.Start, key.Length) : json.Slice(key.Start, key.Length);

        private static int Hash(ReadOnlySpan<byte> bytes)
        {
            var hash = default(HashCode);
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }

    private static string Quote(string value) => GoValue.Quote(value);

    /// <summary>A Warning header value as kube-apiserver writes it: <c>299 - "text"</c>, quotes and backslashes escaped.</summary>
    public static string WarningHeader(string text)
    {
        var builder = new StringBuilder("299 - \"", text.Length + 10);
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.Append('"').ToString();
    }
}
