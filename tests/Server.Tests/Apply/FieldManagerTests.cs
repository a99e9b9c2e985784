using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Apply;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Tests.Apply;

public sealed class FieldManagerTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly ResourceDefinition Deployments = Resolve("apps", "deployments");

    private static ResourceDefinition Resolve(string group, string plural)
    {
        BuiltInResources.CreateRegistry().TryGet(group, "v1", plural, out var resource);
        return resource!;
    }

    private static JsonObject Config(string replicas = "2", string image = "nginx:1.27", string labels = "\"app\":\"web\"", string extraContainer = "")
    {
        var replicasMember = replicas.Length > 0 ? "\"replicas\":" + replicas + "," : "";
        return (JsonObject)JsonNode.Parse(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"labels\":{" + labels + "}},"
            + "\"spec\":{" + replicasMember + "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
            + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"" + image + "\"}" + extraContainer + "]}}}}")!;
    }

    private static JsonArray Entries(JsonObject obj) => (JsonArray)KubeJson.Materialize(obj["metadata"]!["managedFields"])!;

    private static JsonObject Entry(JsonObject obj, string manager) =>
        Entries(obj).OfType<JsonObject>().Single(e => e["manager"]?.GetValue<string>() == manager);

    private static JsonObject Created(string manager, JsonObject? obj = null)
    {
        obj ??= Config();
        FieldManager.Update(Deployments, "", null, obj, manager, Now);
        return obj;
    }

    [Test]
    public void Update_Create_RecordsWhatTheClientSetWithoutSystemFields()
    {
        var obj = Config();
        ((JsonObject)obj["spec"]!)["strategy"] = new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["maxSurge"] = "25%" } };

        Created("kubectl-create", obj);

        var entry = Entry(obj, "kubectl-create");
        Assert.Multiple(() =>
        {
            Assert.That(string.Join(",", entry.Select(p => p.Key)), Is.EqualTo("manager,operation,apiVersion,time,fieldsType,fieldsV1"));
            Assert.That(entry["operation"]!.GetValue<string>(), Is.EqualTo("Update"));
            Assert.That(entry["apiVersion"]!.GetValue<string>(), Is.EqualTo("apps/v1"));
            Assert.That(entry["time"]!.GetValue<string>(), Is.EqualTo("2025-01-02T03:04:05Z"));
            Assert.That(entry["fieldsV1"]!.ToJsonString(Relaxed), Is.EqualTo(
                """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}}"""));
        });
    }

    private static readonly ResourceDefinition Pods = Resolve("", "pods");

    // A pod as clients send it: labels, annotations, two containers with keyed ports (two key
    // fields), env with nested values, probes, volume mounts, and a status the create does not own.
    private const string PodJson = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"default","labels":{"app":"web","tier":"frontend"},"annotations":{"example.com/a":"1"}},
        "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"nginx","args":["--x"],"ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"containerPort":9090}],
        "env":[{"name":"A","value":"1"},{"name":"B","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],"resources":{"requests":{"cpu":"100m"}},
        "readinessProbe":{"httpGet":{"path":"/ready","port":"http"},"periodSeconds":5},"volumeMounts":[{"name":"config","mountPath":"/etc/app"}]},
        {"name":"sidecar","image":"busybox"}],"tolerations":[{"key":"k","operator":"Exists"}],"volumes":[{"name":"config","configMap":{"name":"c"}},{"name":"tmp","emptyDir":{}}]},
        "status":{"phase":"Pending"}}
        """;

    [Test]
    public void Update_PodCreate_OwnsEverythingSentButStatus()
    {
        var pod = (JsonObject)JsonNode.Parse(PodJson)!;

        FieldManager.Update(Pods, "", null, pod, "kubectl-create", Now);

        Assert.That(Entries(pod).ToJsonString(Relaxed), Is.EqualTo(
            """
            [{"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":"2025-01-02T03:04:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:example.com/a":{}},"f:labels":{".":{},"f:app":{},"f:tier":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:args":{},"f:env":{".":{},"k:{\"name\":\"A\"}":{".":{},"f:name":{},"f:value":{}},"k:{\"name\":\"B\"}":{".":{},"f:name":{},"f:valueFrom":{".":{},"f:fieldRef":{}}}},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:name":{},"f:protocol":{}},"k:{\"containerPort\":9090,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}},"f:readinessProbe":{".":{},"f:httpGet":{".":{},"f:path":{},"f:port":{}},"f:periodSeconds":{}},"f:resources":{".":{},"f:requests":{".":{},"f:cpu":{}}},"f:volumeMounts":{".":{},"k:{\"mountPath\":\"/etc/app\"}":{".":{},"f:mountPath":{},"f:name":{}}}},"k:{\"name\":\"sidecar\"}":{".":{},"f:image":{},"f:name":{}}},"f:nodeName":{},"f:tolerations":{},"f:volumes":{".":{},"k:{\"name\":\"config\"}":{".":{},"f:configMap":{".":{},"f:name":{}},"f:name":{}},"k:{\"name\":\"tmp\"}":{".":{},"f:emptyDir":{},"f:name":{}}}}}}]
            """));
    }

    [Test]
    public void Update_PodStatus_OwnsTheStatusFieldsThatChanged()
    {
        var live = (JsonObject)JsonNode.Parse(PodJson)!;
        FieldManager.Update(Pods, "", null, live, "kubectl-create", Now);
        var next = (JsonObject)live.DeepClone();
        next["status"] = JsonNode.Parse("""{"phase":"Running","podIP":"10.0.0.1","podIPs":[{"ip":"10.0.0.1"}],"conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"app","ready":true}]}""");
        ((JsonObject)next["metadata"]!["labels"]!)["changed"] = "by-status";

        FieldManager.Update(Pods, "status", live, next, "kubelet", Now.AddMinutes(1));

        Assert.That(Entries(next).ToJsonString(Relaxed), Is.EqualTo(
            """
            [{"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":"2025-01-02T03:04:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:example.com/a":{}},"f:labels":{".":{},"f:app":{},"f:tier":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:args":{},"f:env":{".":{},"k:{\"name\":\"A\"}":{".":{},"f:name":{},"f:value":{}},"k:{\"name\":\"B\"}":{".":{},"f:name":{},"f:valueFrom":{".":{},"f:fieldRef":{}}}},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:name":{},"f:protocol":{}},"k:{\"containerPort\":9090,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}},"f:readinessProbe":{".":{},"f:httpGet":{".":{},"f:path":{},"f:port":{}},"f:periodSeconds":{}},"f:resources":{".":{},"f:requests":{".":{},"f:cpu":{}}},"f:volumeMounts":{".":{},"k:{\"mountPath\":\"/etc/app\"}":{".":{},"f:mountPath":{},"f:name":{}}}},"k:{\"name\":\"sidecar\"}":{".":{},"f:image":{},"f:name":{}}},"f:nodeName":{},"f:tolerations":{},"f:volumes":{".":{},"k:{\"name\":\"config\"}":{".":{},"f:configMap":{".":{},"f:name":{}},"f:name":{}},"k:{\"name\":\"tmp\"}":{".":{},"f:emptyDir":{},"f:name":{}}}}}},{"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"2025-01-02T03:05:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:changed":{}}},"f:status":{"f:conditions":{".":{},"k:{\"type\":\"Ready\"}":{".":{},"f:status":{},"f:type":{}}},"f:containerStatuses":{},"f:phase":{},"f:podIP":{},"f:podIPs":{".":{},"k:{\"ip\":\"10.0.0.1\"}":{".":{},"f:ip":{}}}}},"subresource":"status"}]
            """));
    }

    [Test]
    public void Apply_Create_RecordsTheAppliedFieldsAsAnApplyEntry()
    {
        var obj = FieldManager.Apply(Deployments, "", null, Config(), "kubectl", force: false, Now);

        var entry = Entry(obj, "kubectl");
        Assert.Multiple(() =>
        {
            Assert.That(entry["operation"]!.GetValue<string>(), Is.EqualTo("Apply"));
            Assert.That(entry["fieldsV1"]!.ToJsonString(Relaxed), Is.EqualTo(
                """{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}}"""));
            Assert.That(obj["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(2));
        });
    }

    [Test]
    public void Apply_FieldDroppedFromConfiguration_IsRemovedFromTheObject()
    {
        var live = FieldManager.Apply(Deployments, "", null, Config(labels: "\"app\":\"web\",\"tier\":\"front\""), "kubectl", false, Now);

        var next = FieldManager.Apply(Deployments, "", live, Config(replicas: "", labels: "\"app\":\"web\""), "kubectl", false, Now);

        Assert.Multiple(() =>
        {
            Assert.That(next["metadata"]!["labels"]!.ToJsonString(Relaxed), Is.EqualTo("""{"app":"web"}"""));
            Assert.That(((JsonObject)next["spec"]!).ContainsKey("replicas"), Is.False);
            Assert.That(Entry(next, "kubectl")["fieldsV1"]!["f:spec"]!.AsObject().ContainsKey("f:replicas"), Is.False);
        });
    }

    [Test]
    public void Apply_FieldDroppedButAppliedByAnotherManager_IsKept()
    {
        var live = FieldManager.Apply(Deployments, "", null, Config(labels: "\"app\":\"web\",\"tier\":\"front\""), "kubectl", false, Now);
        live = FieldManager.Apply(Deployments, "", live, Config(labels: "\"tier\":\"front\""), "other", false, Now);

        var next = FieldManager.Apply(Deployments, "", live, Config(labels: "\"app\":\"web\""), "kubectl", false, Now);

        Assert.That(next["metadata"]!["labels"]!.ToJsonString(Relaxed), Is.EqualTo("""{"app":"web","tier":"front"}"""));
    }

    [Test]
    public void Apply_ContainerDroppedFromConfiguration_GoesWithItsDefaults()
    {
        var live = FieldManager.Apply(Deployments, "", null, Config(extraContainer: """,{"name":"sidecar","image":"busybox"}"""), "kubectl", false, Now);
        ((JsonObject)live["spec"]!["template"]!["spec"]!["containers"]![1]!)["imagePullPolicy"] = "Always";

        var next = FieldManager.Apply(Deployments, "", live, Config(), "kubectl", false, Now);

        var containers = (JsonArray)next["spec"]!["template"]!["spec"]!["containers"]!;
        Assert.That(containers.Select(c => c!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "nginx" }));
    }

    [Test]
    public void Apply_ChangesFieldOwnedByUpdater_FailsWithKubesConflict()
    {
        var live = Created("kubectl-client-side-apply");

        var error = Assert.Throws<ApiException>(() => FieldManager.Apply(Deployments, "", live, Config(replicas: "3"), "kubectl", false, Now))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Code, Is.EqualTo(409));
            Assert.That(error.Reason, Is.EqualTo("Conflict"));
            Assert.That(error.Message, Is.EqualTo("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas"));
            Assert.That(error.Causes, Is.EqualTo(new[] { new StatusCause("FieldManagerConflict", "conflict with \"kubectl-client-side-apply\" using apps/v1", ".spec.replicas") }));
        });
    }

    [Test]
    public void Apply_SeveralConflicts_ListsThemPerManager()
    {
        var live = Created("kubectl-create");

        var error = Assert.Throws<ApiException>(() => FieldManager.Apply(Deployments, "", live, Config(replicas: "3", image: "nginx:1.28"), "kubectl", false, Now))!;

        Assert.That(error.Message, Is.EqualTo(
            "Apply failed with 2 conflicts: conflicts with \"kubectl-create\" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name=\"nginx\"].image"));
    }

    [Test]
    public void Apply_SameValueAsAnotherManager_SharesOwnership()
    {
        var live = Created("kubectl-create");

        var next = FieldManager.Apply(Deployments, "", live, Config(), "kubectl", false, Now);

        Assert.Multiple(() =>
        {
            Assert.That(Entry(next, "kubectl-create")["fieldsV1"]!["f:spec"]!["f:replicas"], Is.Not.Null);
            Assert.That(Entry(next, "kubectl")["fieldsV1"]!["f:spec"]!["f:replicas"], Is.Not.Null);
            Assert.That(Entries(next).Select(e => e!["operation"]!.GetValue<string>()), Is.EqualTo(new[] { "Apply", "Update" }));
        });
    }

    [Test]
    public void Apply_Forced_TakesOwnershipFromTheOtherManager()
    {
        var live = Created("kubectl-create");

        var next = FieldManager.Apply(Deployments, "", live, Config(replicas: "3"), "kubectl", force: true, Now);

        Assert.Multiple(() =>
        {
            Assert.That(next["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(Entry(next, "kubectl-create")["fieldsV1"]!["f:spec"]!["f:replicas"], Is.Null);
            Assert.That(Entry(next, "kubectl")["fieldsV1"]!["f:spec"]!["f:replicas"], Is.Not.Null);
        });
    }

    [Test]
    public void Update_ChangesAppliedField_TakesItFromTheApplier()
    {
        var live = FieldManager.Apply(Deployments, "", null, Config(), "kubectl", false, Now);
        var edited = (JsonObject)live.DeepClone();
        edited["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:1.28";

        FieldManager.Update(Deployments, "", live, edited, "kubectl-edit", Now);

        Assert.Multiple(() =>
        {
            Assert.That(Entry(edited, "kubectl-edit")["fieldsV1"]!.ToJsonString(Relaxed), Is.EqualTo(
                """{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{"f:image":{}}}}}}}"""));
            Assert.That(Entry(edited, "kubectl")["fieldsV1"]!["f:spec"]!["f:template"]!["f:spec"]!["f:containers"]!["k:{\"name\":\"nginx\"}"]!["f:image"], Is.Null);
        });
    }

    [Test]
    public void Update_NothingChanged_LeavesManagedFieldsAlone()
    {
        var live = Created("kubectl-create");
        var before = Entries(live).ToJsonString(Relaxed);
        var next = (JsonObject)live.DeepClone();

        FieldManager.Update(Deployments, "", live, next, "someone", Now.AddHours(1));

        Assert.That(Entries(next).ToJsonString(Relaxed), Is.EqualTo(before));
    }

    [Test]
    public void Apply_AfterScale_ConflictsWithTheScaleSubresourceManager()
    {
        var live = FieldManager.Apply(Deployments, "", null, Config(), "kubectl", false, Now);
        live["spec"]!["replicas"] = 5;
        FieldManager.UpdateScale(Deployments, live, "kubectl-scale");

        var scale = Entry(live, "kubectl-scale");
        var error = Assert.Throws<ApiException>(() => FieldManager.Apply(Deployments, "", live, Config(), "kubectl", false, Now))!;

        Assert.Multiple(() =>
        {
            Assert.That(scale.ToJsonString(Relaxed), Is.EqualTo(
                """{"manager":"kubectl-scale","operation":"Update","apiVersion":"apps/v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}},"subresource":"scale"}"""));
            Assert.That(Entry(live, "kubectl")["fieldsV1"]!["f:spec"]!["f:replicas"], Is.Null);
            Assert.That(error.Message, Is.EqualTo("Apply failed with 1 conflict: conflict with \"kubectl-scale\" with subresource \"scale\" using apps/v1: .spec.replicas"));
        });
    }

    [Test]
    public void Apply_KubectlAfterClientSideApply_TakesTheFieldsOfTheLastAppliedConfiguration()
    {
        var live = Config();
        var annotation = Config().ToJsonString();
        ((JsonObject)live["metadata"]!)["annotations"] = new JsonObject { ["kubectl.kubernetes.io/last-applied-configuration"] = annotation };
        Created("kubectl-client-side-apply", live);

        var upgraded = FieldManager.Apply(Deployments, "", live, Config(replicas: "3"), "kubectl", false, Now);
        var other = Assert.Throws<ApiException>(() => FieldManager.Apply(Deployments, "", live, Config(replicas: "3"), "someone-else", false, Now))!;

        Assert.Multiple(() =>
        {
            Assert.That(upgraded["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(upgraded["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]!.GetValue<string>(), Does.Contain("\"replicas\":3"));
            Assert.That(other.Message, Does.StartWith("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\""));
        });
    }

    [Test]
    public void Apply_WrongKind_IsABadRequest()
    {
        var config = Config();
        config["kind"] = "ReplicaSet";

        var error = Assert.Throws<ApiException>(() => FieldManager.Apply(Deployments, "", null, config, "kubectl", false, Now))!;

        Assert.That(error.Message, Is.EqualTo("invalid object type: apps/v1, Kind=ReplicaSet"));
    }

    [Test]
    public void Apply_UndeclaredField_IsRefusedAsKubeRefusesIt()
    {
        var config = Config();
        ((JsonObject)config["spec"]!)["replicaz"] = 1;

        var error = Assert.Throws<ApiException>(() => FieldManager.Apply(Deployments, "", null, config, "kubectl", false, Now))!;

        Assert.That(error.Message, Is.EqualTo("failed to create typed patch object (apps/v1, Kind=Deployment): .spec.replicaz: field not declared in schema"));
    }

    [TestCase("kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9", "kubectl")]
    [TestCase("kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/70d3cc9/system:serviceaccount:kube-system:deployment-controller", "kube-controller-manager")]
    [TestCase("", "")]
    public void ManagerFromUserAgent_KubeClients_IsTheProductName(string userAgent, string manager) =>
        Assert.That(FieldManager.ManagerFromUserAgent(userAgent), Is.EqualTo(manager));

    [Test]
    public void ApplyPatch_Yaml_ResolvesScalarsAsSigsYamlDoes()
    {
        var obj = ApplyPatch.Parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"1\"\nspec:\n  n: 3\n  b: true\n  f: 1.5\n  s: hello\n  z: ~\n"u8);

        Assert.That(obj.ToJsonString(Relaxed), Is.EqualTo("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":"1"},"spec":{"n":3,"b":true,"f":1.5,"s":"hello","z":null}}"""));
    }
}
