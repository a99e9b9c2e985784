using System.Text.Json.Nodes;

namespace Nautilus.Scheduler.Internal.Model;

/// <summary>What the scheduler needs of a node, parsed once: labels, taints, unschedulable, allocatable, images.</summary>
internal sealed class NodeModel
{
    public required string Name { get; init; }
    public string ResourceVersion { get; init; } = "";
    public Dictionary<string, string> Labels { get; init; } = new(StringComparer.Ordinal);
    public Taint[] Taints { get; init; } = [];
    public bool Unschedulable { get; init; }
    public Resource Allocatable { get; init; } = new();

    /// <summary>Image name → size in bytes, one entry per name the node reports.</summary>
    public Dictionary<string, long> Images { get; init; } = new(StringComparer.Ordinal);

    public static NodeModel Parse(JsonObject node)
    {
        var meta = Json.Obj(node, "metadata");
        var spec = Json.Obj(node, "spec");
        var status = Json.Obj(node, "status");
        var taints = new List<Taint>();
        foreach (var t in Json.Objects(Json.Arr(spec, "taints")))
        {
            taints.Add(Taint.Parse(t));
        }

        var images = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var image in Json.Objects(Json.Arr(status, "images")))
        {
            var size = Json.Long(image, "sizeBytes") ?? 0;
            foreach (var name in Json.Strings(Json.Arr(image, "names")))
            {
                images[name] = size;
            }
        }

        return new NodeModel
        {
            Name = Json.Str(meta, "name") ?? "",
            ResourceVersion = Json.Str(meta, "resourceVersion") ?? "",
            Labels = Json.StringMap(Json.Obj(meta, "labels")),
            Taints = [.. taints],
            Unschedulable = Json.Bool(spec, "unschedulable"),
            Allocatable = Resource.Parse(Json.Obj(status, "allocatable")),
            Images = images,
        };
    }

    /// <summary>True when nothing a plugin reads differs (a status heartbeat is not a scheduling event).</summary>
    public bool SchedulingEquivalent(NodeModel other)
    {
        if (Unschedulable != other.Unschedulable || !Allocatable.SameAs(other.Allocatable) || Labels.Count != other.Labels.Count || Taints.Length != other.Taints.Length || Images.Count != other.Images.Count)
        {
            return false;
        }

        foreach (var (k, v) in Labels)
        {
            if (!other.Labels.TryGetValue(k, out var w) || w != v)
            {
                return false;
            }
        }

        for (var i = 0; i < Taints.Length; i++)
        {
            if (Taints[i] != other.Taints[i])
            {
                return false;
            }
        }

        foreach (var (k, v) in Images)
        {
            if (!other.Images.TryGetValue(k, out var w) || w != v)
            {
                return false;
            }
        }

        return true;
    }
}
