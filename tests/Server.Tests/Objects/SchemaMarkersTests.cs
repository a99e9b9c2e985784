using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Tests.Objects;

public sealed class SchemaMarkersTests
{
    private static readonly Dictionary<string, Type> ModelTypes = typeof(V1Pod).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(V1Pod).Namespace && !t.IsNested).GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First());

    [Test]
    public void EveryDeclaredField_ExistsOnTheModelType()
    {
        var missing = new List<string>();
        foreach (var (type, field) in SchemaMarkers.DeclaredFields)
        {
            if (!ModelTypes.TryGetValue(type, out var t) || !t.GetProperties().Any(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name == field))
            {
                missing.Add(type + "." + field);
            }
        }

        missing.AddRange(SchemaMarkers.DeclaredTypes.Where(t => !ModelTypes.ContainsKey(t)));

        Assert.That(missing, Is.Empty, string.Join(", ", missing));
    }

    [Test]
    public void EveryRequiredField_IsAFieldOfItsType()
    {
        var missing = new List<string>();
        foreach (var type in SchemaMarkers.DeclaredTypes.Distinct())
        {
            var schema = ModelSchema.ForType(ModelTypes[type]);
            missing.AddRange(schema.Required.Where(r => schema.Field(r) is null).Select(r => type + "." + r));
        }

        Assert.That(missing, Is.Empty, string.Join(", ", missing));
    }

    [Test]
    public void ModelDocs_AreReadFromThePackagesXmlDocumentation() =>
        Assert.That(ModelDocs.OfType(typeof(V1Pod)), Is.EqualTo("Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts."));
}
