using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>Server-side apply and managedFields through kubectl, raw HTTP and the official C# client.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class ServerSideApplyTests
{
    private ServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync(apiServerOnly: true);

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private static string DeploymentYaml(string ns, string image = "nginx:1.27", int? replicas = 2, string extraLabel = "") => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {ns}
          labels:
            app: web
        {extraLabel}
        spec:
        {(replicas is { } r ? $"  replicas: {r}" : "")}
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: nginx
                image: {image}
        """;

    private Task<KubectlResult> Apply(string yaml, params string[] extra) =>
        _server.KubectlInput(yaml, ["apply", "--server-side", "-f", "-", .. extra]);

    [Test]
    public async Task ApplyServerSide_CreatesThenUpdates()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult created = await Apply(DeploymentYaml(ns));
        KubectlResult updated = await Apply(DeploymentYaml(ns, image: "nginx:1.28"));

        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        Assert.That(created.Stdout.Trim(), Is.EqualTo("deployment.apps/web serverside-applied"));
        Assert.That(updated.ExitCode, Is.Zero, updated.ToString());
        Assert.That(updated.Stdout.Trim(), Is.EqualTo("deployment.apps/web serverside-applied"));
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Spec.Template.Spec.Containers.Single().Image, Is.EqualTo("nginx:1.28"));
        Assert.That(stored.Metadata.Generation, Is.EqualTo(2));
        V1ManagedFieldsEntry entry = stored.Metadata.ManagedFields.Single();
        Assert.That((entry.Manager, entry.Operation, entry.ApiVersion, entry.FieldsType), Is.EqualTo(("kubectl", "Apply", "apps/v1", "FieldsV1")));
        Assert.That(entry.Time, Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));
    }

    [Test]
    public async Task ApplyServerSide_FieldRemovedFromTheFile_IsRemovedFromTheObject()
    {
        string ns = await _server.CreateNamespaceAsync();
        KubectlResult first = await Apply(DeploymentYaml(ns, extraLabel: "    tier: front"));
        Assert.That(first.ExitCode, Is.Zero, first.ToString());

        KubectlResult second = await Apply(DeploymentYaml(ns, replicas: null));

        Assert.That(second.ExitCode, Is.Zero, second.ToString());
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Metadata.Labels, Is.EqualTo(new Dictionary<string, string> { ["app"] = "web" }));
        Assert.That(stored.Spec.Replicas, Is.EqualTo(1), "replicas no longer applied: removed, then defaulted");
    }

    [Test]
    public async Task ApplyServerSide_AfterScale_ReportsTheConflictUntilForced()
    {
        string ns = await _server.CreateNamespaceAsync();
        KubectlResult created = await Apply(DeploymentYaml(ns));
        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        // kubectl 1.32 scale sends no fieldManager: the manager is the user agent's "kubectl", on the scale subresource.
        KubectlResult scaled = await _server.Kubectl("-n", ns, "scale", "deployment", "web", "--replicas=5");
        Assert.That(scaled.ExitCode, Is.Zero, scaled.ToString());

        KubectlResult conflict = await Apply(DeploymentYaml(ns));
        KubectlResult forced = await Apply(DeploymentYaml(ns), "--force-conflicts");

        Assert.That(conflict.ExitCode, Is.Not.Zero, conflict.ToString());
        Assert.That(conflict.Stderr, Does.StartWith(
            "error: Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: .spec.replicas\n"
            + "Please review the fields above--they currently have other managers."), conflict.ToString());
        Assert.That(forced.ExitCode, Is.Zero, forced.ToString());
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Spec.Replicas, Is.EqualTo(2));
        Assert.That(stored.Metadata.ManagedFields.Select(e => e.Manager), Is.EqualTo(new[] { "kubectl" }), "the scale entry lost its only field");
        Assert.That(stored.Metadata.ManagedFields.Single().Operation, Is.EqualTo("Apply"));
    }

    [Test]
    public async Task GetShowManagedFields_AfterApplyAndScale_ShowsBothManagers()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Apply(DeploymentYaml(ns));
        await _server.Kubectl("-n", ns, "scale", "deployment", "web", "--replicas=3");

        KubectlResult hidden = await _server.Kubectl("-n", ns, "get", "deployment", "web", "-o", "yaml");
        KubectlResult shown = await _server.Kubectl("-n", ns, "get", "deployment", "web", "-o", "yaml", "--show-managed-fields");

        Assert.That(hidden.Stdout, Does.Not.Contain("managedFields"), hidden.ToString());
        Assert.That(shown.Stdout, Does.Contain("    manager: kubectl\n    operation: Apply\n    time: "), shown.ToString());
        Assert.That(shown.Stdout, Does.Contain(
            "    fieldsType: FieldsV1\n    fieldsV1:\n      f:spec:\n        f:replicas: {}\n    manager: kubectl\n    operation: Update\n    subresource: scale\n"), shown.ToString());
    }

    [Test]
    public async Task CreateThenApply_SameValues_SharesOwnershipWithKubectlCreate()
    {
        string ns = await _server.CreateNamespaceAsync();
        KubectlResult created = await _server.KubectlInput(DeploymentYaml(ns), "create", "-f", "-");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());

        KubectlResult applied = await Apply(DeploymentYaml(ns));
        KubectlResult conflicting = await Apply(DeploymentYaml(ns, replicas: 4));

        Assert.That(applied.ExitCode, Is.Zero, applied.ToString());
        Assert.That(conflicting.Stderr, Does.Contain("Apply failed with 1 conflict: conflict with \"kubectl-create\" using apps/v1: .spec.replicas"), conflicting.ToString());
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Metadata.ManagedFields.Select(e => (e.Manager, e.Operation)), Is.EqualTo(new[] { ("kubectl", "Apply"), ("kubectl-create", "Update") }));
    }

    [Test]
    public async Task ApplyServerSide_AfterClientSideApply_UpgradesWithoutConflicts()
    {
        string ns = await _server.CreateNamespaceAsync();
        KubectlResult clientSide = await _server.KubectlInput(DeploymentYaml(ns), "apply", "-f", "-");
        Assert.That(clientSide.ExitCode, Is.Zero, clientSide.ToString());

        KubectlResult serverSide = await Apply(DeploymentYaml(ns, replicas: 3));

        Assert.That(serverSide.ExitCode, Is.Zero, serverSide.ToString());
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Spec.Replicas, Is.EqualTo(3));
        Assert.That(stored.Metadata.Annotations["kubectl.kubernetes.io/last-applied-configuration"], Does.Contain("\"replicas\":3"));
    }

    [Test]
    public async Task ApplyPatch_WithoutFieldManager_IsInvalidAsInKube()
    {
        string ns = await _server.CreateNamespaceAsync();
        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri(_server.BaseAddress, $"/api/v1/namespaces/{ns}/configmaps/settings"))
        {
            Content = new StringContent("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n", Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");

        using HttpResponseMessage response = await _server.HttpClient.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        JsonNode status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(status["message"]!.GetValue<string>(), Is.EqualTo("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"));
    }

    [Test]
    public async Task KubernetesClient_ApplyPatch_CreatesAndConflicts()
    {
        string ns = await _server.CreateNamespaceAsync();
        var config = new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["color"] = "blue" } };

        V1ConfigMap created = await _server.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(config, V1Patch.PatchType.ApplyPatch), "settings", ns, fieldManager: "first");
        config.Data["color"] = "red";
        var error = Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            _server.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(config, V1Patch.PatchType.ApplyPatch), "settings", ns, fieldManager: "second"))!;
        V1ConfigMap forced = await _server.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(config, V1Patch.PatchType.ApplyPatch), "settings", ns, fieldManager: "second", force: true);

        Assert.That(created.Data["color"], Is.EqualTo("blue"));
        Assert.That(error.Response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(error.Response.Content, Does.Contain("Apply failed with 1 conflict: conflict with \\\"first\\\": .data.color"));
        Assert.That(forced.Data["color"], Is.EqualTo("red"));
        Assert.That(forced.Metadata.ManagedFields.Select(e => e.Manager), Is.EqualTo(new[] { "second" }));
    }
}
