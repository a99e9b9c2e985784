namespace Nautilus.Tee;

/// <summary>Options of <see cref="SimulatedTeeProvider"/>.</summary>
public sealed class SimulatedTeeOptions
{
    /// <summary>
    /// Where the simulated platform keeps its persistent secrets (the root sealing secret and the
    /// simulated vendor root key, files readable by the owner only), standing in for secrets fused
    /// into hardware. Null: in memory, so every provider instance is a different platform and
    /// nothing it sealed survives it.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The launch measurement. Null: <see cref="TeeMeasurement.OfAssembly"/> of the entry assembly.</summary>
    public TeeMeasurement? Measurement { get; init; }

    /// <summary>
    /// The roots <see cref="SimulatedTeeProvider.VerifyQuoteAsync"/> accepts. Null: this
    /// provider's own simulated vendor root, so it accepts quotes of its own platform only.
    /// </summary>
    public TrustedRoots? TrustedRoots { get; init; }

    /// <summary>How old a quote may be and still verify (replay window).</summary>
    public TimeSpan MaxQuoteAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How far in the future a quote's timestamp may be (clock differences between machines).</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The clock for quote timestamps, freshness and certificate validity.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
