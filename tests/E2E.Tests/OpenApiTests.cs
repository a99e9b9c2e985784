using k8s;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>
/// kubectl reading the published OpenAPI: explain of nested fields, create and apply with
/// validation on, and strategic merge patches computed from the schema's merge keys.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class OpenApiTests
{
    private ServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync(apiServerOnly: true);

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task ExplainPodSpecContainers_PrintsTheContainerFieldDocs()
    {
        KubectlResult result = await _server.Kubectl("explain", "pod.spec.containers");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        string[] lines = Lines(result.Stdout);
        Assert.Multiple(() =>
        {
            Assert.That(lines.Take(4), Is.EqualTo(new[] { "KIND:       Pod", "VERSION:    v1", "", "FIELD: containers <[]Container>" }), result.Stdout);
            Assert.That(result.Stdout, Does.Contain(
                "DESCRIPTION:\n    List of containers belonging to the pod. Containers cannot currently be\n    added or removed. There must be at least one container in a Pod. Cannot be\n    updated.\n    A single application container that you want to run within a pod.\n"));
            Assert.That(result.Stdout, Does.Contain(
                "  name\t<string> -required-\n    Name of the container specified as a DNS_LABEL. Each container in a pod must\n    have a unique name (DNS_LABEL). Cannot be updated.\n"));
            Assert.That(lines, Does.Contain("  ports\t<[]ContainerPort>"));
            Assert.That(lines, Does.Contain("  resources\t<ResourceRequirements>"));
        });
    }

    /// <summary>Every kubectl the machine carries reads the same documents (explain uses OpenAPI v3 from 1.27 on).</summary>
    [TestCase(27)]
    [TestCase(28)]
    [TestCase(29)]
    [TestCase(30)]
    [TestCase(31)]
    [TestCase(33)]
    public async Task ExplainWithOtherKubectlMinors_PrintsTheSameFields(int minor)
    {
        Task<KubectlResult>? run = _server.KubectlMinor(minor, "explain", "svc.spec.ports", "--recursive");
        if (run is null)
        {
            Assert.Ignore($"no kubectl 1.{minor} beside the kubectl on PATH");
        }

        KubectlResult result = await run;

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(Lines(result.Stdout), Is.SupersetOf(new[] { "FIELD: ports <[]ServicePort>", "  port\t<integer> -required-", "  targetPort\t<IntOrString>" }), result.Stdout);
    }

    [Test]
    public async Task ExplainDeploymentRollingUpdate_PrintsIntOrStringFields()
    {
        KubectlResult result = await _server.Kubectl("explain", "deployment.spec.strategy.rollingUpdate");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        string[] lines = Lines(result.Stdout);
        Assert.Multiple(() =>
        {
            Assert.That(lines.Take(5), Is.EqualTo(new[] { "GROUP:      apps", "KIND:       Deployment", "VERSION:    v1", "", "FIELD: rollingUpdate <RollingUpdateDeployment>" }), result.Stdout);
            Assert.That(lines, Does.Contain("  maxSurge\t<IntOrString>"));
            Assert.That(lines, Does.Contain("  maxUnavailable\t<IntOrString>"));
            Assert.That(result.Stdout, Does.Contain("    The maximum number of pods that can be unavailable during the update. Value\n"));
        });
    }

    [Test]
    public async Task ExplainServicePortsRecursive_PrintsEveryFieldWithItsType()
    {
        KubectlResult result = await _server.Kubectl("explain", "svc.spec.ports", "--recursive");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        string fields = result.Stdout[(result.Stdout.IndexOf("FIELDS:\n", StringComparison.Ordinal) + "FIELDS:\n".Length)..];
        Assert.That(Lines(fields).Where(l => l.Length > 0), Is.EqualTo(new[]
        {
            "  appProtocol\t<string>", "  name\t<string>", "  nodePort\t<integer>", "  port\t<integer> -required-", "  protocol\t<string>", "  targetPort\t<IntOrString>",
        }), result.Stdout);
    }

    [Test]
    public async Task ExplainFromOpenApiV2_PrintsTheSwaggerDocs()
    {
        KubectlResult result = await _server.Kubectl("explain", "--output=plaintext-openapiv2", "deployment.spec.strategy");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(result.Stdout, Does.StartWith("KIND:     Deployment\nVERSION:  apps/v1\n\nRESOURCE: strategy <Object>\n"));
            Assert.That(result.Stdout, Does.Contain("   rollingUpdate\t<Object>\n     Rolling update config params. Present only if DeploymentStrategyType =\n"));
            Assert.That(result.Stdout, Does.Contain("   type\t<string>\n"));
        });
    }

    [Test]
    public async Task ExplainUnknownField_FailsAsKubectlDoes()
    {
        KubectlResult result = await _server.Kubectl("explain", "pod.spec.nosuchfield");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo("error: field \"nosuchfield\" does not exist"));
    }

    [Test]
    public async Task CreateThenApplyWithValidation_MergesContainerPortsByKey()
    {
        string ns = await _server.CreateNamespaceAsync();
        KubectlResult created = await _server.KubectlInput(Deployment(ns, (80, null)), "create", "-f", "-");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        Assert.That(created.Stdout.Trim(), Is.EqualTo("deployment.apps/web created"));

        KubectlResult applied = await _server.KubectlInput(Deployment(ns, (80, null), (8443, "https")), "apply", "-f", "-");

        Assert.That(applied.ExitCode, Is.Zero, applied.ToString());
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Spec.Template.Spec.Containers.Single().Ports.Select(p => (p.ContainerPort, p.Name)), Is.EqualTo(new (int, string?)[] { (80, null), (8443, "https") }));
    }

    [Test]
    public async Task ApplyAgainWithoutAPort_RemovesOnlyThatPort()
    {
        string ns = await _server.CreateNamespaceAsync();
        KubectlResult first = await _server.KubectlInput(Deployment(ns, (80, "http"), (81, "metrics"), (443, "https")), "apply", "-f", "-");
        Assert.That(first.ExitCode, Is.Zero, first.ToString());

        KubectlResult second = await _server.KubectlInput(Deployment(ns, (80, "http"), (443, "https")), "apply", "-f", "-");

        Assert.That(second.ExitCode, Is.Zero, second.ToString());
        Assert.That(second.Stdout.Trim(), Is.EqualTo("deployment.apps/web configured"));
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Spec.Template.Spec.Containers.Single().Ports.Select(p => p.Name), Is.EqualTo(new[] { "http", "https" }));
    }

    [Test]
    public async Task ApplyWithStrictValidation_UnknownNestedField_KubesError()
    {
        string ns = await _server.CreateNamespaceAsync();
        string yaml = Deployment(ns, (80, null)).Replace("        image: nginx\n", "        image: nginx\n        imagePullPolicyy: Always\n", StringComparison.Ordinal);

        KubectlResult result = await _server.KubectlInput(yaml, "apply", "--validate=strict", "-f", "-");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo(
            "Error from server (BadRequest): error when creating \"STDIN\": Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.template.spec.containers[0].imagePullPolicyy\""));
    }

    [Test]
    public async Task PatchStrategic_ContainerByName_KeepsTheOtherContainers()
    {
        string ns = await _server.CreateNamespaceAsync();
        string yaml = Deployment(ns, (80, null)) + "      - name: sidecar\n        image: busybox\n";
        KubectlResult created = await _server.KubectlInput(yaml, "create", "-f", "-");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());

        KubectlResult patched = await _server.Kubectl("patch", "deployment", "web", "-n", ns, "-p", """{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}""");

        Assert.That(patched.ExitCode, Is.Zero, patched.ToString());
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Spec.Template.Spec.Containers.Select(c => (c.Name, c.Image)), Is.EqualTo(new[] { ("web", "nginx"), ("sidecar", "busybox:1.36") }));
    }

    [Test]
    public async Task PatchStrategic_TolerationsAreAtomic_Replaced()
    {
        string ns = await _server.CreateNamespaceAsync();
        string yaml = Deployment(ns, (80, null)).Replace("      containers:\n", "      tolerations:\n      - key: a\n        operator: Exists\n      containers:\n", StringComparison.Ordinal);
        KubectlResult created = await _server.KubectlInput(yaml, "create", "-f", "-");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());

        KubectlResult patched = await _server.Kubectl("patch", "deployment", "web", "-n", ns, "-p", """{"spec":{"template":{"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}}}}""");

        Assert.That(patched.ExitCode, Is.Zero, patched.ToString());
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Spec.Template.Spec.Tolerations.Select(t => t.Key), Is.EqualTo(new[] { "b" }));
    }

    private static string[] Lines(string text) => text.Split('\n');

    /// <summary>A deployment "web" whose one container "web" (nginx) exposes <paramref name="ports"/> (containerPort, optional name).</summary>
    private static string Deployment(string ns, params (int Port, string? Name)[] ports)
    {
        var yaml = $"""
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
                    app: web
                spec:
                  containers:
                  - name: web
                    image: nginx
                    ports:

            """;
        foreach (var (port, name) in ports)
        {
            yaml += $"        - containerPort: {port}\n" + (name is null ? "" : $"          name: {name}\n");
        }

        return yaml;
    }
}
