namespace Nautilus.Store;

/// <summary>
/// A resource type in storage, the analogue of an etcd key prefix such as
/// <c>/registry/deployments</c>. Group is empty for the core group.
/// </summary>
public readonly record struct ResourceType(string Group, string Resource)
{
    public override string ToString() => Group.Length == 0 ? Resource : Resource + "." + Group;
}

/// <summary>
/// The key of one object within a resource type. Namespace is empty for cluster-scoped objects.
/// Keys order as etcd orders <c>namespace/name</c>, which is the order lists are returned in.
/// </summary>
public readonly record struct ObjectKey(string Namespace, string Name) : IComparable<ObjectKey>
{
    /// <summary>Orders as etcd orders the keys <c>namespace/name</c> (or <c>name</c> when cluster-scoped), byte by byte.</summary>
    public int CompareTo(ObjectKey other)
    {
        var length = Length;
        var otherLength = other.Length;
        var common = Math.Min(length, otherLength);
        for (var i = 0; i < common; i++)
        {
            var c = At(i) - other.At(i);
            if (c != 0)
            {
                return c;
            }
        }

        return length - otherLength;
    }

    /// <summary>The least key after every key of namespace <paramref name="ns"/>: '0' follows '/'.</summary>
    public static ObjectKey AfterNamespace(string ns) => new(ns + "0", "");

    private int Length => Namespace.Length == 0 ? Name.Length : Namespace.Length + 1 + Name.Length;

    private char At(int i)
    {
        if (Namespace.Length == 0)
        {
            return Name[i];
        }

        return i < Namespace.Length ? Namespace[i] : i == Namespace.Length ? '/' : Name[i - Namespace.Length - 1];
    }

    public override string ToString() => Namespace.Length == 0 ? Name : Namespace + "/" + Name;
}
