namespace Nautilus.Tee.Tests;

internal static class TestMeasurements
{
    public static readonly TeeMeasurement A = new(Enumerable.Repeat((byte)0xA1, 48).ToArray());
    public static readonly TeeMeasurement B = new(Enumerable.Repeat((byte)0xB2, 48).ToArray());
}
