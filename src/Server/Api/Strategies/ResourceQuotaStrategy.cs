using System.Numerics;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies.Validation;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;
using ResourceQuantity = Nautilus.Controllers.Machinery.ResourceQuantity;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// ResourceQuotas (pkg/registry/core/resourcequota): quantities written canonically
/// (SetDefaults_ResourceList applies to every ResourceList), and a new quota starts with an empty
/// status, which the quota controller fills; until it has, admission refuses what the quota covers.
/// </summary>
public sealed class ResourceQuotaStrategy : ResourceStrategy
{
    // integerResources: counts, which only whole quantities make sense for.
    private static readonly HashSet<string> IntegerResources = new(StringComparer.Ordinal)
    {
        "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "persistentvolumeclaims", "configmaps",
        "services.nodeports", "services.loadbalancers",
    };

    // standardQuotaResources: what a quota may name without a domain (hugepages aside): the counts and compute.
    private static readonly HashSet<string> StandardQuotaResources = new(
        [.. IntegerResources, "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
            "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage"],
        StringComparer.Ordinal);

    public override void ApplyDefaults(JsonObject obj)
    {
        ResourceQuantity.DefaultResourceList(Object(Object(obj, "spec"), "hard"));
        var status = Object(obj, "status");
        ResourceQuantity.DefaultResourceList(Object(status, "hard"));
        ResourceQuantity.DefaultResourceList(Object(status, "used"));
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun) => obj["status"] = new JsonObject();

    /// <summary>
    /// ValidateResourceQuota's resource lists: each entry names a quota resource (a standard one,
    /// or one with a domain such as <c>count/pods</c>) and holds a non-negative quantity, whole
    /// for counts and extended resources.
    /// </summary>
    public override void Validate(JsonObject obj, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        ValidateList(Object(Object(obj, "spec"), "hard"), "spec.hard", errors);
        var status = Object(obj, "status");
        ValidateList(Object(status, "hard"), "status.hard", errors);
        ValidateList(Object(status, "used"), "status.used", errors);
    }

    private static void ValidateList(JsonObject? list, string path, FieldErrors errors)
    {
        if (list is null)
        {
            return;
        }

        for (var i = 0; i < list.Count; i++)
        {
            var (name, value) = list.GetAt(i);
            var at = $"{path}[{name}]";
            if (!name.Contains('/') && !StandardQuotaResources.Contains(name)
                && !name.StartsWith("hugepages-", StringComparison.Ordinal) && !name.StartsWith("requests.hugepages-", StringComparison.Ordinal))
            {
                errors.InvalidString(at, name, "must be a standard resource for quota");
            }

            if (ResourceQuantity.Text(value) is not { } quantity || !ResourceQuantity.TryGetValue(quantity, out var mantissa, out var scale))
            {
                continue;
            }

            if (mantissa.Sign < 0)
            {
                errors.InvalidString(at, quantity, "must be greater than or equal to 0");
            }
            else if (IsInteger(name) && !IsWhole(mantissa, scale))
            {
                errors.InvalidString(at, quantity, "must be an integer");
            }
        }
    }

    // helper.IsIntegerResourceName: the counts, and extended resources (a domain other than
    // kubernetes.io, not a requests. name).
    private static bool IsInteger(string name) =>
        IntegerResources.Contains(name)
        || (name.Contains('/') && !name.Contains("kubernetes.io/", StringComparison.Ordinal) && !name.StartsWith("requests.", StringComparison.Ordinal));

    // value.MilliValue() % 1000 == 0, MilliValue rounding up.
    private static bool IsWhole(BigInteger mantissa, int scale)
    {
        if (scale >= 0)
        {
            return true;
        }

        var milli = scale + 3 >= 0
            ? mantissa * BigInteger.Pow(10, scale + 3)
            : BigInteger.Divide(mantissa + BigInteger.Pow(10, -(scale + 3)) - 1, BigInteger.Pow(10, -(scale + 3)));
        return milli % 1000 == 0;
    }
}
