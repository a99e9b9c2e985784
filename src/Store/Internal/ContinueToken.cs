using System.Text.Json;

namespace Nautilus.Store.Internal;

/// <summary>
/// kube-apiserver's continue token: base64url (unpadded) of
/// <c>{"v":"meta.k8s.io/v1","rv":N,"start":"ns/name\u0000"}</c>, where rv is the revision the
/// first page was read at and start the key to resume from (the last returned key plus NUL,
/// i.e. the smallest key after it). Messages follow k8s.io/apiserver/pkg/storage/continue.go.
/// </summary>
internal static class ContinueToken
{
    private const string Version = "meta.k8s.io/v1";

    public static string Encode(long revision, ObjectKey lastKey)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("v"u8, Version);
            writer.WriteNumber("rv"u8, revision);
            writer.WriteString("start"u8, lastKey.ToString() + "\0");
            writer.WriteEndObject();
        }

        return Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Decodes a token into the revision and the key to resume from (inclusive unless After).</summary>
    /// <exception cref="StorageException"><see cref="StorageErrorCode.InvalidArgument"/> for a malformed token.</exception>
    public static (long Revision, ObjectKey Start, bool After) Decode(string token)
    {
        byte[] data;
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            data = Convert.FromBase64String(base64);
        }
        catch (FormatException e)
        {
            throw Invalid("continue key is not valid: " + e.Message);
        }

        string? version = null;
        long revision = 0;
        string? start = null;
        try
        {
            using var document = JsonDocument.Parse(data);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("continue key is not valid: not a JSON object");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "v":
                        version = property.Value.GetString();
                        break;
                    case "rv":
                        revision = property.Value.GetInt64();
                        break;
                    case "start":
                        start = property.Value.GetString();
                        break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Invalid("continue key is not valid: " + e.Message);
        }

        if (version != Version)
        {
            throw Invalid("continue key is not valid: server does not recognize this encoded version " + version);
        }

        if (revision <= 0)
        {
            throw Invalid("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }

        if (string.IsNullOrEmpty(start))
        {
            throw Invalid("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)");
        }

        var after = start.EndsWith('\0');
        if (after)
        {
            start = start[..^1];
        }

        if (start.StartsWith('/') || start.Contains("..", StringComparison.Ordinal))
        {
            throw Invalid("continue key is not valid: " + start);
        }

        var slash = start.IndexOf('/', StringComparison.Ordinal);
        var key = slash < 0 ? new ObjectKey("", start) : new ObjectKey(start[..slash], start[(slash + 1)..]);
        return (revision, key, after);
    }

    private static StorageException Invalid(string detail) =>
        new(StorageErrorCode.InvalidArgument, "invalid continue token: " + detail);
}
