namespace Nautilus.Controllers.Client;

/// <summary>A served resource as a client addresses it.</summary>
public sealed record ApiResource(string Group, string Version, string Resource, string Kind, bool Namespaced)
{
    public static readonly ApiResource Namespaces = new("", "v1", "namespaces", "Namespace", false);

    public string GroupVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    public override string ToString() => Group.Length == 0 ? Resource : Resource + "." + Group;
}
