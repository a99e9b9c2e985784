using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Nautilus.Bench;
using Nautilus.Server.Api.Apply;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Printing;

namespace Nautilus.Benchmarks.RequestPath;

/// <summary>
/// A create's FieldsV1 written by <see cref="CreatedFieldsWriter"/> alone, over the defaulted pod
/// already walked once: WritePathBenchmarks.ManagedFields also counts a fresh copy, whose nodes
/// are built on first touch, and the entry around the FieldsV1.
/// </summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class CreatedFieldsBenchmarks
{
    private JsonObject _pod = null!;
    private JsonObject _zero = null!;
    private MergeSchema _schema = null!;
    private FieldSet? _ignored;

    [GlobalSetup]
    public void Setup()
    {
        _pod = KubeJson.ParseObject(KubeObjects.PodJson("ns-3", "web-7", "node-3", 7));
        Pods.Definition.Strategy.ApplyDefaults(_pod);
        _zero = FieldManager.ZeroObject(Pods.Definition);
        _schema = FieldManager.SchemaOf(Pods.Definition);
        _ignored = FieldManager.ResetFields(Pods.Definition, "");
        Write();
    }

    [Benchmark]
    public int Write()
    {
        using var fields = new PooledBufferWriter(4096);
        CreatedFieldsWriter.Write(_zero, _pod, _schema, _ignored, FieldManager.StripSet, fields);
        return fields.WrittenCount;
    }
}
