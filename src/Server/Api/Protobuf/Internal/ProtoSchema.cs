using System.Text.Json;

namespace Nautilus.Server.Api.Protobuf.Internal;

/// <summary>What a field holds, on the wire and in JSON.</summary>
internal enum ProtoValueKind
{
    String,
    Bool,
    Int32,
    Int64,
    Bytes,
    Message,

    /// <summary>metav1.Time: Timestamp{seconds=1, nanos=2} → RFC 3339 with seconds, zero → null.</summary>
    Time,

    /// <summary>metav1.MicroTime: as Time, with six fractional digits.</summary>
    MicroTime,

    /// <summary>resource.Quantity: {string=1} → the canonical string.</summary>
    Quantity,

    /// <summary>intstr.IntOrString: {type=1, intVal=2, strVal=3} → a JSON number or string.</summary>
    IntOrString,

    /// <summary>runtime.RawExtension: {raw=1} → the embedded JSON, nil → null.</summary>
    RawExtension,

    /// <summary>metav1.FieldsV1: {Raw=1} → the embedded JSON.</summary>
    FieldsV1,

    /// <summary>metav1.Duration: {duration=1 (ns)} → Go's time.Duration string ("1h0m0s").</summary>
    Duration,
}

/// <summary>How a Go struct field holds its value, which decides what json.Marshal writes when it is empty.</summary>
internal enum ProtoFieldShape
{
    /// <summary>A non-pointer field: always on the wire; JSON drops it only for omitempty and a zero scalar.</summary>
    Value,

    /// <summary>A pointer: on the wire only when non-nil; nil is dropped (omitempty) or written as null.</summary>
    Pointer,

    /// <summary>A slice: empty is dropped (omitempty) or written as null.</summary>
    Repeated,

    /// <summary>A map with string keys (entries key=1, value=2), written with sorted keys as Go does.</summary>
    Map,

    /// <summary>An embedded struct with <c>json:",inline"</c>: its fields are written into the parent object.</summary>
    Inline,
}

/// <summary>One field of a Kubernetes API type: its protobuf number, JSON name and Go shape.</summary>
internal sealed class ProtoFieldSchema
{
    public required int Number { get; init; }

    public required string Name { get; init; }

    public required JsonEncodedText JsonName { get; init; }

    public required ProtoValueKind Kind { get; init; }

    public required ProtoFieldShape Shape { get; init; }

    /// <summary>Go's <c>omitempty</c> on the JSON tag.</summary>
    public required bool OmitEmpty { get; init; }

    /// <summary>The type name of a message field (or map value), resolved into <see cref="Message"/>.</summary>
    public string? MessageName { get; init; }

    public ProtoMessageSchema? Message { get; internal set; }
}

/// <summary>A Kubernetes API type: its fields in Go struct order, which is the order JSON is written in.</summary>
internal sealed class ProtoMessageSchema(string name, ProtoFieldSchema[] fields)
{
    public string Name { get; } = name;

    public ProtoFieldSchema[] Fields { get; } = fields;
}

/// <summary>
/// Parses the compact schema notation used by <see cref="KubernetesSchemas"/>: one message is a
/// comma- or newline-separated list of <c>jsonName number type</c>, where type is
/// <list type="bullet">
/// <item><c>s b i32 i64 bytes time mtime qty ios raw fields dur</c> or a message name;</item>
/// <item>prefixed by <c>*</c> (pointer), <c>^</c> (inline embedded struct), or wrapped in
/// <c>[T]</c> (slice) or <c>{T}</c> (map with string keys);</item>
/// <item>suffixed by <c>?</c> when the Go JSON tag has omitempty.</item>
/// </list>
/// For example <c>replicas 1 *i32?, selector 2 *LabelSelector, template 3 PodTemplateSpec</c>.
/// </summary>
internal static class ProtoSchemaParser
{
    /// <summary>Builds the messages and resolves every message reference; an unknown name is a bug in the table.</summary>
    public static Dictionary<string, ProtoMessageSchema> Build(IEnumerable<(string Name, string Fields)> definitions)
    {
        var messages = new Dictionary<string, ProtoMessageSchema>(StringComparer.Ordinal);
        foreach (var (name, fields) in definitions)
        {
            if (!messages.TryAdd(name, ParseMessage(name, fields)))
            {
                throw new InvalidOperationException($"protobuf schema: message {name} is defined twice");
            }
        }

        foreach (var message in messages.Values)
        {
            foreach (var field in message.Fields)
            {
                if (field.MessageName is { } target)
                {
                    field.Message = messages.TryGetValue(target, out var resolved)
                        ? resolved
                        : throw new InvalidOperationException($"protobuf schema: {message.Name}.{field.Name} refers to unknown message {target}");
                }
            }
        }

        return messages;
    }

    public static ProtoMessageSchema ParseMessage(string name, string definition)
    {
        var fields = new List<ProtoFieldSchema>();
        var numbers = new HashSet<int>();
        foreach (var entry in definition.Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !int.TryParse(parts[1], out var number) || number <= 0)
            {
                throw new InvalidOperationException($"protobuf schema: cannot parse field '{entry}' of {name}");
            }

            if (!numbers.Add(number))
            {
                throw new InvalidOperationException($"protobuf schema: field number {number} is used twice in {name}");
            }

            fields.Add(ParseField(name, parts[0], number, parts[2]));
        }

        return new ProtoMessageSchema(name, [.. fields]);
    }

    private static ProtoFieldSchema ParseField(string message, string jsonName, int number, string type)
    {
        var omitEmpty = type.EndsWith('?');
        if (omitEmpty)
        {
            type = type[..^1];
        }

        var shape = ProtoFieldShape.Value;
        if (type.StartsWith('*'))
        {
            shape = ProtoFieldShape.Pointer;
            type = type[1..];
        }
        else if (type.StartsWith('^'))
        {
            shape = ProtoFieldShape.Inline;
            type = type[1..];
        }
        else if (type.StartsWith('[') && type.EndsWith(']'))
        {
            shape = ProtoFieldShape.Repeated;
            type = type[1..^1];
        }
        else if (type.StartsWith('{') && type.EndsWith('}'))
        {
            shape = ProtoFieldShape.Map;
            type = type[1..^1];
        }

        var kind = type switch
        {
            "s" => ProtoValueKind.String,
            "b" => ProtoValueKind.Bool,
            "i32" => ProtoValueKind.Int32,
            "i64" => ProtoValueKind.Int64,
            "bytes" => ProtoValueKind.Bytes,
            "time" => ProtoValueKind.Time,
            "mtime" => ProtoValueKind.MicroTime,
            "qty" => ProtoValueKind.Quantity,
            "ios" => ProtoValueKind.IntOrString,
            "raw" => ProtoValueKind.RawExtension,
            "fields" => ProtoValueKind.FieldsV1,
            "dur" => ProtoValueKind.Duration,
            _ => ProtoValueKind.Message,
        };
        if (shape == ProtoFieldShape.Inline && kind != ProtoValueKind.Message)
        {
            throw new InvalidOperationException($"protobuf schema: inline field {message}.{jsonName} must be a message");
        }

        return new ProtoFieldSchema
        {
            Number = number,
            Name = jsonName,
            JsonName = JsonEncodedText.Encode(jsonName),
            Kind = kind,
            Shape = shape,
            OmitEmpty = omitEmpty,
            MessageName = kind == ProtoValueKind.Message ? type : null,
        };
    }
}
