using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Protobuf;
using Nautilus.Server.Api.Protobuf.Internal;

namespace Nautilus.Server.Tests.Protobuf;

/// <summary>
/// The schema table checked against the official Kubernetes client models: every JSON name it
/// writes is one the API defines, and every field the API defines is decoded unless listed as skipped.
/// </summary>
public sealed class KubernetesSchemasTests
{
    // Fields of the client models (KubernetesClient follows newer Kubernetes releases) that
    // kube-apiserver 1.32 does not know either: its protobuf decoder drops them, and so does ours.
    private static readonly HashSet<string> Skipped =
    [
        "PodSpec.evictionResponders", "PodSpec.hostnameOverride", "PodSpec.schedulingGroup",
        "Container.restartPolicyRules", "EphemeralContainer.restartPolicyRules", "EnvVarSource.fileKeyRef",
        "VolumeMount.bindMountOptions", "HTTPGetAction.protocol", "GRPCAction.mode", "Lifecycle.stopSignal",
        "EmptyDirVolumeSource.mode", "SecretVolumeSource.defaultUser", "DownwardAPIVolumeSource.defaultUser",
        "DownwardAPIVolumeFile.user", "ConfigMapVolumeSource.defaultUser", "ProjectedVolumeSource.defaultUser",
        "VolumeProjection.podCertificate", "ServiceAccountTokenProjection.user", "ClusterTrustBundleProjection.user", "KeyToPath.user",
        "PodStatus.allocatedResources", "PodStatus.extendedResourceClaimStatus", "PodStatus.nodeAllocatableResourceClaimStatuses",
        "PodStatus.observedGeneration", "PodStatus.resources", "PodStatus.volumeHealth", "PodCondition.observedGeneration",
        "ContainerStatus.stopSignal", "VolumeMountStatus.volumeStatus", "ResourceHealth.message",
        "NodeSpec.podPreemptionPolicy", "NodeStatus.declaredFeatures", "NodeSystemInfo.runningInUserNamespace",
        "PersistentVolumeClaimStatus.healthStatus", "DeploymentStatus.terminatingReplicas", "ReplicaSetStatus.terminatingReplicas",
        "discovery.EndpointHints.forNodes",
    ];

    private static readonly Dictionary<string, string> ModelNames = new()
    {
        ["Event"] = "Corev1Event",
        ["EventSeries"] = "Corev1EventSeries",
        ["EndpointPort"] = "Corev1EndpointPort",
        ["events.Event"] = "Eventsv1Event",
        ["events.EventSeries"] = "Eventsv1EventSeries",
        ["discovery.EndpointPort"] = "Discoveryv1EndpointPort",
    };

    // Embedded structs (VolumeSource, ProbeHandler, ...) have no model of their own: their fields
    // are checked in the model of the struct that inlines them.
    private static IEnumerable<TestCaseData> Messages() =>
        KubernetesSchemas.Messages.Values
            .Where(m => ModelType(m.Name) is not null)
            .Select(m => new TestCaseData(m.Name).SetArgDisplayNames(m.Name));

    [Test]
    public void Table_CoversTheApiTypesOfEveryServedKind()
    {
        // Building the table resolves every message reference; an unknown name throws.
        Assert.That(KubernetesSchemas.Messages, Has.Count.GreaterThan(150));
    }

    private static IEnumerable<TestCaseData> ServedKinds() =>
        BuiltInResources.CreateRegistry().All
            .Select(r => (ApiVersion: r.Group.Length == 0 ? r.Version : $"{r.Group}/{r.Version}", r.Kind))
            .Append((ApiVersion: "v1", Kind: "Binding"))
            .Append((ApiVersion: "autoscaling/v1", Kind: "Scale"))
            .Append((ApiVersion: "v1", Kind: "DeleteOptions"))
            .Select(k => new TestCaseData(k.ApiVersion, k.Kind).SetArgDisplayNames(k.ApiVersion, k.Kind));

    [TestCaseSource(nameof(ServedKinds))]
    public void ServedKind_DecodesFromProtobuf(string apiVersion, string kind)
    {
        var body = ProtoWriter.Envelope(apiVersion, kind, new ProtoWriter());

        var json = JsonNode.Parse(Encoding.UTF8.GetString(KubernetesProtobuf.ToJson(body)))!;

        Assert.Multiple(() =>
        {
            Assert.That((string?)json["kind"], Is.EqualTo(kind));
            Assert.That((string?)json["apiVersion"], Is.EqualTo(apiVersion));
        });
    }

    [TestCaseSource(nameof(Messages))]
    public void Message_MatchesTheKubernetesClientModel(string name)
    {
        var model = ModelType(name)!;
        var schemaNames = JsonNames(KubernetesSchemas.Messages[name]).ToHashSet();
        var modelNames = model.GetProperties()
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name)
            .OfType<string>()
            .ToHashSet();
        var dropped = modelNames.Except(schemaNames)
            .Where(n => !(IsTopLevel(name) && n is "kind" or "apiVersion"))
            .Where(n => !Skipped.Contains($"{name}.{n}"));

        Assert.Multiple(() =>
        {
            Assert.That(schemaNames.Except(modelNames), Is.Empty, $"{name}: JSON names the API does not define");
            Assert.That(dropped, Is.Empty, $"{name}: API fields the schema drops");
        });
    }

    private static Type? ModelType(string name)
    {
        var model = ModelNames.TryGetValue(name, out var mapped) ? mapped : "V1" + name[(name.IndexOf('.') + 1)..];
        return typeof(k8s.Models.V1Pod).Assembly.GetType("k8s.Models." + model);
    }

    private static bool IsTopLevel(string name) => KubernetesSchemas.Messages[name].Fields.Any(f => f.Name == "metadata") || name == "DeleteOptions";

    private static IEnumerable<string> JsonNames(ProtoMessageSchema message) =>
        message.Fields.SelectMany(f => f.Shape == ProtoFieldShape.Inline ? JsonNames(f.Message!) : [f.Name]);
}
