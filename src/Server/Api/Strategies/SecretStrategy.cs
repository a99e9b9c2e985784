using System.Text;
using System.Text.Json.Nodes;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

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
}
