using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>kubectl against a real Nautilus server: what a user types, and what they see.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class KubectlTests
{
    private static readonly TimeSpan WatchDeadline = TimeSpan.FromSeconds(30);

    private ServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Version_PrintsKubernetesServerVersion()
    {
        KubectlResult result = await _server.Kubectl("version", "-o", "json");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        using JsonDocument version = JsonDocument.Parse(result.Stdout);
        JsonElement server = version.RootElement.GetProperty("serverVersion");
        Assert.That(server.GetProperty("major").GetString(), Is.EqualTo("1"));
        Assert.That(server.GetProperty("gitVersion").GetString(), Does.StartWith("v1."));
    }

    [Test]
    public async Task GetNamespaces_ListsTheInitialNamespaces()
    {
        KubectlResult result = await _server.Kubectl("get", "namespaces");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        string[] names = FirstColumn(result.Stdout);
        Assert.That(names, Is.SupersetOf(new[] { "default", "kube-system", "kube-public", "kube-node-lease" }));
    }

    [Test]
    public async Task GetNamespaces_PrintsStatusColumn()
    {
        KubectlResult result = await _server.Kubectl("get", "namespaces");

        // kube-apiserver answers kubectl's Table request: NAME STATUS AGE, each namespace Active.
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(HeaderColumns(result.Stdout), Is.EqualTo(new[] { "NAME", "STATUS", "AGE" }), result.ToString());
        Assert.That(Row(result.Stdout, "default"), Does.Contain("Active"));
    }

    [Test]
    public async Task CreateNamespace_NamespaceIsListed()
    {
        string name = TestNamespaces.UniqueName("kns");

        KubectlResult created = await _server.Kubectl("create", "namespace", name);

        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        Assert.That(created.Stdout.Trim(), Is.EqualTo($"namespace/{name} created"));
        KubectlResult got = await _server.Kubectl("get", "namespace", name, "-o", "jsonpath={.status.phase}");
        Assert.That(got.Stdout, Is.EqualTo("Active"), got.ToString());
    }

    [Test]
    public async Task CreateConfigMapFromLiteral_StoresTheData()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult created = await _server.Kubectl("-n", ns, "create", "configmap", "settings", "--from-literal=color=blue", "--from-literal=size=large");

        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        Assert.That(created.Stdout.Trim(), Is.EqualTo("configmap/settings created"));
        V1ConfigMap stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Data, Is.EquivalentTo(new Dictionary<string, string> { ["color"] = "blue", ["size"] = "large" }));
    }

    [Test]
    public async Task CreateSecretGeneric_StoresBase64Data()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult created = await _server.Kubectl("-n", ns, "create", "secret", "generic", "db", "--from-literal=password=s3cret");

        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        Assert.That(created.Stdout.Trim(), Is.EqualTo("secret/db created"));
        KubectlResult got = await _server.Kubectl("-n", ns, "get", "secret", "db", "-o", "jsonpath={.type} {.data.password}");
        Assert.That(got.Stdout, Is.EqualTo("Opaque " + Convert.ToBase64String(Encoding.UTF8.GetBytes("s3cret"))), got.ToString());
    }

    [Test]
    public async Task CreateDeployment_StoresReplicasAndImage()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult created = await _server.Kubectl("-n", ns, "create", "deployment", "web", "--image=nginx", "--replicas=3");

        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        Assert.That(created.Stdout.Trim(), Is.EqualTo("deployment.apps/web created"));
        KubectlResult got = await _server.Kubectl("-n", ns, "get", "deployment", "web",
            "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.selector.matchLabels.app} {.metadata.generation}");
        Assert.That(got.Stdout, Is.EqualTo("3 nginx web 1"), got.ToString());
    }

    [Test]
    public async Task CreateServiceClusterIp_StoresPortsAndType()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult created = await _server.Kubectl("-n", ns, "create", "service", "clusterip", "web", "--tcp=80:8080");

        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        Assert.That(created.Stdout.Trim(), Is.EqualTo("service/web created"));
        KubectlResult got = await _server.Kubectl("-n", ns, "get", "service", "web",
            "-o", "jsonpath={.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.selector.app}");
        Assert.That(got.Stdout, Is.EqualTo("ClusterIP 80 8080 web"), got.ToString());
    }

    [Test]
    public async Task CreateServiceClusterIp_AllocatesAClusterIp()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult created = await _server.Kubectl("-n", ns, "create", "service", "clusterip", "web", "--tcp=80:8080");

        // kube-apiserver allocates spec.clusterIP (and clusterIPs) from the service CIDR on create.
        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        KubectlResult got = await _server.Kubectl("-n", ns, "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}");
        Assert.That(System.Net.IPAddress.TryParse(got.Stdout, out _), Is.True, got.ToString());
    }

    [Test]
    public async Task CreateFromFile_SingleDocument_CreatesTheObject()
    {
        string ns = await _server.CreateNamespaceAsync();
        string file = WriteTempYaml(ConfigMapYaml("from-file", ns, "app: demo"));

        try
        {
            KubectlResult created = await _server.Kubectl("create", "-f", file);

            Assert.That(created.ExitCode, Is.Zero, created.ToString());
            Assert.That(created.Stdout.Trim(), Is.EqualTo("configmap/from-file created"));
            V1ConfigMap stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("from-file", ns);
            Assert.That(stored.Data["key"], Is.EqualTo("value"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task CreateFromFile_MultiDocument_CreatesEveryObject()
    {
        string ns = await _server.CreateNamespaceAsync();
        string yaml = string.Join("---\n",
            ConfigMapYaml("first", ns, "app: demo"),
            $"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: second
              namespace: {ns}
            stringData:
              token: abc
            """ + "\n",
            DeploymentYaml("third", ns));
        string file = WriteTempYaml(yaml);

        try
        {
            KubectlResult created = await _server.Kubectl("create", "-f", file);

            Assert.That(created.ExitCode, Is.Zero, created.ToString());
            Assert.That(Lines(created.Stdout), Is.EqualTo(new[] { "configmap/first created", "secret/second created", "deployment.apps/third created" }));
            V1Secret secret = await _server.Client.CoreV1.ReadNamespacedSecretAsync("second", ns);
            Assert.That(Encoding.UTF8.GetString(secret.Data["token"]), Is.EqualTo("abc"), "stringData is written into data");
            V1Deployment deployment = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("third", ns);
            Assert.That(deployment.Spec.Replicas, Is.EqualTo(2));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task CreateFromStdin_CreatesTheObject()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult created = await _server.KubectlInput(ConfigMapYaml("from-stdin", ns, "app: demo"), "create", "-f", "-");

        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        Assert.That(created.Stdout.Trim(), Is.EqualTo("configmap/from-stdin created"));
        KubectlResult got = await _server.Kubectl("-n", ns, "get", "configmap", "from-stdin", "-o", "jsonpath={.data.key}");
        Assert.That(got.Stdout, Is.EqualTo("value"), got.ToString());
    }

    [Test]
    public async Task GetOutputYaml_PrintsTheObjectAsYaml()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "shown", new Dictionary<string, string> { ["app"] = "demo" });

        KubectlResult result = await _server.Kubectl("-n", ns, "get", "configmap", "shown", "-o", "yaml");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var parsed = k8s.KubernetesYaml.Deserialize<V1ConfigMap>(result.Stdout);
        Assert.That(parsed.Kind, Is.EqualTo("ConfigMap"));
        Assert.That(parsed.ApiVersion, Is.EqualTo("v1"));
        Assert.That(parsed.Metadata.Name, Is.EqualTo("shown"));
        Assert.That(parsed.Metadata.NamespaceProperty, Is.EqualTo(ns));
        Assert.That(parsed.Metadata.Uid, Is.Not.Empty);
        Assert.That(parsed.Metadata.ResourceVersion, Is.Not.Empty);
        Assert.That(parsed.Metadata.CreationTimestamp, Is.Not.Null);
        Assert.That(parsed.Data["key"], Is.EqualTo("value"));
    }

    [Test]
    public async Task GetOutputJson_PrintsAListOfTheObjects()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "one");
        await CreateConfigMapAsync(ns, "two");

        KubectlResult result = await _server.Kubectl("-n", ns, "get", "configmaps", "-o", "json");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        using JsonDocument list = JsonDocument.Parse(result.Stdout);
        Assert.That(list.RootElement.GetProperty("kind").GetString(), Is.EqualTo("List"));
        string?[] names = list.RootElement.GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("metadata").GetProperty("name").GetString()).ToArray();
        Assert.That(names, Is.EqualTo(new[] { "one", "two" }));
    }

    [Test]
    public async Task GetOutputName_PrintsKindSlashName()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "alpha");
        await CreateConfigMapAsync(ns, "beta");

        KubectlResult result = await _server.Kubectl("-n", ns, "get", "configmaps", "-o", "name");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(Lines(result.Stdout), Is.EqualTo(new[] { "configmap/alpha", "configmap/beta" }));
    }

    [Test]
    public async Task GetOutputJsonpath_PrintsTheSelectedFields()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "alpha", new Dictionary<string, string> { ["tier"] = "front" });
        await CreateConfigMapAsync(ns, "beta", new Dictionary<string, string> { ["tier"] = "back" });

        KubectlResult result = await _server.Kubectl("-n", ns, "get", "configmaps",
            "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.labels.tier}{\"\\n\"}{end}");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(Lines(result.Stdout), Is.EqualTo(new[] { "alpha=front", "beta=back" }));
    }

    [Test]
    public async Task GetConfigMaps_PrintsServerSideColumns()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "two-keys");

        KubectlResult result = await _server.Kubectl("-n", ns, "get", "configmaps");

        // kube-apiserver serves the Table kubectl asks for: NAME DATA AGE for configmaps.
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(HeaderColumns(result.Stdout), Is.EqualTo(new[] { "NAME", "DATA", "AGE" }), result.ToString());
        Assert.That(Row(result.Stdout, "two-keys").Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Is.EqualTo("1"));
    }

    [Test]
    public async Task GetAllNamespaces_ListsObjectsOfEveryNamespace()
    {
        string first = await _server.CreateNamespaceAsync();
        string second = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(first, "in-first");
        await CreateConfigMapAsync(second, "in-second");

        KubectlResult result = await _server.Kubectl("get", "configmaps", "-A",
            "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(Lines(result.Stdout), Is.SupersetOf(new[] { $"{first}/in-first", $"{second}/in-second" }));
    }

    [Test]
    public async Task GetAllNamespaces_PrintsNamespaceColumn()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "visible");

        KubectlResult result = await _server.Kubectl("get", "configmaps", "-A");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(HeaderColumns(result.Stdout)[0], Is.EqualTo("NAMESPACE"));
        Assert.That(Row(result.Stdout, ns), Does.Contain("visible"));
    }

    [Test]
    public async Task GetWithLabelSelector_ListsOnlyMatchingObjects()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "front-1", new Dictionary<string, string> { ["tier"] = "front" });
        await CreateConfigMapAsync(ns, "front-2", new Dictionary<string, string> { ["tier"] = "front", ["canary"] = "yes" });
        await CreateConfigMapAsync(ns, "back-1", new Dictionary<string, string> { ["tier"] = "back" });

        KubectlResult equality = await _server.Kubectl("-n", ns, "get", "configmaps", "-l", "tier=front", "-o", "name");
        KubectlResult setBased = await _server.Kubectl("-n", ns, "get", "configmaps", "-l", "tier in (front,back),!canary", "-o", "name");

        Assert.That(equality.ExitCode, Is.Zero, equality.ToString());
        Assert.That(Lines(equality.Stdout), Is.EqualTo(new[] { "configmap/front-1", "configmap/front-2" }));
        Assert.That(setBased.ExitCode, Is.Zero, setBased.ToString());
        Assert.That(Lines(setBased.Stdout), Is.EqualTo(new[] { "configmap/back-1", "configmap/front-1" }));
    }

    [Test]
    public async Task GetWithFieldSelector_ListsOnlyMatchingObjects()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "wanted");
        await CreateConfigMapAsync(ns, "other");

        KubectlResult result = await _server.Kubectl("-n", ns, "get", "configmaps", "--field-selector", "metadata.name=wanted", "-o", "name");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(Lines(result.Stdout), Is.EqualTo(new[] { "configmap/wanted" }));
    }

    [Test]
    public async Task GetPodsWithFieldSelector_SelectsByNodeNameAndPhase()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreatePodAsync(ns, "on-node", nodeName: "node-a");
        await CreatePodAsync(ns, "unscheduled");

        KubectlResult onNode = await _server.Kubectl("-n", ns, "get", "pods", "--field-selector", "spec.nodeName=node-a", "-o", "name");
        KubectlResult pending = await _server.Kubectl("-n", ns, "get", "pods", "--field-selector", "spec.nodeName=,status.phase=Pending", "-o", "name");

        Assert.That(Lines(onNode.Stdout), Is.EqualTo(new[] { "pod/on-node" }), onNode.ToString());
        Assert.That(Lines(pending.Stdout), Is.EqualTo(new[] { "pod/unscheduled" }), pending.ToString());
    }

    [Test]
    public async Task GetWithUnsupportedFieldSelector_ReportsBadRequest()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult result = await _server.Kubectl("-n", ns, "get", "configmaps", "--field-selector", "data.key=value");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr, Does.Contain("Error from server (BadRequest)"));
        Assert.That(result.Stderr, Does.Contain("data.key"));
    }

    [Test]
    public async Task DeleteByName_RemovesTheObject()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "doomed");
        await CreateConfigMapAsync(ns, "kept");

        KubectlResult deleted = await _server.Kubectl("-n", ns, "delete", "configmap", "doomed");

        Assert.That(deleted.ExitCode, Is.Zero, deleted.ToString());
        Assert.That(deleted.Stdout.Trim(), Is.EqualTo("configmap \"doomed\" deleted"));
        Assert.That(await ConfigMapNamesAsync(ns), Is.EqualTo(new[] { "kept" }));
    }

    [Test]
    public async Task DeleteFromFile_RemovesEveryObjectInTheFile()
    {
        string ns = await _server.CreateNamespaceAsync();
        string file = WriteTempYaml(string.Join("---\n", ConfigMapYaml("first", ns, "app: demo"), ConfigMapYaml("second", ns, "app: demo")));
        await CreateConfigMapAsync(ns, "first");
        await CreateConfigMapAsync(ns, "second");
        await CreateConfigMapAsync(ns, "third");

        try
        {
            KubectlResult deleted = await _server.Kubectl("delete", "-f", file);

            Assert.That(deleted.ExitCode, Is.Zero, deleted.ToString());
            Assert.That(Lines(deleted.Stdout), Is.EqualTo(new[] { "configmap \"first\" deleted", "configmap \"second\" deleted" }));
            Assert.That(await ConfigMapNamesAsync(ns), Is.EqualTo(new[] { "third" }));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task DeleteByLabel_RemovesOnlyMatchingObjects()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "old-1", new Dictionary<string, string> { ["generation"] = "old" });
        await CreateConfigMapAsync(ns, "old-2", new Dictionary<string, string> { ["generation"] = "old" });
        await CreateConfigMapAsync(ns, "new-1", new Dictionary<string, string> { ["generation"] = "new" });

        KubectlResult deleted = await _server.Kubectl("-n", ns, "delete", "configmaps", "-l", "generation=old");

        Assert.That(deleted.ExitCode, Is.Zero, deleted.ToString());
        Assert.That(Lines(deleted.Stdout), Is.EqualTo(new[] { "configmap \"old-1\" deleted", "configmap \"old-2\" deleted" }));
        Assert.That(await ConfigMapNamesAsync(ns), Is.EqualTo(new[] { "new-1" }));
    }

    [Test]
    public async Task DeleteAll_RemovesEveryObjectOfTheNamespaceOnly()
    {
        string ns = await _server.CreateNamespaceAsync();
        string bystander = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "a");
        await CreateConfigMapAsync(ns, "b");
        await CreateConfigMapAsync(bystander, "c");

        KubectlResult deleted = await _server.Kubectl("-n", ns, "delete", "configmaps", "--all");

        Assert.That(deleted.ExitCode, Is.Zero, deleted.ToString());
        Assert.That(await ConfigMapNamesAsync(ns), Is.Empty);
        Assert.That(await ConfigMapNamesAsync(bystander), Is.EqualTo(new[] { "c" }));
    }

    [Test]
    public async Task GetRaw_PrintsTheServerResponse()
    {
        KubectlResult result = await _server.Kubectl("get", "--raw", "/api/v1/namespaces/default");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        using JsonDocument ns = JsonDocument.Parse(result.Stdout);
        Assert.That(ns.RootElement.GetProperty("kind").GetString(), Is.EqualTo("Namespace"));
        Assert.That(ns.RootElement.GetProperty("apiVersion").GetString(), Is.EqualTo("v1"));
        Assert.That(ns.RootElement.GetProperty("metadata").GetProperty("name").GetString(), Is.EqualTo("default"));
        Assert.That(ns.RootElement.GetProperty("status").GetProperty("phase").GetString(), Is.EqualTo("Active"));
    }

    [Test]
    public async Task ApiResources_ListsShortNames()
    {
        KubectlResult result = await _server.Kubectl("api-resources");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var byName = Lines(result.Stdout).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .GroupBy(columns => columns[0])
            .ToDictionary(g => g.Key, g => g.First());
        var expected = new Dictionary<string, string>
        {
            ["pods"] = "po", ["services"] = "svc", ["deployments"] = "deploy", ["configmaps"] = "cm", ["namespaces"] = "ns",
            ["nodes"] = "no", ["endpoints"] = "ep", ["replicasets"] = "rs", ["serviceaccounts"] = "sa",
            ["persistentvolumes"] = "pv", ["persistentvolumeclaims"] = "pvc", ["events"] = "ev",
        };
        Assert.Multiple(() =>
        {
            foreach (var (resource, shortName) in expected)
            {
                Assert.That(byName.TryGetValue(resource, out string[]? columns), Is.True, $"{resource} missing from:\n{result.Stdout}");
                Assert.That(columns?[1].Split(','), Does.Contain(shortName), $"short name of {resource}");
            }

            Assert.That(byName.Keys, Is.SupersetOf(new[] { "secrets", "leases", "endpointslices" }));
        });
    }

    [Test]
    public async Task ApiResources_ShortNameWorksWithGet()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "short");

        KubectlResult result = await _server.Kubectl("-n", ns, "get", "cm", "-o", "name");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(Lines(result.Stdout), Is.EqualTo(new[] { "configmap/short" }));
    }

    [Test]
    public async Task ApiVersions_ListsEveryServedGroupVersion()
    {
        KubectlResult result = await _server.Kubectl("api-versions");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(Lines(result.Stdout), Is.SupersetOf(new[] { "v1", "apps/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "events.k8s.io/v1" }));
    }

    [Test]
    public async Task GetPodsWatch_PrintsAPodCreatedWhileWatching()
    {
        string ns = await _server.CreateNamespaceAsync();
        string cacheDirectory = Path.Combine(Path.GetTempPath(), "nautilus-e2e-watch-" + Guid.NewGuid().ToString("N"));
        var startInfo = new ProcessStartInfo("kubectl")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in new[] { "--kubeconfig", _server.KubeconfigPath, "-n", ns, "get", "pods", "-w" })
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment.Remove("KUBECONFIG");
        startInfo.Environment["KUBECACHEDIR"] = cacheDirectory;
        var stdout = Channel.CreateUnbounded<string>();
        var stderr = new StringBuilder();
        using var kubectl = new Process { StartInfo = startInfo };
        kubectl.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                stdout.Writer.TryComplete();
            }
            else
            {
                stdout.Writer.TryWrite(e.Data);
            }
        };
        kubectl.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };

        try
        {
            kubectl.Start();
            kubectl.BeginOutputReadLine();
            kubectl.BeginErrorReadLine();

            await CreatePodAsync(ns, "watched");

            // The pod shows either in the initial list or as a watch event; both are what the user sees.
            using var deadline = new CancellationTokenSource(WatchDeadline);
            var seen = new List<string>();
            try
            {
                while (!seen.Any(line => line.StartsWith("watched ", StringComparison.Ordinal)))
                {
                    seen.Add(await stdout.Reader.ReadAsync(deadline.Token));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                string err;
                lock (stderr)
                {
                    err = stderr.ToString();
                }

                Assert.Fail($"kubectl get pods -w never printed the pod.\nstdout:\n{string.Join('\n', seen)}\nstderr:\n{err}");
            }

            Assert.That(kubectl.HasExited, Is.False, "the watch is still running");
        }
        finally
        {
            if (!kubectl.HasExited)
            {
                kubectl.Kill(entireProcessTree: true);
            }

            await kubectl.WaitForExitAsync();
            if (Directory.Exists(cacheDirectory))
            {
                Directory.Delete(cacheDirectory, recursive: true);
            }
        }
    }

    [Test]
    public async Task GetMissingObject_ReportsNotFound()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult result = await _server.Kubectl("-n", ns, "get", "configmap", "nope");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo("Error from server (NotFound): configmaps \"nope\" not found"));
    }

    [Test]
    public async Task GetMissingDeployment_ReportsNotFoundWithGroup()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult result = await _server.Kubectl("-n", ns, "get", "deployment", "nope");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo("Error from server (NotFound): deployments.apps \"nope\" not found"));
    }

    [Test]
    public async Task CreateExistingObject_ReportsAlreadyExists()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "twice");

        KubectlResult result = await _server.KubectlInput(ConfigMapYaml("twice", ns, "app: demo"), "create", "-f", "-");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo("Error from server (AlreadyExists): error when creating \"STDIN\": configmaps \"twice\" already exists"));
    }

    [Test]
    public async Task CreateConfigMapTwice_ReportsAlreadyExists()
    {
        string ns = await _server.CreateNamespaceAsync();
        await CreateConfigMapAsync(ns, "twice");

        KubectlResult result = await _server.Kubectl("-n", ns, "create", "configmap", "twice", "--from-literal=a=b");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo("error: failed to create configmap: configmaps \"twice\" already exists"));
    }

    [Test]
    public async Task CreateWithInvalidName_ReportsInvalidWithTheFieldCause()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult result = await _server.KubectlInput(ConfigMapYaml("Bad_Name", ns, "app: demo"), "create", "-f", "-");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stderr.Trim(), Is.EqualTo(
            "The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        Assert.That(await ConfigMapNamesAsync(ns), Is.Empty);
    }

    private async Task CreateConfigMapAsync(string ns, string name, IDictionary<string, string>? labels = null) =>
        await _server.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = labels },
                Data = new Dictionary<string, string> { ["key"] = "value" },
            },
            ns);

    private async Task CreatePodAsync(string ns, string name, string? nodeName = null) =>
        await _server.Client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1PodSpec { NodeName = nodeName, Containers = [new V1Container { Name = "app", Image = "nginx" }] },
            },
            ns);

    private async Task<string[]> ConfigMapNamesAsync(string ns) =>
        (await _server.Client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items.Select(c => c.Metadata.Name).ToArray();

    private static string ConfigMapYaml(string name, string ns, string labels) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          namespace: {ns}
          labels:
            {labels}
        data:
          key: value

        """;

    private static string DeploymentYaml(string name, string ns) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: {name}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              containers:
              - name: app
                image: nginx

        """;

    private static string WriteTempYaml(string yaml)
    {
        string path = Path.Combine(Path.GetTempPath(), $"nautilus-e2e-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string[] HeaderColumns(string table) =>
        Lines(table).FirstOrDefault()?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];

    private static string[] FirstColumn(string table) =>
        Lines(table).Skip(1).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]).ToArray();

    private static string Row(string table, string firstColumn) =>
        Lines(table).FirstOrDefault(line => line.StartsWith(firstColumn + " ", StringComparison.Ordinal)) ?? "";
}
