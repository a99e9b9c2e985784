using System.Text.Json.Nodes;

namespace Nautilus.Scheduler.Internal.Model;

/// <summary>
/// An amount of each resource, as the scheduler's <c>framework.Resource</c>: cpu in millicores,
/// memory and ephemeral-storage in bytes, pods as a count, anything else (extended resources,
/// hugepages) as a scalar in whole units.
/// </summary>
internal sealed class Resource
{
    /// <summary>kube-scheduler's requests for a container that states none: 0.1 core and 200 MiB.</summary>
    public const long DefaultMilliCpuRequest = 100;
    public const long DefaultMemoryRequest = 200L * 1024 * 1024;

    public long MilliCpu;
    public long Memory;
    public long EphemeralStorageBytes;
    public long AllowedPods;
    public Dictionary<string, long>? Scalar;

    public bool IsZero => MilliCpu == 0 && Memory == 0 && EphemeralStorageBytes == 0 && (Scalar is null || Scalar.Count == 0);

    public long GetScalar(string name) => Scalar is not null && Scalar.TryGetValue(name, out var v) ? v : 0;

    public bool HasScalar(string name) => Scalar is not null && Scalar.ContainsKey(name);

    /// <summary>The amount of <paramref name="name"/> in its scheduling unit.</summary>
    public long Get(string name) => name switch
    {
        ResourceNames.Cpu => MilliCpu,
        ResourceNames.Memory => Memory,
        ResourceNames.EphemeralStorage => EphemeralStorageBytes,
        ResourceNames.Pods => AllowedPods,
        _ => GetScalar(name),
    };

    public void Set(string name, long value)
    {
        switch (name)
        {
            case ResourceNames.Cpu: MilliCpu = value; break;
            case ResourceNames.Memory: Memory = value; break;
            case ResourceNames.EphemeralStorage: EphemeralStorageBytes = value; break;
            case ResourceNames.Pods: AllowedPods = value; break;
            default:
                Scalar ??= new Dictionary<string, long>(StringComparer.Ordinal);
                Scalar[name] = value;
                break;
        }
    }

    public bool Has(string name) => name switch
    {
        ResourceNames.Cpu or ResourceNames.Memory or ResourceNames.EphemeralStorage or ResourceNames.Pods => true,
        _ => HasScalar(name),
    };

    public static long ParseAmount(string name, string? quantity) =>
        name == ResourceNames.Cpu ? Quantity.ToMilli(quantity) : Quantity.ToUnits(quantity);

    /// <summary>A resource list (<c>allocatable</c>, <c>requests</c>, <c>overhead</c>).</summary>
    public static Resource Parse(JsonObject? list)
    {
        var r = new Resource();
        if (list is null)
        {
            return r;
        }

        foreach (var (name, value) in list)
        {
            r.Set(name, ParseAmount(name, Quantity.Text(value)));
        }

        return r;
    }

    public void Add(Resource other, long sign = 1)
    {
        MilliCpu += sign * other.MilliCpu;
        Memory += sign * other.Memory;
        EphemeralStorageBytes += sign * other.EphemeralStorageBytes;
        AllowedPods += sign * other.AllowedPods;
        if (other.Scalar is not null)
        {
            foreach (var (k, v) in other.Scalar)
            {
                Scalar ??= new Dictionary<string, long>(StringComparer.Ordinal);
                Scalar[k] = GetScalar(k) + (sign * v);
            }
        }
    }

    /// <summary>Raises each amount to at least <paramref name="other"/>'s.</summary>
    public void Max(Resource other)
    {
        MilliCpu = Math.Max(MilliCpu, other.MilliCpu);
        Memory = Math.Max(Memory, other.Memory);
        EphemeralStorageBytes = Math.Max(EphemeralStorageBytes, other.EphemeralStorageBytes);
        AllowedPods = Math.Max(AllowedPods, other.AllowedPods);
        if (other.Scalar is not null)
        {
            foreach (var (k, v) in other.Scalar)
            {
                Scalar ??= new Dictionary<string, long>(StringComparer.Ordinal);
                Scalar[k] = Math.Max(GetScalar(k), v);
            }
        }
    }

    public Resource Clone() => new()
    {
        MilliCpu = MilliCpu,
        Memory = Memory,
        EphemeralStorageBytes = EphemeralStorageBytes,
        AllowedPods = AllowedPods,
        Scalar = Scalar is null ? null : new Dictionary<string, long>(Scalar, StringComparer.Ordinal),
    };

    public bool SameAs(Resource other)
    {
        if (MilliCpu != other.MilliCpu || Memory != other.Memory || EphemeralStorageBytes != other.EphemeralStorageBytes || AllowedPods != other.AllowedPods)
        {
            return false;
        }

        var a = Scalar?.Count ?? 0;
        var b = other.Scalar?.Count ?? 0;
        if (a != b)
        {
            return false;
        }

        if (a > 0)
        {
            foreach (var (k, v) in Scalar!)
            {
                if (!other.Scalar!.TryGetValue(k, out var w) || w != v)
                {
                    return false;
                }
            }
        }

        return true;
    }
}

internal static class ResourceNames
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string EphemeralStorage = "ephemeral-storage";
    public const string Pods = "pods";
}
