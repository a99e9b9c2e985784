using Nautilus.Scheduler.Internal.Framework;

namespace Nautilus.Scheduler.Internal.Plugins;

internal static class ScoreNormalization
{
    /// <summary>kube's helper.DefaultNormalizeScore: scale to [0, max] by the highest score; reversed, higher raw scores get lower results.</summary>
    public static void Default(long maxPriority, bool reverse, Span<NodeScore> scores)
    {
        long max = 0;
        foreach (var s in scores)
        {
            if (s.Score > max)
            {
                max = s.Score;
            }
        }

        if (max == 0)
        {
            if (reverse)
            {
                for (var i = 0; i < scores.Length; i++)
                {
                    scores[i].Score = maxPriority;
                }
            }

            return;
        }

        for (var i = 0; i < scores.Length; i++)
        {
            var score = maxPriority * scores[i].Score / max;
            scores[i].Score = reverse ? maxPriority - score : score;
        }
    }
}
