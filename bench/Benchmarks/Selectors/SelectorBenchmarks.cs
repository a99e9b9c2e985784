using BenchmarkDotNet.Attributes;
using Nautilus.Store;

namespace Nautilus.Benchmarks.Selectors;

/// <summary>Label and field selectors as list and watch requests carry them: parsing once per request, matching once per candidate object.</summary>
[Config(typeof(QuickConfig))]
[MemoryDiagnoser]
public class SelectorBenchmarks
{
    private const string LabelText = "app=web-7,tier in (frontend,backend),!canary";
    private const string FieldText = "spec.nodeName=node-7,status.phase!=Failed";

    private readonly LabelSelector _labels = LabelSelector.Parse(LabelText);
    private readonly FieldSelector _fields = FieldSelector.Parse(FieldText);
    private readonly StoredObject _pod = Pods.Stored(7);

    [Benchmark]
    public LabelSelector ParseLabels() => LabelSelector.Parse(LabelText);

    [Benchmark]
    public bool MatchLabels() => _labels.Matches(_pod.Labels);

    [Benchmark]
    public FieldSelector ParseFields() => FieldSelector.Parse(FieldText);

    [Benchmark]
    public bool MatchFields() => _fields.Matches(_pod);
}
