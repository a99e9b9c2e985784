using System.Text.Json.Nodes;
using Nautilus.Server.Api.Protobuf;

namespace Nautilus.Server.Tests.Protobuf;

/// <summary>
/// Whole objects laid out as client-go's protobuf marshaller lays them out (non-pointer fields
/// written even when empty), decoded through the Kubernetes schema table.
/// </summary>
public sealed class FullObjectsTests
{
    private const long Jan2024 = 1704067200;

    private static JsonNode Decode(string apiVersion, string kind, ProtoWriter raw) =>
        JsonNode.Parse(KubernetesProtobuf.ToJson(ProtoWriter.Envelope(apiVersion, kind, raw)))!;

    private static void AssertJson(JsonNode actual, string expected) =>
        Assert.That(JsonNode.DeepEquals(actual, JsonNode.Parse(expected)), Is.True, actual.ToJsonString());

    private static Action<ProtoWriter> Time(long seconds) => t => t.Varint(1, seconds).Varint(2, 0);

    private static Action<ProtoWriter> Quantity(string value) => q => q.String(1, value);

    private static Action<ProtoWriter> IntOrString(int value) => p => p.Varint(1, 0).Varint(2, value).String(3, string.Empty);

    private static Action<ProtoWriter> IntOrString(string value) => p => p.Varint(1, 1).Varint(2, 0).String(3, value);

    /// <summary>ObjectMeta as Go writes it: every non-pointer field, creationTimestamp as an empty Time.</summary>
    private static Action<ProtoWriter> Meta(string name, string ns = "", Action<ProtoWriter>? more = null) => m =>
    {
        m.String(1, name).String(2, string.Empty).String(3, ns).String(4, string.Empty).String(5, string.Empty).String(6, string.Empty)
            .Varint(7, 0).Bytes(8, []);
        more?.Invoke(m);
    };

    [Test]
    public void Pod_WithAFullPodSpec_DecodesEveryField()
    {
        var container = new ProtoWriter()
            .String(1, "app").String(2, "nginx:1.27").String(4, "--port=8080").String(5, "/app")
            .Message(6, p => p.String(1, "http").Varint(2, 0).Varint(3, 8080).String(4, "TCP").String(5, string.Empty))
            .Message(19, e => e.String(1, "CFG_").Message(2, c => c.Message(1, r => r.String(1, "cfg")).Bool(2, true)))
            .Message(7, e => e.String(1, "A").String(2, "1"))
            .Message(7, e => e.String(1, "POD").String(2, string.Empty).Message(3, v => v.Message(1, f => f.String(1, "v1").String(2, "metadata.name"))))
            .Message(7, e => e.String(1, "CPU").String(2, string.Empty).Message(3, v => v.Message(2, f => f.String(1, "app").String(2, "limits.cpu").Message(3, Quantity("1m")))))
            .Message(7, e => e.String(1, "S").String(2, string.Empty).Message(3, v => v.Message(4, s => s.Message(1, r => r.String(1, "s")).String(2, "k"))))
            .Message(8, r => r.Entry(1, "memory", Quantity("128Mi")).Entry(1, "cpu", Quantity("500m")).Entry(2, "cpu", Quantity("250m")))
            .Message(9, v => v.String(1, "data").Bool(2, false).String(3, "/data").String(4, string.Empty).String(6, string.Empty))
            .Message(9, v => v.String(1, "cfg").Bool(2, true).String(3, "/etc/cfg").String(4, string.Empty).String(6, string.Empty))
            .Message(10, p => p
                .Message(1, h => h.Message(2, g => g.String(1, "/healthz").Message(2, IntOrString("http")).String(3, string.Empty).String(4, "HTTP")))
                .Varint(2, 5).Varint(3, 1).Varint(4, 10).Varint(5, 1).Varint(6, 3))
            .Message(11, p => p.Message(1, h => h.Message(3, t => t.Message(1, IntOrString(8080)).String(2, string.Empty)))
                .Varint(2, 0).Varint(3, 0).Varint(4, 5).Varint(5, 0).Varint(6, 0))
            .Message(22, p => p.Message(1, h => h.Message(1, x => x.String(1, "cat").String(1, "/ready"))).Varint(6, 30))
            .Message(12, l => l.Message(1, h => h.Message(1, x => x.String(1, "echo"))).Message(2, h => h.Message(4, s => s.Varint(1, 5))))
            .String(13, "/dev/termination-log").String(20, "File").String(14, "IfNotPresent")
            .Message(15, s => s.Message(1, c => c.String(2, "ALL")).Varint(4, 1000).Bool(5, true).Bool(6, true).Bool(7, false)
                .Message(11, p => p.String(1, "RuntimeDefault")))
            .Bool(16, false).Bool(17, false).Bool(18, false);

        var spec = new ProtoWriter()
            .Message(1, v => v.String(1, "data").Message(2, s => s.Message(2, e => e.String(1, string.Empty).Message(2, Quantity("1Gi")))))
            .Message(1, v => v.String(1, "cfg").Message(2, s => s.Message(19, c => c
                .Message(1, r => r.String(1, "cfg")).Message(2, k => k.String(1, "a").String(2, "a.txt").Varint(3, 420)).Varint(3, 420))))
            .Message(1, v => v.String(1, "sec").Message(2, s => s.Message(6, c => c.String(1, "s").Bool(4, false))))
            .Message(1, v => v.String(1, "proj").Message(2, s => s.Message(26, p => p
                .Message(1, src => src.Message(4, t => t.String(1, string.Empty).Varint(2, 3600).String(3, "token")))
                .Message(1, src => src.Message(2, d => d.Message(1, i => i.String(1, "labels").Message(2, f => f.String(1, "v1").String(2, "metadata.labels"))))))))
            .Message(1, v => v.String(1, "pvc").Message(2, s => s.Message(10, c => c.String(1, "claim").Bool(2, true))))
            .Message(1, v => v.String(1, "host").Message(2, s => s.Message(1, h => h.String(1, "/var/log").String(2, "Directory"))))
            .Message(20, c => c.String(1, "init").String(2, "busybox").String(3, "sh").String(3, "-c").String(3, "true").Message(8, _ => { }))
            .Bytes(2, container.ToArray())
            .String(3, "Always").Varint(4, 30).String(6, "ClusterFirst").Entry(7, "disk", "ssd").String(8, "robot").String(9, "robot")
            .Bool(21, false).String(10, string.Empty).Bool(11, false).Bool(12, false).Bool(13, false)
            .Message(14, s => s.Varint(6, 3000).Varint(4, 4000).Varint(5, 2000).Message(7, c => c.String(1, "net.core.somaxconn").String(2, "1024")))
            .Message(15, r => r.String(1, "reg")).String(16, string.Empty).String(17, string.Empty)
            .Message(18, a => a
                .Message(1, n => n
                    .Message(1, r => r.Message(1, t => t.Message(1, e => e.String(1, "zone").String(2, "In").String(3, "a").String(3, "b"))))
                    .Message(2, p => p.Varint(1, 10).Message(2, t => t.Message(1, e => e.String(1, "gpu").String(2, "Exists")))))
                .Message(3, n => n.Message(2, w => w.Varint(1, 100).Message(2, t => t
                    .Message(1, l => l.Entry(1, "app", "web")).String(3, "kubernetes.io/hostname")))))
            .String(19, "default-scheduler")
            .Message(22, t => t.String(1, "node.kubernetes.io/not-ready").String(2, "Exists").String(3, string.Empty).String(4, "NoExecute").Varint(5, 300))
            .Message(22, t => t.String(1, "dedicated").String(2, "Equal").String(3, "web").String(4, "NoSchedule"))
            .Message(23, h => h.String(1, "10.0.0.1").String(2, "db"))
            .String(24, string.Empty).Varint(25, 0)
            .Message(26, d => d.String(1, "1.1.1.1").Message(3, o => o.String(1, "ndots").String(2, "2")))
            .Message(28, g => g.String(1, "example.com/ready"))
            .Bool(30, true).String(31, "PreemptLowerPriority")
            .Message(33, c => c.Varint(1, 1).String(2, "topology.kubernetes.io/zone").String(3, "DoNotSchedule")
                .Message(4, l => l.Message(2, e => e.String(1, "app").String(2, "In").String(3, "web"))).Varint(5, 2))
            .Bool(35, false)
            .Message(36, o => o.String(1, "linux"));

        var status = new ProtoWriter()
            .String(1, "Pending")
            .Message(2, c => c.String(1, "PodScheduled").String(2, "True").Bytes(3, []).Message(4, Time(Jan2024)).String(5, string.Empty).String(6, string.Empty))
            .String(3, string.Empty).String(4, string.Empty).String(5, string.Empty).String(6, string.Empty)
            .Message(8, s => s.String(1, "app").Message(2, st => st.Message(1, w => w.String(1, "ContainerCreating").String(2, string.Empty)))
                .Message(3, _ => { }).Bool(4, false).Varint(5, 0).String(6, "nginx:1.27").String(7, string.Empty).String(8, string.Empty).Bool(9, false))
            .String(9, "Burstable").String(11, string.Empty);

        var pod = new ProtoWriter()
            .Message(1, Meta("web-0", "default", m => m
                .Entry(11, "app", "web").Entry(12, "a", "b")
                .Message(13, o => o.String(1, "ReplicaSet").String(3, "web-rs").String(4, "u1").String(5, "apps/v1").Bool(6, true).Bool(7, true))
                .String(14, "f")
                .Message(17, f => f.String(1, "kubectl").String(2, "Update").String(3, "v1").Message(4, Time(Jan2024)).String(6, "FieldsV1")
                    .Message(7, r => r.String(1, """{"f:metadata":{}}""")).String(8, string.Empty))))
            .Bytes(2, spec.ToArray())
            .Bytes(3, status.ToArray());

        var json = Decode("v1", "Pod", pod);

        AssertJson(json, """
            {"kind":"Pod","apiVersion":"v1",
             "metadata":{"name":"web-0","namespace":"default","creationTimestamp":null,"labels":{"app":"web"},"annotations":{"a":"b"},
               "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-rs","uid":"u1","controller":true,"blockOwnerDeletion":true}],
               "finalizers":["f"],
               "managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1","time":"2024-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{}}}]},
             "spec":{
               "volumes":[
                 {"name":"data","emptyDir":{"sizeLimit":"1Gi"}},
                 {"name":"cfg","configMap":{"name":"cfg","items":[{"key":"a","path":"a.txt","mode":420}],"defaultMode":420}},
                 {"name":"sec","secret":{"secretName":"s","optional":false}},
                 {"name":"proj","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3600,"path":"token"}},
                   {"downwardAPI":{"items":[{"path":"labels","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.labels"}}]}}]}},
                 {"name":"pvc","persistentVolumeClaim":{"claimName":"claim","readOnly":true}},
                 {"name":"host","hostPath":{"path":"/var/log","type":"Directory"}}],
               "initContainers":[{"name":"init","image":"busybox","command":["sh","-c","true"],"resources":{}}],
               "containers":[{"name":"app","image":"nginx:1.27","args":["--port=8080"],"workingDir":"/app",
                 "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
                 "envFrom":[{"prefix":"CFG_","configMapRef":{"name":"cfg","optional":true}}],
                 "env":[{"name":"A","value":"1"},
                   {"name":"POD","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},
                   {"name":"CPU","valueFrom":{"resourceFieldRef":{"containerName":"app","resource":"limits.cpu","divisor":"1m"}}},
                   {"name":"S","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}],
                 "resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"250m"}},
                 "volumeMounts":[{"name":"data","mountPath":"/data"},{"name":"cfg","readOnly":true,"mountPath":"/etc/cfg"}],
                 "livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":5,"timeoutSeconds":1,
                   "periodSeconds":10,"successThreshold":1,"failureThreshold":3},
                 "readinessProbe":{"tcpSocket":{"port":8080},"periodSeconds":5},
                 "startupProbe":{"exec":{"command":["cat","/ready"]},"failureThreshold":30},
                 "lifecycle":{"postStart":{"exec":{"command":["echo"]}},"preStop":{"sleep":{"seconds":5}}},
                 "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent",
                 "securityContext":{"capabilities":{"drop":["ALL"]},"runAsUser":1000,"runAsNonRoot":true,"readOnlyRootFilesystem":true,
                   "allowPrivilegeEscalation":false,"seccompProfile":{"type":"RuntimeDefault"}}}],
               "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","nodeSelector":{"disk":"ssd"},
               "serviceAccountName":"robot","serviceAccount":"robot","automountServiceAccountToken":false,
               "securityContext":{"runAsGroup":3000,"supplementalGroups":[4000],"fsGroup":2000,"sysctls":[{"name":"net.core.somaxconn","value":"1024"}]},
               "imagePullSecrets":[{"name":"reg"}],
               "affinity":{
                 "nodeAffinity":{
                   "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]}]}]},
                   "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":10,"preference":{"matchExpressions":[{"key":"gpu","operator":"Exists"}]}}]},
                 "podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
                   {"weight":100,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"kubernetes.io/hostname"}}]}},
               "schedulerName":"default-scheduler",
               "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
                 {"key":"dedicated","operator":"Equal","value":"web","effect":"NoSchedule"}],
               "hostAliases":[{"ip":"10.0.0.1","hostnames":["db"]}],
               "priority":0,
               "dnsConfig":{"nameservers":["1.1.1.1"],"options":[{"name":"ndots","value":"2"}]},
               "readinessGates":[{"conditionType":"example.com/ready"}],
               "enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority",
               "topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"DoNotSchedule",
                 "labelSelector":{"matchExpressions":[{"key":"app","operator":"In","values":["web"]}]},"minDomains":2}],
               "setHostnameAsFQDN":false,
               "os":{"name":"linux"}},
             "status":{"phase":"Pending",
               "conditions":[{"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-01-01T00:00:00Z"}],
               "containerStatuses":[{"name":"app","state":{"waiting":{"reason":"ContainerCreating"}},"lastState":{},"ready":false,"restartCount":0,
                 "image":"nginx:1.27","imageID":"","started":false}],
               "qosClass":"Burstable"}}
            """);
    }

    [Test]
    public void Deployment_WithRollingUpdateAndZeroReplicas_KeepsTheExplicitZero()
    {
        var deployment = new ProtoWriter()
            .Message(1, Meta("web", "prod"))
            .Message(2, s => s.Varint(1, 0)
                .Message(2, l => l.Entry(1, "app", "web"))
                .Message(3, t => t.Message(1, Meta(string.Empty, more: m => m.Entry(11, "app", "web")))
                    .Message(2, p => p.Message(2, c => c.String(1, "web").String(2, "nginx").Message(8, _ => { }))))
                .Message(4, st => st.String(1, "RollingUpdate").Message(2, r => r.Message(1, IntOrString("25%")).Message(2, IntOrString(1))))
                .Varint(5, 0).Varint(6, 10).Bool(7, false).Varint(9, 600))
            .Message(3, s => s.Varint(1, 0).Varint(2, 0).Varint(3, 0).Varint(4, 0).Varint(5, 0).Varint(7, 0));

        var json = Decode("apps/v1", "Deployment", deployment);

        AssertJson(json, """
            {"kind":"Deployment","apiVersion":"apps/v1",
             "metadata":{"name":"web","namespace":"prod","creationTimestamp":null},
             "spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},
               "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx","resources":{}}]}},
               "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":1}},
               "revisionHistoryLimit":10,"progressDeadlineSeconds":600},
             "status":{}}
            """);
    }

    [Test]
    public void Lease_WithMicroTimes_DecodesAsALeaderElectorWritesIt()
    {
        var lease = new ProtoWriter()
            .Message(1, Meta("kube-scheduler", "kube-system"))
            .Message(2, s => s.String(1, "node-1_abc").Varint(2, 15)
                .Message(3, t => t.Varint(1, Jan2024).Varint(2, 250_000_000))
                .Message(4, t => t.Varint(1, Jan2024 + 10).Varint(2, 0))
                .Varint(5, 0));

        var json = Decode("coordination.k8s.io/v1", "Lease", lease);

        AssertJson(json, """
            {"kind":"Lease","apiVersion":"coordination.k8s.io/v1",
             "metadata":{"name":"kube-scheduler","namespace":"kube-system","creationTimestamp":null},
             "spec":{"holderIdentity":"node-1_abc","leaseDurationSeconds":15,"acquireTime":"2024-01-01T00:00:00.250000Z",
               "renewTime":"2024-01-01T00:00:10.000000Z","leaseTransitions":0}}
            """);
    }

    [Test]
    public void EndpointSlice_WithPointerFields_KeepsPresentFalseAndZero()
    {
        var slice = new ProtoWriter()
            .Message(1, Meta("web-abc", "default"))
            .Message(2, e => e.String(1, "10.0.0.5")
                .Message(2, c => c.Bool(1, false).Bool(2, true).Bool(3, true))
                .Message(4, r => r.String(1, "Pod").String(2, "default").String(3, "web-0").String(4, "u1").String(5, string.Empty).String(6, string.Empty).String(7, string.Empty))
                .String(6, "node-1").String(7, "zone-a")
                .Message(8, h => h.Message(1, z => z.String(1, "zone-a"))))
            .Message(3, p => p.String(1, "http").String(2, "TCP").Varint(3, 8080))
            .String(4, "IPv4");

        var json = Decode("discovery.k8s.io/v1", "EndpointSlice", slice);

        AssertJson(json, """
            {"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1",
             "metadata":{"name":"web-abc","namespace":"default","creationTimestamp":null},
             "addressType":"IPv4",
             "endpoints":[{"addresses":["10.0.0.5"],"conditions":{"ready":false,"serving":true,"terminating":true},
               "targetRef":{"kind":"Pod","namespace":"default","name":"web-0","uid":"u1"},"nodeName":"node-1","zone":"zone-a",
               "hints":{"forZones":[{"name":"zone-a"}]}}],
             "ports":[{"name":"http","protocol":"TCP","port":8080}]}
            """);
    }

    [Test]
    public void EventsV1Event_And_CoreEvent_UseTheirOwnShapes()
    {
        var regarding = new Action<ProtoWriter>(r => r.String(1, "Pod").String(2, "default").String(3, "web-0"));
        var modern = new ProtoWriter()
            .Message(1, Meta("web-0.1", "default"))
            .Message(2, t => t.Varint(1, Jan2024).Varint(2, 1_000))
            .String(4, "default-scheduler").String(5, "sched-1").String(6, "Binding").String(7, "Scheduled")
            .Message(8, regarding).String(10, "Assigned").String(11, "Normal")
            .Message(12, s => s.String(1, string.Empty).String(2, string.Empty)).Bytes(13, []).Bytes(14, []).Varint(15, 0);
        var legacy = new ProtoWriter()
            .Message(1, Meta("web-0.2", "default"))
            .Message(2, regarding).String(3, "Pulled").String(4, "pulled").Message(5, s => s.String(1, "kubelet").String(2, "node-1"))
            .Message(6, Time(Jan2024)).Message(7, Time(Jan2024)).Varint(8, 1).String(9, "Normal").Bytes(10, [])
            .String(12, string.Empty).String(14, string.Empty).String(15, string.Empty);

        Assert.Multiple(() =>
        {
            AssertJson(Decode("events.k8s.io/v1", "Event", modern), """
                {"kind":"Event","apiVersion":"events.k8s.io/v1","metadata":{"name":"web-0.1","namespace":"default","creationTimestamp":null},
                 "eventTime":"2024-01-01T00:00:00.000001Z","reportingController":"default-scheduler","reportingInstance":"sched-1",
                 "action":"Binding","reason":"Scheduled","regarding":{"kind":"Pod","namespace":"default","name":"web-0"},"note":"Assigned",
                 "type":"Normal","deprecatedSource":{},"deprecatedFirstTimestamp":null,"deprecatedLastTimestamp":null}
                """);
            AssertJson(Decode("v1", "Event", legacy), """
                {"kind":"Event","apiVersion":"v1","metadata":{"name":"web-0.2","namespace":"default","creationTimestamp":null},
                 "involvedObject":{"kind":"Pod","namespace":"default","name":"web-0"},"reason":"Pulled","message":"pulled",
                 "source":{"component":"kubelet","host":"node-1"},"firstTimestamp":"2024-01-01T00:00:00Z","lastTimestamp":"2024-01-01T00:00:00Z",
                 "count":1,"type":"Normal","eventTime":null,"reportingComponent":"","reportingInstance":""}
                """);
        });
    }

    [Test]
    public void Node_WithStatus_DecodesCapacityConditionsAndSystemInfo()
    {
        var node = new ProtoWriter()
            .Message(1, Meta("node-1"))
            .Message(2, s => s.String(1, "10.244.0.0/24").String(7, "10.244.0.0/24").String(3, string.Empty).Bool(4, true)
                .Message(5, t => t.String(1, "node.kubernetes.io/unschedulable").String(2, string.Empty).String(3, "NoSchedule").Message(4, Time(Jan2024)))
                .String(2, string.Empty))
            .Message(3, s => s.Entry(1, "cpu", Quantity("4")).Entry(1, "pods", Quantity("110")).Entry(2, "cpu", Quantity("3800m"))
                .String(3, string.Empty)
                .Message(4, c => c.String(1, "Ready").String(2, "True").Message(3, Time(Jan2024)).Message(4, Time(Jan2024)).String(5, "KubeletReady").String(6, "ok"))
                .Message(5, a => a.String(1, "InternalIP").String(2, "10.0.0.1"))
                .Message(6, d => d.Message(1, k => k.Varint(1, 10250)))
                .Message(7, i => i.String(1, "m").String(2, "s").String(3, "b").String(4, "6.1").String(5, "Debian").String(6, "containerd://1.7")
                    .String(7, "v1.32.0").String(8, string.Empty).String(9, "linux").String(10, "amd64")));

        var json = Decode("v1", "Node", node);

        AssertJson(json, """
            {"kind":"Node","apiVersion":"v1","metadata":{"name":"node-1","creationTimestamp":null},
             "spec":{"podCIDR":"10.244.0.0/24","podCIDRs":["10.244.0.0/24"],"unschedulable":true,
               "taints":[{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule","timeAdded":"2024-01-01T00:00:00Z"}]},
             "status":{"capacity":{"cpu":"4","pods":"110"},"allocatable":{"cpu":"3800m"},
               "conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"2024-01-01T00:00:00Z","lastTransitionTime":"2024-01-01T00:00:00Z",
                 "reason":"KubeletReady","message":"ok"}],
               "addresses":[{"type":"InternalIP","address":"10.0.0.1"}],
               "daemonEndpoints":{"kubeletEndpoint":{"Port":10250}},
               "nodeInfo":{"machineID":"m","systemUUID":"s","bootID":"b","kernelVersion":"6.1","osImage":"Debian","containerRuntimeVersion":"containerd://1.7",
                 "kubeletVersion":"v1.32.0","kubeProxyVersion":"","operatingSystem":"linux","architecture":"amd64"}}}
            """);
    }

    [Test]
    public void PersistentVolumeAndClaim_DecodeTheirSpecs()
    {
        var pv = new ProtoWriter()
            .Message(1, Meta("pv-1"))
            .Message(2, s => s.Entry(1, "storage", Quantity("10Gi"))
                .Message(2, src => src.Message(22, c => c.String(1, "ebs.csi.aws.com").String(2, "vol-1").Bool(3, false).String(4, "ext4")
                    .Entry(5, "type", "gp3")))
                .String(3, "ReadWriteOnce")
                .Message(4, r => r.String(1, "PersistentVolumeClaim").String(2, "default").String(3, "data"))
                .String(5, "Delete").String(6, "gp3").String(8, "Filesystem")
                .Message(9, a => a.Message(1, n => n.Message(1, t => t.Message(1, e => e.String(1, "zone").String(2, "In").String(3, "a"))))))
            .Message(3, s => s.String(1, "Bound").String(2, string.Empty).String(3, string.Empty));
        var pvc = new ProtoWriter()
            .Message(1, Meta("data", "default"))
            .Message(2, s => s.String(1, "ReadWriteOnce").Message(2, r => r.Entry(2, "storage", Quantity("10Gi"))).String(3, string.Empty)
                .String(5, "gp3").String(6, "Filesystem").Message(7, d => d.String(1, "snapshot.storage.k8s.io").String(2, "VolumeSnapshot").String(3, "snap")))
            .Message(3, s => s.String(1, "Pending"));

        Assert.Multiple(() =>
        {
            AssertJson(Decode("v1", "PersistentVolume", pv), """
                {"kind":"PersistentVolume","apiVersion":"v1","metadata":{"name":"pv-1","creationTimestamp":null},
                 "spec":{"capacity":{"storage":"10Gi"},"csi":{"driver":"ebs.csi.aws.com","volumeHandle":"vol-1","fsType":"ext4","volumeAttributes":{"type":"gp3"}},
                   "accessModes":["ReadWriteOnce"],"claimRef":{"kind":"PersistentVolumeClaim","namespace":"default","name":"data"},
                   "persistentVolumeReclaimPolicy":"Delete","storageClassName":"gp3","volumeMode":"Filesystem",
                   "nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}}},
                 "status":{"phase":"Bound"}}
                """);
            AssertJson(Decode("v1", "PersistentVolumeClaim", pvc), """
                {"kind":"PersistentVolumeClaim","apiVersion":"v1","metadata":{"name":"data","namespace":"default","creationTimestamp":null},
                 "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"10Gi"}},"storageClassName":"gp3","volumeMode":"Filesystem",
                   "dataSource":{"apiGroup":"snapshot.storage.k8s.io","kind":"VolumeSnapshot","name":"snap"}},
                 "status":{"phase":"Pending"}}
                """);
        });
    }

    [Test]
    public void BindingAndScale_DecodeTheirSubresourceBodies()
    {
        var binding = new ProtoWriter()
            .Message(1, Meta("web-0", "default"))
            .Message(2, t => t.String(1, "Node").String(2, string.Empty).String(3, "node-1").String(4, string.Empty).String(5, string.Empty)
                .String(6, string.Empty).String(7, string.Empty));
        var scale = new ProtoWriter()
            .Message(1, Meta("web", "default"))
            .Message(2, s => s.Varint(1, 0))
            .Message(3, s => s.Varint(1, 3).String(2, "app=web"));

        Assert.Multiple(() =>
        {
            AssertJson(Decode("v1", "Binding", binding), """
                {"kind":"Binding","apiVersion":"v1","metadata":{"name":"web-0","namespace":"default","creationTimestamp":null},
                 "target":{"kind":"Node","name":"node-1"}}
                """);
            AssertJson(Decode("autoscaling/v1", "Scale", scale), """
                {"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"web","namespace":"default","creationTimestamp":null},
                 "spec":{},"status":{"replicas":3,"selector":"app=web"}}
                """);
        });
    }
}
