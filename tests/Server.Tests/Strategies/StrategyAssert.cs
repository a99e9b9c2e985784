using System.Text.Json;
using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Strategies;
using Nautilus.Store;

namespace Nautilus.Server.Tests.Strategies;

/// <summary>One table row: an object as a client sends it and the object kube-apiserver 1.32 stores for it.</summary>
public sealed record DefaultingCase(string Scenario, string Input, string Expected)
{
    public TestCaseData ToTestCase() => new TestCaseData(this).SetArgDisplayNames(Scenario);

    public override string ToString() => Scenario;
}

/// <summary>Runs a strategy the way ResourceHandler does and compares whole JSON trees.</summary>
internal static class StrategyAssert
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>What admission reads: a store holding the system priority classes, as a started server has them.</summary>
    public static readonly IObjectStore Store = SeededStore();

    /// <summary>What a create stores: defaults, admission, then PrepareForCreate.</summary>
    public static JsonObject Create(ResourceStrategy strategy, string json) => Create(strategy, json, Store);

    /// <summary>A create whose admission reads <paramref name="store"/>; the embedded store answers synchronously.</summary>
    public static JsonObject Create(ResourceStrategy strategy, string json, IObjectStore store)
    {
        var obj = Parse(json);
        strategy.ApplyDefaults(obj);
        strategy.AdmitCreateAsync(obj, store, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        strategy.PrepareForCreate(obj, dryRun: false);
        return obj;
    }

    /// <summary>Stores a PriorityClass as the API would (defaulted), for admission to find.</summary>
    public static void AddPriorityClass(IObjectStore store, string json)
    {
        BuiltInResources.CreateRegistry().TryGet("scheduling.k8s.io", "v1", "priorityclasses", out var resource);
        var obj = Parse(json);
        obj["apiVersion"] = "scheduling.k8s.io/v1";
        obj["kind"] = "PriorityClass";
        obj["metadata"]!["uid"] = Guid.NewGuid().ToString();
        resource.Strategy.ApplyDefaults(obj);
        store.CreateAsync(resource.StorageType, ObjectCodec.ToStored(resource, obj)).AsTask().GetAwaiter().GetResult();
    }

    private static EmbeddedStore SeededStore()
    {
        var store = new EmbeddedStore();
        foreach (var system in PriorityClassStrategy.SystemClasses)
        {
            AddPriorityClass(store, $$"""{"metadata":{"name":"{{system.Name}}"},"value":{{system.Value}}}""");
        }

        return store;
    }

    /// <summary>What an update of <paramref name="old"/> stores, status aside: defaults, then PrepareForUpdate.</summary>
    public static JsonObject Update(ResourceStrategy strategy, JsonObject next, JsonObject old)
    {
        var obj = (JsonObject)next.DeepClone();
        strategy.ApplyDefaults(obj);
        strategy.PrepareForUpdate(obj, old, dryRun: false);
        return obj;
    }

    public static JsonObject Defaulted(ResourceStrategy strategy, JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        strategy.ApplyDefaults(copy);
        return copy;
    }

    public static void AreEqual(JsonNode? actual, string expected) => AreEqual(actual, JsonNode.Parse(expected));

    public static void AreEqual(JsonNode? actual, JsonNode? expected) =>
        Assert.That(JsonNode.DeepEquals(actual, expected), Is.True,
            $"expected:\n{expected?.ToJsonString(Indented)}\nactual:\n{actual?.ToJsonString(Indented)}");

    /// <summary>The checks every defaulting table runs: exact result, and that defaulting the result again (as every update does) changes nothing.</summary>
    public static void CreatesExactlyAndIdempotently(ResourceStrategy strategy, DefaultingCase row)
    {
        var created = Create(strategy, row.Input);

        AreEqual(created, row.Expected);
        AreEqual(Defaulted(strategy, created), row.Expected);
        AreEqual(Update(strategy, created, created), row.Expected);
    }
}
