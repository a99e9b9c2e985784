using System.Text.Json.Nodes;
using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Tests;

/// <summary>Pods as kube's st.MakePod builds them: Req adds a container with those requests.</summary>
public sealed class PodBuilder
{
    private static int _uid;
    private readonly JsonObject _meta;
    private readonly JsonObject _spec;
    private readonly JsonObject _pod;

    public PodBuilder(string name, string ns = "default")
    {
        _meta = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = "uid-" + name + "-" + Interlocked.Increment(ref _uid), ["resourceVersion"] = "1" };
        _spec = new JsonObject { ["containers"] = new JsonArray() };
        _pod = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = _meta, ["spec"] = _spec };
    }

    public PodBuilder Req(params (string Name, string Quantity)[] requests)
    {
        var r = new JsonObject();
        foreach (var (n, q) in requests)
        {
            r[n] = q;
        }

        ((JsonArray)_spec["containers"]!).Add(new JsonObject { ["name"] = "c" + ((JsonArray)_spec["containers"]!).Count, ["image"] = "busybox", ["resources"] = new JsonObject { ["requests"] = r } });
        return this;
    }

    public PodBuilder Container(string json)
    {
        ((JsonArray)_spec["containers"]!).Add(JsonNode.Parse(json));
        return this;
    }

    public PodBuilder Init(string json)
    {
        if (_spec["initContainers"] is not JsonArray a)
        {
            a = [];
            _spec["initContainers"] = a;
        }

        a.Add(JsonNode.Parse(json));
        return this;
    }

    public PodBuilder Label(string k, string v)
    {
        if (_meta["labels"] is not JsonObject labels)
        {
            labels = [];
            _meta["labels"] = labels;
        }

        labels[k] = v;
        return this;
    }

    /// <summary>A controller owner reference (apps/v1 ReplicaSet by default).</summary>
    public PodBuilder Owner(string name, string kind = "ReplicaSet", string apiVersion = "apps/v1")
    {
        _meta["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["name"] = name, ["uid"] = "uid-" + name, ["controller"] = true });
        return this;
    }

    public PodBuilder Node(string node)
    {
        _spec["nodeName"] = node;
        return this;
    }

    public PodBuilder Priority(int p)
    {
        _spec["priority"] = p;
        return this;
    }

    public PodBuilder HostPort(int port, string protocol = "TCP", string ip = "")
    {
        var p = new JsonObject { ["containerPort"] = port, ["hostPort"] = port, ["protocol"] = protocol };
        if (ip.Length > 0)
        {
            p["hostIP"] = ip;
        }

        return Container(new JsonObject { ["name"] = "p" + port, ["image"] = "busybox", ["ports"] = new JsonArray(p) }.ToJsonString());
    }

    /// <summary>Merges a JSON object into spec (affinity, tolerations, nodeSelector, topologySpreadConstraints...).</summary>
    public PodBuilder Spec(string json)
    {
        foreach (var (k, v) in JsonNode.Parse(json)!.AsObject())
        {
            _spec[k] = v?.DeepClone();
        }

        return this;
    }

    /// <summary>status.startTime (preemption prefers evicting the pods that started last).</summary>
    public PodBuilder Started(string time)
    {
        _pod["status"] = new JsonObject { ["startTime"] = time };
        return this;
    }

    public PodBuilder Terminating()
    {
        _meta["deletionTimestamp"] = "2024-01-01T00:00:00Z";
        return this;
    }

    public JsonObject Json() => _pod;

    internal PodInfo Build() => PodInfo.Parse(_pod);
}

public sealed class NodeBuilder(string name)
{
    private readonly JsonObject _meta = new() { ["name"] = name, ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = name } };
    private readonly JsonObject _spec = [];
    private readonly JsonObject _status = new() { ["allocatable"] = new JsonObject { ["pods"] = "110" } };

    public NodeBuilder Capacity(params (string Name, string Quantity)[] amounts)
    {
        foreach (var (n, q) in amounts)
        {
            _status["allocatable"]![n] = q;
        }

        return this;
    }

    public NodeBuilder Label(string k, string v)
    {
        _meta["labels"]![k] = v;
        return this;
    }

    public NodeBuilder Taint(string key, string value, string effect)
    {
        if (_spec["taints"] is not JsonArray a)
        {
            a = [];
            _spec["taints"] = a;
        }

        a.Add(new JsonObject { ["key"] = key, ["value"] = value, ["effect"] = effect });
        return this;
    }

    public NodeBuilder Unschedulable()
    {
        _spec["unschedulable"] = true;
        return this;
    }

    public NodeBuilder Image(long size, params string[] names)
    {
        if (_status["images"] is not JsonArray a)
        {
            a = [];
            _status["images"] = a;
        }

        var n = new JsonArray();
        foreach (var s in names)
        {
            n.Add(s);
        }

        a.Add(new JsonObject { ["names"] = n, ["sizeBytes"] = size });
        return this;
    }

    public JsonObject Json() => new() { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = _meta.DeepClone(), ["spec"] = _spec.DeepClone(), ["status"] = _status.DeepClone() };

    internal NodeModel Build() => NodeModel.Parse(Json());

    internal NodeInfo Info(params PodInfo[] pods)
    {
        var info = new NodeInfo(Build());
        foreach (var p in pods)
        {
            info.AddPod(p.NodeName.Length > 0 ? p : p.WithNodeName(name));
        }

        return info;
    }
}

internal static class T
{
    public static PodBuilder Pod(string name = "p", string ns = "default") => new(name, ns);

    public static NodeBuilder Node(string name) => new(name);

    /// <summary>Runs one plugin's PreFilter and Filter against a node, as the framework would.</summary>
    public static Status Filter(IPlugin plugin, PodInfo pod, NodeInfo node, Snapshot? snapshot = null)
    {
        var state = new CycleState();
        snapshot ??= Snapshot.From([node]);
        if (plugin is IPreFilterPlugin pre)
        {
            var s = pre.PreFilter(state, pod, snapshot, out var names);
            if (s.IsSkip)
            {
                return default;
            }

            if (!s.IsSuccess)
            {
                return s;
            }

            if (names is not null && !names.Contains(node.Name))
            {
                return Status.Unresolvable("excluded by PreFilter");
            }
        }

        return ((IFilterPlugin)plugin).Filter(state, pod, node);
    }

    /// <summary>Runs PreScore, Score and NormalizeScore of one plugin over the nodes.</summary>
    public static long[] Score(IScorePlugin plugin, PodInfo pod, IReadOnlyList<NodeInfo> nodes, Snapshot? snapshot = null)
    {
        var state = new CycleState();
        snapshot ??= Snapshot.From(nodes);
        if (plugin is IPreScorePlugin pre)
        {
            var s = pre.PreScore(state, pod, snapshot, nodes);
            if (s.IsSkip)
            {
                return new long[nodes.Count];
            }

            Assert.That(s.IsSuccess, Is.True, s.ToString());
        }

        var scores = new NodeScore[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            Assert.That(plugin.Score(state, pod, nodes[i], out var score).IsSuccess, Is.True);
            scores[i] = new NodeScore(nodes[i].Name, score);
        }

        plugin.ScoreExtensions?.NormalizeScore(state, pod, scores);
        var result = new long[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            result[i] = scores[i].Score;
        }

        return result;
    }

    public static string Describe(Status s) => s.IsSuccess ? "Success" : $"{s.Code}: {string.Join(", ", s.Reasons)}";
}

/// <summary>A clock that moves only when told.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public ManualTime()
        : this(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>A lister over dictionaries.</summary>
internal sealed class FakeLister : IClusterLister
{
    public Dictionary<string, Dictionary<string, string>> NamespaceMap { get; } = new() { ["default"] = [] };
    public Dictionary<string, ClaimInfo> Claims { get; } = [];
    public Dictionary<string, VolumeInfo> Volumes { get; } = [];

    public Dictionary<string, string>? NamespaceLabels(string ns) => NamespaceMap.GetValueOrDefault(ns);

    public IEnumerable<KeyValuePair<string, Dictionary<string, string>>> Namespaces() => NamespaceMap;

    public ClaimInfo? GetClaim(string ns, string name) => Claims.GetValueOrDefault(ns + "/" + name);

    public VolumeInfo? GetVolume(string name) => Volumes.GetValueOrDefault(name);

    /// <summary>Service selectors by namespace.</summary>
    public Dictionary<string, List<Dictionary<string, string>>> Services { get; } = [];

    /// <summary>Workload selectors by (kind, namespace/name).</summary>
    public Dictionary<(string Kind, string Key), LabelSelector> Workloads { get; } = [];

    public IEnumerable<Dictionary<string, string>> ServiceSelectors(string ns) => Services.GetValueOrDefault(ns) ?? [];

    public LabelSelector? WorkloadSelector(string ns, ControllerReference owner) => Workloads.GetValueOrDefault((owner.Kind, ns + "/" + owner.Name));
}
