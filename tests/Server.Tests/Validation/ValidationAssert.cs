using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Tests.Validation;

/// <summary>One table row: an object as a client sends it and the 422 message kube-apiserver 1.32 answers (null: accepted).</summary>
public sealed record InvalidCase(string Scenario, string Resource, string Input, string? Expected)
{
    public TestCaseData ToTestCase() => new TestCaseData(this).SetArgDisplayNames(Scenario);

    public override string ToString() => Scenario;
}

/// <summary>Runs the write path the way ResourceHandler does (defaults → prepare → metadata and kind validation) and words the result as the 422.</summary>
internal static class ValidationAssert
{
    private static readonly ResourceRegistry Registry = BuiltInResources.CreateRegistry();

    // ConfigMaps have no strategy in the registry yet; their rules are tested through the strategy itself.
    private static readonly ResourceDefinition ConfigMaps = new()
    {
        Group = "", Version = "v1", Kind = "ConfigMap", Plural = "configmaps", Singular = "configmap", Namespaced = true, Strategy = new Nautilus.Server.Api.Strategies.ConfigMapStrategy(),
    };

    public static ResourceDefinition Resource(string plural) =>
        plural == "configmaps" ? ConfigMaps : Registry.All.First(r => r.Plural == plural && r.StorageResource is null);

    /// <summary>The 422 message a create answers, or null when the object is valid.</summary>
    public static string? CreateMessage(string plural, string json)
    {
        var resource = Resource(plural);
        var obj = JsonNode.Parse(json)!.AsObject();
        var metadata = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = metadata;
        metadata["namespace"] ??= resource.Namespaced ? "default" : null;
        resource.Strategy.ApplyDefaults(obj);
        resource.Strategy.PrepareForCreate(obj, dryRun: true);
        var causes = new List<StatusCause>();
        MetadataValidation.Validate(metadata, resource, causes);
        resource.Strategy.Validate(obj, causes);
        return causes.Count == 0 ? null : ApiException.Invalid(resource, KubeJson.GetString(metadata, "name") ?? "", causes).Message;
    }

    /// <summary>The 422 message an update of <paramref name="oldJson"/> (created first) to <paramref name="newJson"/> answers, or null.</summary>
    public static string? UpdateMessage(string plural, string oldJson, string newJson) => UpdateMessage(plural, oldJson, _ => newJson);

    /// <summary>The 422 message of an update that edits the stored object's JSON (as a client that read it first would), or null.</summary>
    public static string? UpdateMessage(string plural, string oldJson, Func<string, string> edit)
    {
        var resource = Resource(plural);
        var old = JsonNode.Parse(oldJson)!.AsObject();
        resource.Strategy.ApplyDefaults(old);
        resource.Strategy.PrepareForCreate(old, dryRun: true);
        var next = JsonNode.Parse(edit(old.ToJsonString()))!.AsObject();
        if (old["status"] is { } status)
        {
            next["status"] = status.DeepClone();
        }

        resource.Strategy.ApplyDefaults(next);
        resource.Strategy.PrepareForUpdate(next, old, dryRun: true);
        var causes = new List<StatusCause>();
        MetadataValidation.Validate((JsonObject)next["metadata"]!, resource, causes);
        resource.Strategy.ValidateUpdate(next, old, causes);
        return causes.Count == 0 ? null : ApiException.Invalid(resource, KubeJson.GetString((JsonObject)next["metadata"]!, "name") ?? "", causes).Message;
    }
}
