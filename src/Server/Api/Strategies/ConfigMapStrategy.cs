using System.Text;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies.Validation;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>ConfigMaps: no defaults; ValidateConfigMap (keys, total size) and the <c>immutable</c> rules on update.</summary>
public sealed class ConfigMapStrategy : ResourceStrategy
{
    /// <summary>core.MaxSecretSize, which bounds ConfigMaps too.</summary>
    public const int MaxSize = 1 * 1024 * 1024;

    public override void Validate(JsonObject obj, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        var data = Object(obj, "data");
        var binaryData = Object(obj, "binaryData");
        long total = 0;
        foreach (var (key, value) in data ?? [])
        {
            foreach (var message in PodSpecValidation.ConfigKeyErrors(key))
            {
                errors.InvalidString($"data[{key}]", key, message);
            }

            if (binaryData?.ContainsKey(key) == true)
            {
                errors.InvalidString($"data[{key}]", key, "duplicate of key present in binaryData");
            }

            total += Encoding.UTF8.GetByteCount(GoValue.StringOf(value));
        }

        foreach (var (key, value) in binaryData ?? [])
        {
            foreach (var message in PodSpecValidation.ConfigKeyErrors(key))
            {
                errors.InvalidString($"binaryData[{key}]", key, message);
            }

            total += GoValue.StringOf(value).Length * 3 / 4;
        }

        if (total > MaxSize)
        {
            errors.TooLong("", MaxSize);
        }
    }

    public override void ValidateUpdate(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
        ValidateImmutable(obj, old, ["data", "binaryData"], new FieldErrors(causes));
        Validate(obj, causes);
    }

    /// <summary>Once <c>immutable</c> is true it stays true and the payload fields keep their content.</summary>
    internal static void ValidateImmutable(JsonObject obj, JsonObject old, string[] payload, FieldErrors errors)
    {
        if (!IsTrue(old["immutable"]))
        {
            return;
        }

        if (!IsTrue(obj["immutable"]))
        {
            errors.Forbidden("immutable", "field is immutable when `immutable` is set");
        }

        foreach (var field in payload)
        {
            if (!JsonNode.DeepEquals(Empty(obj[field]), Empty(old[field])))
            {
                errors.Forbidden(field, "field is immutable when `immutable` is set");
            }
        }
    }

    private static bool IsTrue(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static JsonNode? Empty(JsonNode? node) => node is JsonObject { Count: 0 } ? null : node;
}
