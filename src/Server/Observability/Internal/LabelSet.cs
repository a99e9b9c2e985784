namespace Nautilus.Server.Observability.Internal;

/// <summary>The label values of one series, hashed once; found again from a span of values without allocating.</summary>
internal readonly struct LabelSet
{
    public static readonly LabelSetComparer Comparer = new();

    private LabelSet(string[] values, int hash)
    {
        Values = values;
        Hash = hash;
    }

    public string[] Values { get; }

    public int Hash { get; }

    public static LabelSet Create(ReadOnlySpan<string> values)
    {
        var copy = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            copy[i] = values[i] ?? "";
        }

        return new LabelSet(copy, HashOf(copy));
    }

    public static int HashOf(ReadOnlySpan<string> values)
    {
        var hash = new HashCode();
        foreach (var value in values)
        {
            hash.Add(value ?? "", StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public static bool Equal(ReadOnlySpan<string> a, ReadOnlySpan<string> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i] ?? "", b[i] ?? "", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}

internal sealed class LabelSetComparer : IEqualityComparer<LabelSet>, IAlternateEqualityComparer<ReadOnlySpan<string>, LabelSet>
{
    public bool Equals(LabelSet x, LabelSet y) => x.Hash == y.Hash && LabelSet.Equal(x.Values, y.Values);

    public int GetHashCode(LabelSet obj) => obj.Hash;

    public bool Equals(ReadOnlySpan<string> alternate, LabelSet other) => LabelSet.Equal(alternate, other.Values);

    public int GetHashCode(ReadOnlySpan<string> alternate) => LabelSet.HashOf(alternate);

    public LabelSet Create(ReadOnlySpan<string> alternate) => LabelSet.Create(alternate);
}
