using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nautilus.Controllers.Deployments;

/// <summary>
/// The arithmetic of a rolling update (deploymentutil): how many pods may be added above the
/// desired count (maxSurge, percentages rounded up) and how many may be missing (maxUnavailable,
/// percentages rounded down), and how far a new ReplicaSet may grow.
/// </summary>
public static class RolloutMath
{
    /// <summary>
    /// intstr.GetScaledValueFromIntOrPercent: an integer as is, or a percentage of
    /// <paramref name="total"/> rounded up or down. A string that is not a percentage is refused.
    /// </summary>
    public static int ScaledValue(JsonNode? intOrPercent, int total, bool roundUp)
    {
        if (intOrPercent is null)
        {
            return 0;
        }

        if (intOrPercent is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            return (int)(Machinery.KubeObject.AsInt(v) ?? 0);
        }

        if (intOrPercent is JsonValue s && s.GetValueKind() == JsonValueKind.String)
        {
            var text = s.GetValue<string>();
            if (!text.EndsWith('%'))
            {
                throw new FormatException($"invalid value for IntOrString: invalid type: string is not a percentage");
            }

            if (!int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var percent))
            {
                throw new FormatException($"invalid value for IntOrString: invalid value \"{text}\"");
            }

            var scaled = percent * (double)total / 100;
            return (int)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled));
        }

        throw new FormatException("invalid value for IntOrString");
    }

    /// <summary>
    /// deploymentutil.ResolveFenceposts: maxSurge (rounded up) and maxUnavailable (rounded down) for
    /// <paramref name="desired"/> replicas; if both come to zero, maxUnavailable is 1 so the rollout
    /// can move at all.
    /// </summary>
    public static (int MaxSurge, int MaxUnavailable) ResolveFenceposts(JsonNode? maxSurge, JsonNode? maxUnavailable, int desired)
    {
        var surge = ScaledValue(maxSurge, desired, roundUp: true);
        var unavailable = ScaledValue(maxUnavailable, desired, roundUp: false);
        if (surge == 0 && unavailable == 0)
        {
            unavailable = 1;
        }

        return (surge, unavailable);
    }

    /// <summary>
    /// NewRSNewReplicas for a rolling update: the new ReplicaSet grows until all ReplicaSets
    /// together reach desired + maxSurge, never beyond desired.
    /// </summary>
    public static int NewReplicaSetReplicas(int desired, int maxSurge, int currentPodCount, int newReplicaSetReplicas)
    {
        var maxTotalPods = desired + maxSurge;
        if (currentPodCount >= maxTotalPods)
        {
            return newReplicaSetReplicas;
        }

        var scaleUpCount = Math.Min(maxTotalPods - currentPodCount, desired - newReplicaSetReplicas);
        return newReplicaSetReplicas + scaleUpCount;
    }

    /// <summary>
    /// How many old pods a rolling update may scale down now (reconcileOldReplicaSets'
    /// maxScaledDown): all pods, minus the minimum that must stay available, minus the new
    /// ReplicaSet's pods that are not available yet.
    /// </summary>
    public static int MaxScaledDown(int allPodsCount, int desired, int maxUnavailable, int newReplicaSetReplicas, int newReplicaSetAvailable) =>
        allPodsCount - (desired - maxUnavailable) - (newReplicaSetReplicas - newReplicaSetAvailable);

    /// <summary>
    /// getReplicaSetFraction: the share of a proportional scale for a ReplicaSet of
    /// <paramref name="replicas"/> pods, sized for <paramref name="annotatedMaxReplicas"/> total,
    /// when the deployment now allows <paramref name="deploymentMaxReplicas"/>.
    /// </summary>
    public static int ReplicaSetFraction(int replicas, int deploymentReplicas, int deploymentMaxReplicas, int annotatedMaxReplicas)
    {
        if (deploymentReplicas == 0)
        {
            return -replicas;
        }

        if (annotatedMaxReplicas == 0)
        {
            return 0;
        }

        var newSize = (double)replicas * deploymentMaxReplicas / annotatedMaxReplicas;
        return (int)Math.Round(newSize, MidpointRounding.AwayFromZero) - replicas;
    }

    /// <summary>GetReplicaSetProportion: the fraction, capped by what is left to add (or remove).</summary>
    public static int ReplicaSetProportion(int replicas, int fraction, int toAdd, int added)
    {
        if (replicas == 0 || toAdd == 0 || toAdd == added)
        {
            return 0;
        }

        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }
}
