using System.Numerics;
using static Nautilus.Controllers.Machinery.ResourceQuantity;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// A quantity to add and compare, as apimachinery's <c>resource.Quantity</c> does it for quota:
/// the exact value (mantissa × 10^scale) and the format it is written in. A sum keeps the format
/// of its left operand unless that is zero (Quantity.Add), so pods asking <c>64Mi</c> each add up
/// to <c>128Mi</c> and counts stay plain integers.
/// </summary>
public readonly struct Quantity : IComparable<Quantity>
{
    private Quantity(BigInteger mantissa, int scale, QuantityFormat format)
    {
        Mantissa = mantissa;
        Scale = scale;
        Format = format;
    }

    /// <summary>Zero, written in DecimalSI (<c>resource.Quantity{Format: DecimalSI}</c>).</summary>
    public static Quantity Zero => default;

    public BigInteger Mantissa { get; }

    public int Scale { get; }

    public QuantityFormat Format { get; }

    public bool IsZero => Mantissa.IsZero;

    public int Sign => Mantissa.Sign;

    /// <summary>resource.NewQuantity(n, DecimalSI): object counts.</summary>
    public static Quantity FromCount(long count) => new(count, 0, QuantityFormat.DecimalSI);

    public static bool TryParse(string? text, out Quantity quantity)
    {
        if (text is not null && ResourceQuantity.TryParse(text, out var mantissa, out var scale, out var format))
        {
            quantity = new(mantissa, scale, format);
            return true;
        }

        quantity = default;
        return false;
    }

    /// <summary>Quantity.Add: the exact sum, in this quantity's format (the other's when this one is zero).</summary>
    public Quantity Add(Quantity other)
    {
        var format = IsZero ? other.Format : Format;
        var scale = Math.Min(Scale, other.Scale);
        return new(Align(scale) + other.Align(scale), scale, format);
    }

    /// <summary>Quantity.Sub: the exact difference, in this quantity's format.</summary>
    public Quantity Subtract(Quantity other)
    {
        var scale = Math.Min(Scale, other.Scale);
        return new(Align(scale) - other.Align(scale), scale, IsZero ? other.Format : Format);
    }

    /// <summary>Quantity.Cmp.</summary>
    public int CompareTo(Quantity other)
    {
        var scale = Math.Min(Scale, other.Scale);
        return Align(scale).CompareTo(other.Align(scale));
    }

    /// <summary>The larger of the two (quota's Max keeps the left one on a tie).</summary>
    public static Quantity Max(Quantity a, Quantity b) => b.CompareTo(a) > 0 ? b : a;

    /// <summary>Quantity.String: the canonical text, e.g. <c>100m</c>, <c>1</c>, <c>128Mi</c>.</summary>
    public override string ToString() => ResourceQuantity.Format(Mantissa, Scale, Format);

    private BigInteger Align(int scale) => Scale == scale ? Mantissa : Mantissa * BigInteger.Pow(10, Scale - scale);
}
