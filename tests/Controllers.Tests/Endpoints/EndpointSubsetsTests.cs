using System.Text.Json.Nodes;
using Nautilus.Controllers.Endpoints.Internal;

namespace Nautilus.Controllers.Tests.Endpoints;

/// <summary>Packing addresses into Endpoints subsets (kube's RepackSubsets) and truncation at capacity.</summary>
public sealed class EndpointSubsetsTests
{
    [Test]
    public void AddressesWithTheSamePorts_ShareOneSubset()
    {
        var entries = new List<EndpointSubsets.Entry>
        {
            new(Address("10.0.0.2", "b"), true, Port("http", 8080)),
            new(Address("10.0.0.1", "a"), true, Port("http", 8080)),
            new(Address("10.0.0.1", "a"), true, Port("metrics", 9090)),
            new(Address("10.0.0.2", "b"), true, Port("metrics", 9090)),
            new(Address("10.0.0.3", "c"), false, Port("http", 8080)),
            new(Address("10.0.0.3", "c"), false, Port("metrics", 9090)),
        };

        var subsets = EndpointSubsets.Repack(entries);

        var expected = JsonNode.Parse("""
            [{
              "addresses": [{"ip":"10.0.0.1","targetRef":{"uid":"a"}}, {"ip":"10.0.0.2","targetRef":{"uid":"b"}}],
              "notReadyAddresses": [{"ip":"10.0.0.3","targetRef":{"uid":"c"}}],
              "ports": [{"name":"http","port":8080,"protocol":"TCP"}, {"name":"metrics","port":9090,"protocol":"TCP"}]
            }]
            """);
        Assert.That(JsonNode.DeepEquals(subsets, expected), Is.True, subsets.ToJsonString());
    }

    [Test]
    public void AddressesWithDifferentPorts_SeparateSubsets()
    {
        var entries = new List<EndpointSubsets.Entry>
        {
            new(Address("10.0.0.1", "a"), true, Port("http", 8080)),
            new(Address("10.0.0.2", "b"), true, Port("http", 80)),
        };

        var subsets = EndpointSubsets.Repack(entries);

        Assert.That(subsets, Has.Count.EqualTo(2));
        Assert.That(subsets.Select(s => s!["ports"]![0]!["port"]!.GetValue<int>()), Is.EquivalentTo(new[] { 8080, 80 }));
    }

    [Test]
    public void ReadyOnAnyEntry_IsReadyOnThatPort()
    {
        var entries = new List<EndpointSubsets.Entry>
        {
            new(Address("10.0.0.1", "a"), false, Port("http", 8080)),
            new(Address("10.0.0.1", "a"), true, Port("http", 8080)),
        };

        var subsets = EndpointSubsets.Repack(entries);

        Assert.That(subsets.Single()!["addresses"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(subsets.Single()!["notReadyAddresses"], Is.Null);
    }

    [Test]
    public void OverCapacity_ReadyKeptFirstAndNotReadyDropped()
    {
        var entries = Enumerable.Range(0, 8).Select(i => new EndpointSubsets.Entry(Address($"10.0.0.{i}", $"r{i}"), true, Port("http", 80)))
            .Concat(Enumerable.Range(0, 4).Select(i => new EndpointSubsets.Entry(Address($"10.0.1.{i}", $"n{i}"), false, Port("http", 80))))
            .ToList();
        var subsets = EndpointSubsets.Repack(entries);

        var truncated = EndpointSubsets.Truncate(subsets, 10);

        Assert.That(truncated, Is.True);
        Assert.That(subsets.Single()!["addresses"]!.AsArray(), Has.Count.EqualTo(8));
        Assert.That(subsets.Single()!["notReadyAddresses"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(EndpointSubsets.Truncate(EndpointSubsets.Repack(entries), 12), Is.False);
    }

    private static JsonObject Address(string ip, string uid) => new() { ["ip"] = ip, ["targetRef"] = new JsonObject { ["uid"] = uid } };

    private static JsonObject Port(string name, int port) => new() { ["name"] = name, ["port"] = port, ["protocol"] = "TCP" };
}
