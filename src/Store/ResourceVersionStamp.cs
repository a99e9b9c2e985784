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
        Span<byte> buffer = stackalloc byte[20];
        var digits = Digits(resourceVersion, buffer);
        var edit = Locate(json);
        return Splice(json, edit.Start, edit.End, edit.Prefix, digits, edit.Suffix);
    }

    /// <summary>
    /// True when <see cref="Write"/> of <paramref name="json"/> at <paramref name="resourceVersion"/>
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

    /// <summary>Where the revision goes: json[Start..End] becomes Prefix + digits + Suffix.</summary>
    private readonly ref struct Edit(int start, int end, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> suffix)
    {
        public int Start { get; } = start;

        public int End { get; } = end;

        public ReadOnlySpan<byte> Prefix { get; } = prefix;

        public ReadOnlySpan<byte> Suffix { get; } = suffix;
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
                return new Edit((int)reader.TokenStartIndex, (int)reader.BytesConsumed, "{\"resourceVersion\":\""u8, "\"}"u8);
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
                    return new Edit(start, (int)reader.BytesConsumed, "\""u8, "\""u8);
                }

                reader.Skip();
            }

            return metadataEmpty
                ? new Edit(metadataOpenEnd, metadataOpenEnd, "\"resourceVersion\":\""u8, "\""u8)
                : new Edit(metadataOpenEnd, metadataOpenEnd, "\"resourceVersion\":\""u8, "\","u8);
        }

        return rootEmpty
            ? new Edit(rootOpenEnd, rootOpenEnd, "\"metadata\":{\"resourceVersion\":\""u8, "\"}"u8)
            : new Edit(rootOpenEnd, rootOpenEnd, "\"metadata\":{\"resourceVersion\":\""u8, "\"},"u8);
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
