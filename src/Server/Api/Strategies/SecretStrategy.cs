using System.Text;
using System.Text.Json.Nodes;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;
using Nautilus.Server.Api.Strategies.Validation;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// Secrets: <c>stringData</c> is write-only — the v1 → internal conversion writes each entry into
/// <c>data</c> (base64 of its UTF-8 bytes, overriding a <c>data</c> entry of the same key) and the
/// field is never stored. The type defaults to Opaque.
/// </summary>
public sealed class SecretStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["stringData"] is JsonObject stringData && stringData.Count > 0)
        {
            var data = EnsureObject(obj, "data");
            foreach (var (key, value) in stringData)
            {
                var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
            }
        }

        obj.Remove("stringData");
        SetIfEmpty(obj, "type", "Opaque");
    }

    /// <summary>ValidateSecret: data keys, total size, and the keys each well-known type requires.</summary>
    public override void Validate(JsonObject obj, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        var data = Object(obj, "data");
        long total = 0;
        foreach (var (key, value) in data ?? [])
        {
            foreach (var message in PodSpecValidation.ConfigKeyErrors(key))
            {
                errors.InvalidString($"data[{key}]", key, message);
            }

            total += DecodedLength(value);
        }

        if (total > ConfigMapStrategy.MaxSize)
        {
            errors.TooLong("data", ConfigMapStrategy.MaxSize);
        }

        bool Has(string key) => data?.ContainsKey(key) == true;
        switch (StringValue(obj, "type") ?? "")
        {
            case "kubernetes.io/service-account-token":
                if (string.IsNullOrEmpty(StringValue(Object(Object(obj, "metadata"), "annotations"), "kubernetes.io/service-account.name")))
                {
                    errors.Required("metadata.annotations[kubernetes.io/service-account.name]");
                }

                break;
            case "kubernetes.io/dockercfg":
                RequireJson(data, ".dockercfg", errors);
                break;
            case "kubernetes.io/dockerconfigjson":
                RequireJson(data, ".dockerconfigjson", errors);
                break;
            case "kubernetes.io/basic-auth":
                if (!Has("username") && !Has("password"))
                {
                    errors.Required("data[username]");
                    errors.Required("data[password]");
                }

                break;
            case "kubernetes.io/ssh-auth":
                if (DecodedLength(data?["ssh-privatekey"]) == 0)
                {
                    errors.Required("data[ssh-privatekey]");
                }

                break;
            case "kubernetes.io/tls":
                if (!Has("tls.crt"))
                {
                    errors.Required("data[tls.crt]");
                }

                if (!Has("tls.key"))
                {
                    errors.Required("data[tls.key]");
                }

                break;
        }
    }

    /// <summary>ValidateSecretUpdate: the type never changes; an immutable secret keeps its data and stays immutable.</summary>
    public override void ValidateUpdate(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        var type = StringValue(obj, "type") ?? "";
        if (type != (StringValue(old, "type") ?? ""))
        {
            errors.InvalidString("type", type, "field is immutable");
        }

        ConfigMapStrategy.ValidateImmutable(obj, old, ["data"], errors);
        Validate(obj, causes);
    }

    private static void RequireJson(JsonObject? data, string key, FieldErrors errors)
    {
        if (data?.ContainsKey(key) != true)
        {
            errors.Required($"data[{key}]");
            return;
        }

        try
        {
            var bytes = Convert.FromBase64String(StringValue(data, key) ?? "");
            if (JsonNode.Parse(bytes) is not JsonObject)
            {
                errors.Invalid($"data[{key}]", "\"<secret contents redacted>\"", "json: cannot unmarshal into Go value of type map[string]interface {}");
            }
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            errors.Invalid($"data[{key}]", "\"<secret contents redacted>\"", e is FormatException ? "illegal base64 data" : "unexpected end of JSON input");
        }
    }

    private static long DecodedLength(JsonNode? value)
    {
        var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        var padding = text.EndsWith("==", StringComparison.Ordinal) ? 2 : text.EndsWith('=') ? 1 : 0;
        return Math.Max(0, (text.Length / 4 * 3) - padding);
    }
}
