using System.Globalization;
using System.Text;

namespace Nautilus.Bench;

/// <summary>
/// Realistic objects for benchmarks and the load generator, written as clients send them: a pod
/// of a two-container Deployment (labels, annotations, ports, env, requests and limits, probes,
/// volumes) already bound to a node — about 2 KB as sent, 3 KB once the server has defaulted it
/// (5.5 KB with the managedFields the server records) — its Running status (about 1.3 KB more),
/// and a Node reporting Ready. The pod names its ReplicaSet in an annotation, not an
/// ownerReference: the garbage collector deletes pods whose owner does not exist.
/// Shared as source by bench/Benchmarks and bench/Load.
/// </summary>
internal static class KubeObjects
{
    public static string Namespace(int index) => "ns-" + index.ToString(CultureInfo.InvariantCulture);

    public static string NodeName(int index) => "node-" + index.ToString(CultureInfo.InvariantCulture);

    public static string PodName(int index) => "web-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Pod <paramref name="index"/>: namespace index % namespaces, node index % nodes.</summary>
    public static (string Namespace, string Name, string Node) Placement(int index, int namespaces, int nodes) =>
        (Namespace(index % namespaces), PodName(index), NodeName(index % nodes));

    public static byte[] NamespaceJson(string name) =>
        Encoding.UTF8.GetBytes("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");

    /// <summary>
    /// A Node as a kubelet registers it (capacity, labels, addresses, Ready now). Nothing renews
    /// its heartbeat: past the node lifecycle controller's grace period (40 s) it turns Unknown,
    /// and its pods are evicted after their 300 s toleration; runs are shorter than that.
    /// </summary>
    public static byte[] NodeJson(string name, int index)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var zone = "zone-" + (index % 3).ToString(CultureInfo.InvariantCulture);
        var ip = "10.0." + (index / 250 % 250).ToString(CultureInfo.InvariantCulture) + "." + (index % 250 + 1).ToString(CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes(
            "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"kubernetes.io/hostname\":\"" + name
            + "\",\"kubernetes.io/os\":\"linux\",\"kubernetes.io/arch\":\"amd64\",\"topology.kubernetes.io/zone\":\"" + zone
            + "\",\"node.kubernetes.io/instance-type\":\"m5.2xlarge\"}},\"spec\":{\"podCIDR\":\"10.244." + (index % 250).ToString(CultureInfo.InvariantCulture)
            + ".0/24\"},\"status\":{\"capacity\":{\"cpu\":\"8\",\"memory\":\"32Gi\",\"pods\":\"110\",\"ephemeral-storage\":\"100Gi\"},"
            + "\"allocatable\":{\"cpu\":\"7800m\",\"memory\":\"31Gi\",\"pods\":\"110\",\"ephemeral-storage\":\"95Gi\"},"
            + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastHeartbeatTime\":\"" + now + "\",\"lastTransitionTime\":\"" + now
            + "\",\"reason\":\"KubeletReady\",\"message\":\"kubelet is posting ready status\"}],"
            + "\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"" + ip + "\"},{\"type\":\"Hostname\",\"address\":\"" + name + "\"}],"
            + "\"nodeInfo\":{\"kubeletVersion\":\"v1.32.0\",\"containerRuntimeVersion\":\"containerd://1.7.22\",\"osImage\":\"Ubuntu 24.04 LTS\",\"kernelVersion\":\"6.8.0-45-generic\",\"architecture\":\"amd64\",\"operatingSystem\":\"linux\",\"machineID\":\"\",\"systemUUID\":\"\",\"bootID\":\"\",\"kubeProxyVersion\":\"\"}}}");
    }

    /// <summary>Pod <paramref name="name"/> of app <c>web-(index % 50)</c>, bound to <paramref name="node"/> (the scheduler leaves it alone).</summary>
    public static byte[] PodJson(string ns, string name, string node, int index)
    {
        var app = "web-" + (index % 50).ToString(CultureInfo.InvariantCulture);
        var hash = (0x5f3a9b1c + (index % 50)).ToString("x8", CultureInfo.InvariantCulture);
        var sb = new StringBuilder(2400);
        sb.Append("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"").Append(name).Append("\",\"namespace\":\"").Append(ns)
            .Append("\",\"labels\":{\"app\":\"").Append(app).Append("\",\"pod-template-hash\":\"").Append(hash)
            .Append("\",\"tier\":\"frontend\",\"version\":\"v1.4.2\",\"team\":\"team-").Append((index % 7).ToString(CultureInfo.InvariantCulture))
            .Append("\"},\"annotations\":{\"prometheus.io/scrape\":\"true\",\"prometheus.io/port\":\"9090\",\"kubectl.kubernetes.io/default-container\":\"app\",")
            .Append("\"example.com/owner\":\"ReplicaSet/").Append(app).Append('-').Append(hash).Append("\",\"example.com/revision\":\"3\"}")
            .Append("},")
            .Append("\"spec\":{\"nodeName\":\"").Append(node).Append("\",\"containers\":[{\"name\":\"app\",\"image\":\"registry.example.com/team/")
            .Append(app).Append(":1.4.2\",\"ports\":[{\"name\":\"http\",\"containerPort\":8080,\"protocol\":\"TCP\"},{\"name\":\"metrics\",\"containerPort\":9090,\"protocol\":\"TCP\"}],")
            .Append("\"env\":[{\"name\":\"LOG_LEVEL\",\"value\":\"info\"},{\"name\":\"POD_NAME\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}},")
            .Append("{\"name\":\"POD_NAMESPACE\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.namespace\"}}},")
            .Append("{\"name\":\"DATABASE_URL\",\"value\":\"postgres://db.").Append(ns).Append(".svc.cluster.local:5432/app\"},{\"name\":\"CACHE_TTL_SECONDS\",\"value\":\"300\"}],")
            .Append("\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"cpu\":\"500m\",\"memory\":\"256Mi\"}},")
            .Append("\"livenessProbe\":{\"httpGet\":{\"path\":\"/healthz\",\"port\":\"http\"},\"initialDelaySeconds\":10,\"periodSeconds\":10},")
            .Append("\"readinessProbe\":{\"httpGet\":{\"path\":\"/ready\",\"port\":\"http\"},\"periodSeconds\":5},")
            .Append("\"volumeMounts\":[{\"name\":\"config\",\"mountPath\":\"/etc/app\",\"readOnly\":true}]},")
            .Append("{\"name\":\"log-shipper\",\"image\":\"registry.example.com/infra/fluent-bit:2.2.0\",\"args\":[\"--config=/fluent-bit/etc/fluent-bit.conf\"],")
            .Append("\"resources\":{\"requests\":{\"cpu\":\"10m\",\"memory\":\"32Mi\"},\"limits\":{\"memory\":\"64Mi\"}},")
            .Append("\"volumeMounts\":[{\"name\":\"varlog\",\"mountPath\":\"/var/log\"}]}],")
            .Append("\"volumes\":[{\"name\":\"config\",\"configMap\":{\"name\":\"").Append(app).Append("-config\"}},{\"name\":\"varlog\",\"emptyDir\":{}}]}}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>The body of PUT .../pods/{name}/status: the pod Running and Ready on its node, as a kubelet reports it.</summary>
    public static byte[] PodStatusJson(string ns, string name, int index, int generation)
    {
        var time = "2025-01-01T00:00:" + (generation % 60).ToString("00", CultureInfo.InvariantCulture) + "Z";
        var podIp = "10.244." + (index / 250 % 250).ToString(CultureInfo.InvariantCulture) + "." + (index % 250 + 1).ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(1500);
        sb.Append("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"").Append(name).Append("\",\"namespace\":\"").Append(ns).Append("\"},")
            .Append("\"status\":{\"phase\":\"Running\",\"conditions\":[");
        var first = true;
        foreach (var type in (ReadOnlySpan<string>)["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"])
        {
            sb.Append(first ? "" : ",").Append("{\"type\":\"").Append(type).Append("\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTransitionTime\":\"").Append(time).Append("\"}");
            first = false;
        }

        sb.Append("],\"hostIP\":\"10.0.0.").Append((index % 250 + 1).ToString(CultureInfo.InvariantCulture)).Append("\",\"podIP\":\"").Append(podIp)
            .Append("\",\"podIPs\":[{\"ip\":\"").Append(podIp).Append("\"}],\"startTime\":\"").Append(time).Append("\",\"containerStatuses\":[");
        first = true;
        foreach (var container in (ReadOnlySpan<string>)["app", "log-shipper"])
        {
            sb.Append(first ? "" : ",").Append("{\"name\":\"").Append(container).Append("\",\"state\":{\"running\":{\"startedAt\":\"").Append(time)
                .Append("\"}},\"lastState\":{},\"ready\":true,\"restartCount\":").Append((generation % 3).ToString(CultureInfo.InvariantCulture))
                .Append(",\"image\":\"registry.example.com/").Append(container).Append(":1.4.2\",\"imageID\":\"registry.example.com/").Append(container)
                .Append("@sha256:9b2f4c1d7e8a0f3b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b\",\"containerID\":\"containerd://")
                .Append(((long)index * 7919 + generation).ToString("x16", CultureInfo.InvariantCulture)).Append("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718\",\"started\":true}");
            first = false;
        }

        sb.Append("],\"qosClass\":\"Burstable\"}}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
