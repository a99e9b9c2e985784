using System.Text.Json;

namespace Nautilus.Controllers.Client;

/// <summary>
/// Finds the parts of Kubernetes list and watch-event JSON without building a tree: the items of
/// a list and the object of a watch event, as slices of the bytes received.
/// </summary>
internal static class KubeJsonFrames
{
    /// <summary>Adds each of the list's items to <paramref name="items"/>; returns metadata.resourceVersion and metadata.continue ("" on the last page).</summary>
    public static (string ResourceVersion, string Continue) ReadList(ReadOnlyMemory<byte> body, List<ReadOnlyMemory<byte>> items)
    {
        var json = body.Span;
        var reader = new Utf8JsonReader(json);
        ExpectObject(ref reader);
        var resourceVersion = "";
        var continueToken = "";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("items"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    if (json[start] == (byte)'{')
                    {
                        items.Add(body[start..(int)reader.BytesConsumed]);
                    }
                }
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var field = reader.ValueTextEquals("resourceVersion"u8) ? 1 : reader.ValueTextEquals("continue"u8) ? 2 : 0;
                    reader.Read();
                    if (field != 0 && reader.TokenType == JsonTokenType.String)
                    {
                        if (field == 1)
                        {
                            resourceVersion = reader.GetString()!;
                        }
                        else
                        {
                            continueToken = reader.GetString()!;
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return (resourceVersion, continueToken);
    }

    /// <summary>A watch event's type and its object's bytes (empty when it has none).</summary>
    public static (string Type, ReadOnlyMemory<byte> Object) ReadWatchEvent(ReadOnlyMemory<byte> body)
    {
        var json = body.Span;
        var reader = new Utf8JsonReader(json);
        ExpectObject(ref reader);
        var type = "";
        var obj = ReadOnlyMemory<byte>.Empty;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.TokenType == JsonTokenType.String ? reader.GetString()! : "";
            }
            else if (reader.ValueTextEquals("object"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                obj = body[start..(int)reader.BytesConsumed];
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return (type, obj);
    }

    private static void ExpectObject(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ApiStatusException(500, "InternalError", "response is not a JSON object");
        }
    }
}
