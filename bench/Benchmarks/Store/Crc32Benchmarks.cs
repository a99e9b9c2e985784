using BenchmarkDotNet.Attributes;
using Nautilus.Store.Internal;

namespace Nautilus.Benchmarks.Store;

/// <summary>
/// The store's CRC-32 (Nautilus.Store.Internal.Crc32) over every write-ahead-log and snapshot
/// frame: Compute (carry-less multiplication where the machine has PCLMULQDQ) against the
/// slicing-by-8 table path, for a short frame, a pod's log frame (6 KB) and 1 MB.
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class Crc32Benchmarks
{
    private byte[] _data = null!;

    [Params(64, 6 * 1024, 1024 * 1024)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Length];
        new Random(42).NextBytes(_data);
    }

    [Benchmark]
    public uint Compute() => Crc32.Compute(_data);

    [Benchmark(Baseline = true)]
    public uint ComputeScalar() => Crc32.ComputeScalar(_data);
}
