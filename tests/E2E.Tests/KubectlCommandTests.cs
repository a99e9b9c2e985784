using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>
/// kubectl's object-changing and describing commands against the whole control plane (scheduler,
/// controllers, two simulated nodes): what kubectl prints, and what the server then stores.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class KubectlCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private ServerFixture _server = null!;
    private string _scratch = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "nautilus-kubectl-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
        _server = await ServerFixture.StartAsync(nodes: 2);
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var nodes = await _server.Client.CoreV1.ListNodeAsync();
            return nodes.Items.Count == 2 && nodes.Items.All(n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        }, Deadline, "the two simulated nodes register Ready");
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }

    // kubectl label

    [Test]
    public async Task Label_AddsTheLabel()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "run", "x", "--image=nginx"));

        KubectlResult labeled = await _server.Kubectl("-n", ns, "label", "pod", "x", "color=blue");

        Assert.That(labeled.ExitCode, Is.Zero, labeled.ToString());
        Assert.That(labeled.Stdout.Trim(), Is.EqualTo("pod/x labeled"));
        V1Pod stored = await _server.Client.CoreV1.ReadNamespacedPodAsync("x", ns);
        Assert.That(stored.Metadata.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["run"] = "x", ["color"] = "blue" }));
    }

    [Test]
    public async Task Label_ExistingKeyWithoutOverwrite_IsRefusedAndLeavesTheLabel()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "run", "x", "--image=nginx", "--labels=color=blue"));

        KubectlResult refused = await _server.Kubectl("-n", ns, "label", "pod", "x", "color=red");

        Assert.That(refused.ExitCode, Is.EqualTo(1), refused.ToString());
        Assert.That(refused.Stderr.Trim(), Is.EqualTo("error: 'color' already has a value (blue), and --overwrite is false"));
        V1Pod stored = await _server.Client.CoreV1.ReadNamespacedPodAsync("x", ns);
        Assert.That(stored.Metadata.Labels["color"], Is.EqualTo("blue"));
    }

    [Test]
    public async Task LabelOverwrite_ChangesTheLabel()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "run", "x", "--image=nginx", "--labels=color=blue"));

        KubectlResult labeled = await _server.Kubectl("-n", ns, "label", "pod", "x", "color=red", "--overwrite");

        Assert.That(labeled.ExitCode, Is.Zero, labeled.ToString());
        Assert.That(labeled.Stdout.Trim(), Is.EqualTo("pod/x labeled"));
        V1Pod stored = await _server.Client.CoreV1.ReadNamespacedPodAsync("x", ns);
        Assert.That(stored.Metadata.Labels["color"], Is.EqualTo("red"));
    }

    [Test]
    public async Task LabelWithTrailingDash_RemovesTheLabel()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "run", "x", "--image=nginx", "--labels=color=blue,tier=web"));

        KubectlResult unlabeled = await _server.Kubectl("-n", ns, "label", "pod", "x", "color-");

        Assert.That(unlabeled.ExitCode, Is.Zero, unlabeled.ToString());
        Assert.That(unlabeled.Stdout.Trim(), Is.EqualTo("pod/x unlabeled"));
        V1Pod stored = await _server.Client.CoreV1.ReadNamespacedPodAsync("x", ns);
        Assert.That(stored.Metadata.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["tier"] = "web" }));
    }

    // kubectl annotate

    [Test]
    public async Task Annotate_AddsTheAnnotation()
    {
        string ns = await CreateConfigMapAsync("settings");

        KubectlResult annotated = await _server.Kubectl("-n", ns, "annotate", "configmap", "settings", "note=one");

        Assert.That(annotated.ExitCode, Is.Zero, annotated.ToString());
        Assert.That(annotated.Stdout.Trim(), Is.EqualTo("configmap/settings annotated"));
        V1ConfigMap stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Metadata.Annotations, Is.EquivalentTo(new Dictionary<string, string> { ["note"] = "one" }));
    }

    [Test]
    public async Task Annotate_ExistingKeyWithoutOverwrite_IsRefusedAndLeavesTheAnnotation()
    {
        string ns = await CreateConfigMapAsync("settings");
        await Ok(_server.Kubectl("-n", ns, "annotate", "configmap", "settings", "note=one"));

        KubectlResult refused = await _server.Kubectl("-n", ns, "annotate", "configmap", "settings", "note=two");

        Assert.That(refused.ExitCode, Is.EqualTo(1), refused.ToString());
        Assert.That(refused.Stderr.Trim(), Is.EqualTo("error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (one)"));
        V1ConfigMap stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Metadata.Annotations["note"], Is.EqualTo("one"));
    }

    [Test]
    public async Task AnnotateOverwrite_ChangesTheAnnotation()
    {
        string ns = await CreateConfigMapAsync("settings");
        await Ok(_server.Kubectl("-n", ns, "annotate", "configmap", "settings", "note=one"));

        KubectlResult annotated = await _server.Kubectl("-n", ns, "annotate", "configmap", "settings", "note=two", "--overwrite");

        Assert.That(annotated.ExitCode, Is.Zero, annotated.ToString());
        Assert.That(annotated.Stdout.Trim(), Is.EqualTo("configmap/settings annotated"));
        V1ConfigMap stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Metadata.Annotations["note"], Is.EqualTo("two"));
    }

    [Test]
    public async Task AnnotateWithTrailingDash_RemovesTheAnnotation()
    {
        string ns = await CreateConfigMapAsync("settings");
        await Ok(_server.Kubectl("-n", ns, "annotate", "configmap", "settings", "note=one", "owner=team-a"));

        KubectlResult annotated = await _server.Kubectl("-n", ns, "annotate", "configmap", "settings", "note-");

        // kubectl prints "annotated" for a removal too (unlike label's "unlabeled").
        Assert.That(annotated.ExitCode, Is.Zero, annotated.ToString());
        Assert.That(annotated.Stdout.Trim(), Is.EqualTo("configmap/settings annotated"));
        V1ConfigMap stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Metadata.Annotations, Is.EquivalentTo(new Dictionary<string, string> { ["owner"] = "team-a" }));
    }

    [Test]
    public async Task AnnotateWithTrailingDash_OfTheLastAnnotation_LeavesNoAnnotationsMap()
    {
        string ns = await CreateConfigMapAsync("settings");
        await Ok(_server.Kubectl("-n", ns, "annotate", "configmap", "settings", "note=one"));

        KubectlResult annotated = await _server.Kubectl("-n", ns, "annotate", "configmap", "settings", "note-");

        // ObjectMeta.annotations is omitempty: kube-apiserver stores the emptied map as absent, so -o yaml shows no "annotations: {}".
        Assert.That(annotated.ExitCode, Is.Zero, annotated.ToString());
        using var stored = System.Text.Json.JsonDocument.Parse(await _server.HttpClient.GetStringAsync($"/api/v1/namespaces/{ns}/configmaps/settings"));
        Assert.That(stored.RootElement.GetProperty("metadata").TryGetProperty("annotations", out _), Is.False, stored.RootElement.ToString());
    }

    // kubectl edit

    [Test]
    public async Task Edit_WithAnEditorThatChangesTheObject_StoresTheEdit()
    {
        string ns = await CreateConfigMapAsync("settings", "--from-literal=color=blue");
        var editor = Editor("s/^  color: blue$/  color: green/");

        KubectlResult edited = await _server.KubectlWithEnvironment(editor, "-n", ns, "edit", "configmap", "settings");

        Assert.That(edited.ExitCode, Is.Zero, edited.ToString());
        Assert.That(edited.Stdout.Trim(), Is.EqualTo("configmap/settings edited"));
        V1ConfigMap stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Data, Is.EquivalentTo(new Dictionary<string, string> { ["color"] = "green" }));
    }

    [Test]
    public async Task Edit_ThatChangesNothing_IsCancelled()
    {
        string ns = await CreateConfigMapAsync("settings", "--from-literal=color=blue");
        var editor = Editor("s/^  color: blue$/  color: green/");
        await Ok(_server.KubectlWithEnvironment(editor, "-n", ns, "edit", "configmap", "settings"));
        string resourceVersion = (await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)).Metadata.ResourceVersion;

        // The same script again: nothing matches any more, so the file comes back unchanged.
        KubectlResult cancelled = await _server.KubectlWithEnvironment(editor, "-n", ns, "edit", "configmap", "settings");

        Assert.That(cancelled.ExitCode, Is.Zero, cancelled.ToString());
        Assert.That(cancelled.Stdout, Is.Empty, cancelled.ToString());
        Assert.That(cancelled.Stderr.Trim(), Is.EqualTo("Edit cancelled, no changes made."));
        V1ConfigMap stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Metadata.ResourceVersion, Is.EqualTo(resourceVersion), "nothing was written");
        Assert.That(stored.Data["color"], Is.EqualTo("green"));
    }

    // kubectl diff

    [Test]
    public async Task Diff_OfAnUnchangedManifest_PrintsNothingAndExitsZero()
    {
        string ns = await _server.CreateNamespaceAsync();
        string file = WriteManifest(ConfigMapManifest("settings", ns, "color: blue", "size: large"));
        await Ok(_server.Kubectl("apply", "-f", file));

        KubectlResult diff = await _server.Kubectl("diff", "-f", file);

        Assert.That(diff.ExitCode, Is.Zero, diff.ToString());
        Assert.That(diff.Stdout, Is.Empty, diff.ToString());
    }

    [Test]
    public async Task Diff_OfAChangedManifest_PrintsAUnifiedDiffAndExitsOne()
    {
        string ns = await _server.CreateNamespaceAsync();
        string file = WriteManifest(ConfigMapManifest("settings", ns, "color: blue", "size: large"));
        await Ok(_server.Kubectl("apply", "-f", file));
        File.WriteAllText(file, ConfigMapManifest("settings", ns, "color: green", "size: large"));

        KubectlResult diff = await _server.Kubectl("diff", "-f", file);

        // kubectl diff: 1 when the server-side dry-run apply differs from the live object.
        Assert.That(diff.ExitCode, Is.EqualTo(1), diff.ToString());
        string[] lines = diff.Stdout.Split('\n');
        Assert.That(lines, Has.Some.Match(@"^--- .*LIVE-.*/v1\.ConfigMap\." + Regex.Escape(ns) + @"\.settings\b"), diff.ToString());
        Assert.That(lines, Has.Some.Match(@"^\+\+\+ .*MERGED-.*/v1\.ConfigMap\." + Regex.Escape(ns) + @"\.settings\b"), diff.ToString());
        Assert.That(lines, Has.Some.Match(@"^@@ -\d+,\d+ \+\d+,\d+ @@"), diff.ToString());
        Assert.That(lines, Does.Contain("-  color: blue"), diff.ToString());
        Assert.That(lines, Does.Contain("+  color: green"), diff.ToString());
        Assert.That(lines, Does.Contain("   size: large"), diff.ToString());
        V1ConfigMap stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Data["color"], Is.EqualTo("blue"), "diff is a dry run: the live object is unchanged");
    }

    // kubectl apply (client-side)

    [Test]
    public async Task ApplyRepeated_CreatesConfiguresPrunesRemovedFieldsAndReportsUnchanged()
    {
        string ns = await _server.CreateNamespaceAsync();
        string file = WriteManifest(ConfigMapManifest("settings", ns, "color: blue", "size: large"));

        KubectlResult created = await _server.Kubectl("apply", "-f", file);

        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        Assert.That(created.Stdout.Trim(), Is.EqualTo("configmap/settings created"));
        V1ConfigMap stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Data, Is.EquivalentTo(new Dictionary<string, string> { ["color"] = "blue", ["size"] = "large" }));
        Assert.That(stored.Metadata.Annotations, Contains.Key("kubectl.kubernetes.io/last-applied-configuration"));

        File.WriteAllText(file, ConfigMapManifest("settings", ns, "color: green", "size: large"));
        KubectlResult configured = await _server.Kubectl("apply", "-f", file);

        Assert.That(configured.ExitCode, Is.Zero, configured.ToString());
        Assert.That(configured.Stdout.Trim(), Is.EqualTo("configmap/settings configured"));
        stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Data, Is.EquivalentTo(new Dictionary<string, string> { ["color"] = "green", ["size"] = "large" }));

        // A key set on the live object by someone else survives; a key dropped from the manifest goes.
        await Ok(_server.Kubectl("-n", ns, "patch", "configmap", "settings", "--type=merge", "-p", """{"data":{"owner":"team-a"}}"""));
        File.WriteAllText(file, ConfigMapManifest("settings", ns, "color: green"));
        KubectlResult pruned = await _server.Kubectl("apply", "-f", file);

        Assert.That(pruned.ExitCode, Is.Zero, pruned.ToString());
        Assert.That(pruned.Stdout.Trim(), Is.EqualTo("configmap/settings configured"));
        stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Data, Is.EquivalentTo(new Dictionary<string, string> { ["color"] = "green", ["owner"] = "team-a" }));
        Assert.That(stored.Metadata.Annotations["kubectl.kubernetes.io/last-applied-configuration"], Does.Not.Contain("size"));

        string resourceVersion = stored.Metadata.ResourceVersion;
        KubectlResult unchanged = await _server.Kubectl("apply", "-f", file);

        Assert.That(unchanged.ExitCode, Is.Zero, unchanged.ToString());
        Assert.That(unchanged.Stdout.Trim(), Is.EqualTo("configmap/settings unchanged"));
        stored = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(stored.Metadata.ResourceVersion, Is.EqualTo(resourceVersion), "an unchanged apply writes nothing");
    }

    // kubectl patch

    [Test]
    public async Task PatchStrategic_MergesContainersByName()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "create", "deployment", "web", "--image=nginx"));

        KubectlResult patched = await _server.Kubectl("-n", ns, "patch", "deployment", "web",
            "-p", """{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"},{"name":"nginx","image":"nginx:1.27"}]}}}}""");

        Assert.That(patched.ExitCode, Is.Zero, patched.ToString());
        Assert.That(patched.Stdout.Trim(), Is.EqualTo("deployment.apps/web patched"));
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        var containers = stored.Spec.Template.Spec.Containers.ToDictionary(c => c.Name, c => c.Image);
        Assert.That(containers, Is.EquivalentTo(new Dictionary<string, string> { ["nginx"] = "nginx:1.27", ["sidecar"] = "busybox" }));
    }

    [Test]
    public async Task PatchMerge_ReplacesListsAndSetsFields()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "create", "deployment", "web", "--image=nginx"));

        KubectlResult patched = await _server.Kubectl("-n", ns, "patch", "deployment", "web", "--type=merge",
            "-p", """{"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"only","image":"busybox"}]}}}}""");

        Assert.That(patched.ExitCode, Is.Zero, patched.ToString());
        Assert.That(patched.Stdout.Trim(), Is.EqualTo("deployment.apps/web patched"));
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Spec.Replicas, Is.EqualTo(3));
        Assert.That(stored.Spec.Template.Spec.Containers.Select(c => c.Name + "=" + c.Image), Is.EqualTo(new[] { "only=busybox" }));
    }

    [Test]
    public async Task PatchJson_AppliesTheOperations()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "create", "deployment", "web", "--image=nginx", "--replicas=2"));

        KubectlResult patched = await _server.Kubectl("-n", ns, "patch", "deployment", "web", "--type=json",
            "-p", """[{"op":"replace","path":"/spec/replicas","value":1},{"op":"add","path":"/metadata/labels/tier","value":"front"},{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.27"}]""");

        Assert.That(patched.ExitCode, Is.Zero, patched.ToString());
        Assert.That(patched.Stdout.Trim(), Is.EqualTo("deployment.apps/web patched"));
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Spec.Replicas, Is.EqualTo(1));
        Assert.That(stored.Metadata.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" }));
        Assert.That(stored.Spec.Template.Spec.Containers.Single().Image, Is.EqualTo("nginx:1.27"));
    }

    [Test]
    public async Task Patch_ThatChangesNothing_ReportsNoChange()
    {
        // A ConfigMap has no controller writing to it, so nothing can change it between kubectl's GET and PATCH.
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "create", "configmap", "settings", "--from-literal=mode=fast"));
        V1ConfigMap before = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);

        KubectlResult patched = await _server.Kubectl("-n", ns, "patch", "configmap", "settings", "--type=merge", "-p", """{"data":{"mode":"fast"}}""");

        Assert.That(patched.ExitCode, Is.Zero, patched.ToString());
        Assert.That(patched.Stdout.Trim(), Is.EqualTo("configmap/settings patched (no change)"));
        V1ConfigMap after = await _server.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.That(after.Metadata.ResourceVersion, Is.EqualTo(before.Metadata.ResourceVersion));
    }

    [Test]
    public async Task Patch_ThatRepeatsTheSpec_KeepsTheGeneration()
    {
        // The deployment controller writes status meanwhile, so kubectl may print "patched" either way; the spec is what must not move.
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "create", "deployment", "web", "--image=nginx", "--replicas=2"));

        KubectlResult patched = await _server.Kubectl("-n", ns, "patch", "deployment", "web", "--type=merge", "-p", """{"spec":{"replicas":2}}""");

        Assert.That(patched.ExitCode, Is.Zero, patched.ToString());
        V1Deployment stored = await _server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(stored.Metadata.Generation, Is.EqualTo(1));
        Assert.That(stored.Spec.Replicas, Is.EqualTo(2));
    }

    // kubectl describe

    [Test]
    public async Task DescribePod_PrintsItsFieldsAndTheScheduledEvent()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "run", "x", "--image=nginx", "--labels=app=demo"));
        await ServerFixture.WaitUntilAsync(async () =>
            (await _server.Client.CoreV1.ReadNamespacedPodAsync("x", ns)).Status?.Phase == "Running", Deadline, "the pod runs");
        await WaitForEventAsync(ns, "x", "Scheduled");
        V1Pod pod = await _server.Client.CoreV1.ReadNamespacedPodAsync("x", ns);

        KubectlResult described = await Ok(_server.Kubectl("-n", ns, "describe", "pod", "x"));

        string text = described.Stdout;
        Assert.That(text, Does.Match(@"(?m)^Name:\s+x$"), text);
        Assert.That(text, Does.Match(@"(?m)^Namespace:\s+" + Regex.Escape(ns) + "$"), text);
        Assert.That(text, Does.Match(@"(?m)^Node:\s+" + Regex.Escape(pod.Spec.NodeName) + "/" + Regex.Escape(pod.Status.HostIP) + "$"), text);
        Assert.That(text, Does.Match(@"(?m)^Labels:\s+app=demo$"), text);
        Assert.That(text, Does.Match(@"(?m)^Status:\s+Running$"), text);
        Assert.That(text, Does.Match(@"(?m)^IP:\s+" + Regex.Escape(pod.Status.PodIP) + "$"), text);
        Assert.That(text, Does.Match(@"(?m)^    Image:\s+nginx$"), text);
        Assert.That(text, Does.Match(@"(?m)^QoS Class:\s+BestEffort$"), text);
        Assert.That(text, Does.Match(@"(?m)^Events:$"), text);
        Assert.That(text, Does.Match(@"(?m)^  Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned " + Regex.Escape(ns) + "/x to " + Regex.Escape(pod.Spec.NodeName) + "$"), text);
    }

    [Test]
    public async Task DescribeNode_PrintsCapacityAllocatableAndTheRegisteredEvent()
    {
        V1Node node = (await _server.Client.CoreV1.ListNodeAsync()).Items.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).First();
        string name = node.Metadata.Name;
        await WaitForEventAsync("default", name, "RegisteredNode");

        KubectlResult described = await Ok(_server.Kubectl("describe", "node", name));

        string text = described.Stdout;
        Assert.That(text, Does.Match(@"(?m)^Name:\s+" + Regex.Escape(name) + "$"), text);
        Assert.That(text, Does.Match(@"(?m)^\s+kubernetes\.io/hostname=" + Regex.Escape(name) + "$"), text);
        Assert.That(text, Does.Match(@"(?m)^  Ready\s+True\s+"), text);
        Assert.That(text, Does.Match(@"(?m)^  InternalIP:\s+" + Regex.Escape(node.Status.Addresses.First(a => a.Type == "InternalIP").Address) + "$"), text);
        foreach (string section in new[] { "Capacity", "Allocatable" })
        {
            var quantities = section == "Capacity" ? node.Status.Capacity : node.Status.Allocatable;
            Match block = Regex.Match(text, "(?m)^" + section + @":\n((?:  .*\n)+)");
            Assert.That(block.Success, Is.True, $"{section}: block\n{text}");
            Assert.That(block.Groups[1].Value, Does.Match(@"(?m)^  cpu:\s+" + Regex.Escape(quantities["cpu"].ToString()) + "$"), text);
            Assert.That(block.Groups[1].Value, Does.Match(@"(?m)^  memory:\s+" + Regex.Escape(quantities["memory"].ToString()) + "$"), text);
            Assert.That(block.Groups[1].Value, Does.Match(@"(?m)^  pods:\s+" + Regex.Escape(quantities["pods"].ToString()) + "$"), text);
        }

        Assert.That(text, Does.Match(@"(?m)^  Normal\s+RegisteredNode\s+\S+\s+node-controller\s+Node " + Regex.Escape(name) + " event: Registered Node " + Regex.Escape(name) + " in Controller$"), text);
    }

    [Test]
    public async Task DescribeDeployment_PrintsReplicasSelectorAndTheScalingEvent()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "create", "deployment", "web", "--image=nginx", "--replicas=2"));
        await Ok(_server.Kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s"));
        await WaitForEventAsync(ns, "web", "ScalingReplicaSet");
        V1ReplicaSet replicaSet = (await _server.Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items.Single();

        KubectlResult described = await Ok(_server.Kubectl("-n", ns, "describe", "deployment", "web"));

        string text = described.Stdout;
        string rs = Regex.Escape(replicaSet.Metadata.Name);
        Assert.That(text, Does.Match(@"(?m)^Name:\s+web$"), text);
        Assert.That(text, Does.Match(@"(?m)^Namespace:\s+" + Regex.Escape(ns) + "$"), text);
        Assert.That(text, Does.Match(@"(?m)^Labels:\s+app=web$"), text);
        Assert.That(text, Does.Match(@"(?m)^Selector:\s+app=web$"), text);
        Assert.That(text, Does.Match(@"(?m)^Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable$"), text);
        Assert.That(text, Does.Match(@"(?m)^StrategyType:\s+RollingUpdate$"), text);
        Assert.That(text, Does.Match(@"(?m)^  Available\s+True\s+MinimumReplicasAvailable$"), text);
        Assert.That(text, Does.Match(@"(?m)^NewReplicaSet:\s+" + rs + @" \(2/2 replicas created\)$"), text);
        Assert.That(text, Does.Match(@"(?m)^  Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set " + rs + " from 0 to 2$"), text);
    }

    [Test]
    public async Task DescribeService_PrintsTypeIpPortsAndEndpoints()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl("-n", ns, "run", "backend", "--image=nginx", "--labels=app=backend"));
        await Ok(_server.Kubectl("-n", ns, "create", "service", "clusterip", "backend", "--tcp=80:8080"));
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var endpoints = await _server.Client.CoreV1.ListNamespacedEndpointsAsync(ns);
            return endpoints.Items.Any(e => e.Metadata.Name == "backend" && e.Subsets?.Sum(s => s.Addresses?.Count ?? 0) == 1);
        }, Deadline, "the service's endpoints list the ready pod");
        V1Service service = await _server.Client.CoreV1.ReadNamespacedServiceAsync("backend", ns);
        V1Pod pod = await _server.Client.CoreV1.ReadNamespacedPodAsync("backend", ns);

        KubectlResult described = await Ok(_server.Kubectl("-n", ns, "describe", "service", "backend"));

        string text = described.Stdout;
        Assert.That(text, Does.Match(@"(?m)^Name:\s+backend$"), text);
        Assert.That(text, Does.Match(@"(?m)^Namespace:\s+" + Regex.Escape(ns) + "$"), text);
        Assert.That(text, Does.Match(@"(?m)^Labels:\s+app=backend$"), text);
        Assert.That(text, Does.Match(@"(?m)^Selector:\s+app=backend$"), text);
        Assert.That(text, Does.Match(@"(?m)^Type:\s+ClusterIP$"), text);
        Assert.That(text, Does.Match(@"(?m)^IP:\s+" + Regex.Escape(service.Spec.ClusterIP) + "$"), text);
        Assert.That(text, Does.Match(@"(?m)^Port:\s+80-8080  80/TCP$"), text);
        Assert.That(text, Does.Match(@"(?m)^TargetPort:\s+8080/TCP$"), text);
        Assert.That(text, Does.Match(@"(?m)^Endpoints:\s+" + Regex.Escape(pod.Status.PodIP) + ":8080$"), text);
        Assert.That(text, Does.Match(@"(?m)^Session Affinity:\s+None$"), text);
        // A ClusterIP service gets no events (only load balancers do), as on Kubernetes.
        Assert.That(text, Does.Match(@"(?m)^Events:\s+<none>$"), text);
    }

    [Test]
    public async Task DescribeNamespace_PrintsActiveAndNoQuotaOrLimitRange()
    {
        string ns = await _server.CreateNamespaceAsync();

        KubectlResult described = await Ok(_server.Kubectl("describe", "namespace", ns));

        string text = described.Stdout;
        Assert.That(text, Does.Match(@"(?m)^Name:\s+" + Regex.Escape(ns) + "$"), text);
        Assert.That(text, Does.Match(@"(?m)^Labels:\s+kubernetes\.io/metadata\.name=" + Regex.Escape(ns) + "$"), text);
        Assert.That(text, Does.Match(@"(?m)^Annotations:\s+<none>$"), text);
        Assert.That(text, Does.Match(@"(?m)^Status:\s+Active$"), text);
        Assert.That(text, Does.Match(@"(?m)^No resource quota\.$"), text);
        Assert.That(text, Does.Match(@"(?m)^No LimitRange resource\.$"), text);
    }

    private static async Task<KubectlResult> Ok(Task<KubectlResult> run)
    {
        var result = await run;
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        return result;
    }

    private async Task<string> CreateConfigMapAsync(string name, params string[] data)
    {
        string ns = await _server.CreateNamespaceAsync();
        await Ok(_server.Kubectl(["-n", ns, "create", "configmap", name, .. data]));
        return ns;
    }

    private async Task WaitForEventAsync(string ns, string involvedName, string reason) =>
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var events = await _server.Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.name={involvedName},reason={reason}");
            return events.Items.Count > 0;
        }, Deadline, $"a {reason} event for {involvedName} is recorded");

    /// <summary>An EDITOR for kubectl edit: a shell script that runs sed with <paramref name="sedExpression"/> on the file it is given.</summary>
    private Dictionary<string, string> Editor(string sedExpression)
    {
        string script = Path.Combine(_scratch, $"editor-{Guid.NewGuid():N}.sh");
        File.WriteAllText(script, $"#!/bin/sh\nexec sed -i '{sedExpression}' \"$1\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return new Dictionary<string, string> { ["EDITOR"] = script, ["KUBE_EDITOR"] = script };
    }

    private string WriteManifest(string yaml)
    {
        string path = Path.Combine(_scratch, $"manifest-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string ConfigMapManifest(string name, string ns, params string[] data) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          namespace: {ns}
        data:
        {string.Join("\n", data.Select(line => "  " + line))}

        """;
}
