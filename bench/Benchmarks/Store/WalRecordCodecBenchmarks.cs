using BenchmarkDotNet.Attributes;
using Nautilus.Store;
using Nautilus.Store.Compression;
using Nautilus.Store.Internal;

namespace Nautilus.Benchmarks.Store;

/// <summary>
/// The write-ahead log's encoding of a batch of pod creates as the table keeps them (compressed
/// against a sibling, labels and indexed fields), the CPU the log's writer spends per record
/// before the write and the sync. One batch of <see cref="BatchSize"/> records per operation.
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class WalRecordCodecBenchmarks
{
    private readonly WalRecordCodec _codec = new(sealer: null);
    private readonly WalBatchBuffer _frames = new();
    private readonly Dictionary<CompressionDictionary, int> _written = [];
    private WalRecord[] _records = null!;

    [Params(12)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var compressor = new ObjectCompressor();
        _records = new WalRecord[BatchSize];
        for (var i = 0; i < BatchSize; i++)
        {
            var pod = Pods.Stored(i).WithResourceVersion(1000 + i).Compress(compressor);
            _records[i] = new WalRecord(1000 + i, WalOp.Create, new ResourceType("", "pods"), pod);
        }

        EncodeBatch();
        Console.WriteLine($"// {_frames.Length / BatchSize} B per record");
    }

    [Benchmark]
    public int EncodeBatch()
    {
        _frames.Clear();
        foreach (var record in _records)
        {
            _codec.WriteFrame(_frames, record, _written);
        }

        return _frames.Length;
    }
}
