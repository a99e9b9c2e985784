using System.Text.Json.Nodes;
using Nautilus.Store;

namespace Nautilus.Server.Api;

/// <summary>How metadata.name is validated for a resource, as kube-apiserver validates it.</summary>
public enum NameRule
{
    /// <summary>RFC 1123 subdomain (most resources).</summary>
    Dns1123Subdomain,

    /// <summary>RFC 1123 label (namespaces).</summary>
    Dns1123Label,

    /// <summary>RFC 1035 label (services).</summary>
    Dns1035Label,

    /// <summary>Any name usable as a path segment (events).</summary>
    PathSegment,
}

/// <summary>
/// Everything the API machinery needs to know about one served resource: one registration drives
/// routing, discovery, storage and validation, so adding a resource adds no routes.
/// </summary>
public sealed class ResourceDefinition
{
    public static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Kind { get; init; }

    /// <summary>The resource name in paths: lower case plural (pods).</summary>
    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required bool Namespaced { get; init; }

    public string[] ShortNames { get; init; } = [];

    public string[] Categories { get; init; } = [];

    public string[] Verbs { get; init; } = AllVerbs;

    /// <summary>Subresources served under the object path (status, scale, binding, ...).</summary>
    public string[] Subresources { get; init; } = [];

    /// <summary>Selectable fields beyond metadata.name and metadata.namespace.</summary>
    public string[] SelectableFields { get; init; } = [];

    public NameRule NameRule { get; init; } = NameRule.Dns1123Subdomain;

    /// <summary>metadata.generation is set on create and bumped when the spec changes.</summary>
    public bool TracksGeneration { get; init; }

    /// <summary>DELETE answers with the deleted object instead of a Success Status (pods do).</summary>
    public bool ReturnDeletedObject { get; init; }

    /// <summary>Defaulting, preparation and validation particular to this kind.</summary>
    public Strategies.ResourceStrategy Strategy { get; init; } = Strategies.ResourceStrategy.None;

    /// <summary>
    /// Set when another registration owns the storage (events.k8s.io/v1 Events are stored as
    /// core/v1 Events): objects are converted with <see cref="ToStorage"/> and <see cref="FromStorage"/>.
    /// </summary>
    public ResourceDefinition? StorageResource { get; init; }

    public Func<JsonObject, JsonObject>? ToStorage { get; init; }

    public Func<JsonObject, JsonObject>? FromStorage { get; init; }

    /// <summary>The storage location; resources that are versions of one another share it.</summary>
    public ResourceType StorageType => StorageResource?.StorageType ?? new(Group, Plural);

    /// <summary>The bytes a client of this resource sees for a stored object.</summary>
    public byte[] Encode(byte[] stored)
    {
        if (FromStorage is null)
        {
            return stored;
        }

        var external = FromStorage(Objects.KubeJson.ParseStored(stored));
        external["kind"] = Kind;
        external["apiVersion"] = GroupVersion;
        return Objects.KubeJson.Serialize(external);
    }

    public string GroupVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    public string ListKind => Kind + "List";

    public bool HasStatus => Array.IndexOf(Subresources, "status") >= 0;

    public bool HasSubresource(string subresource) => Array.IndexOf(Subresources, subresource) >= 0;

    /// <summary>group/resource as Kubernetes writes it in messages: "pods", "deployments.apps".</summary>
    public string QualifiedResource => Group.Length == 0 ? Plural : Plural + "." + Group;

    public bool SupportsField(string path) =>
        path is "metadata.name" || (path is "metadata.namespace" && Namespaced) || Array.IndexOf(SelectableFields, path) >= 0;
}
