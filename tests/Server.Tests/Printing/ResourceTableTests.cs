using static Nautilus.Server.Tests.Printing.TableTestKit;

namespace Nautilus.Server.Tests.Printing;

/// <summary>Rows of every other served kind, with the cells kube-apiserver 1.32 prints for the same object.</summary>
public sealed class ResourceTableTests
{
    private static readonly string Created = Ago(TimeSpan.FromHours(49));

    private static string Meta(string name, string extra = "") =>
        $$"""{"name":"{{name}}","namespace":"default","resourceVersion":"7","creationTimestamp":"{{Created}}"{{extra}}}""";

    private static IEnumerable<TestCaseData> Cases()
    {
        var rolesMeta = Meta("foo9", ",\"labels\":{\"node-role.kubernetes.io/master\":\"\",\"node-role.kubernetes.io/proxy\":\"\",\"kubernetes.io/role\":\"node\",\"node-role.kubernetes.io/\":\"\"}");
        var pv2Meta = Meta("pv2", $",\"deletionTimestamp\":\"{Created}\",\"annotations\":{{\"volume.beta.kubernetes.io/storage-class\":\"beta\"}}");
        (string Name, string Group, string Kind, string Json, object[] Cells)[] cases =
        [
            // Nodes (printers_test TestPrintNodeStatus, TestPrintNodeRole, TestPrintNodeExternalIP ...)
            ("node ready", "", "Node", $$$"""{"metadata":{{{Meta("foo1")}}},"status":{"conditions":[{"type":"Ready","status":"True"}],"nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Ubuntu 24.04","kernelVersion":"6.8.0","containerRuntimeVersion":"containerd://1.7.24"},"addresses":[{"type":"InternalIP","address":"10.0.0.5"},{"type":"Hostname","address":"foo1"}]}}""",
                ["foo1", "Ready", "<none>", "2d1h", "v1.32.0", "10.0.0.5", "<none>", "Ubuntu 24.04", "6.8.0", "containerd://1.7.24"]),
            ("node cordoned", "", "Node", $$$"""{"metadata":{{{Meta("foo2")}}},"spec":{"unschedulable":true},"status":{"conditions":[{"type":"Ready","status":"True"}]}}""",
                ["foo2", "Ready,SchedulingDisabled", "<none>", "2d1h", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]),
            ("node not ready", "", "Node", $$$"""{"metadata":{{{Meta("foo4")}}},"status":{"conditions":[{"type":"Ready","status":"False"}]}}""",
                ["foo4", "NotReady", "<none>", "2d1h", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]),
            ("node ready unknown", "", "Node", $$$"""{"metadata":{{{Meta("foo5")}}},"spec":{"unschedulable":true},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}}""",
                ["foo5", "NotReady,SchedulingDisabled", "<none>", "2d1h", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]),
            ("node without Ready", "", "Node", $$$"""{"metadata":{{{Meta("foo6")}}},"status":{"conditions":[{"type":"InvalidValue","status":"True"}]}}""",
                ["foo6", "Unknown", "<none>", "2d1h", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]),
            ("node roles", "", "Node", $$$"""{"metadata":{{{rolesMeta}}},"status":{"addresses":[{"type":"ExternalIP","address":"3.3.3.3"},{"type":"InternalIP","address":"2.2.2.2"}]}}""",
                ["foo9", "Unknown", "master,node,proxy", "2d1h", "", "2.2.2.2", "3.3.3.3", "<unknown>", "<unknown>", "<unknown>"]),

            ("namespace", "", "Namespace", $$$"""{"metadata":{{{Meta("kube-system")}}},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}""",
                ["kube-system", "Active", "2d1h"]),
            ("namespace terminating", "", "Namespace", $$$"""{"metadata":{{{Meta("gone")}}},"status":{"phase":"Terminating"}}""",
                ["gone", "Terminating", "2d1h"]),

            // Services (TestPrintService, TestPrintServiceLoadBalancer; the server prints wide, so nothing is clipped)
            ("service cluster IP", "", "Service", $$$$"""{"metadata":{{{{Meta("web")}}}},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],"ports":[{"port":80,"protocol":"TCP","targetPort":8080},{"port":443,"protocol":"TCP"}],"selector":{"app":"web","tier":"front"}}}""",
                ["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP,443/TCP", "2d1h", "app=web,tier=front"]),
            ("service node port", "", "Service", $$$"""{"metadata":{{{Meta("np")}}},"spec":{"type":"NodePort","clusterIPs":["10.96.0.11"],"externalIPs":["1.2.3.4"],"ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":53,"nodePort":30053,"protocol":"UDP"}]}}""",
                ["np", "NodePort", "10.96.0.11", "1.2.3.4", "80:30080/TCP,53:30053/UDP", "2d1h", "<none>"]),
            ("service headless", "", "Service", $$$"""{"metadata":{{{Meta("db")}}},"spec":{"type":"ClusterIP","clusterIP":"None","clusterIPs":["None"]}}""",
                ["db", "ClusterIP", "None", "<none>", "<none>", "2d1h", "<none>"]),
            ("service load balancer", "", "Service", $$$$"""{"metadata":{{{{Meta("service4")}}}},"spec":{"clusterIPs":["1.5.6.7"],"type":"LoadBalancer","ports":[{"port":80,"protocol":"TCP"},{"port":8090,"protocol":"UDP"},{"port":8000,"protocol":"TCP"}],"selector":{"foo":"bar"}},"status":{"loadBalancer":{"ingress":[{"ip":"2.3.4.5"},{"ip":"3.4.5.6"},{"ip":"5.6.7.8","hostname":"host5678"}]}}}""",
                ["service4", "LoadBalancer", "1.5.6.7", "2.3.4.5,3.4.5.6,5.6.7.8", "80/TCP,8090/UDP,8000/TCP", "2d1h", "foo=bar"]),
            ("service load balancer pending", "", "Service", $$$$"""{"metadata":{{{{Meta("service2")}}}},"spec":{"clusterIPs":["1.3.4.5"],"type":"LoadBalancer","ports":[{"port":80,"protocol":"TCP"},{"port":7777,"protocol":"SCTP"}]},"status":{"loadBalancer":{}}}""",
                ["service2", "LoadBalancer", "1.3.4.5", "<pending>", "80/TCP,7777/SCTP", "2d1h", "<none>"]),
            ("service external name", "", "Service", $$$"""{"metadata":{{{Meta("ext")}}},"spec":{"type":"ExternalName","externalName":"example.com"}}""",
                ["ext", "ExternalName", "<none>", "example.com", "<none>", "2d1h", "<none>"]),

            // Endpoints (formatEndpoints)
            ("endpoints", "", "Endpoints", $$"""{"metadata":{{Meta("web")}},"subsets":[{"addresses":[{"ip":"127.0.0.1"},{"ip":"10.9.8.7"}],"ports":[{"port":8080},{"port":8081}]}]}""",
                ["web", "127.0.0.1:8080,10.9.8.7:8080,127.0.0.1:8081 + 1 more...", "2d1h"]),
            ("endpoints none", "", "Endpoints", $$"""{"metadata":{{Meta("empty")}}}""", ["empty", "<none>", "2d1h"]),
            ("endpoints headless and IPv6", "", "Endpoints", $$"""{"metadata":{{Meta("mixed")}},"subsets":[{"addresses":[{"ip":"10.0.0.1"}]},{"addresses":[{"ip":"fd00::1"}],"ports":[{"name":"http","port":80}]}]}""",
                ["mixed", "10.0.0.1,[fd00::1]:80", "2d1h"]),

            ("endpointslice", "discovery.k8s.io", "EndpointSlice", $$"""{"metadata":{{Meta("web-abc12")}},"addressType":"IPv4","ports":[{"name":"http","port":80,"protocol":"TCP"},{"name":"https","port":443,"protocol":"TCP"}],"endpoints":[{"addresses":["10.1.2.3"]},{"addresses":["10.1.2.4"]}]}""",
                ["web-abc12", "IPv4", "80,443", "10.1.2.3,10.1.2.4", "2d1h"]),
            ("endpointslice more", "discovery.k8s.io", "EndpointSlice", $$"""{"metadata":{{Meta("many")}},"addressType":"IPv6","ports":[{"name":"a"},{"port":1},{"port":2},{"port":3}],"endpoints":[{"addresses":["fd00::1","fd00::2"]},{"addresses":["fd00::3","fd00::4","fd00::5"]}]}""",
                ["many", "IPv6", "a,1,2 + 1 more...", "fd00::1,fd00::2,fd00::3 + 2 more...", "2d1h"]),
            ("endpointslice empty", "discovery.k8s.io", "EndpointSlice", $$"""{"metadata":{{Meta("none")}},"addressType":"IPv4","ports":[{}],"endpoints":null}""",
                ["none", "IPv4", "*", "<unset>", "2d1h"]),

            ("configmap", "", "ConfigMap", $$$"""{"metadata":{{{Meta("cfg")}}},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}}""", ["cfg", 3, "2d1h"]),
            ("configmap empty", "", "ConfigMap", $$"""{"metadata":{{Meta("kube-root-ca.crt")}}}""", ["kube-root-ca.crt", 0, "2d1h"]),
            ("secret", "", "Secret", $$$"""{"metadata":{{{Meta("tls")}}},"type":"kubernetes.io/tls","data":{"tls.crt":"AA==","tls.key":"AA=="}}""", ["tls", "kubernetes.io/tls", 2, "2d1h"]),
            ("serviceaccount", "", "ServiceAccount", $$"""{"metadata":{{Meta("default")}}}""", ["default", 0, "2d1h"]),
            ("serviceaccount with secrets", "", "ServiceAccount", $$"""{"metadata":{{Meta("builder")}},"secrets":[{"name":"builder-token"}]}""", ["builder", 1, "2d1h"]),
            ("lease", "coordination.k8s.io", "Lease", $$$"""{"metadata":{{{Meta("node-1")}}},"spec":{"holderIdentity":"node-1","leaseDurationSeconds":40}}""", ["node-1", "node-1", "2d1h"]),
            ("lease without holder", "coordination.k8s.io", "Lease", $$$"""{"metadata":{{{Meta("free")}}},"spec":{}}""", ["free", "", "2d1h"]),

            // PriorityClasses (printPriorityClass)
            ("priorityclass", "scheduling.k8s.io", "PriorityClass", $$"""{"metadata":{{Meta("high")}},"value":1000,"globalDefault":true,"preemptionPolicy":"Never"}""",
                ["high", 1000, true, "2d1h", "Never"]),
            ("priorityclass without policy", "scheduling.k8s.io", "PriorityClass", $$"""{"metadata":{{Meta("low")}},"value":-5}""",
                ["low", -5, false, "2d1h", "<none>"]),

            // Events: always printed wide by the server.
            ("event", "", "Event", $$"""{"metadata":{{Meta("web.17f")}},"involvedObject":{"kind":"Pod","namespace":"default","name":"web","fieldPath":"spec.containers{web}"},"reason":"Pulled","message":"Successfully pulled image \"nginx\"\n","source":{"component":"kubelet","host":"node-1"},"firstTimestamp":"{{Ago(TimeSpan.FromMinutes(5))}}","lastTimestamp":"{{Ago(TimeSpan.FromMinutes(2))}}","count":3,"type":"Normal"}""",
                ["2m", "Normal", "Pulled", "pod/web", "spec.containers{web}", "kubelet, node-1", "Successfully pulled image \"nginx\"", "5m", 3, "web.17f"]),
            ("event without name", "", "Event", $$"""{"metadata":{{Meta("ns.1")}},"involvedObject":{"kind":"Node"},"reason":"Starting","message":"","source":{"component":"kube-proxy"},"firstTimestamp":null,"lastTimestamp":null,"eventTime":"{{Ago(TimeSpan.FromSeconds(30))}}","type":"Normal","reportingInstance":"node-1"}""",
                ["30s", "Normal", "Starting", "node", "", "kube-proxy, node-1", "", "30s", 1, "ns.1"]),
            ("event series", "", "Event", $$"""{"metadata":{{Meta("x.1")}},"involvedObject":{"kind":"Deployment","name":"web"},"reason":"ScalingReplicaSet","message":"Scaled up","eventTime":"{{Ago(TimeSpan.FromMinutes(30))}}","series":{"count":5,"lastObservedTime":"{{Ago(TimeSpan.FromSeconds(10))}}"},"reportingComponent":"deployment-controller","type":"Normal"}""",
                ["10s", "Normal", "ScalingReplicaSet", "deployment/web", "", "deployment-controller", "Scaled up", "30m", 5, "x.1"]),
            ("events.k8s.io event", "events.k8s.io", "Event", $$"""{"kind":"Event","apiVersion":"events.k8s.io/v1","metadata":{{Meta("web.18a")}},"eventTime":"{{Ago(TimeSpan.FromSeconds(30))}}","reportingController":"default-scheduler","reportingInstance":"default-scheduler-node-1","action":"Binding","reason":"Scheduled","regarding":{"kind":"Pod","namespace":"default","name":"web"},"note":"Successfully assigned default/web to node-1","type":"Normal"}""",
                ["30s", "Normal", "Scheduled", "pod/web", "", "default-scheduler, default-scheduler-node-1", "Successfully assigned default/web to node-1", "30s", 1, "web.18a"]),

            // PersistentVolumes and claims
            ("pv bound", "", "PersistentVolume", $$$"""{"metadata":{{{Meta("pv1")}}},"spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteMany","ReadWriteOnce","ReadWriteOnce"],"persistentVolumeReclaimPolicy":"Retain","claimRef":{"namespace":"default","name":"claim1"},"storageClassName":"standard","volumeMode":"Filesystem"},"status":{"phase":"Bound"}}""",
                ["pv1", "10Gi", "RWO,RWX", "Retain", "Bound", "default/claim1", "standard", "<unset>", "", "2d1h", "Filesystem"]),
            ("pv failed, beta class, deleting", "", "PersistentVolume", $$$"""{"metadata":{{{pv2Meta}}},"spec":{"accessModes":["ReadOnlyMany","ReadWriteOncePod"],"persistentVolumeReclaimPolicy":"Delete","storageClassName":"standard","volumeAttributesClassName":"gold"},"status":{"phase":"Failed","reason":"VolumeFailedRecycle"}}""",
                ["pv2", "0", "ROX,RWOP", "Delete", "Terminating", "", "beta", "gold", "VolumeFailedRecycle", "2d1h", "<unset>"]),
            ("pvc bound", "", "PersistentVolumeClaim", $$$$"""{"metadata":{{{{Meta("data")}}}},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"5Gi"}},"volumeName":"pv1","storageClassName":"standard","volumeMode":"Filesystem"},"status":{"phase":"Bound","accessModes":["ReadWriteOnce"],"capacity":{"storage":"10Gi"}}}""",
                ["data", "Bound", "pv1", "10Gi", "RWO", "standard", "<unset>", "2d1h", "Filesystem"]),
            ("pvc pending", "", "PersistentVolumeClaim", $$$$"""{"metadata":{{{{Meta("wait")}}}},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"5Gi"}}},"status":{"phase":"Pending"}}""",
                ["wait", "Pending", "", "", "", "", "<unset>", "2d1h", "<unset>"]),

            // Workloads
            ("deployment", "apps", "Deployment", $$$$"""{"metadata":{{{{Meta("web")}}}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["frontend","backend"]},{"key":"canary","operator":"DoesNotExist"}]},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"},{"name":"sidecar","image":"busybox"}]}}},"status":{"replicas":3,"updatedReplicas":3,"readyReplicas":2,"availableReplicas":2}}""",
                ["web", "2/3", 3, 2, "2d1h", "nginx,sidecar", "nginx:1.27,busybox", "app=web,!canary,tier in (backend,frontend)"]),
            ("deployment new", "apps", "Deployment", $$$$"""{"metadata":{{{{Meta("fresh")}}}},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"fresh"}},"template":{"spec":{"containers":[{"name":"app","image":"app:v1"}]}}},"status":{}}""",
                ["fresh", "0/0", 0, 0, "2d1h", "app", "app:v1", "app=fresh"]),
            ("replicaset", "apps", "ReplicaSet", $$$$"""{"metadata":{{{{Meta("web-5d4f8c")}}}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web","pod-template-hash":"5d4f8c"}},"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}},"status":{"replicas":3,"readyReplicas":1}}""",
                ["web-5d4f8c", 3, 3, 1, "2d1h", "nginx", "nginx:1.27", "app=web,pod-template-hash=5d4f8c"]),
            ("replicaset empty selector", "apps", "ReplicaSet", $$$$"""{"metadata":{{{{Meta("bare")}}}},"spec":{"replicas":1,"selector":{},"template":{"spec":{"containers":[]}}},"status":{"replicas":0}}""",
                ["bare", 1, 0, 0, "2d1h", "", "", "<none>"]),
        ];
        return cases.Select(c => new TestCaseData(c.Group, c.Kind, c.Json, c.Cells).SetArgDisplayNames(c.Name));
    }

    [TestCaseSource(nameof(Cases))]
    public void Row_MatchesKubernetesPrinter(string group, string kind, string json, object[] cells) =>
        Assert.That(Cells(Resource(group, kind), json), Is.EqualTo(Expect(cells)));
}
