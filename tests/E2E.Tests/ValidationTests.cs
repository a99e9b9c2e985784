using System.Net;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>
/// What users see when an object is invalid or carries fields the API does not know: kubectl's
/// printed errors and warnings, and the Status bodies and Warning headers clients receive — the
/// 422 Invalid and 400 strict decoding texts of kube-apiserver 1.32.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class ValidationTests
{
    private ServerFixture _server = null!;

    // Validation alone: no controller writing the objects between a test's read and its update.
    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync(apiServerOnly: true);

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task KubectlApplyPodWithoutContainers_PrintsContainersRequired()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult result = await _server.KubectlInput(PodYaml("empty", ns, "  containers: []"), "apply", "-f", "-");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo("The Pod \"empty\" is invalid: spec.containers: Required value"));
    }

    [Test]
    public async Task KubectlCreatePodWithSeveralMistakes_PrintsEachCause()
    {
        string ns = await _server.CreateNamespaceAsync();
        string containers = """
              containers:
              - name: web
                image: nginx
                ports:
                - containerPort: 70000
              - name: web
            """;

        KubectlResult result = await _server.KubectlInput(PodYaml("broken", ns, containers), "create", "-f", "-");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo(
            """
            The Pod "broken" is invalid: 
            * spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive
            * spec.containers[1].image: Required value
            * spec.containers[1].name: Duplicate value: "web"
            """.ReplaceLineEndings("\n")));
    }

    [Test]
    public async Task KubectlCreateDeploymentWithMismatchedSelector_PrintsSelectorDoesNotMatch()
    {
        string ns = await _server.CreateNamespaceAsync();
        string yaml = $"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: {ns}
            spec:
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: other
                spec:
                  containers:
                  - name: web
                    image: nginx
            """;

        KubectlResult result = await _server.KubectlInput(yaml, "create", "-f", "-");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo(
            "The Deployment \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"));
    }

    [Test]
    public async Task KubectlApplyChangingPodPort_PrintsPodUpdatesMayNotChange()
    {
        string ns = await _server.CreateNamespaceAsync();
        string Containers(int port) => $"""
              containers:
              - name: web
                image: nginx
                ports:
                - containerPort: {port}
            """;
        KubectlResult first = await _server.KubectlInput(PodYaml("web", ns, Containers(80)), "apply", "-f", "-");
        Assert.That(first.ExitCode, Is.Zero, first.ToString());

        KubectlResult result = await _server.KubectlInput(PodYaml("web", ns, Containers(8080)), "apply", "-f", "-");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr, Does.StartWith(
            "The Pod \"web\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n  core.PodSpec{"));
        Assert.That(result.Stderr, Does.Contain("ContainerPort: 8080"));
    }

    [Test]
    public async Task KubectlCreateWithUnknownField_StrictDecodingError()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult result = await _server.KubectlInput(PodYaml("typo", ns, "  foo: bar\n  containers:\n  - name: web\n    image: nginx"), "create", "-f", "-");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo(
            "Error from server (BadRequest): error when creating \"STDIN\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.foo\""));
    }

    [Test]
    public async Task KubectlCreateWithValidateWarn_WarnsAndCreates()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult result = await _server.KubectlInput(PodYaml("typo", ns, "  containers:\n  - name: web\n    image: nginx\n    imagePullPolicyy: Always"), "create", "--validate=warn", "-f", "-");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo("Warning: unknown field \"spec.containers[0].imagePullPolicyy\""));
        Assert.That(result.Stdout.Trim(), Is.EqualTo("pod/typo created"));
    }

    [Test]
    public async Task KubectlApplyUnknownFieldToExistingObject_StrictPatchError()
    {
        string ns = await _server.CreateNamespaceAsync();
        string yaml = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: {ns}\ndata:\n  a: \"1\"\n";
        KubectlResult first = await _server.KubectlInput(yaml, "apply", "-f", "-");
        Assert.That(first.ExitCode, Is.Zero, first.ToString());

        KubectlResult result = await _server.KubectlInput(yaml + "extra: true\n", "apply", "-f", "-");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Does.EndWith("strict decoding error: unknown field \"extra\""));
    }

    [Test]
    public async Task ClientCreatePodWithoutImage_422WithFieldCause()
    {
        string ns = await _server.CreateNamespaceAsync();
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "noimage" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "web" }] } };

        var error = Assert.ThrowsAsync<HttpOperationException>(() => _server.Client.CoreV1.CreateNamespacedPodAsync(pod, ns))!;

        Assert.That(error.Response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        V1Status status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.That(status.Reason, Is.EqualTo("Invalid"));
        Assert.That(status.Message, Is.EqualTo("Pod \"noimage\" is invalid: spec.containers[0].image: Required value"));
        Assert.That(status.Details.Kind, Is.EqualTo("Pod"));
        Assert.That(status.Details.Causes.Select(c => (c.Reason, c.Field, c.Message)),
            Is.EqualTo(new[] { ("FieldValueRequired", "spec.containers[0].image", "Required value") }));
    }

    [Test]
    public async Task ClientReplaceDeploymentSelector_FieldIsImmutable()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1Deployment created = await _server.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", "web"), ns);
        created.Spec.Selector.MatchLabels["tier"] = "front";
        created.Spec.Template.Metadata.Labels["tier"] = "front";

        var error = Assert.ThrowsAsync<HttpOperationException>(() => _server.Client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "web", ns))!;

        Assert.That(error.Response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        V1Status status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.That(status.Message, Is.EqualTo(
            "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"front\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"));
        Assert.That(status.Details.Group, Is.EqualTo("apps"));
    }

    [Test]
    public async Task ClientNegativeReplicas_MustBeGreaterThanOrEqualToZero()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1Deployment deployment = Deployment("web", "web");
        deployment.Spec.Replicas = -1;

        var error = Assert.ThrowsAsync<HttpOperationException>(() => _server.Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns))!;

        Assert.That(KubernetesJson.Deserialize<V1Status>(error.Response.Content).Message,
            Is.EqualTo("Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"));
    }

    [Test]
    public async Task DuplicateFieldStrict_400ListsUnknownAndDuplicate()
    {
        string ns = await _server.CreateNamespaceAsync();
        string body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup"},"data":{"a":"1"},"spec":{}}""";

        using HttpResponseMessage response = await PostAsync($"/api/v1/namespaces/{ns}/configmaps?fieldValidation=Strict", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using JsonDocument status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(status.RootElement.GetProperty("message").GetString(), Is.EqualTo(
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: duplicate field \"metadata.name\", unknown field \"spec\""));
        Assert.That(status.RootElement.GetProperty("reason").GetString(), Is.EqualTo("BadRequest"));
    }

    [Test]
    public async Task DuplicateFieldByDefault_WarnsAndLastWins()
    {
        string ns = await _server.CreateNamespaceAsync();
        string body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"first","a":"last"},"extra":1}""";

        using HttpResponseMessage response = await PostAsync($"/api/v1/namespaces/{ns}/configmaps", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.GetValues("Warning"), Is.EqualTo(new[] { "299 - \"duplicate field \\\"data.a\\\"\"", "299 - \"unknown field \\\"extra\\\"\"" }));
        V1ConfigMap stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("dup", ns);
        Assert.That(stored.Data["a"], Is.EqualTo("last"));
    }

    [Test]
    public async Task FieldValidationIgnore_NoWarning()
    {
        string ns = await _server.CreateNamespaceAsync();

        using HttpResponseMessage response = await PostAsync($"/api/v1/namespaces/{ns}/configmaps?fieldValidation=Ignore", """{"metadata":{"name":"quiet"},"extra":1}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(response.Headers.Contains("Warning"), Is.False);
    }

    [Test]
    public async Task UnknownFieldValidationValue_422CreateOptions()
    {
        string ns = await _server.CreateNamespaceAsync();

        using HttpResponseMessage response = await PostAsync($"/api/v1/namespaces/{ns}/configmaps?fieldValidation=Loose", """{"metadata":{"name":"x"}}""");

        Assert.That((int)response.StatusCode, Is.EqualTo(422));
        using JsonDocument status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(status.RootElement.GetProperty("message").GetString(), Is.EqualTo(
            "CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"Loose\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\""));
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string json) =>
        await _server.HttpClient.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private static string PodYaml(string name, string ns, string specBody) =>
        $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{specBody}\n";

    private static V1Deployment Deployment(string name, string app) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
            },
        },
    };
}
