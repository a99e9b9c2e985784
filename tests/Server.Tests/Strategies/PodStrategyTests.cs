using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Strategies;

namespace Nautilus.Server.Tests.Strategies;

/// <summary>
/// Pod defaulting and admission as kube-apiserver 1.32 stores a pod on create: the expected
/// objects are what <c>kubectl get pod -o yaml</c> shows on a real cluster right after
/// <c>kubectl create</c>, less what Nautilus leaves out (the projected service account token).
/// </summary>
public sealed class PodStrategyTests
{
    private static readonly PodStrategy Strategy = new();

    private const string Tolerations = """
        [
          {"effect":"NoExecute","key":"node.kubernetes.io/not-ready","operator":"Exists","tolerationSeconds":300},
          {"effect":"NoExecute","key":"node.kubernetes.io/unreachable","operator":"Exists","tolerationSeconds":300}
        ]
        """;

    private static IEnumerable<TestCaseData> Cases() => new DefaultingCase[]
    {
        new("MinimalPod_GetsEveryKubeDefault",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx","namespace":"default"},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}""",
            """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx","namespace":"default"},
             "spec":{
               "containers":[{"name":"nginx","image":"nginx","imagePullPolicy":"Always","resources":{},
                              "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
               "dnsPolicy":"ClusterFirst","enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority","priority":0,
               "restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},
               "serviceAccount":"default","serviceAccountName":"default","terminationGracePeriodSeconds":30,
               "tolerations":%Tolerations%},
             "status":{"phase":"Pending","qosClass":"BestEffort"}}
            """),
        // Init containers without limits make the pod Burstable, as kube's GetPodQOS counts every container.
        new("ContainersWithProbesPortsEnvAndLimits_GetNestedDefaultsAndRequestsFromLimits",
            """
            {"metadata":{"name":"web"},"spec":{
              "initContainers":[{"name":"init","image":"busybox:latest"},
                                {"name":"pinned","image":"registry.k8s.io/pause@sha256:3ec98b8452dc8ae265a6917dfb81587ac78849e520d5dbba6de524851d20eca6"}],
              "containers":[{"name":"web","image":"nginx:1.27",
                "ports":[{"containerPort":80},{"containerPort":53,"protocol":"UDP"}],
                "env":[{"name":"NODE","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}},{"name":"PLAIN","value":"x"}],
                "resources":{"limits":{"cpu":0.5,"memory":"1024Mi"}},
                "livenessProbe":{"httpGet":{"port":80}},
                "readinessProbe":{"grpc":{"port":9000},"periodSeconds":5},
                "startupProbe":{"exec":{"command":["true"]}},
                "lifecycle":{"preStop":{"httpGet":{"port":8080,"path":"/quit"}}}}]}}
            """,
            """
            {"metadata":{"name":"web"},"spec":{
              "initContainers":[
                {"name":"init","image":"busybox:latest","imagePullPolicy":"Always","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"},
                {"name":"pinned","image":"registry.k8s.io/pause@sha256:3ec98b8452dc8ae265a6917dfb81587ac78849e520d5dbba6de524851d20eca6","imagePullPolicy":"IfNotPresent","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
              "containers":[{"name":"web","image":"nginx:1.27","imagePullPolicy":"IfNotPresent",
                "ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":53,"protocol":"UDP"}],
                "env":[{"name":"NODE","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"spec.nodeName"}}},{"name":"PLAIN","value":"x"}],
                "resources":{"limits":{"cpu":"500m","memory":"1Gi"},"requests":{"cpu":"500m","memory":"1Gi"}},
                "livenessProbe":{"httpGet":{"path":"/","port":80,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
                "readinessProbe":{"grpc":{"port":9000,"service":""},"timeoutSeconds":1,"periodSeconds":5,"successThreshold":1,"failureThreshold":3},
                "startupProbe":{"exec":{"command":["true"]},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
                "lifecycle":{"preStop":{"httpGet":{"path":"/quit","port":8080,"scheme":"HTTP"}}},
                "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
              "dnsPolicy":"ClusterFirst","enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority","priority":0,
              "restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},
              "serviceAccount":"default","serviceAccountName":"default","terminationGracePeriodSeconds":30,
              "tolerations":%Tolerations%},
             "status":{"phase":"Pending","qosClass":"Burstable"}}
            """),
        new("Volumes_GetSourceDefaultsAndModes",
            """
            {"metadata":{"name":"vols"},"spec":{"containers":[{"name":"c","image":"app:v1"}],"volumes":[
              {"name":"scratch"},
              {"name":"sized","emptyDir":{"sizeLimit":"1024Mi"}},
              {"name":"cfg","configMap":{"name":"c"}},
              {"name":"creds","secret":{"secretName":"s","defaultMode":256}},
              {"name":"logs","hostPath":{"path":"/var/log"}},
              {"name":"info","downwardAPI":{"items":[{"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}}]}},
              {"name":"token","projected":{"sources":[{"serviceAccountToken":{"path":"token"}},{"configMap":{"name":"ca"}}]}},
              {"name":"claim","ephemeral":{"volumeClaimTemplate":{"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1.5Gi"}}}}}}]}}
            """,
            """
            {"metadata":{"name":"vols"},"spec":{
              "containers":[{"name":"c","image":"app:v1","imagePullPolicy":"IfNotPresent","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
              "volumes":[
                {"name":"scratch","emptyDir":{}},
                {"name":"sized","emptyDir":{"sizeLimit":"1Gi"}},
                {"name":"cfg","configMap":{"name":"c","defaultMode":420}},
                {"name":"creds","secret":{"secretName":"s","defaultMode":256}},
                {"name":"logs","hostPath":{"path":"/var/log","type":""}},
                {"name":"info","downwardAPI":{"defaultMode":420,"items":[{"path":"labels","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.labels"}}]}},
                {"name":"token","projected":{"defaultMode":420,"sources":[{"serviceAccountToken":{"expirationSeconds":3600,"path":"token"}},{"configMap":{"name":"ca"}}]}},
                {"name":"claim","ephemeral":{"volumeClaimTemplate":{"metadata":{"creationTimestamp":null},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1536Mi"}},"volumeMode":"Filesystem"}}}}],
              "dnsPolicy":"ClusterFirst","enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority","priority":0,
              "restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},
              "serviceAccount":"default","serviceAccountName":"default","terminationGracePeriodSeconds":30,
              "tolerations":%Tolerations%},
             "status":{"phase":"Pending","qosClass":"BestEffort"}}
            """),
        new("SetValues_AreKept",
            """
            {"metadata":{"name":"custom"},"spec":{
              "containers":[{"name":"c","image":"app","imagePullPolicy":"Never","terminationMessagePath":"/var/run/app/termination-log","terminationMessagePolicy":"FallbackToLogsOnError",
                             "resources":{"requests":{"cpu":"100m"}},"readinessProbe":{"tcpSocket":{"port":1},"timeoutSeconds":5,"periodSeconds":2,"successThreshold":2,"failureThreshold":9}}],
              "dnsPolicy":"Default","enableServiceLinks":false,"restartPolicy":"Never","schedulerName":"custom","securityContext":{"runAsUser":1000},
              "serviceAccountName":"builder","terminationGracePeriodSeconds":0,"priorityClassName":"system-node-critical",
              "tolerations":[{"operator":"Exists"}]}}
            """,
            """
            {"metadata":{"name":"custom"},"spec":{
              "containers":[{"name":"c","image":"app","imagePullPolicy":"Never","terminationMessagePath":"/var/run/app/termination-log","terminationMessagePolicy":"FallbackToLogsOnError",
                             "resources":{"requests":{"cpu":"100m"}},"readinessProbe":{"tcpSocket":{"port":1},"timeoutSeconds":5,"periodSeconds":2,"successThreshold":2,"failureThreshold":9}}],
              "dnsPolicy":"Default","enableServiceLinks":false,"restartPolicy":"Never","schedulerName":"custom","securityContext":{"runAsUser":1000},
              "serviceAccount":"builder","serviceAccountName":"builder","terminationGracePeriodSeconds":0,
              "priorityClassName":"system-node-critical","priority":2000001000,"preemptionPolicy":"PreemptLowerPriority",
              "tolerations":[{"operator":"Exists"}]},
             "status":{"phase":"Pending","qosClass":"Burstable"}}
            """),
        new("DeprecatedServiceAccountAndOneOwnToleration_FillTheOtherFields",
            """
            {"metadata":{"name":"old-client"},"spec":{"serviceAccount":"legacy","containers":[{"name":"c","image":"app:1"}],
              "tolerations":[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":60}]}}
            """,
            """
            {"metadata":{"name":"old-client"},"spec":{
              "containers":[{"name":"c","image":"app:1","imagePullPolicy":"IfNotPresent","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
              "dnsPolicy":"ClusterFirst","enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority","priority":0,
              "restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},
              "serviceAccount":"legacy","serviceAccountName":"legacy","terminationGracePeriodSeconds":30,
              "tolerations":[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":60},
                             {"effect":"NoExecute","key":"node.kubernetes.io/not-ready","operator":"Exists","tolerationSeconds":300}]},
             "status":{"phase":"Pending","qosClass":"BestEffort"}}
            """),
        new("HostNetworkAndSchedulingGates_HostPortsAndGatedCondition",
            """
            {"metadata":{"name":"gated"},"spec":{"hostNetwork":true,"schedulingGates":[{"name":"wait"}],
              "containers":[{"name":"c","image":"app:1","ports":[{"containerPort":9100},{"containerPort":9200,"hostPort":9201}]}]}}
            """,
            """
            {"metadata":{"name":"gated"},"spec":{"hostNetwork":true,"schedulingGates":[{"name":"wait"}],
              "containers":[{"name":"c","image":"app:1","imagePullPolicy":"IfNotPresent",
                "ports":[{"containerPort":9100,"hostPort":9100,"protocol":"TCP"},{"containerPort":9200,"hostPort":9201,"protocol":"TCP"}],
                "resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
              "dnsPolicy":"ClusterFirst","enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority","priority":0,
              "restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},
              "serviceAccount":"default","serviceAccountName":"default","terminationGracePeriodSeconds":30,
              "tolerations":%Tolerations%},
             "status":{"phase":"Pending","qosClass":"BestEffort","conditions":[{"type":"PodScheduled","status":"False","lastProbeTime":null,"lastTransitionTime":null,
               "reason":"SchedulingGated","message":"Scheduling is blocked due to non-empty scheduling gates"}]}}
            """),
        new("MirrorPod_KeepsItsEmptyServiceAccount",
            """{"metadata":{"name":"static-web-node1","annotations":{"kubernetes.io/config.mirror":"abc"}},"spec":{"nodeName":"node1","containers":[{"name":"c","image":"app:1"}],"tolerations":[{"operator":"Exists","effect":"NoExecute"}]}}""",
            """
            {"metadata":{"name":"static-web-node1","annotations":{"kubernetes.io/config.mirror":"abc"}},"spec":{"nodeName":"node1",
              "containers":[{"name":"c","image":"app:1","imagePullPolicy":"IfNotPresent","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
              "dnsPolicy":"ClusterFirst","enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority","priority":0,
              "restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"terminationGracePeriodSeconds":30,
              "tolerations":[{"operator":"Exists","effect":"NoExecute"}]},
             "status":{"phase":"Pending","qosClass":"BestEffort"}}
            """),
    }.Select(c => (c with { Input = c.Input.Replace("%Tolerations%", Tolerations), Expected = c.Expected.Replace("%Tolerations%", Tolerations) }).ToTestCase());

    [TestCaseSource(nameof(Cases))]
    public void Create_StoresWhatKubeApiserverStores(DefaultingCase row) => StrategyAssert.CreatesExactlyAndIdempotently(Strategy, row);

    [TestCase("nginx", "Always")]
    [TestCase("nginx:latest", "Always")]
    [TestCase("nginx:1.27", "IfNotPresent")]
    [TestCase("localhost:5000/team/app", "Always")]
    [TestCase("localhost:5000/team/app:v2", "IfNotPresent")]
    [TestCase("nginx:latest@sha256:3ec98b8452dc8ae265a6917dfb81587ac78849e520d5dbba6de524851d20eca6", "Always")]
    [TestCase("nginx@sha256:3ec98b8452dc8ae265a6917dfb81587ac78849e520d5dbba6de524851d20eca6", "IfNotPresent")]
    [TestCase("Nginx", "IfNotPresent")]
    [TestCase("", "IfNotPresent")]
    [TestCase("registry.example.com:5000/team/app", "Always")]
    [TestCase("registry.example.com:5000/team/app:1.0", "IfNotPresent")]
    [TestCase("registry.example.com:5000/team/app:latest@sha256:3ec98b8452dc8ae265a6917dfb81587ac78849e520d5dbba6de524851d20eca6", "Always")]
    [TestCase("team/app:latest", "Always")]
    [TestCase("Team/app:latest", "IfNotPresent")]
    [TestCase("Team.example.com/app:latest", "Always")]
    [TestCase("app:Latest", "IfNotPresent")]
    [TestCase("3ec98b8452dc8ae265a6917dfb81587ac78849e520d5dbba6de524851d20eca6", "IfNotPresent")]
    [TestCase("nginx:latest\n", "IfNotPresent")]
    public void ImagePullPolicy_FollowsTheTag(string image, string policy) => Assert.That(DefaultPullPolicy(image), Is.EqualTo(policy));

    [Test]
    public void ImagePullPolicy_OfANameLongerThan255Characters_IsIfNotPresent() =>
        Assert.That(DefaultPullPolicy("example.com/" + string.Join('/', Enumerable.Repeat("path", 50)) + ":latest"), Is.EqualTo("IfNotPresent"));

    /// <summary>A long run of letters before a character the grammar refuses once took exponential time to reject.</summary>
    [Test]
    public void ImagePullPolicy_OfALongInvalidReference_IsIfNotPresent() =>
        Assert.That(DefaultPullPolicy(new string('a', 200) + "!"), Is.EqualTo("IfNotPresent"));

    private static string DefaultPullPolicy(string image)
    {
        var pod = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = image }) } };

        Strategy.ApplyDefaults(pod);

        return pod["spec"]!["containers"]![0]!["imagePullPolicy"]!.GetValue<string>();
    }

    [TestCase("""{"priority":5}""", "the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name")]
    [TestCase("""{"priorityClassName":"gold"}""", "no PriorityClass with name gold was found")]
    [TestCase("""{"preemptionPolicy":"Never"}""", "the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name")]
    public void CreateWithPriorityTheClassDoesNotGive_IsForbidden(string specFields, string message)
    {
        var pod = StrategyAssert.Parse("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"app"}]}}""");
        foreach (var (key, value) in StrategyAssert.Parse(specFields))
        {
            pod["spec"]![key] = value?.DeepClone();
        }

        var error = Assert.Throws<ApiException>(() => StrategyAssert.Create(Strategy, pod.ToJsonString()));

        Assert.That(error!.Code, Is.EqualTo(403));
        Assert.That(error.Message, Is.EqualTo($"pods \"p\" is forbidden: {message}"));
    }

    [Test]
    public void UpdateOmittingAdmittedFields_KeepsPriorityAndAddsTolerations()
    {
        var stored = StrategyAssert.Create(Strategy, """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"app:1"}]}}""");
        var replacement = (JsonObject)stored.DeepClone();
        var spec = replacement["spec"]!.AsObject();
        spec.Remove("priority");
        spec.Remove("preemptionPolicy");
        spec.Remove("tolerations");

        var updated = StrategyAssert.Update(Strategy, replacement, stored);

        StrategyAssert.AreEqual(updated, stored);
    }
}
