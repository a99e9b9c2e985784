using System.Text.Json.Nodes;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>Leases have no defaults; LeaseSpec is a struct in Go, so an unset spec is written as {}.</summary>
public sealed class LeaseStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj) => EnsureObject(obj, "spec");
}
