using System.Text.Json.Nodes;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>Endpoints (SetDefaults_Endpoints): every subset port's protocol defaults to TCP.</summary>
public sealed class EndpointsStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        foreach (var subset in Items(obj, "subsets"))
        {
            foreach (var port in Items(subset, "ports"))
            {
                SetIfEmpty(port, "protocol", "TCP");
            }
        }
    }
}
