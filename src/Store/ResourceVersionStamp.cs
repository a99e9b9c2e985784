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
        Span<byte> digits = stackalloc byte[20];
        if (!Utf8Formatter.TryFormat(resourceVersion, digits, out var digitCount))
        {
            throw new ArgumentOutOfRangeException(nameof(resourceVersion));
        }

        digits = digits[..digitCount];
        try
        {
            return WriteCore(json, digits);
        }
        catch (JsonException e)
        {
            throw new FormatException("object is not valid JSON: " + e.Message, e);
        }
    }

    private static byte[] WriteCore(byte[] json, ReadOnlySpan<byte> digits)
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
                return Splice(json, (int)reader.TokenStartIndex, (int)reader.BytesConsumed, "{\"resourceVersion\":\""u8, digits, "\"}"u8);
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
                    return Splice(json, start, (int)reader.BytesConsumed, "\""u8, digits, "\""u8);
                }

                reader.Skip();
            }

            return metadataEmpty
                ? Splice(json, metadataOpenEnd, metadataOpenEnd, "\"resourceVersion\":\""u8, digits, "\""u8)
                : Splice(json, metadataOpenEnd, metadataOpenEnd, "\"resourceVersion\":\""u8, digits, "\","u8);
        }

        return rootEmpty
            ? Splice(json, rootOpenEnd, rootOpenEnd, "\"metadata\":{\"resourceVersion\":\""u8, digits, "\"}"u8)
            : Splice(json, rootOpenEnd, rootOpenEnd, "\"metadata\":{\"resourceVersion\":\""u8, digits, "\"},"u8);
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
