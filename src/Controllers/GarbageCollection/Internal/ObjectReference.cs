namespace Nautilus.Controllers.GarbageCollection.Internal;

/// <summary>
/// An object's coordinates in the dependency graph (kube's GC objectReference): apiVersion,
/// kind, namespace, name and uid. Virtual nodes take them from an ownerReference and the
/// dependent's namespace, so they may be wrong until the object is observed.
/// </summary>
internal readonly record struct ObjectReference(string ApiVersion, string Kind, string Namespace, string Name, string Uid)
{
    public string Group => ApiVersion.IndexOf('/') is var slash and >= 0 ? ApiVersion[..slash] : "";

    public ObjectReference WithNamespace(string ns) => this with { Namespace = ns };

    public override string ToString() => $"[{ApiVersion}/{Kind}, namespace: {Namespace}, name: {Name}, uid: {Uid}]";
}
