using System.Reflection;
using k8s.Models;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Tests.Objects;

public sealed class KubernetesModelTypesTests
{
    [Test]
    public void TryGetEntity_ReadFromMetadata_FindsEveryKindTheClientAttributes()
    {
        // What the index used to be built from: every type loaded and asked for its attribute.
        var expected = new Dictionary<(string, string, string), Type>();
        foreach (var type in typeof(V1Pod).Assembly.GetTypes())
        {
            if (type.GetCustomAttribute<KubernetesEntityAttribute>() is { Kind: { Length: > 0 } kind } entity)
            {
                expected.TryAdd((entity.Group ?? "", entity.ApiVersion ?? "", kind), type);
            }
        }

        Assert.That(expected, Has.Count.GreaterThan(100));
        Assert.Multiple(() =>
        {
            foreach (var ((group, version, kind), type) in expected)
            {
                Assert.That(KubernetesModelTypes.TryGetEntity(group, version, kind, out var found), Is.True, $"{group}/{version} {kind}");
                Assert.That(found, Is.EqualTo(type), $"{group}/{version} {kind}");
            }

            Assert.That(KubernetesModelTypes.TryGetEntity("example.com", "v1", "Widget", out _), Is.False);
        });
    }
}
