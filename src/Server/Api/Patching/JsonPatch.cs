using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Patching;

/// <summary>RFC 6902 JSON Patch (application/json-patch+json).</summary>
public static class JsonPatch
{
    /// <summary>Applies the patch to a copy of the document.</summary>
    /// <exception cref="ApiException">400 when the patch does not parse, 422 when an operation cannot be applied.</exception>
    public static JsonNode Apply(JsonNode document, ReadOnlySpan<byte> patch)
    {
        JsonArray ops;
        try
        {
            ops = JsonNode.Parse(patch) as JsonArray ?? throw new FormatException("expected a JSON array of operations");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException)
        {
            throw ApiException.BadRequest($"error decoding patch: {e.Message}");
        }

        var root = document.DeepClone();
        foreach (var opNode in ops)
        {
            if (opNode is not JsonObject op)
            {
                throw ApiException.BadRequest("error decoding patch: operation is not an object");
            }

            var kind = Str(op, "op");
            var path = Str(op, "path") ?? throw Unprocessable($"operation {kind} is missing path");
            try
            {
                switch (kind)
                {
                    case "add":
                        root = Add(root, path, Value(op));
                        break;
                    case "remove":
                        root = Remove(root, path, out _);
                        break;
                    case "replace":
                        root = Remove(root, path, out _);
                        root = Add(root, path, Value(op));
                        break;
                    case "move":
                        {
                            var from = Str(op, "from") ?? throw Unprocessable("move operation is missing from");
                            root = Remove(root, from, out var moved);
                            root = Add(root, path, moved);
                            break;
                        }

                    case "copy":
                        {
                            var from = Str(op, "from") ?? throw Unprocessable("copy operation is missing from");
                            root = Add(root, path, Resolve(root, from)?.DeepClone());
                            break;
                        }

                    case "test":
                        if (!JsonNode.DeepEquals(Resolve(root, path), Value(op)))
                        {
                            throw Unprocessable($"testing value {path} failed: test failed");
                        }

                        break;
                    default:
                        throw ApiException.BadRequest($"error decoding patch: unexpected operation kind: \"{kind}\"");
                }
            }
            catch (KeyNotFoundException e)
            {
                throw Unprocessable(e.Message);
            }
        }

        return root;
    }

    private static ApiException Unprocessable(string message) => new(422, "Invalid", message);

    private static string? Str(JsonObject op, string name) => op[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw Unprocessable("operation is missing value");

    private static List<string> Split(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw new KeyNotFoundException($"invalid JSON pointer: \"{pointer}\"");
        }

        var parts = new List<string>();
        foreach (var part in pointer[1..].Split('/'))
        {
            parts.Add(part.Replace("~1", "/").Replace("~0", "~"));
        }

        return parts;
    }

    private static JsonNode? Resolve(JsonNode root, string pointer)
    {
        JsonNode? node = root;
        foreach (var part in Split(pointer))
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(part, out var child) => child,
                JsonArray a when int.TryParse(part, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw new KeyNotFoundException($"doc is missing path: \"{pointer}\": missing value"),
            };
        }

        return node;
    }

    private static JsonNode Add(JsonNode root, string pointer, JsonNode? value)
    {
        var parts = Split(pointer);
        if (parts.Count == 0)
        {
            return value ?? throw new KeyNotFoundException("cannot replace the document with null");
        }

        var parent = Parent(root, parts);
        var last = parts[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new KeyNotFoundException($"add operation does not apply: doc is missing path: \"{pointer}\": missing value");
        }

        return root;
    }

    private static JsonNode Remove(JsonNode root, string pointer, out JsonNode? removed)
    {
        var parts = Split(pointer);
        if (parts.Count == 0)
        {
            throw new KeyNotFoundException("cannot remove the whole document");
        }

        var parent = Parent(root, parts);
        var last = parts[^1];
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var child):
                o.Remove(last);
                removed = child;
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                break;
            default:
                throw new KeyNotFoundException($"remove operation does not apply: doc is missing path: \"{pointer}\": missing value");
        }

        removed = removed?.DeepClone();
        return root;
    }

    /// <summary>The container of the last reference token: the document itself for a top-level member.</summary>
    private static JsonNode? Parent(JsonNode root, List<string> parts) =>
        parts.Count == 1 ? root : Resolve(root, "/" + string.Join('/', parts.Take(parts.Count - 1).Select(Escape)));

    private static string Escape(string part) => part.Replace("~", "~0").Replace("/", "~1");
}
