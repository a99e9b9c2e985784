using System.Collections.Frozen;

namespace Nautilus.Server.Api;

/// <summary>The served resources, looked up by group, version and plural.</summary>
public sealed class ResourceRegistry
{
    private readonly FrozenDictionary<(string Group, string Version, string Plural), ResourceDefinition> _byPath;

    public ResourceRegistry(IEnumerable<ResourceDefinition> resources)
    {
        var list = new List<ResourceDefinition>();
        var byPath = new Dictionary<(string, string, string), ResourceDefinition>();
        foreach (var resource in resources)
        {
            if (!byPath.TryAdd((resource.Group, resource.Version, resource.Plural), resource))
            {
                throw new ArgumentException($"resource {resource.Plural} in {resource.GroupVersion} is registered twice");
            }

            list.Add(resource);
        }

        All = list;
        _byPath = byPath.ToFrozenDictionary();
        var groups = new List<string>();
        foreach (var resource in list)
        {
            if (resource.Group.Length > 0 && !groups.Contains(resource.Group))
            {
                groups.Add(resource.Group);
            }
        }

        Groups = groups;
    }

    /// <summary>Every resource in registration order (the order discovery lists them).</summary>
    public IReadOnlyList<ResourceDefinition> All { get; }

    /// <summary>Named API groups in registration order (the core group is not among them).</summary>
    public IReadOnlyList<string> Groups { get; }

    public bool TryGet(string group, string version, string plural, out ResourceDefinition resource) =>
        _byPath.TryGetValue((group, version, plural), out resource!);

    public IEnumerable<ResourceDefinition> InGroupVersion(string group, string version)
    {
        foreach (var resource in All)
        {
            if (resource.Group == group && resource.Version == version)
            {
                yield return resource;
            }
        }
    }

    /// <summary>The versions served for a group, preferred first.</summary>
    public IReadOnlyList<string> VersionsOf(string group)
    {
        var versions = new List<string>();
        foreach (var resource in All)
        {
            if (resource.Group == group && !versions.Contains(resource.Version))
            {
                versions.Add(resource.Version);
            }
        }

        return versions;
    }
}
