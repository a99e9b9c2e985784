using System.Text.Json.Nodes;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;
using Nautilus.Server.Api.Strategies.Validation;

namespace Nautilus.Server.Api.Strategies;

/// <summary>Leases have no defaults; LeaseSpec is a struct in Go, so an unset spec is written as {}.</summary>
public sealed class LeaseStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj) => EnsureObject(obj, "spec");

    /// <summary>ValidateLeaseSpec: a positive duration and a non-negative transition count.</summary>
    public override void Validate(JsonObject obj, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        var spec = Object(obj, "spec");
        if (spec is not null && TryGetInt64(spec["leaseDurationSeconds"], out var duration) && duration <= 0)
        {
            errors.InvalidNumber("spec.leaseDurationSeconds", duration, "must be greater than 0");
        }

        if (spec is not null && TryGetInt64(spec["leaseTransitions"], out var transitions) && transitions < 0)
        {
            errors.InvalidNumber("spec.leaseTransitions", transitions, "must be greater than or equal to 0");
        }
    }
}
