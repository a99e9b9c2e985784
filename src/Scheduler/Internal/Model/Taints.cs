using System.Text.Json.Nodes;

namespace Nautilus.Scheduler.Internal.Model;

internal sealed record Taint(string Key, string Value, string Effect)
{
    public const string NoSchedule = "NoSchedule";
    public const string PreferNoSchedule = "PreferNoSchedule";
    public const string NoExecute = "NoExecute";

    public static Taint Parse(JsonObject o) => new(Json.Token(o, "key") ?? "", Json.Token(o, "value") ?? "", Json.Token(o, "effect") ?? "");
}

internal sealed record Toleration(string Key, string Operator, string Value, string Effect)
{
    /// <summary>v1 Toleration.ToleratesTaint: an empty effect tolerates every effect, an empty key with Exists every key.</summary>
    public bool Tolerates(Taint taint)
    {
        if (Effect.Length > 0 && Effect != taint.Effect)
        {
            return false;
        }

        if (Key.Length > 0 && Key != taint.Key)
        {
            return false;
        }

        return Operator switch
        {
            "Exists" => true,
            "" or "Equal" => Value == taint.Value,
            _ => false,
        };
    }

    /// <summary>Reads a toleration; equal ones are one shared instance (every pod carries the same not-ready and unreachable pair).</summary>
    public static Toleration Parse(JsonObject o)
    {
        var parsed = new Toleration(Json.Token(o, "key") ?? "", Json.Token(o, "operator") ?? "", Json.Token(o, "value") ?? "", Json.Token(o, "effect") ?? "");
        if (Shared.TryGetValue(parsed, out var shared))
        {
            return shared;
        }

        return Shared.Count < MaxShared ? Shared.GetOrAdd(parsed, parsed) : parsed;
    }

    private const int MaxShared = 4096;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Toleration, Toleration> Shared = new();

    public static bool AnyTolerates(Toleration[] tolerations, Taint taint)
    {
        foreach (var t in tolerations)
        {
            if (t.Tolerates(taint))
            {
                return true;
            }
        }

        return false;
    }
}
