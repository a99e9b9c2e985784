using System.Globalization;
using System.Text.Json.Nodes;

namespace Nautilus.Benchmarks.Scheduler;

/// <summary>
/// kube-scheduler's scheduler_perf workloads (test/integration/scheduler_perf): nodes from
/// templates/node-default.yaml (4 cpu, 32Gi, 110 pods; here also labelled with their hostname, as
/// a kubelet labels them), pods from the pod templates (100m cpu / 500Mi requests and limits).
/// The init pods are scheduled first; only the measured pods are timed.
/// </summary>
public sealed record SchedulerPerfWorkload(string Name, int Nodes, int InitPods, int MeasurePods)
{
    /// <summary>SchedulingBasic/5000Nodes_10000Pods (kube's CI floor: 680 pods/s).</summary>
    public static readonly SchedulerPerfWorkload SchedulingBasic = new("SchedulingBasic", 5000, 1000, 10_000);

    /// <summary>SchedulingPodAntiAffinity/5000Nodes_2000Pods: required anti-affinity on kubernetes.io/hostname (kube's floor: 60 pods/s).</summary>
    public static readonly SchedulerPerfWorkload SchedulingPodAntiAffinity = new("SchedulingPodAntiAffinity", 5000, 1000, 2000);

    /// <summary>TopologySpreading/5000Nodes: 3 zones, maxSkew 5 DoNotSchedule spreading over topology.kubernetes.io/zone.</summary>
    public static readonly SchedulerPerfWorkload TopologySpreading = new("TopologySpreading", 5000, 5000, 2000);

    public static IReadOnlyList<SchedulerPerfWorkload> All { get; } = [SchedulingBasic, SchedulingPodAntiAffinity, TopologySpreading];

    public static SchedulerPerfWorkload ByName(string name)
    {
        foreach (var w in All)
        {
            if (string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return w;
            }
        }

        throw new ArgumentException($"unknown workload {name}; known: {string.Join(", ", All.Select(w => w.Name))}");
    }

    /// <summary>The same workload with other sizes (quick runs).</summary>
    public SchedulerPerfWorkload Scaled(int? nodes, int? measurePods) =>
        this with { Nodes = nodes ?? Nodes, InitPods = nodes is null ? InitPods : (int)((long)InitPods * nodes.Value / Nodes), MeasurePods = measurePods ?? MeasurePods };

    private static readonly string[] Zones = ["moon-1", "moon-2", "moon-3"];

    public JsonObject Node(int i)
    {
        var name = "scheduler-perf-" + i.ToString(CultureInfo.InvariantCulture);
        var labels = new JsonObject { ["kubernetes.io/hostname"] = name };
        if (Name == TopologySpreading.Name)
        {
            labels["topology.kubernetes.io/zone"] = Zones[i % Zones.Length];
        }

        var resources = new JsonObject { ["pods"] = "110", ["cpu"] = "4", ["memory"] = "32Gi" };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
            ["spec"] = new JsonObject(),
            ["status"] = new JsonObject
            {
                ["capacity"] = resources,
                ["allocatable"] = resources.DeepClone(),
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
                ["phase"] = "Running",
            },
        };
    }

    /// <summary>The namespace of init pods (sched-0) or measured pods (sched-1), as the anti-affinity workload uses.</summary>
    public static string Namespace(bool measured) => measured ? "sched-1" : "sched-0";

    public JsonObject InitPod(int i) => Pod("init-" + i.ToString(CultureInfo.InvariantCulture), Namespace(false), measured: false);

    public JsonObject MeasurePod(int i) => Pod("pod-" + i.ToString(CultureInfo.InvariantCulture), Namespace(true), measured: true);

    private JsonObject Pod(string name, string ns, bool measured)
    {
        var requests = new JsonObject { ["cpu"] = "100m", ["memory"] = "500Mi" };
        var container = new JsonObject
        {
            ["name"] = "pause",
            ["image"] = "registry.k8s.io/pause:3.10",
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 80, ["protocol"] = "TCP" }),
            ["resources"] = new JsonObject { ["limits"] = requests.DeepClone(), ["requests"] = requests },
        };
        var spec = new JsonObject { ["containers"] = new JsonArray(container) };
        var meta = new JsonObject { ["name"] = name, ["namespace"] = ns };
        if (Name == SchedulingPodAntiAffinity.Name)
        {
            meta["labels"] = new JsonObject { ["color"] = "green" };
            spec["affinity"] = JsonNode.Parse("""
                {"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
                  {"labelSelector":{"matchLabels":{"color":"green"}},"topologyKey":"kubernetes.io/hostname","namespaces":["sched-1","sched-0"]}]}}
                """);
        }
        else if (Name == TopologySpreading.Name && measured)
        {
            meta["labels"] = new JsonObject { ["color"] = "blue" };
            spec["topologySpreadConstraints"] = JsonNode.Parse("""
                [{"maxSkew":5,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"DoNotSchedule","labelSelector":{"matchLabels":{"color":"blue"}}}]
                """);
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = meta, ["spec"] = spec };
    }
}
