using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.NodeLifecycle.Internal;

/// <summary>
/// What a health monitor pass reads of a node: name, uid, zone, creation, the Ready condition's
/// status and times, the taints. Read once per resourceVersion the informer delivers, so a pass
/// over nodes that did not change parses nothing; the whole object is parsed again only for a
/// write (<see cref="ToJsonObject"/>). Immutable.
/// </summary>
internal sealed class NodeSummary
{
    private const string ExcludeDisruptionLabel = "node.kubernetes.io/exclude-disruption";

    /// <summary>The informer's object this was read from, or null when read from <see cref="_node"/>.</summary>
    private readonly CachedObject? _source;

    /// <summary>The object this was read from when it came from the API (a read or a write), not the informer.</summary>
    private readonly JsonObject? _node;

    private NodeSummary(JsonObject node, CachedObject? source)
    {
        _source = source;
        _node = source is null ? node : null;
        Name = KubeFields.Name(node);
        Uid = KubeFields.Uid(node);
        ResourceVersion = KubeFields.ResourceVersion(node);
        Zone = ZoneKey(node);
        ExcludedFromDisruption = KubeFields.String(KubeFields.Labels(node), ExcludeDisruptionLabel) is not null;
        CreationTimestamp = KubeFields.String(KubeFields.Metadata(node), "creationTimestamp");
        Creation = KubeFields.Time(KubeFields.Metadata(node), "creationTimestamp");
        var ready = KubeFields.Condition(node, "Ready");
        HasReady = ready is not null;
        ReadyStatus = KubeFields.String(ready, "status");
        ReadyHeartbeat = KubeFields.String(ready, "lastHeartbeatTime");
        ReadyTransition = KubeFields.String(ready, "lastTransitionTime");
        Taints = Taint.Of(node);
    }

    public string Name { get; }

    public string Uid { get; }

    public string ResourceVersion { get; }

    /// <summary>GetZoneKey of the node's labels.</summary>
    public string Zone { get; }

    /// <summary>The node carries node.kubernetes.io/exclude-disruption: not counted in its zone's state.</summary>
    public bool ExcludedFromDisruption { get; }

    /// <summary>metadata.creationTimestamp as written, and parsed.</summary>
    public string? CreationTimestamp { get; }

    public DateTimeOffset? Creation { get; }

    /// <summary>status.conditions has a Ready entry; its status, lastHeartbeatTime and lastTransitionTime as written.</summary>
    public bool HasReady { get; }

    public string? ReadyStatus { get; }

    public string? ReadyHeartbeat { get; }

    public string? ReadyTransition { get; }

    public IReadOnlyList<Taint> Taints { get; }

    /// <summary>Reads the informer's object (parsing it once, keeping none of the tree).</summary>
    public static NodeSummary Of(CachedObject cached) => new(cached.ToJsonObject(), cached);

    /// <summary>Reads a node the API returned (kept, for <see cref="ToJsonObject"/>).</summary>
    public static NodeSummary Of(JsonObject node) => new(node, null);

    /// <summary>The node this was read from, as a new tree (the caller's own).</summary>
    public JsonObject ToJsonObject() => _node is null ? _source!.ToJsonObject() : (JsonObject)_node.DeepClone();

    /// <summary>taintutils.TaintExists: a taint with the template's key and effect. Allocates nothing: it runs for every node on every pass.</summary>
    public bool HasTaint(Taint template)
    {
        for (var i = 0; i < Taints.Count; i++)
        {
            if (Taints[i].Matches(template))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>GetZoneKey: region and zone labels; "" for a node without either.</summary>
    private static string ZoneKey(JsonObject node)
    {
        var labels = KubeFields.Labels(node);
        var region = KubeFields.String(labels, "topology.kubernetes.io/region") ?? KubeFields.String(labels, "failure-domain.beta.kubernetes.io/region") ?? "";
        var zone = KubeFields.String(labels, "topology.kubernetes.io/zone") ?? KubeFields.String(labels, "failure-domain.beta.kubernetes.io/zone") ?? "";
        return region.Length == 0 && zone.Length == 0 ? "" : region + ":\0:" + zone;
    }
}
