using Nautilus.Server.Api.Protobuf.Internal;

namespace Nautilus.Server.Api.Protobuf;

/// <summary>
/// Decodes request bodies sent as <c>application/vnd.kubernetes.protobuf</c> (what kubectl's typed
/// commands and every client-go typed client send) into the Kubernetes JSON a JSON client would
/// have sent for the same object, so the rest of the API machinery only ever sees JSON.
/// </summary>
/// <remarks>
/// The wire envelope is the 4-byte magic <c>k8s\0</c> followed by a runtime.Unknown message:
/// typeMeta{apiVersion=1, kind=2}=1, raw=2, contentEncoding=3, contentType=4. The object in raw is
/// decoded with a schema of the Kubernetes API types and written as Go's json.Marshal writes it:
/// fields in Go struct order, omitempty honoured, nil pointers dropped, zero times as null.
/// </remarks>
public static class KubernetesProtobuf
{
    public const string ContentType = "application/vnd.kubernetes.protobuf";

    // kube-apiserver registers its types in this scheme; its name appears in "no kind" errors.
    private const string SchemeName = "pkg/api/legacyscheme/scheme.go:30";

    private static ReadOnlySpan<byte> Magic => [0x6b, 0x38, 0x73, 0x00];

    /// <summary>True when a Content-Type header names the Kubernetes protobuf media type (parameters ignored).</summary>
    public static bool IsProtobuf(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';');
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Returns the object in <paramref name="body"/> as UTF-8 Kubernetes JSON, with "kind" and
    /// "apiVersion" taken from the envelope. Malformed input or an unknown kind is a 400
    /// <see cref="ApiException"/> worded as kube-apiserver words it.
    /// </summary>
    public static byte[] ToJson(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
        {
            throw ApiException.BadRequest("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
        }

        var apiVersion = string.Empty;
        var kind = string.Empty;
        ReadOnlySpan<byte> raw = default;
        try
        {
            var envelope = new ProtoWireReader(body[Magic.Length..]);
            while (envelope.TryRead(out var field))
            {
                switch (field.Number)
                {
                    case 1 when field.WireType == WireType.LengthDelimited:
                        var typeMeta = new ProtoWireReader(field.Payload);
                        while (typeMeta.TryRead(out var part))
                        {
                            if (part.WireType != WireType.LengthDelimited)
                            {
                                continue;
                            }

                            if (part.Number == 1)
                            {
                                apiVersion = System.Text.Encoding.UTF8.GetString(part.Payload);
                            }
                            else if (part.Number == 2)
                            {
                                kind = System.Text.Encoding.UTF8.GetString(part.Payload);
                            }
                        }

                        break;
                    case 2 when field.WireType == WireType.LengthDelimited:
                        raw = field.Payload;
                        break;
                    case 3 when field.WireType == WireType.LengthDelimited && !field.Payload.IsEmpty:
                        throw ApiException.BadRequest($"the object provided is unrecognized: unsupported content encoding \"{System.Text.Encoding.UTF8.GetString(field.Payload)}\"");
                }
            }
        }
        catch (ProtoFormatException e)
        {
            throw ApiException.BadRequest($"the object provided is unrecognized: {e.Message}");
        }

        if (kind.Length == 0)
        {
            throw ApiException.BadRequest("Object 'Kind' is missing in the protobuf envelope");
        }

        var schema = KubernetesSchemas.ForKind(apiVersion, kind)
            ?? throw ApiException.BadRequest($"no kind \"{kind}\" is registered for version \"{apiVersion}\" in scheme \"{SchemeName}\"");
        try
        {
            return ProtoJsonTranscoder.Transcode(schema, raw, kind, apiVersion);
        }
        catch (ProtoFormatException e)
        {
            var slash = apiVersion.IndexOf('/');
            var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
            throw ApiException.BadRequest($"{kind} in version \"{version}\" cannot be handled as a {kind}: {e.Message}");
        }
    }
}
