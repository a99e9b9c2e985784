using System.Buffers;
using System.Text.Json;

namespace Nautilus.Server.Api.Printing;

/// <summary>metav1.TableColumnDefinition.</summary>
internal readonly record struct TableColumn(string Name, string Type, string Description, int Priority = 0, string Format = "")
{
    /// <summary>The Name column every printer starts with.</summary>
    public static readonly TableColumn NameColumn = new("Name", "string", SwaggerDocs.ObjectMetaName, Format: "name");

    /// <summary>The Age column (translateTimestampSince of metadata.creationTimestamp).</summary>
    public static readonly TableColumn AgeColumn = new("Age", "string", SwaggerDocs.ObjectMetaCreationTimestamp);

    /// <summary>
    /// The columnDefinitions array as kube-apiserver serializes it: every member always present
    /// (no omitempty on TableColumnDefinition). Built once per printer and copied into each Table.
    /// </summary>
    public static byte[] Serialize(IReadOnlyList<TableColumn> columns)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, TableConvertor.WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var c in columns)
            {
                writer.WriteStartObject();
                writer.WriteString("name"u8, c.Name);
                writer.WriteString("type"u8, c.Type);
                writer.WriteString("format"u8, c.Format);
                writer.WriteString("description"u8, c.Description);
                writer.WriteNumber("priority"u8, c.Priority);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
