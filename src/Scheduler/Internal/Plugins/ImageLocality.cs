using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Plugins;

/// <summary>
/// Score: favours nodes that already have the pod's images, each image's size scaled by the share
/// of nodes that have it (so one node holding a popular image does not attract everything),
/// clamped between 23 MiB and 1000 MiB per container.
/// </summary>
internal sealed class ImageLocality : IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "ImageLocality";
    private const string StateKey = "PreScore" + PluginName;
    private const long Mb = 1024 * 1024;
    private const long MinThreshold = 23 * Mb;
    private const long MaxContainerThreshold = 1000 * Mb;

    private sealed class PreScoreState(Snapshot snapshot, string[] images)
    {
        public readonly Snapshot Snapshot = snapshot;
        public readonly string[] Images = images;
    }

    public string Name => PluginName;

    public IScoreExtensions? ScoreExtensions => null;

    public Status PreScore(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        var images = new string[pod.Images.Length];
        var anywhere = false;
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = NormalizedImageName(pod.Images[i]);
            anywhere |= snapshot.NodesWithImage(images[i]) > 0;
        }

        if (!anywhere)
        {
            // No node has any of the images: every node would score 0, which is what skipping gives.
            return Status.Skip;
        }

        state.Write(StateKey, new PreScoreState(snapshot, images));
        return default;
    }

    public Status Score(CycleState state, PodInfo pod, NodeInfo node, out long score)
    {
        score = 0;
        if (state.Read<PreScoreState>(StateKey) is not { } s || node.Node is not { } n)
        {
            return default;
        }

        var total = s.Snapshot.NumNodes;
        long sum = 0;
        foreach (var image in s.Images)
        {
            if (n.Images.TryGetValue(image, out var size) && total > 0)
            {
                var spread = (double)s.Snapshot.NodesWithImage(image) / total;
                sum += (long)(size * spread);
            }
        }

        score = CalculatePriority(sum, s.Images.Length);
        return default;
    }

    public static long CalculatePriority(long sumScores, int containers)
    {
        if (containers == 0)
        {
            return 0;
        }

        var maxThreshold = MaxContainerThreshold * containers;
        if (sumScores < MinThreshold)
        {
            sumScores = MinThreshold;
        }
        else if (sumScores > maxThreshold)
        {
            sumScores = maxThreshold;
        }

        return NodeScores.MaxNodeScore * (sumScores - MinThreshold) / (maxThreshold - MinThreshold);
    }

    /// <summary>An image without a tag means :latest.</summary>
    public static string NormalizedImageName(string name) =>
        name.LastIndexOf(':') <= name.LastIndexOf('/') ? name + ":latest" : name;
}
