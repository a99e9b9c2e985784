using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Api.Apply;

/// <summary>
/// A manager's identity, as managedfields.BuildManagerIdentifier builds it: name, operation,
/// subresource, and for Update the apiVersion (an applier is the same manager whatever version
/// it applies with).
/// </summary>
public readonly record struct ManagerKey(string Manager, string Operation, string ApiVersion, string Subresource)
{
    public const string ApplyOperation = "Apply";
    public const string UpdateOperation = "Update";

    public static ManagerKey ForApply(string manager, string subresource) => new(manager, ApplyOperation, "", subresource);

    public static ManagerKey ForUpdate(string manager, string apiVersion, string subresource) => new(manager, UpdateOperation, apiVersion, subresource);

    public bool IsApply => Operation == ApplyOperation;

    /// <summary>The manager as conflict messages name it (printManager): <c>"kubectl-scale" with subresource "scale" using apps/v1</c>.</summary>
    public string Describe()
    {
        var text = Quote(Manager);
        if (Subresource.Length > 0)
        {
            text += " with subresource " + Quote(Subresource);
        }

        return Operation == UpdateOperation ? text + " using " + ApiVersion : text;
    }

    private static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}

/// <summary>One manager's fields: the set, the version they were written in, and when the manager last changed the object.</summary>
public sealed class ManagedEntry(FieldSet set, string apiVersion, string? time)
{
    public FieldSet Set { get; set; } = set;

    public string ApiVersion { get; set; } = apiVersion;

    public string? Time { get; set; } = time;
}

/// <summary>
/// metadata.managedFields decoded: one <see cref="ManagedEntry"/> per manager identity. Encodes
/// back to kube's shape and order (operation, then time, manager, apiVersion, subresource).
/// </summary>
public sealed class ManagedFields : Dictionary<ManagerKey, ManagedEntry>
{
    /// <summary>Decodes metadata.managedFields as DecodeManagedFields does; false (with the reason) on an invalid entry.</summary>
    public static bool TryDecode(JsonNode? node, out ManagedFields managed, out string? error)
    {
        managed = [];
        error = null;
        node = KubeJson.Materialize(node);
        if (node is null)
        {
            return true;
        }

        if (node is not JsonArray entries)
        {
            error = "managedFields must be a list";
            return false;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not JsonObject entry)
            {
                error = $"invalid managed fields entry {i}";
                return false;
            }

            var operation = KubeJson.GetString(entry, "operation");
            if (operation is not (ManagerKey.ApplyOperation or ManagerKey.UpdateOperation))
            {
                error = "operation must be `Apply` or `Update`";
                return false;
            }

            var apiVersion = KubeJson.GetString(entry, "apiVersion") ?? "";
            if (apiVersion.Length == 0)
            {
                error = "apiVersion must not be empty";
                return false;
            }

            var fieldsType = KubeJson.GetString(entry, "fieldsType") ?? "";
            if (fieldsType != "FieldsV1")
            {
                error = fieldsType.Length == 0 ? $"missing fieldsType in managed fields entry {i}" : $"invalid fieldsType \"{fieldsType}\" in managed fields entry {i}";
                return false;
            }

            FieldSet set;
            try
            {
                set = entry["fieldsV1"] is JsonObject fields ? FieldSet.FromFieldsV1(fields) : new FieldSet();
            }
            catch (FormatException e)
            {
                error = $"error decoding managed fields entry {i}: {e.Message}";
                return false;
            }

            var manager = KubeJson.GetString(entry, "manager") ?? "";
            var subresource = KubeJson.GetString(entry, "subresource") ?? "";
            var key = operation == ManagerKey.ApplyOperation ? ManagerKey.ForApply(manager, subresource) : ManagerKey.ForUpdate(manager, apiVersion, subresource);
            if (!managed.TryAdd(key, new ManagedEntry(set, apiVersion, KubeJson.GetString(entry, "time"))))
            {
                error = $"duplicate entries for manager {key.Describe()}";
                return false;
            }
        }

        return true;
    }

    private static readonly System.Text.Json.JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The managedFields list, sorted as sortEncodedManagedFields sorts it; null when there is none.</summary>
    /// <remarks>Written as JSON and held as a <see cref="KubeJson.Raw"/> node rather than a node per field.</remarks>
    public JsonNode? Encode()
    {
        if (Count == 0)
        {
            return null;
        }

        IEnumerable<KeyValuePair<ManagerKey, ManagedEntry>> ordered = Count == 1 ? this : this.OrderBy(e => e.Key.Operation, StringComparer.Ordinal)
            .ThenBy(e => KubeJson.ParseTimestamp(e.Value.Time)?.ToUnixTimeSeconds() ?? 0)
            .ThenBy(e => e.Key.Manager, StringComparer.Ordinal)
            .ThenBy(e => e.Value.ApiVersion, StringComparer.Ordinal)
            .ThenBy(e => e.Key.Subresource, StringComparer.Ordinal);
        using var scratch = ScratchBuffers.Rent();
        using var fieldsScratch = ScratchBuffers.Rent();
        var buffer = scratch.Buffer;
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var (key, entry) in ordered)
            {
                var fields = fieldsScratch.Buffer;
                fields.ResetWrittenCount();
                entry.Set.WriteFieldsV1(fields);
                WriteEntry(writer, key, entry.ApiVersion, entry.Time, fields.WrittenSpan);
            }

            writer.WriteEndArray();
        }

        return KubeJson.Raw(buffer.WrittenSpan.ToArray());
    }

    /// <summary>The managedFields list of one entry whose FieldsV1 is already written (a create's).</summary>
    public static JsonNode EncodeOne(ManagerKey key, string apiVersion, string? time, ReadOnlySpan<byte> fieldsV1)
    {
        using var scratch = ScratchBuffers.Rent();
        var buffer = scratch.Buffer;
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            WriteEntry(writer, key, apiVersion, time, fieldsV1);
            writer.WriteEndArray();
        }

        return KubeJson.Raw(buffer.WrittenSpan.ToArray());
    }

    private static void WriteEntry(System.Text.Json.Utf8JsonWriter writer, ManagerKey key, string apiVersion, string? time, ReadOnlySpan<byte> fieldsV1)
    {
        writer.WriteStartObject();
        if (key.Manager.Length > 0)
        {
            writer.WriteString("manager", key.Manager);
        }

        writer.WriteString("operation", key.Operation);
        writer.WriteString("apiVersion", apiVersion);
        if (time is not null)
        {
            writer.WriteString("time", time);
        }

        writer.WriteString("fieldsType", "FieldsV1");
        writer.WritePropertyName("fieldsV1");
        writer.WriteRawValue(fieldsV1, skipInputValidation: true);
        if (key.Subresource.Length > 0)
        {
            writer.WriteString("subresource", key.Subresource);
        }

        writer.WriteEndObject();
    }

    public ManagedFields Copy()
    {
        var copy = new ManagedFields();
        foreach (var (key, entry) in this)
        {
            copy[key] = new ManagedEntry(entry.Set, entry.ApiVersion, entry.Time);
        }

        return copy;
    }

    /// <summary>Same managers owning the same fields at the same versions (times aside).</summary>
    public bool SameAs(ManagedFields other)
    {
        if (Count != other.Count)
        {
            return false;
        }

        foreach (var (key, entry) in this)
        {
            if (!other.TryGetValue(key, out var o) || o.ApiVersion != entry.ApiVersion || !o.Set.SetEquals(entry.Set))
            {
                return false;
            }
        }

        return true;
    }
}
