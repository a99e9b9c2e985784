using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Nautilus.Server.Api.OpenApi;

/// <summary>
/// The Swagger 2.0 document as gnostic's <c>openapi.v2.Document</c> protobuf, which kubectl asks
/// /openapi/v2 for (<c>kubectl explain --output=plaintext-openapiv2</c>, and the schema kubectl
/// apply and edit compute strategic merge patches from). Encoded: swagger, info and every
/// definition with the Schema fields a definition uses ($ref, format, description, required,
/// additionalProperties, type, items, allOf, properties, vendor extensions). Paths are left out:
/// kubectl finds kinds by the definitions' <c>x-kubernetes-group-version-kind</c> and reads query
/// parameters from the v3 documents.
/// </summary>
internal static class GnosticV2
{
    /// <summary>Encodes a Swagger 2.0 JSON document (as <see cref="OpenApiDocuments"/> renders it).</summary>
    public static byte[] Encode(JsonObject swagger)
    {
        var info = Message(output =>
        {
            String(output, 1, (string?)swagger["info"]?["title"]);
            String(output, 2, (string?)swagger["info"]?["version"]);
        });

        var definitions = Message(output =>
        {
            if (swagger["definitions"] is JsonObject all)
            {
                foreach (var (name, schema) in all)
                {
                    Bytes(output, 1, NamedSchema(name, schema as JsonObject ?? []));
                }
            }
        });

        return Message(output =>
        {
            String(output, 1, (string?)swagger["swagger"]);
            Bytes(output, 2, info);
            Bytes(output, 9, definitions);
        });
    }

    // message Schema { _ref = 1; format = 2; title = 3; description = 4; default = 5 (Any); required = 19;
    //   additional_properties = 21; type = 22 (TypeItem); items = 23 (ItemsItem); all_of = 24; properties = 25; vendor_extension = 31 }
    private static byte[] Schema(JsonObject schema) => Message(output =>
    {
        String(output, 1, (string?)schema["$ref"]);
        String(output, 2, (string?)schema["format"]);
        String(output, 3, (string?)schema["title"]);
        String(output, 4, (string?)schema["description"]);
        if (schema["default"] is { } defaultValue)
        {
            Bytes(output, 5, Any(defaultValue));
        }

        if (schema["required"] is JsonArray required)
        {
            foreach (var name in required)
            {
                String(output, 19, (string?)name);
            }
        }

        switch (schema["additionalProperties"])
        {
            case JsonObject additional:
                Bytes(output, 21, Message(o => Bytes(o, 1, Schema(additional))));
                break;
            case JsonValue flag when flag.TryGetValue<bool>(out var allowed):
                Bytes(output, 21, Message(o =>
                {
                    o.WriteTag(2, WireFormat.WireType.Varint);
                    o.WriteBool(allowed);
                }));
                break;
        }

        if (schema["type"] is JsonValue type)
        {
            Bytes(output, 22, Message(o => String(o, 1, (string?)type)));
        }

        if (schema["items"] is JsonObject items)
        {
            Bytes(output, 23, Message(o => Bytes(o, 1, Schema(items))));
        }

        if (schema["allOf"] is JsonArray allOf)
        {
            foreach (var part in allOf)
            {
                Bytes(output, 24, Schema(part as JsonObject ?? []));
            }
        }

        if (schema["properties"] is JsonObject properties)
        {
            Bytes(output, 25, Message(o =>
            {
                foreach (var (name, property) in properties)
                {
                    Bytes(o, 1, NamedSchema(name, property as JsonObject ?? []));
                }
            }));
        }

        foreach (var (name, value) in schema)
        {
            if (name.StartsWith("x-", StringComparison.Ordinal) && value is not null)
            {
                // NamedAny { name = 1; value = 2 (Any) }
                Bytes(output, 31, Message(o =>
                {
                    String(o, 1, name);
                    Bytes(o, 2, Any(value));
                }));
            }
        }
    });

    private static byte[] NamedSchema(string name, JsonObject schema) => Message(output =>
    {
        String(output, 1, name);
        Bytes(output, 2, Schema(schema));
    });

    // message Any { google.protobuf.Any value = 1; string yaml = 2; }: kubectl reads the yaml; JSON is YAML.
    private static byte[] Any(JsonNode value) => Message(output => String(output, 2, value.ToJsonString(JsonSerializerOptions.Default)));

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }

    private static void String(CodedOutputStream output, int field, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteString(value);
        }
    }

    private static void Bytes(CodedOutputStream output, int field, byte[] value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
    }
}
