namespace Nautilus.Server.Tests.Validation;

/// <summary>422 messages of updates: immutable fields and what a pod update may change, as kube-apiserver 1.32 words them.</summary>
public sealed class UpdateValidationTests
{
    private const string Pod = """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}""";

    private const string Deployment = """{"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"a","v":"1"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}""";

    [Test]
    public void PodImageChange_IsAllowed() =>
        Assert.That(ValidationAssert.UpdateMessage("pods", Pod, s => s.Replace("nginx:1.25", "nginx:1.26")), Is.Null);

    [Test]
    public void PodActiveDeadlineAndTolerationAdded_AreAllowed() =>
        Assert.That(ValidationAssert.UpdateMessage("pods", Pod, s => s.Replace("\"spec\":{", "\"spec\":{\"activeDeadlineSeconds\":30,").Replace("\"tolerations\":[", "\"tolerations\":[{\"key\":\"k\",\"operator\":\"Exists\"},")), Is.Null);

    [Test]
    public void PodPortChange_ForbiddenWithUpdatableFieldsAndDiff()
    {
        var message = ValidationAssert.UpdateMessage("pods", Pod, s => s.Replace("\"containerPort\":80", "\"containerPort\":8080"));

        Assert.That(message, Does.StartWith(
            "Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n  core.PodSpec{\n"));
        Assert.That(message, Does.Contain("- \t\t\t\t\tContainerPort: 80,\n+ \t\t\t\t\tContainerPort: 8080,\n"));
    }

    [Test]
    public void PodContainerAdded_ForbiddenToAddOrRemove() =>
        Assert.That(ValidationAssert.UpdateMessage("pods", Pod, s => s.Replace("\"containers\":[", "\"containers\":[{\"name\":\"d\",\"image\":\"busybox\"},")),
            Is.EqualTo("Pod \"p\" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers"));

    [Test]
    public void PodActiveDeadlineRaised_MustBeLessThanOrEqual() =>
        Assert.That(ValidationAssert.UpdateMessage("pods", Pod.Replace("\"spec\":{", "\"spec\":{\"activeDeadlineSeconds\":30,"), s => s.Replace("\"activeDeadlineSeconds\":30", "\"activeDeadlineSeconds\":60")),
            Is.EqualTo("Pod \"p\" is invalid: spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value"));

    [Test]
    public void DeploymentSelectorChange_FieldIsImmutable() =>
        Assert.That(ValidationAssert.UpdateMessage("deployments", Deployment, s => s.Replace("\"matchLabels\":{\"app\":\"a\"}", "\"matchLabels\":{\"v\":\"1\"}")),
            Is.EqualTo("Deployment.apps \"d\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"v\":\"1\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"));

    [Test]
    public void DeploymentImageChange_IsAllowed() =>
        Assert.That(ValidationAssert.UpdateMessage("deployments", Deployment, s => s.Replace("\"nginx\"", "\"nginx:2\"")), Is.Null);

    [Test]
    public void SecretTypeChange_FieldIsImmutable() =>
        Assert.That(ValidationAssert.UpdateMessage("secrets", """{"metadata":{"name":"s"},"type":"Opaque"}""", """{"metadata":{"name":"s"},"type":"example.com/custom"}"""),
            Is.EqualTo("Secret \"s\" is invalid: type: Invalid value: \"example.com/custom\": field is immutable"));

    [Test]
    public void ImmutableSecretDataChange_Forbidden() =>
        Assert.That(ValidationAssert.UpdateMessage("secrets", """{"metadata":{"name":"s"},"immutable":true,"data":{"a":"YQ=="}}""", """{"metadata":{"name":"s"},"immutable":true,"data":{"a":"Yg=="}}"""),
            Is.EqualTo("Secret \"s\" is invalid: data: Forbidden: field is immutable when `immutable` is set"));

    [Test]
    public void ImmutableConfigMapMadeMutableAndChanged_BothForbidden() =>
        Assert.That(ValidationAssert.UpdateMessage("configmaps", """{"metadata":{"name":"c"},"immutable":true,"data":{"a":"1"}}""", """{"metadata":{"name":"c"},"data":{"a":"2"}}"""),
            Is.EqualTo("ConfigMap \"c\" is invalid: [immutable: Forbidden: field is immutable when `immutable` is set, data: Forbidden: field is immutable when `immutable` is set]"));

    [Test]
    public void MutableConfigMapChange_IsAllowed() =>
        Assert.That(ValidationAssert.UpdateMessage("configmaps", """{"metadata":{"name":"c"},"data":{"a":"1"}}""", """{"metadata":{"name":"c"},"data":{"a":"2"}}"""), Is.Null);

    [Test]
    public void EndpointSliceAddressTypeChange_FieldIsImmutable() =>
        Assert.That(ValidationAssert.UpdateMessage("endpointslices", """{"metadata":{"name":"e"},"addressType":"IPv4"}""", """{"metadata":{"name":"e"},"addressType":"IPv6"}"""),
            Is.EqualTo("EndpointSlice.discovery.k8s.io \"e\" is invalid: addressType: Invalid value: \"IPv6\": field is immutable"));

    [Test]
    public void UnboundPvcStorageChange_SpecIsImmutable() =>
        Assert.That(
            ValidationAssert.UpdateMessage("persistentvolumeclaims",
                """{"metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""",
                """{"metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"2Gi"}}}}"""),
            Does.StartWith("PersistentVolumeClaim \"c\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n  core.PersistentVolumeClaimSpec{"));

    [Test]
    public void PvcVolumeNameSetOnUnboundClaim_IsAllowed() =>
        Assert.That(
            ValidationAssert.UpdateMessage("persistentvolumeclaims",
                """{"metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""",
                """{"metadata":{"name":"c"},"spec":{"volumeName":"pv1","accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}"""),
            Is.Null);
}
