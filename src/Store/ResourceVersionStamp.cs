using System.Buffers.Text;
using System.Text.Json;

namespace Nautilus.Store;

/// <summary>Writes metadata.resourceVersion into serialized Kubernetes JSON.</summary>
public static class ResourceVersionStamp
{
    private static ReadOnlySpan<byte> MetadataName => "metadata"u8;

    private static ReadOnlySpan<byte> ResourceVersionName => "resourceVersion"u8;

    /// <summary>
    /// A copy of <paramref name="json"/> whose metadata.resourceVersion is <paramref name="resourceVersion"/>
    /// (as a string), added as metadata's first property when absent; a missing or null metadata becomes
    /// <c>{"resourceVersion":"N"}</c>. One pass of <see cref="Utf8JsonReader"/> over the top level and
    /// metadata (nested values are skipped, not parsed) and one allocation for the result.
    /// </summary>
    /// <exception cref="FormatException">The bytes are not a JSON object.</exception>
    public static byte[] Write(byte[] json, long resourceVersion)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Write(json, Locate(json), resourceVersion);
    }

    /// <summary>
    /// Where <see cref="Write(byte[], long)"/> would put the revision in <paramref name="json"/>, or
    /// false when it is not a JSON object: the scan, which does not depend on the revision, done
    /// apart from the copy, which does (the store scans before it takes its lock).
    /// </summary>
    internal static bool TryLocate(ReadOnlySpan<byte> json, out Edit edit)
    {
        try
        {
            edit = Locate(json);
            return true;
        }
        catch (FormatException)
        {
            edit = default;
            return false;
        }
    }

    /// <summary><see cref="Write(byte[], long)"/> at a place found by <see cref="TryLocate"/> in the same bytes.</summary>
    internal static byte[] Write(byte[] json, in Edit edit, long resourceVersion)
    {
        Span<byte> buffer = stackalloc byte[20];
        var digits = Digits(resourceVersion, buffer);
        return Splice(json, edit.Start, edit.End, edit.Prefix, digits, edit.Suffix);
    }

    /// <summary>
    /// True when <see cref="Write(byte[], long)"/> of <paramref name="json"/> at <paramref name="resourceVersion"/>
    /// would give exactly <paramref name="stamped"/>: a write that changes nothing, checked without
    /// making the copy.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="json"/> is not a JSON object.</exception>
    public static bool Matches(ReadOnlySpan<byte> json, long resourceVersion, ReadOnlySpan<byte> stamped)
    {
        Span<byte> buffer = stackalloc byte[20];
        var digits = Digits(resourceVersion, buffer);
        var edit = Locate(json);
        if (stamped.Length != json.Length - (edit.End - edit.Start) + edit.Prefix.Length + digits.Length + edit.Suffix.Length
            || !stamped[..edit.Start].SequenceEqual(json[..edit.Start]))
        {
            return false;
        }

        stamped = stamped[edit.Start..];
        if (!stamped.StartsWith(edit.Prefix))
        {
            return false;
        }

        stamped = stamped[edit.Prefix.Length..];
        if (!stamped.StartsWith(digits))
        {
            return false;
        }

        stamped = stamped[digits.Length..];
        return stamped.StartsWith(edit.Suffix) && stamped[edit.Suffix.Length..].SequenceEqual(json[edit.End..]);
    }

    private static Span<byte> Digits(long resourceVersion, Span<byte> buffer) =>
        Utf8Formatter.TryFormat(resourceVersion, buffer, out var length) ? buffer[..length] : throw new ArgumentOutOfRangeException(nameof(resourceVersion));

    /// <summary>What surrounds the digits, by where they go.</summary>
    internal enum EditKind : byte
    {
        /// <summary>Replaces the value of metadata.resourceVersion: <c>"N"</c>.</summary>
        Value,

        /// <summary>Replaces <c>"metadata":null</c>'s null.</summary>
        NullMetadata,

        /// <summary>First member of an empty metadata.</summary>
        EmptyMetadata,

        /// <summary>First member of a metadata with members.</summary>
        Metadata,

        /// <summary>A new metadata, first member of an empty object.</summary>
        EmptyRoot,

        /// <summary>A new metadata, first member of an object with members.</summary>
        Root,
    }

    /// <summary>Where the revision goes: json[Start..End] becomes Prefix + digits + Suffix. Plain data, so it can be found before the revision is known.</summary>
    internal readonly struct Edit(int start, int end, EditKind kind)
    {
        public int Start { get; } = start;

        public int End { get; } = end;

        public EditKind Kind { get; } = kind;

        public ReadOnlySpan<byte> Prefix => Kind switch
        {
            EditKind.Value => "\""u8,
            EditKind.NullMetadata => "{\"resourceVersion\":\""u8,
            EditKind.EmptyMetadata or EditKind.Metadata => "\"resourceVersion\":\""u8,
            _ => "\"metadata\":{\"resourceVersion\":\""u8,
        };

        public ReadOnlySpan<byte> Suffix => Kind switch
        {
            EditKind.Value or EditKind.EmptyMetadata => "\""u8,
            EditKind.Metadata => "\","u8,
            EditKind.NullMetadata or EditKind.EmptyRoot => "\"}"u8,
            _ => "\"},"u8,
        };
    }

    /// <exception cref="FormatException">The bytes are not a JSON object.</exception>
    private static Edit Locate(ReadOnlySpan<byte> json)
    {
        try
        {
            return LocateCore(json);
        }
        catch (JsonException e)
        {
            throw new FormatException("object is not valid JSON: " + e.Message, e);
        }
    }

    private static Edit LocateCore(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("object is not a JSON object");
        }

        var rootOpenEnd = (int)reader.BytesConsumed;
        var rootEmpty = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            rootEmpty = false;
            var isMetadata = reader.ValueTextEquals(MetadataName);
            reader.Read();
            if (!isMetadata)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                // "metadata":null -> "metadata":{"resourceVersion":"N"}
                return new Edit((int)reader.TokenStartIndex, (int)reader.BytesConsumed, EditKind.NullMetadata);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException("metadata is not a JSON object");
            }

            var metadataOpenEnd = (int)reader.BytesConsumed;
            var metadataEmpty = true;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                metadataEmpty = false;
                var isResourceVersion = reader.ValueTextEquals(ResourceVersionName);
                reader.Read();
                if (isResourceVersion)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    return new Edit(start, (int)reader.BytesConsumed, EditKind.Value);
                }

                reader.Skip();
            }

            return metadataEmpty
                ? new Edit(metadataOpenEnd, metadataOpenEnd, EditKind.EmptyMetadata)
                : new Edit(metadataOpenEnd, metadataOpenEnd, EditKind.Metadata);
        }

        return rootEmpty
            ? new Edit(rootOpenEnd, rootOpenEnd, EditKind.EmptyRoot)
            : new Edit(rootOpenEnd, rootOpenEnd, EditKind.Root);
    }

    /// <summary>json[..start] + prefix + digits + suffix + json[end..], in one allocation.</summary>
    private static byte[] Splice(byte[] json, int start, int end, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> digits, ReadOnlySpan<byte> suffix)
    {
        var result = GC.AllocateUninitializedArray<byte>(json.Length - (end - start) + prefix.Length + digits.Length + suffix.Length);
        var span = result.AsSpan();
        json.AsSpan(0, start).CopyTo(span);
        span = span[start..];
        prefix.CopyTo(span);
        span = span[prefix.Length..];
        digits.CopyTo(span);
        span = span[digits.Length..];
        suffix.CopyTo(span);
        span = span[suffix.Length..];
        json.AsSpan(end).CopyTo(span);
        return result;
    }
}
