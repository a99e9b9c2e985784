using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;

using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Api.Strategies.Validation;

/// <summary>
/// The shape of a kind's JSON as far as fieldValidation needs it: which members an object has,
/// what arrays hold, and where any key is allowed (maps such as labels or data) or anything at
/// all (RawExtension, FieldsV1). A view of the kind's <see cref="ModelSchema"/>, built once per kind.
/// </summary>
public sealed class FieldSchema
{
    /// <summary>A scalar (string, number, bool, quantity, IntOrString, time, bytes): members under it are not checked.</summary>
    public static readonly FieldSchema Leaf = new();

    /// <summary>Anything goes (RawExtension, FieldsV1, JSON).</summary>
    public static readonly FieldSchema Any = new();

    private static readonly ConcurrentDictionary<(string Group, string Version, string Kind), FieldSchema?> ByKind = new();

    // The members again, for the fieldValidation walk, which meets names as UTF-8 bytes: each
    // member's ordinal (its index here, for duplicate flags), its name in UTF-8 and its schema,
    // and an open-addressing table from a name's hash to ordinal + 1 (0 is an empty slot).
    private byte[][] _memberNames = [];
    private FieldSchema[] _memberSchemas = [];
    private int[] _slots = [];
    private int _slotShift;

    /// <summary>Members of an object; null when this is not an object.</summary>
    public Dictionary<string, FieldSchema>? Properties { get; private set; }

    /// <summary>How many members an object declares (ordinals are 0 to this, exclusive).</summary>
    public int MemberCount => _memberNames.Length;

    /// <summary>Element schema of an array.</summary>
    public FieldSchema? Items { get; private set; }

    /// <summary>Value schema of a map with free keys.</summary>
    public FieldSchema? Values { get; private set; }

    /// <summary>The schema of a served kind, or null when the model types do not know it.</summary>
    public static FieldSchema? ForKind(string group, string version, string kind) =>
        ByKind.GetOrAdd((group, version, kind), static key =>
            ModelSchema.ForKind(key.Item1, key.Item2, key.Item3) is { } schema ? From(schema, new Dictionary<ModelSchema, FieldSchema>()) : null);

    /// <summary>An object of the given members, for a schema not read from the model types (a test's wide struct).</summary>
    internal static FieldSchema Object(IEnumerable<KeyValuePair<string, FieldSchema>> members)
    {
        var obj = new FieldSchema { Properties = new Dictionary<string, FieldSchema>(members, StringComparer.Ordinal) };
        obj.IndexMembers();
        return obj;
    }

    private static FieldSchema From(ModelSchema node, Dictionary<ModelSchema, FieldSchema> seen)
    {
        switch (node.Kind)
        {
            case ModelSchemaKind.Scalar:
                return Leaf;
            case ModelSchemaKind.Any:
                return Any;
            case ModelSchemaKind.Map:
                return new FieldSchema { Values = From(node.Element ?? ModelSchema.Any, seen) };
            case ModelSchemaKind.Array:
                return new FieldSchema { Items = From(node.Element ?? ModelSchema.Any, seen) };
        }

        if (seen.TryGetValue(node, out var known))
        {
            return known;
        }

        var obj = new FieldSchema { Properties = new Dictionary<string, FieldSchema>(StringComparer.Ordinal) };
        seen[node] = obj;
        foreach (var (name, field) in node.Fields)
        {
            obj.Properties[name] = From(field.Schema, seen);
        }

        obj.IndexMembers();
        return obj;
    }

    /// <summary>The ordinal of the member named by <paramref name="utf8Name"/> (unescaped UTF-8), or -1 when the object does not declare it.</summary>
    public int IndexOf(ReadOnlySpan<byte> utf8Name)
    {
        if (_slots.Length == 0)
        {
            return -1;
        }

        var mask = _slots.Length - 1;
        for (var slot = Slot(utf8Name); ; slot = (slot + 1) & mask)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                return -1;
            }

            if (_memberNames[entry - 1].AsSpan().SequenceEqual(utf8Name))
            {
                return entry - 1;
            }
        }
    }

    /// <summary>The schema of the member with ordinal <paramref name="ordinal"/>.</summary>
    public FieldSchema Member(int ordinal) => _memberSchemas[ordinal];

    private void IndexMembers()
    {
        var count = Properties!.Count;
        _memberNames = new byte[count][];
        _memberSchemas = new FieldSchema[count];

        // At most half full, so a miss (an unknown field) ends at an empty slot after a probe or two.
        var bits = 2;
        while (1 << bits < count * 2)
        {
            bits++;
        }

        _slots = new int[1 << bits];
        _slotShift = 64 - bits;
        var ordinal = 0;
        foreach (var (name, schema) in Properties)
        {
            _memberNames[ordinal] = Encoding.UTF8.GetBytes(name);
            _memberSchemas[ordinal] = schema;
            var slot = Slot(_memberNames[ordinal]);
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & (_slots.Length - 1);
            }

            _slots[slot] = ++ordinal;
        }
    }

    /// <summary>
    /// A name's slot from its length and its first and last (up to) eight bytes: constant time per
    /// name. Names that agree on all of those only share a probe sequence; the table is built from
    /// the declared names, not from request input, so no input can make a lookup long.
    /// </summary>
    private int Slot(ReadOnlySpan<byte> name)
    {
        ulong head, tail;
        if (name.Length >= 8)
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(name);
            tail = BinaryPrimitives.ReadUInt64LittleEndian(name[^8..]);
        }
        else if (name.Length >= 4)
        {
            head = BinaryPrimitives.ReadUInt32LittleEndian(name);
            tail = BinaryPrimitives.ReadUInt32LittleEndian(name[^4..]);
        }
        else
        {
            head = name.Length == 0 ? 0 : name[0] | (uint)name[name.Length / 2] << 8 | (uint)name[^1] << 16;
            tail = 0;
        }

        var mixed = (head ^ (tail * 0x9E3779B97F4A7C15) ^ (ulong)name.Length) * 0xBF58476D1CE4E5B9;
        return (int)(mixed >> _slotShift);
    }
}
