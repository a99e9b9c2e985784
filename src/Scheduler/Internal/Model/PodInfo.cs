using System.Globalization;
using System.Text.Json.Nodes;

namespace Nautilus.Scheduler.Internal.Model;

/// <summary>
/// What the scheduler needs of a pod, parsed once from its JSON: requests as Kubernetes computes
/// them, ports, node and pod affinity, tolerations, spread constraints, volumes. Immutable; a
/// changed pod is a new PodInfo.
/// </summary>
internal sealed record PodInfo
{
    public const string DefaultSchedulerName = "default-scheduler";

    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public string Uid { get; init; } = "";
    public string ResourceVersion { get; init; } = "";
    public string NodeName { get; init; } = "";
    public string NominatedNodeName { get; init; } = "";
    public string SchedulerName { get; init; } = DefaultSchedulerName;
    public int Priority { get; init; }
    public string PreemptionPolicy { get; init; } = "PreemptLowerPriority";
    public DateTimeOffset CreationTimestamp { get; init; }
    public bool Terminating { get; init; }

    /// <summary>status.startTime; null until the pod started.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>Being deleted by a scheduler's preemption (a DisruptionTarget condition with reason PreemptionByScheduler).</summary>
    public bool TerminatingByPreemption { get; init; }
    public string Phase { get; init; } = "";
    public bool HasSchedulingGates { get; init; }
    public Dictionary<string, string> Labels { get; init; } = new(StringComparer.Ordinal);
    public string OwnerUid { get; init; } = "";

    /// <summary>The owner reference marked controller (metav1.GetControllerOf), if any.</summary>
    public ControllerReference? Controller { get; init; }

    /// <summary>max(sum of containers (+ sidecars), max of init containers) + overhead.</summary>
    public Resource Requests { get; init; } = new();

    /// <summary>The same with 100m cpu / 200Mi memory for each container that states no request (scoring).</summary>
    public long NonZeroMilliCpu { get; init; }
    public long NonZeroMemory { get; init; }

    public HostPort[] Ports { get; init; } = [];
    public Dictionary<string, string> NodeSelector { get; init; } = new(StringComparer.Ordinal);
    public NodeSelector? RequiredNodeAffinity { get; init; }
    public PreferredSchedulingTerm[] PreferredNodeAffinity { get; init; } = [];
    public Toleration[] Tolerations { get; init; } = [];
    public AffinityTerm[] RequiredAffinityTerms { get; init; } = [];
    public AffinityTerm[] RequiredAntiAffinityTerms { get; init; } = [];
    public WeightedAffinityTerm[] PreferredAffinityTerms { get; init; } = [];
    public WeightedAffinityTerm[] PreferredAntiAffinityTerms { get; init; } = [];
    public TopologySpreadConstraint[] TopologySpreadConstraints { get; init; } = [];
    public string[] Images { get; init; } = [];

    /// <summary>Claim names of persistentVolumeClaim and generic ephemeral volumes.</summary>
    public string[] ClaimNames { get; init; } = [];

    /// <summary>
    /// The PodScheduled condition of a pod without a node, as last read: the scheduler's status
    /// patch keeps its transition time and skips an unchanged write. Bound pods keep none (their
    /// conditions are the kubelet's; a cache of 150,000 pods would otherwise hold them all).
    /// </summary>
    public PodCondition? ScheduledCondition { get; init; }

    public string Key => Namespace + "/" + Name;

    public bool HasAffinity => RequiredAffinityTerms.Length > 0 || RequiredAntiAffinityTerms.Length > 0 || PreferredAffinityTerms.Length > 0 || PreferredAntiAffinityTerms.Length > 0;

    public bool HasRequiredAntiAffinity => RequiredAntiAffinityTerms.Length > 0;

    /// <summary>This pod as assumed on <paramref name="node"/>.</summary>
    public PodInfo WithNodeName(string node) => this with { NodeName = node };

    // Identity is the pod's uid; the parsed fields are not compared.
    public bool Equals(PodInfo? other) => other is not null && Uid == other.Uid && Namespace == other.Namespace && Name == other.Name;

    public override int GetHashCode() => HashCode.Combine(Uid, Namespace, Name);

    public static PodInfo Parse(JsonObject pod)
    {
        var meta = Json.Obj(pod, "metadata");
        var spec = Json.Obj(pod, "spec");
        var status = Json.Obj(pod, "status");
        var ns = Json.Token(meta, "namespace") ?? "";
        var labels = Json.StringMap(Json.Obj(meta, "labels"));

        var containers = Json.Arr(spec, "containers");
        var initContainers = Json.Arr(spec, "initContainers");
        var overhead = Json.Obj(spec, "overhead");
        var requests = ComputeRequests(containers, initContainers, overhead, nonZero: false);
        var nonZero = ComputeRequests(containers, initContainers, overhead, nonZero: true);

        var ports = new List<HostPort>();
        var images = new List<string>();
        foreach (var c in Json.Objects(initContainers))
        {
            images.Add(Json.Token(c, "image") ?? "");
        }

        foreach (var c in Json.Objects(containers))
        {
            images.Add(Json.Token(c, "image") ?? "");
            foreach (var p in Json.Objects(Json.Arr(c, "ports")))
            {
                var hostPort = (int)(Json.Long(p, "hostPort") ?? 0);
                if (hostPort > 0)
                {
                    var ip = Json.Str(p, "hostIP");
                    var protocol = Json.Token(p, "protocol");
                    ports.Add(new HostPort(string.IsNullOrEmpty(ip) ? HostPort.AnyIp : ip, string.IsNullOrEmpty(protocol) ? "TCP" : protocol, hostPort));
                }
            }
        }

        var affinity = Json.Obj(spec, "affinity");
        var nodeAffinity = Json.Obj(affinity, "nodeAffinity");
        var required = Json.Obj(nodeAffinity, "requiredDuringSchedulingIgnoredDuringExecution");
        var preferred = new List<PreferredSchedulingTerm>();
        foreach (var p in Json.Objects(Json.Arr(nodeAffinity, "preferredDuringSchedulingIgnoredDuringExecution")))
        {
            var weight = (int)(Json.Long(p, "weight") ?? 0);
            if (weight != 0 && Json.Obj(p, "preference") is { } preference)
            {
                preferred.Add(new PreferredSchedulingTerm(weight, NodeSelectorTerm.Parse(preference)));
            }
        }

        var podAffinity = Json.Obj(affinity, "podAffinity");
        var podAntiAffinity = Json.Obj(affinity, "podAntiAffinity");

        var tolerations = new List<Toleration>();
        foreach (var t in Json.Objects(Json.Arr(spec, "tolerations")))
        {
            tolerations.Add(Toleration.Parse(t));
        }

        var spread = new List<TopologySpreadConstraint>();
        foreach (var c in Json.Objects(Json.Arr(spec, "topologySpreadConstraints")))
        {
            spread.Add(TopologySpreadConstraint.Parse(c, labels));
        }

        var claims = new List<string>();
        var name = Json.Str(meta, "name") ?? "";
        foreach (var v in Json.Objects(Json.Arr(spec, "volumes")))
        {
            if (Json.Str(Json.Obj(v, "persistentVolumeClaim"), "claimName") is { } claim)
            {
                claims.Add(claim);
            }
            else if (Json.Obj(v, "ephemeral") is not null)
            {
                claims.Add(name + "-" + (Json.Str(v, "name") ?? ""));
            }
        }

        var owner = "";
        ControllerReference? controller = null;
        foreach (var o in Json.Objects(Json.Arr(meta, "ownerReferences")))
        {
            if (Json.Bool(o, "controller"))
            {
                owner = Json.Token(o, "uid") ?? "";
                controller = new ControllerReference(Json.Token(o, "apiVersion") ?? "", Json.Token(o, "kind") ?? "", Json.Token(o, "name") ?? "");
            }
        }

        return new PodInfo
        {
            Namespace = ns,
            Name = name,
            Uid = Json.Str(meta, "uid") ?? "",
            ResourceVersion = Json.Str(meta, "resourceVersion") ?? "",
            NodeName = Json.Token(spec, "nodeName") ?? "",
            NominatedNodeName = Json.Token(status, "nominatedNodeName") ?? "",
            SchedulerName = Json.Token(spec, "schedulerName") is { Length: > 0 } s ? s : DefaultSchedulerName,
            Priority = (int)(Json.Long(spec, "priority") ?? 0),
            PreemptionPolicy = Json.Token(spec, "preemptionPolicy") ?? "PreemptLowerPriority",
            CreationTimestamp = DateTimeOffset.TryParse(Json.Str(meta, "creationTimestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created) ? created : default,
            Terminating = Json.Str(meta, "deletionTimestamp") is not null,
            StartTime = DateTimeOffset.TryParse(Json.Str(status, "startTime"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var started) ? started : null,
            TerminatingByPreemption = Json.Str(meta, "deletionTimestamp") is not null && PreemptedByScheduler(Json.Arr(status, "conditions")),
            Phase = Json.Token(status, "phase") ?? "",
            HasSchedulingGates = Json.Arr(spec, "schedulingGates") is { Count: > 0 },
            Labels = labels,
            OwnerUid = owner,
            Controller = controller,
            Requests = requests,
            NonZeroMilliCpu = nonZero.MilliCpu,
            NonZeroMemory = nonZero.Memory,
            Ports = [.. ports],
            NodeSelector = Json.StringMap(Json.Obj(spec, "nodeSelector")),
            RequiredNodeAffinity = required is null ? null : Model.NodeSelector.Parse(required),
            PreferredNodeAffinity = [.. preferred],
            Tolerations = [.. tolerations],
            RequiredAffinityTerms = Terms(Json.Arr(podAffinity, "requiredDuringSchedulingIgnoredDuringExecution"), ns),
            RequiredAntiAffinityTerms = Terms(Json.Arr(podAntiAffinity, "requiredDuringSchedulingIgnoredDuringExecution"), ns),
            PreferredAffinityTerms = WeightedTerms(Json.Arr(podAffinity, "preferredDuringSchedulingIgnoredDuringExecution"), ns),
            PreferredAntiAffinityTerms = WeightedTerms(Json.Arr(podAntiAffinity, "preferredDuringSchedulingIgnoredDuringExecution"), ns),
            TopologySpreadConstraints = [.. spread],
            Images = [.. images],
            ClaimNames = [.. claims],
            ScheduledCondition = Json.Str(spec, "nodeName") is { Length: > 0 } ? null : PodCondition.Find(Json.Arr(status, "conditions"), "PodScheduled"),
        };
    }

    private static bool PreemptedByScheduler(JsonArray? conditions)
    {
        foreach (var c in Json.Objects(conditions))
        {
            if (Json.Str(c, "type") == "DisruptionTarget" && Json.Str(c, "status") == "True" && Json.Str(c, "reason") == "PreemptionByScheduler")
            {
                return true;
            }
        }

        return false;
    }

    private static AffinityTerm[] Terms(JsonArray? terms, string ns)
    {
        var result = new List<AffinityTerm>();
        foreach (var t in Json.Objects(terms))
        {
            result.Add(AffinityTerm.Parse(t, ns));
        }

        return [.. result];
    }

    private static WeightedAffinityTerm[] WeightedTerms(JsonArray? terms, string ns)
    {
        var result = new List<WeightedAffinityTerm>();
        foreach (var t in Json.Objects(terms))
        {
            if (Json.Obj(t, "podAffinityTerm") is { } term)
            {
                result.Add(new WeightedAffinityTerm(AffinityTerm.Parse(term, ns), (int)(Json.Long(t, "weight") ?? 0)));
            }
        }

        return [.. result];
    }

    /// <summary>
    /// resourcehelper.PodRequests: containers summed; a restartable init container (sidecar) adds to
    /// the sum and to every later init container; the result is the larger of the sum and the
    /// largest init container, plus overhead. A missing request defaults to the limit, as the API
    /// server defaults it; with <paramref name="nonZero"/> a container without a cpu or memory
    /// request counts 100m and 200Mi.
    /// </summary>
    internal static Resource ComputeRequests(JsonArray? containers, JsonArray? initContainers, JsonObject? overhead, bool nonZero)
    {
        var sum = new Resource();
        foreach (var c in Json.Objects(containers))
        {
            sum.Add(ContainerRequests(c, nonZero));
        }

        var sidecars = new Resource();
        var initMax = new Resource();
        foreach (var c in Json.Objects(initContainers))
        {
            var r = ContainerRequests(c, nonZero);
            if (Json.Str(c, "restartPolicy") == "Always")
            {
                sum.Add(r);
                sidecars.Add(r);
                r = sidecars.Clone();
            }
            else
            {
                r.Add(sidecars);
            }

            initMax.Max(r);
        }

        sum.Max(initMax);
        if (overhead is not null)
        {
            sum.Add(Resource.Parse(overhead));
        }

        return sum;
    }

    private static Resource ContainerRequests(JsonObject container, bool nonZero)
    {
        var resources = Json.Obj(container, "resources");
        var requests = Json.Obj(resources, "requests");
        var limits = Json.Obj(resources, "limits");
        var r = new Resource();
        if (requests is not null)
        {
            foreach (var (name, q) in requests)
            {
                r.Set(name, Resource.ParseAmount(name, Quantity.Text(q)));
            }
        }

        if (limits is not null)
        {
            foreach (var (name, q) in limits)
            {
                if (requests is null || !requests.ContainsKey(name))
                {
                    r.Set(name, Resource.ParseAmount(name, Quantity.Text(q)));
                }
            }
        }

        if (nonZero)
        {
            if (!HasRequest(requests, limits, ResourceNames.Cpu))
            {
                r.MilliCpu = Resource.DefaultMilliCpuRequest;
            }

            if (!HasRequest(requests, limits, ResourceNames.Memory))
            {
                r.Memory = Resource.DefaultMemoryRequest;
            }
        }

        return r;
    }

    private static bool HasRequest(JsonObject? requests, JsonObject? limits, string name) =>
        (requests is not null && requests.ContainsKey(name)) || (limits is not null && limits.ContainsKey(name));
}

/// <summary>One entry of status.conditions, as the scheduler reads it.</summary>
public sealed record PodCondition(string Type, string Status, string Reason, string Message, string? LastTransitionTime)
{
    /// <summary>The condition of <paramref name="type"/> in <paramref name="conditions"/>, or null.</summary>
    public static PodCondition? Find(JsonArray? conditions, string type)
    {
        foreach (var c in Json.Objects(conditions))
        {
            if (Json.Str(c, "type") == type)
            {
                return new PodCondition(type, Json.Token(c, "status") ?? "", Json.Token(c, "reason") ?? "", Json.Str(c, "message") ?? "", Json.Str(c, "lastTransitionTime"));
            }
        }

        return null;
    }
}
