using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>The official Kubernetes C# client's typed API against a real Nautilus server.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class ClientTests
{
    private static readonly TimeSpan EventDeadline = TimeSpan.FromSeconds(20);

    private ServerFixture _server = null!;

    private IKubernetes Client => _server.Client;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync(apiServerOnly: true);

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    // ---- configmaps: the whole verb set ----

    [Test]
    public async Task CreateConfigMap_ReturnsObjectWithSystemMetadata()
    {
        string ns = await _server.CreateNamespaceAsync();

        V1ConfigMap created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);

        Assert.That(created.Metadata.Name, Is.EqualTo("settings"));
        Assert.That(created.Metadata.NamespaceProperty, Is.EqualTo(ns));
        Assert.That(Guid.TryParse(created.Metadata.Uid, out _), Is.True, created.Metadata.Uid);
        Assert.That(long.Parse(created.Metadata.ResourceVersion), Is.Positive);
        Assert.That(created.Metadata.CreationTimestamp, Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That(created.Metadata.Generation, Is.Null, "configmaps have no spec and no generation");
        Assert.That(created.Data["key"], Is.EqualTo("value"));
    }

    [Test]
    public async Task ReplaceWithoutChanges_KeepsTheResourceVersion()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);
        V1ConfigMap read = await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);

        V1ConfigMap same = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(read, "settings", ns);
        read.Data["key"] = "changed";
        V1ConfigMap changed = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(read, "settings", ns);

        Assert.That(same.Metadata.ResourceVersion, Is.EqualTo(read.Metadata.ResourceVersion), "an update that changes nothing writes nothing");
        Assert.That(long.Parse(changed.Metadata.ResourceVersion), Is.GreaterThan(long.Parse(read.Metadata.ResourceVersion)));
    }

    [Test]
    public async Task GetConfigMap_ReturnsWhatWasCreated()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1ConfigMap created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);

        V1ConfigMap read = await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);

        Assert.That(read.Metadata.Uid, Is.EqualTo(created.Metadata.Uid));
        Assert.That(read.Metadata.ResourceVersion, Is.EqualTo(created.Metadata.ResourceVersion));
        Assert.That(read.Data, Is.EqualTo(created.Data));
    }

    [Test]
    public async Task ListConfigMaps_ReturnsTheNamespacesObjectsWithListResourceVersion()
    {
        string ns = await _server.CreateNamespaceAsync();
        string other = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b"), ns);
        V1ConfigMap last = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("elsewhere"), other);

        V1ConfigMapList list = await Client.CoreV1.ListNamespacedConfigMapAsync(ns);

        Assert.That(list.Items.Select(c => c.Metadata.Name), Is.EqualTo(new[] { "a", "b" }), "sorted by name, as etcd keys are");
        Assert.That(long.Parse(list.Metadata.ResourceVersion), Is.GreaterThanOrEqualTo(long.Parse(last.Metadata.ResourceVersion)));
    }

    [Test]
    public async Task ReplaceConfigMap_ChangesDataAndResourceVersion()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1ConfigMap created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);
        created.Data["key"] = "changed";

        V1ConfigMap replaced = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "settings", ns);

        Assert.That(replaced.Data["key"], Is.EqualTo("changed"));
        Assert.That(long.Parse(replaced.Metadata.ResourceVersion), Is.GreaterThan(long.Parse(created.Metadata.ResourceVersion)));
        Assert.That(replaced.Metadata.Uid, Is.EqualTo(created.Metadata.Uid));
        Assert.That((await Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)).Data["key"], Is.EqualTo("changed"));
    }

    [Test]
    public async Task PatchConfigMap_MergePatchAddsAndRemovesKeys()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);
        var patch = new V1Patch("""{"metadata":{"labels":{"patched":"yes"}},"data":{"key":null,"added":"new"}}""", V1Patch.PatchType.MergePatch);

        V1ConfigMap patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "settings", ns);

        Assert.That(patched.Data, Is.EquivalentTo(new Dictionary<string, string> { ["added"] = "new" }));
        Assert.That(patched.Metadata.Labels["patched"], Is.EqualTo("yes"));
    }

    [Test]
    public async Task PatchConfigMap_JsonPatchReplacesAValue()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);
        var patch = new V1Patch("""[{"op":"test","path":"/data/key","value":"value"},{"op":"replace","path":"/data/key","value":"json-patched"}]""", V1Patch.PatchType.JsonPatch);

        V1ConfigMap patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "settings", ns);

        Assert.That(patched.Data["key"], Is.EqualTo("json-patched"));
    }

    [Test]
    public async Task DeleteConfigMap_ThenGetIsNotFound()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);

        V1Status status = await Client.CoreV1.DeleteNamespacedConfigMapAsync("settings", ns);

        Assert.That(status.Status, Is.EqualTo("Success"));
        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns));
        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        V1Status notFound = error.Status();
        Assert.That(notFound.Reason, Is.EqualTo("NotFound"));
        Assert.That(notFound.Message, Is.EqualTo("configmaps \"settings\" not found"));
        Assert.That(notFound.Details.Name, Is.EqualTo("settings"));
        Assert.That(notFound.Details.Kind, Is.EqualTo("configmaps"));
    }

    // ---- pods ----

    [Test]
    public async Task CreatePod_SetsPendingPhaseAndQosClass()
    {
        string ns = await _server.CreateNamespaceAsync();

        V1Pod created = await Client.CoreV1.CreateNamespacedPodAsync(Pod("app"), ns);

        Assert.That(created.Status.Phase, Is.EqualTo("Pending"));
        Assert.That(created.Status.QosClass, Is.EqualTo("BestEffort"));
        Assert.That(created.Spec.NodeName, Is.Null);
    }

    [Test]
    public async Task ReplacePod_ChangesLabels()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1Pod pod = await Client.CoreV1.CreateNamespacedPodAsync(Pod("app"), ns);
        pod.Metadata.Labels = new Dictionary<string, string> { ["release"] = "stable" };

        V1Pod replaced = await Client.CoreV1.ReplaceNamespacedPodAsync(pod, "app", ns);

        Assert.That(replaced.Metadata.Labels["release"], Is.EqualTo("stable"));
        Assert.That((await Client.CoreV1.ReadNamespacedPodAsync("app", ns)).Metadata.Labels["release"], Is.EqualTo("stable"));
    }

    [Test]
    public async Task PatchPod_StrategicMergeAddsAnnotation()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("app"), ns);
        var patch = new V1Patch("""{"metadata":{"annotations":{"example.com/note":"hello"}}}""", V1Patch.PatchType.StrategicMergePatch);

        V1Pod patched = await Client.CoreV1.PatchNamespacedPodAsync(patch, "app", ns);

        Assert.That(patched.Metadata.Annotations["example.com/note"], Is.EqualTo("hello"));
        Assert.That(patched.Spec.Containers.Single().Image, Is.EqualTo("nginx"));
    }

    [Test]
    public async Task DeleteUnscheduledPod_RemovesItAtOnce()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("app"), ns);

        V1Pod deleted = await Client.CoreV1.DeleteNamespacedPodAsync("app", ns);

        Assert.That(deleted.Metadata.Name, Is.EqualTo("app"));
        Assert.That((await Client.CoreV1.ListNamespacedPodAsync(ns)).Items, Is.Empty);
    }

    [Test]
    public async Task DeleteScheduledPod_MarksItForGracefulDeletion()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1Pod pod = Pod("app");
        pod.Spec.NodeName = "node-a";
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);

        V1Pod deleted = await Client.CoreV1.DeleteNamespacedPodAsync("app", ns, gracePeriodSeconds: 30);

        Assert.That(deleted.Metadata.DeletionTimestamp, Is.Not.Null);
        Assert.That(deleted.Metadata.DeletionGracePeriodSeconds, Is.EqualTo(30));
        V1Pod stillThere = await Client.CoreV1.ReadNamespacedPodAsync("app", ns);
        Assert.That(stillThere.Metadata.DeletionTimestamp, Is.Not.Null);

        // The node agent's confirmation: a delete with grace period 0 removes it.
        await Client.CoreV1.DeleteNamespacedPodAsync("app", ns, gracePeriodSeconds: 0);
        Assert.That((await Client.CoreV1.ListNamespacedPodAsync(ns)).Items, Is.Empty);
    }

    // ---- deployments (apps/v1) ----

    [Test]
    public async Task CreateDeployment_StartsAtGenerationOne()
    {
        string ns = await _server.CreateNamespaceAsync();

        V1Deployment created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 3), ns);

        Assert.That(created.ApiVersion, Is.EqualTo("apps/v1"));
        Assert.That(created.Kind, Is.EqualTo("Deployment"));
        Assert.That(created.Metadata.Generation, Is.EqualTo(1));
        Assert.That(created.Spec.Replicas, Is.EqualTo(3));
        V1DeploymentList list = await Client.AppsV1.ListNamespacedDeploymentAsync(ns);
        Assert.That(list.Items.Select(d => d.Metadata.Name), Is.EqualTo(new[] { "web" }));
    }

    [Test]
    public async Task ReplaceDeployment_GenerationBumpsOnSpecChangeOnly()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1Deployment deployment = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 1), ns);

        deployment.Metadata.Labels = new Dictionary<string, string> { ["team"] = "blue" };
        V1Deployment relabelled = await Client.AppsV1.ReplaceNamespacedDeploymentAsync(deployment, "web", ns);
        relabelled.Spec.Replicas = 4;
        V1Deployment rescaled = await Client.AppsV1.ReplaceNamespacedDeploymentAsync(relabelled, "web", ns);

        Assert.That(relabelled.Metadata.Generation, Is.EqualTo(1), "a metadata-only change keeps the generation");
        Assert.That(rescaled.Metadata.Generation, Is.EqualTo(2), "a spec change bumps it");
        Assert.That(rescaled.Spec.Replicas, Is.EqualTo(4));
    }

    [Test]
    public async Task PatchDeployment_JsonPatchChangesReplicasAndGeneration()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 1), ns);
        var patch = new V1Patch("""[{"op":"replace","path":"/spec/replicas","value":5}]""", V1Patch.PatchType.JsonPatch);

        V1Deployment patched = await Client.AppsV1.PatchNamespacedDeploymentAsync(patch, "web", ns);

        Assert.That(patched.Spec.Replicas, Is.EqualTo(5));
        Assert.That(patched.Metadata.Generation, Is.EqualTo(2));
    }

    [Test]
    public async Task DeleteDeployment_RemovesIt()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 1), ns);

        await Client.AppsV1.DeleteNamespacedDeploymentAsync("web", ns);

        Assert.That((await Client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items, Is.Empty);
    }

    [Test]
    public async Task ReplaceDeploymentStatus_ChangesStatusButNotSpec()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1Deployment deployment = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 2), ns);
        deployment.Spec.Replicas = 9;
        deployment.Status = new V1DeploymentStatus { Replicas = 2, ReadyReplicas = 1, ObservedGeneration = 1 };

        V1Deployment written = await Client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(deployment, "web", ns);

        Assert.That(written.Status.Replicas, Is.EqualTo(2));
        Assert.That(written.Status.ReadyReplicas, Is.EqualTo(1));
        Assert.That(written.Spec.Replicas, Is.EqualTo(2), "the status endpoint ignores spec");
        Assert.That(written.Metadata.Generation, Is.EqualTo(1), "a status write is not a spec change");
    }

    [Test]
    public async Task ReplaceDeployment_IgnoresStatus()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1Deployment deployment = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 2), ns);
        deployment.Status = new V1DeploymentStatus { Replicas = 2 };
        deployment = await Client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(deployment, "web", ns);
        deployment.Spec.Replicas = 3;
        deployment.Status.Replicas = 100;

        V1Deployment written = await Client.AppsV1.ReplaceNamespacedDeploymentAsync(deployment, "web", ns);

        Assert.That(written.Spec.Replicas, Is.EqualTo(3));
        Assert.That(written.Status.Replicas, Is.EqualTo(2), "the main endpoint ignores status");
    }

    [Test]
    public async Task DeploymentScale_GetAndPatchChangeReplicas()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 3), ns);

        V1Scale scale = await Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns);
        V1Scale patched = await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "web", ns);

        Assert.That(scale.Kind, Is.EqualTo("Scale"));
        Assert.That(scale.ApiVersion, Is.EqualTo("autoscaling/v1"));
        Assert.That(scale.Spec.Replicas, Is.EqualTo(3));
        Assert.That(scale.Status.Selector, Is.EqualTo("app=web"));
        Assert.That(patched.Spec.Replicas, Is.EqualTo(5));
        V1Deployment deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.That(deployment.Spec.Replicas, Is.EqualTo(5));
        Assert.That(deployment.Metadata.Generation, Is.EqualTo(2));
    }

    // ---- defaulting, as kube-apiserver's SetDefaults_* and registry strategies do it ----

    [Test]
    public async Task CreatePod_AppliesKubernetesDefaults()
    {
        string ns = await _server.CreateNamespaceAsync();

        V1Pod created = await Client.CoreV1.CreateNamespacedPodAsync(Pod("defaults"), ns);

        Assert.Multiple(() =>
        {
            Assert.That(created.Spec.RestartPolicy, Is.EqualTo("Always"));
            Assert.That(created.Spec.DnsPolicy, Is.EqualTo("ClusterFirst"));
            Assert.That(created.Spec.SchedulerName, Is.EqualTo("default-scheduler"));
            Assert.That(created.Spec.TerminationGracePeriodSeconds, Is.EqualTo(30));
            Assert.That(created.Spec.Containers[0].ImagePullPolicy, Is.EqualTo("Always"), "an untagged image defaults to Always");
            Assert.That(created.Spec.Containers[0].TerminationMessagePath, Is.EqualTo("/dev/termination-log"));
        });
    }

    [Test]
    public async Task CreateDeployment_AppliesKubernetesDefaults()
    {
        string ns = await _server.CreateNamespaceAsync();

        V1Deployment created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("defaults", replicas: 1), ns);

        Assert.Multiple(() =>
        {
            Assert.That(created.Spec.Strategy?.Type, Is.EqualTo("RollingUpdate"));
            Assert.That(created.Spec.Strategy?.RollingUpdate?.MaxSurge?.Value, Is.EqualTo("25%"));
            Assert.That(created.Spec.RevisionHistoryLimit, Is.EqualTo(10));
            Assert.That(created.Spec.ProgressDeadlineSeconds, Is.EqualTo(600));
        });
    }

    [Test]
    public async Task CreateService_DefaultsTypeAndProtocolAndAllocatesClusterIp()
    {
        string ns = await _server.CreateNamespaceAsync();
        var service = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec
            {
                Selector = new Dictionary<string, string> { ["app"] = "web" },
                Ports = [new V1ServicePort { Port = 80, TargetPort = 8080 }],
            },
        };

        V1Service created = await Client.CoreV1.CreateNamespacedServiceAsync(service, ns);

        Assert.Multiple(() =>
        {
            Assert.That(created.Spec.Type, Is.EqualTo("ClusterIP"));
            Assert.That(created.Spec.Ports[0].Protocol, Is.EqualTo("TCP"));
            Assert.That(created.Spec.SessionAffinity, Is.EqualTo("None"));
            Assert.That(IPAddress.TryParse(created.Spec.ClusterIP, out _), Is.True, $"clusterIP {created.Spec.ClusterIP}");
            Assert.That(created.Spec.ClusterIPs, Is.EqualTo(new[] { created.Spec.ClusterIP }));
        });
    }

    [Test]
    public async Task CreateSecretWithStringData_StoresItInData()
    {
        string ns = await _server.CreateNamespaceAsync();
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "creds" },
            StringData = new Dictionary<string, string> { ["password"] = "s3cret" },
        };

        V1Secret created = await Client.CoreV1.CreateNamespacedSecretAsync(secret, ns);

        // kube-apiserver merges stringData into data (write-only field) and defaults type to Opaque.
        Assert.That(created.Data?["password"], Is.EqualTo(Encoding.UTF8.GetBytes("s3cret")));
        Assert.That(created.StringData, Is.Null);
        Assert.That(created.Type, Is.EqualTo("Opaque"));
    }

    // ---- selectors and pagination ----

    [Test]
    public async Task ListWithLabelSelector_ReturnsOnlyMatches()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("front", new() { ["tier"] = "front" }), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("back", new() { ["tier"] = "back" }), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("none"), ns);

        V1ConfigMapList equality = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "tier=front");
        V1ConfigMapList exists = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "tier");
        V1ConfigMapList notExists = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "!tier");
        V1ConfigMapList notIn = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "tier notin (front)");

        Assert.That(Names(equality), Is.EqualTo(new[] { "front" }));
        Assert.That(Names(exists), Is.EqualTo(new[] { "back", "front" }));
        Assert.That(Names(notExists), Is.EqualTo(new[] { "none" }));
        Assert.That(Names(notIn), Is.EqualTo(new[] { "back", "none" }));
    }

    [Test]
    public async Task ListPodsWithFieldSelector_SelectsByNodeNameAndName()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1Pod bound = Pod("bound");
        bound.Spec.NodeName = "node-a";
        await Client.CoreV1.CreateNamespacedPodAsync(bound, ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("waiting-1"), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("waiting-2"), ns);

        V1PodList onNode = await Client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "spec.nodeName=node-a");
        V1PodList unscheduled = await Client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "spec.nodeName=");
        V1PodList byName = await Client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name=waiting-2");
        V1PodList notName = await Client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name!=waiting-2,spec.nodeName=");

        Assert.That(onNode.Items.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "bound" }));
        Assert.That(unscheduled.Items.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "waiting-1", "waiting-2" }));
        Assert.That(byName.Items.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "waiting-2" }));
        Assert.That(notName.Items.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "waiting-1" }));
    }

    [Test]
    public async Task ListPodsForAllNamespacesWithFieldSelector_FindsPodsOnANode()
    {
        string first = await _server.CreateNamespaceAsync();
        string second = await _server.CreateNamespaceAsync();
        string node = TestNamespaces.UniqueName("node");
        foreach (string ns in new[] { first, second })
        {
            V1Pod pod = Pod("on-node");
            pod.Spec.NodeName = node;
            await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
            await Client.CoreV1.CreateNamespacedPodAsync(Pod("elsewhere"), ns);
        }

        V1PodList pods = await Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={node}");

        Assert.That(pods.Items.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}"),
            Is.EquivalentTo(new[] { $"{first}/on-node", $"{second}/on-node" }));
    }

    [Test]
    public async Task ListWithLimit_PagesThroughEveryObjectOnce()
    {
        string ns = await _server.CreateNamespaceAsync();
        for (int i = 0; i < 5; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"page-{i}"), ns);
        }

        V1ConfigMapList first = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2);
        // Written after the first page: the pages are a snapshot, so it must not appear.
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("page-9"), ns);
        var names = new List<string>(Names(first));
        string? continueToken = first.Metadata.ContinueProperty;
        int pages = 1;
        while (!string.IsNullOrEmpty(continueToken))
        {
            V1ConfigMapList page = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, continueParameter: continueToken);
            Assert.That(page.Metadata.ResourceVersion, Is.EqualTo(first.Metadata.ResourceVersion), "every page is read at the first page's revision");
            names.AddRange(Names(page));
            continueToken = page.Metadata.ContinueProperty;
            pages++;
        }

        Assert.That(first.Items, Has.Count.EqualTo(2));
        Assert.That(first.Metadata.RemainingItemCount, Is.EqualTo(3));
        Assert.That(pages, Is.EqualTo(3));
        Assert.That(names, Is.EqualTo(new[] { "page-0", "page-1", "page-2", "page-3", "page-4" }));
    }

    // ---- watch ----

    [Test]
    public async Task WatchConfigMaps_ReceivesAddedModifiedDeletedInOrder()
    {
        string ns = await _server.CreateNamespaceAsync();
        var events = Channel.CreateUnbounded<(WatchEventType Type, V1ConfigMap Object)>();
        using var cancel = new CancellationTokenSource(EventDeadline);

        // List, then watch from the list's resourceVersion (the informer pattern): every change
        // after the list arrives, whenever the watch request reaches the server. The client reads
        // the first event line before it returns the response, so the call is not awaited here.
        V1ConfigMapList initial = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: cancel.Token);
        Task<HttpOperationResponse<V1ConfigMapList>> watchCall = Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(
            ns, watch: true, resourceVersion: initial.Metadata.ResourceVersion, cancellationToken: cancel.Token);

        V1ConfigMap created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("watched"), ns);
        created.Data["key"] = "changed";
        V1ConfigMap modified = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "watched", ns);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("watched", ns);

#pragma warning disable CS0618 // the list-with-watch=true form is obsolete in the client but still widely used
        using Watcher<V1ConfigMap> watcher = (await watchCall).Watch<V1ConfigMap, V1ConfigMapList>(
            (type, item) => events.Writer.TryWrite((type, item)),
            onError: e => events.Writer.TryComplete(e),
            onClosed: () => events.Writer.TryComplete());
#pragma warning restore CS0618

        var added = await events.Reader.ReadAsync(cancel.Token);
        var changed = await events.Reader.ReadAsync(cancel.Token);
        var deleted = await events.Reader.ReadAsync(cancel.Token);
        Assert.That(added.Type, Is.EqualTo(WatchEventType.Added));
        Assert.That(added.Object.Metadata.ResourceVersion, Is.EqualTo(created.Metadata.ResourceVersion));
        Assert.That(changed.Type, Is.EqualTo(WatchEventType.Modified));
        Assert.That(changed.Object.Data["key"], Is.EqualTo("changed"));
        Assert.That(changed.Object.Metadata.ResourceVersion, Is.EqualTo(modified.Metadata.ResourceVersion));
        Assert.That(deleted.Type, Is.EqualTo(WatchEventType.Deleted));
        Assert.That(deleted.Object.Metadata.Name, Is.EqualTo("watched"));
    }

    [Test]
    public async Task WatchFromResourceVersion_ReceivesOnlyLaterEvents()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1ConfigMap created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("resumed"), ns);
        created.Data["key"] = "after";
        V1ConfigMap modified = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "resumed", ns);

        using var cancel = new CancellationTokenSource(EventDeadline);
        var events = Client.CoreV1.WatchListNamespacedConfigMapAsync(
            ns, resourceVersion: created.Metadata.ResourceVersion, cancellationToken: cancel.Token);
        await using var reader = events.GetAsyncEnumerator(cancel.Token);

        Assert.That(await reader.MoveNextAsync(), Is.True);
        Assert.That(reader.Current.Item1, Is.EqualTo(WatchEventType.Modified), "the creation is at the requested version, so not replayed");
        Assert.That(reader.Current.Item2.Metadata.ResourceVersion, Is.EqualTo(modified.Metadata.ResourceVersion));
        Assert.That(reader.Current.Item2.Data["key"], Is.EqualTo("after"));
    }

    [Test]
    public async Task WatchReplayingManyEvents_DeliversEveryEventOncePerLineInOrder()
    {
        // Events replayed from a resourceVersion are queued at once and written together: every
        // one must still arrive as its own line, once, in revision order.
        string ns = await _server.CreateNamespaceAsync();
        var before = await Client.CoreV1.ListNamespacedConfigMapAsync(ns);
        const int Count = 150;
        for (var i = 0; i < Count; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"replayed-{i:D3}"), ns);
        }

        using var cancel = new CancellationTokenSource(EventDeadline);
        var events = Client.CoreV1.WatchListNamespacedConfigMapAsync(
            ns, resourceVersion: before.Metadata.ResourceVersion, cancellationToken: cancel.Token);
        var received = new List<(WatchEventType Type, string Name, long ResourceVersion)>();
        await foreach (var (type, item) in events.WithCancellation(cancel.Token))
        {
            received.Add((type, item.Metadata.Name, long.Parse(item.Metadata.ResourceVersion, CultureInfo.InvariantCulture)));
            if (received.Count(e => e.Name != "kube-root-ca.crt") == Count)
            {
                break;
            }
        }

        var replayed = received.Where(e => e.Name != "kube-root-ca.crt").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(replayed.Select(e => e.Name), Is.EqualTo(Enumerable.Range(0, Count).Select(i => $"replayed-{i:D3}")));
            Assert.That(replayed.Select(e => e.Type), Is.All.EqualTo(WatchEventType.Added));
            Assert.That(received.Select(e => e.ResourceVersion), Is.Ordered.Ascending);
            Assert.That(received.Select(e => e.ResourceVersion).Distinct().Count(), Is.EqualTo(received.Count));
        });
    }

    [Test]
    public async Task WatchWithLabelSelector_SendsDeletedWhenAnObjectStopsMatching()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1ConfigMap created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("selected", new() { ["watch"] = "me" }), ns);
        using var cancel = new CancellationTokenSource(EventDeadline);
        var events = Client.CoreV1.WatchListNamespacedConfigMapAsync(
            ns, labelSelector: "watch=me", resourceVersion: created.Metadata.ResourceVersion, cancellationToken: cancel.Token);
        await using var reader = events.GetAsyncEnumerator(cancel.Token);

        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"watch":null}}}""", V1Patch.PatchType.MergePatch), "selected", ns);

        Assert.That(await reader.MoveNextAsync(), Is.True);
        Assert.That(reader.Current.Item1, Is.EqualTo(WatchEventType.Deleted));
        Assert.That(reader.Current.Item2.Metadata.Name, Is.EqualTo("selected"));
    }

    // ---- errors ----

    [Test]
    public async Task ReplaceWithStaleResourceVersion_IsConflict()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1ConfigMap stale = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("contested"), ns);
        V1ConfigMap fresh = await Client.CoreV1.ReadNamespacedConfigMapAsync("contested", ns);
        fresh.Data["key"] = "first writer";
        await Client.CoreV1.ReplaceNamespacedConfigMapAsync(fresh, "contested", ns);
        stale.Data["key"] = "second writer";

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReplaceNamespacedConfigMapAsync(stale, "contested", ns));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        V1Status status = error.Status();
        Assert.That(status.Reason, Is.EqualTo("Conflict"));
        Assert.That(status.Code, Is.EqualTo(409));
        Assert.That(status.Message, Is.EqualTo("Operation cannot be fulfilled on configmaps \"contested\": the object has been modified; please apply your changes to the latest version and try again"));
        Assert.That((await Client.CoreV1.ReadNamespacedConfigMapAsync("contested", ns)).Data["key"], Is.EqualTo("first writer"));
    }

    [Test]
    public async Task CreateExisting_IsAlreadyExists()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("twice"), ns);

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("twice"), ns));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(error.Status().Reason, Is.EqualTo("AlreadyExists"));
        Assert.That(error.Status().Message, Is.EqualTo("configmaps \"twice\" already exists"));
    }

    [Test]
    public void CreateInMissingNamespace_IsNotFound()
    {
        string missing = TestNamespaces.UniqueName("missing");

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("orphan"), missing));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        V1Status status = error.Status();
        Assert.That(status.Reason, Is.EqualTo("NotFound"));
        Assert.That(status.Message, Is.EqualTo($"namespaces \"{missing}\" not found"));
    }

    [Test]
    public async Task CreateWithMalformedJson_IsBadRequestAndStoresNothing()
    {
        string ns = await _server.CreateNamespaceAsync();
        using var body = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"broken"},""", Encoding.UTF8);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using HttpResponseMessage response = await _server.HttpClient.PostAsync($"api/v1/namespaces/{ns}/configmaps", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var status = KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync());
        Assert.That(status.Kind, Is.EqualTo("Status"));
        Assert.That(status.Reason, Is.EqualTo("BadRequest"));
        Assert.That(status.Code, Is.EqualTo(400));
        Assert.That((await Client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items, Is.Empty);
    }

    [Test]
    public async Task CreateWithWrongKind_IsBadRequest()
    {
        string ns = await _server.CreateNamespaceAsync();
        using var body = new StringContent("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"confused"}}""", Encoding.UTF8);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using HttpResponseMessage response = await _server.HttpClient.PostAsync($"api/v1/namespaces/{ns}/configmaps", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync()).Reason, Is.EqualTo("BadRequest"));
        Assert.That((await Client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items, Is.Empty);
    }

    [Test]
    public async Task CreateWithNamespaceMismatch_IsBadRequest()
    {
        string ns = await _server.CreateNamespaceAsync();
        string other = await _server.CreateNamespaceAsync();
        V1ConfigMap body = ConfigMap("misplaced");
        body.Metadata.NamespaceProperty = other;

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(body, ns));

        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        V1Status status = error.Status();
        Assert.That(status.Reason, Is.EqualTo("BadRequest"));
        Assert.That(status.Message, Is.EqualTo("the namespace of the provided object does not match the namespace sent on the request"));
        Assert.That((await Client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items, Is.Empty);
        Assert.That((await Client.CoreV1.ListNamespacedConfigMapAsync(other)).Items, Is.Empty);
    }

    [Test]
    public async Task CreateWithInvalidName_IsInvalidWithFieldCause()
    {
        string ns = await _server.CreateNamespaceAsync();

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("Bad_Name"), ns));

        Assert.That((int)error!.Response.StatusCode, Is.EqualTo(422));
        V1Status status = error.Status();
        Assert.That(status.Reason, Is.EqualTo("Invalid"));
        Assert.That(status.Details.Kind, Is.EqualTo("ConfigMap"));
        V1StatusCause cause = status.Details.Causes.Single();
        Assert.That(cause.Field, Is.EqualTo("metadata.name"));
        Assert.That(cause.Reason, Is.EqualTo("FieldValueInvalid"));
        Assert.That(cause.Message, Does.StartWith("Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"));
        Assert.That((await Client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items, Is.Empty);
    }

    // ---- object semantics ----

    [Test]
    public async Task CreateWithDryRun_StoresNothing()
    {
        string ns = await _server.CreateNamespaceAsync();

        V1ConfigMap preview = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("imaginary"), ns, dryRun: "All");

        Assert.That(preview.Metadata.Name, Is.EqualTo("imaginary"));
        Assert.That((await Client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items, Is.Empty);
    }

    [Test]
    public async Task ReplaceAndDeleteWithDryRun_ChangeNothing()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1ConfigMap created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("real"), ns);
        created.Data["key"] = "imagined";

        V1ConfigMap replaced = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "real", ns, dryRun: "All");
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("real", ns, dryRun: "All");

        Assert.That(replaced.Data["key"], Is.EqualTo("imagined"));
        V1ConfigMap stored = await Client.CoreV1.ReadNamespacedConfigMapAsync("real", ns);
        Assert.That(stored.Data["key"], Is.EqualTo("value"));
        Assert.That(stored.Metadata.ResourceVersion, Is.EqualTo(created.Metadata.ResourceVersion));
    }

    [Test]
    public async Task CreateWithGenerateName_GetsAUniqueNameWithThePrefix()
    {
        string ns = await _server.CreateNamespaceAsync();
        var template = new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "job-" } };

        V1ConfigMap first = await Client.CoreV1.CreateNamespacedConfigMapAsync(template, ns);
        V1ConfigMap second = await Client.CoreV1.CreateNamespacedConfigMapAsync(template, ns);

        Assert.That(first.Metadata.Name, Does.Match("^job-[a-z0-9]{5}$"));
        Assert.That(second.Metadata.Name, Does.Match("^job-[a-z0-9]{5}$"));
        Assert.That(second.Metadata.Name, Is.Not.EqualTo(first.Metadata.Name));
        Assert.That(first.Metadata.GenerateName, Is.EqualTo("job-"));
        Assert.That(Names(await Client.CoreV1.ListNamespacedConfigMapAsync(ns)), Is.EquivalentTo(new[] { first.Metadata.Name, second.Metadata.Name }));
    }

    [Test]
    public async Task DeleteWithFinalizer_MarksUntilTheFinalizerIsRemoved()
    {
        string ns = await _server.CreateNamespaceAsync();
        V1ConfigMap held = ConfigMap("held");
        held.Metadata.Finalizers = ["example.com/hold"];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(held, ns);

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("held", ns);
        V1ConfigMap marked = await Client.CoreV1.ReadNamespacedConfigMapAsync("held", ns);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "held", ns);

        Assert.That(marked.Metadata.DeletionTimestamp, Is.Not.Null);
        Assert.That(marked.Metadata.Finalizers, Is.EqualTo(new[] { "example.com/hold" }));
        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("held", ns));
        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task DeleteCollectionWithLabelSelector_DeletesOnlyMatches()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("temp-1", new() { ["temp"] = "true" }), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("temp-2", new() { ["temp"] = "true" }), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("keep"), ns);

        await Client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(ns, labelSelector: "temp=true");

        Assert.That(Names(await Client.CoreV1.ListNamespacedConfigMapAsync(ns)), Is.EqualTo(new[] { "keep" }));
    }

    [Test]
    public async Task BindPod_SetsNodeNameAndASecondBindingConflicts()
    {
        string ns = await _server.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("to-bind"), ns);
        V1Binding Binding(string node) => new()
        {
            Metadata = new V1ObjectMeta { Name = "to-bind" },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = node },
        };

        await Client.CoreV1.CreateNamespacedPodBindingAsync(Binding("node-a"), "to-bind", ns);
        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedPodBindingAsync(Binding("node-b"), "to-bind", ns));

        V1Pod pod = await Client.CoreV1.ReadNamespacedPodAsync("to-bind", ns);
        Assert.That(pod.Spec.NodeName, Is.EqualTo("node-a"));
        Assert.That(pod.Status.Conditions?.SingleOrDefault(c => c.Type == "PodScheduled")?.Status, Is.EqualTo("True"));
        Assert.That(error!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(error.Status().Reason, Is.EqualTo("Conflict"));
    }

    private static V1ConfigMap ConfigMap(string name, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Data = new Dictionary<string, string> { ["key"] = "value" },
    };

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx" }] },
    };

    private static V1Deployment Deployment(string name, int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx" }] },
            },
        },
    };

    private static string[] Names(V1ConfigMapList list) => list.Items.Select(c => c.Metadata.Name).ToArray();
}
