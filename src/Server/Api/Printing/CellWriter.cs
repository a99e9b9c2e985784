using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Nautilus.Server.Api.Printing;

/// <summary>
/// Writes the cells of one Table row as a <see cref="RowCells"/> template: JSON text in which the
/// durations since a timestamp (AGE, LAST SEEN, the "(5m ago)" of RESTARTS) are left as holes,
/// so that the row can be rendered once per stored object version and printed at any time.
/// </summary>
internal sealed class CellWriter
{
    private readonly ArrayBufferWriter<byte> buffer = new(256);
    private readonly Utf8JsonWriter writer;
    private List<RowCells.Hole>? holes;

    public CellWriter()
    {
        writer = new Utf8JsonWriter(buffer, TableConvertor.WriterOptions);
        writer.WriteStartArray();
    }

    public void WriteStringValue(string value) => writer.WriteStringValue(value);

    public void WriteNumberValue(long value) => writer.WriteNumberValue(value);

    public void WriteBooleanValue(bool value) => writer.WriteBooleanValue(value);

    /// <summary>
    /// translateTimestampSince as a cell: the human duration from <paramref name="timestamp"/> to
    /// the time the row is printed ("&lt;unknown&gt;" without one), between an optional prefix and suffix.
    /// </summary>
    public void WriteSince(DateTimeOffset? timestamp, string prefix = "", string suffix = "")
    {
        if (timestamp is not { } since)
        {
            writer.WriteStringValue(prefix + "<unknown>" + suffix);
            return;
        }

        // An empty string whose inside is the hole: the writer keeps its separators right.
        writer.WriteStringValue(""u8);
        writer.Flush();
        (holes ??= []).Add(new RowCells.Hole(buffer.WrittenCount - 1, since, prefix, suffix));
    }

    public RowCells Complete()
    {
        writer.WriteEndArray();
        writer.Flush();
        writer.Dispose();
        return new RowCells(buffer.WrittenSpan.ToArray(), holes?.ToArray() ?? []);
    }
}

/// <summary>A row's "cells" array with holes for the durations that depend on when it is printed.</summary>
internal sealed class RowCells(byte[] text, RowCells.Hole[] holes)
{
    /// <summary>At <paramref name="Offset"/> in the text (inside an empty JSON string) goes prefix, the duration since <paramref name="Since"/>, suffix.</summary>
    public readonly record struct Hole(int Offset, DateTimeOffset Since, string Prefix, string Suffix);

    /// <summary>The cells as of <paramref name="now"/>, written as one raw JSON array.</summary>
    public void WriteTo(Utf8JsonWriter writer, DateTimeOffset now)
    {
        if (holes.Length == 0)
        {
            writer.WriteRawValue(text, skipInputValidation: true);
            return;
        }

        // Durations and their affixes are ASCII without quotes or backslashes: copied as they are.
        Span<byte> scratch = stackalloc byte[512];
        var length = 0;
        var from = 0;
        var fits = true;
        foreach (var hole in holes)
        {
            var duration = HumanDuration.Format(now - hole.Since);
            var needed = (hole.Offset - from) + Encoding.UTF8.GetMaxByteCount(hole.Prefix.Length + duration.Length + hole.Suffix.Length);
            if (length + needed > scratch.Length - (text.Length - hole.Offset))
            {
                fits = false;
                break;
            }

            text.AsSpan(from, hole.Offset - from).CopyTo(scratch[length..]);
            length += hole.Offset - from;
            length += Encoding.UTF8.GetBytes(hole.Prefix, scratch[length..]);
            length += Encoding.UTF8.GetBytes(duration, scratch[length..]);
            length += Encoding.UTF8.GetBytes(hole.Suffix, scratch[length..]);
            from = hole.Offset;
        }

        if (fits)
        {
            text.AsSpan(from).CopyTo(scratch[length..]);
            writer.WriteRawValue(scratch[..(length + text.Length - from)], skipInputValidation: true);
            return;
        }

        // A row too long for the stack (long names or images): the same through a string builder.
        var assembled = new StringBuilder(text.Length + 64);
        from = 0;
        foreach (var hole in holes)
        {
            assembled.Append(Encoding.UTF8.GetString(text, from, hole.Offset - from))
                .Append(hole.Prefix).Append(HumanDuration.Format(now - hole.Since)).Append(hole.Suffix);
            from = hole.Offset;
        }

        assembled.Append(Encoding.UTF8.GetString(text, from, text.Length - from));
        writer.WriteRawValue(assembled.ToString(), skipInputValidation: true);
    }
}
