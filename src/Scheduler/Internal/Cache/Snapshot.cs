using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Cache;

/// <summary>
/// The cluster as one scheduling cycle sees it: clones of the cache's NodeInfos, refreshed
/// incrementally (only nodes whose generation moved are cloned again), as kube's cache.Snapshot.
/// </summary>
internal sealed class Snapshot
{
    internal readonly Dictionary<string, NodeInfo> Map = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, int> Index = new(StringComparer.Ordinal);
    internal readonly List<NodeInfo> List = [];
    internal readonly List<NodeInfo> WithAffinity = [];
    internal readonly List<NodeInfo> WithRequiredAntiAffinity = [];
    internal Dictionary<string, int> ImageNodeCounts = new(StringComparer.Ordinal);

    public int NumNodes => List.Count;

    public IReadOnlyList<NodeInfo> Nodes => List;

    /// <summary>Nodes with at least one pod that has pod affinity or anti-affinity terms.</summary>
    public IReadOnlyList<NodeInfo> HavePodsWithAffinity => WithAffinity;

    public IReadOnlyList<NodeInfo> HavePodsWithRequiredAntiAffinity => WithRequiredAntiAffinity;

    public NodeInfo? Get(string name) => Map.TryGetValue(name, out var n) ? n : null;

    /// <summary>How many nodes report the image (ImageLocality's spread).</summary>
    public int NodesWithImage(string image) => ImageNodeCounts.TryGetValue(image, out var n) ? n : 0;

    /// <summary>A snapshot over the given NodeInfos as they are (tests, explanations).</summary>
    public static Snapshot From(IEnumerable<NodeInfo> nodes)
    {
        var s = new Snapshot();
        foreach (var n in nodes)
        {
            s.Index[n.Name] = s.List.Count;
            s.Map[n.Name] = n;
            s.List.Add(n);
        }

        s.RebuildDerived(images: true);
        return s;
    }

    internal void RebuildDerived(bool images)
    {
        WithAffinity.Clear();
        WithRequiredAntiAffinity.Clear();
        foreach (var n in List)
        {
            if (n.PodsWithAffinity.Count > 0)
            {
                WithAffinity.Add(n);
            }

            if (n.PodsWithRequiredAntiAffinity.Count > 0)
            {
                WithRequiredAntiAffinity.Add(n);
            }
        }

        if (images)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var n in List)
            {
                foreach (var image in n.Node!.Images.Keys)
                {
                    counts[image] = counts.GetValueOrDefault(image) + 1;
                }
            }

            ImageNodeCounts = counts;
        }
    }
}
