using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Events;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Deployments;

/// <summary>
/// kube-controller-manager's Deployment controller (pkg/controller/deployment): owns one
/// ReplicaSet per pod template (<c>&lt;deployment&gt;-&lt;pod-template-hash&gt;</c>), rolls from
/// the old ones to the new one with the RollingUpdate (maxSurge / maxUnavailable) or Recreate
/// strategy, scales proportionally when the Deployment is resized mid-rollout, keeps
/// revisionHistoryLimit old ReplicaSets, numbers revisions in annotations (so kubectl rollout
/// history and undo work), honours spec.paused, and reports replicas, the Available and
/// Progressing conditions (with progressDeadlineSeconds) and collisionCount in status.
/// </summary>
public sealed partial class DeploymentController : Controller
{
    public const string ComponentName = "deployment-controller";

    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

    // Condition reasons (deploymentutil).
    public const string NewReplicaSetReason = "NewReplicaSetCreated";
    public const string FoundNewReplicaSetReason = "FoundNewReplicaSet";
    public const string FailedReplicaSetCreateReason = "ReplicaSetCreateError";
    public const string ReplicaSetUpdatedReason = "ReplicaSetUpdated";
    public const string NewReplicaSetAvailableReason = "NewReplicaSetAvailable";
    public const string TimedOutReason = "ProgressDeadlineExceeded";
    public const string PausedReason = "DeploymentPaused";
    public const string ResumedReason = "DeploymentResumed";
    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

    private const string Kind = "Deployment";
    private const string ApiVersion = "apps/v1";

    /// <summary>maxRevHistoryLengthInChars.</summary>
    private const int MaxRevisionHistoryLength = 2000;

    /// <summary>Annotations of a Deployment that are not copied to its ReplicaSets.</summary>
    private static readonly HashSet<string> AnnotationsToSkip = new(StringComparer.Ordinal)
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        RevisionAnnotation,
        RevisionHistoryAnnotation,
        DesiredReplicasAnnotation,
        MaxReplicasAnnotation,
        "deprecated.deployment.rollback.to",
    };

    private readonly ApiClient _client;
    private readonly Informer _deployments;
    private readonly Informer _replicaSets;
    private readonly Informer _pods;
    private readonly EventRecorder _recorder;
    private readonly TimeProvider _time;

    public DeploymentController(ApiClient client, Informer deployments, Informer replicaSets, Informer pods, EventRecorder recorder, ILogger<DeploymentController> logger, TimeProvider? time = null, int workers = 5)
        : base(ComponentName, logger, workers)
    {
        _client = client;
        _deployments = deployments;
        _replicaSets = replicaSets;
        _pods = pods;
        _recorder = recorder;
        _time = time ?? TimeProvider.System;
    }

    protected override IEnumerable<Informer> Informers => [_deployments, _replicaSets, _pods];

    /// <summary>Subscribes to the informers; call once before <see cref="Controller.RunAsync"/>.</summary>
    public void Start()
    {
        ResourceEventHandler.Subscribe(
            _deployments,
            onAdd: d => Queue.Add(KubeObject.Key(d)),
            onUpdate: (_, d) => Queue.Add(KubeObject.Key(d)),
            onDelete: d => Queue.Add(KubeObject.Key(d)));
        ResourceEventHandler.Subscribe(_replicaSets, onAdd: AddReplicaSet, onUpdate: UpdateReplicaSet, onDelete: DeleteReplicaSet);
        ResourceEventHandler.Subscribe(_pods, onDelete: DeletePod);
    }

    private void AddReplicaSet(JsonObject rs)
    {
        if (KubeObject.ControllerOf(rs) is { } controllerRef)
        {
            if (ResolveControllerRef(KubeObject.Namespace(rs), controllerRef) is { } d)
            {
                Queue.Add(KubeObject.Key(d));
            }

            return;
        }

        foreach (var d in DeploymentsSelecting(rs))
        {
            Queue.Add(KubeObject.Key(d));
        }
    }

    private void UpdateReplicaSet(JsonObject old, JsonObject cur)
    {
        if (KubeObject.ResourceVersion(old) == KubeObject.ResourceVersion(cur))
        {
            return;
        }

        var curRef = KubeObject.ControllerOf(cur);
        var oldRef = KubeObject.ControllerOf(old);
        var refChanged = curRef != oldRef;
        if (refChanged && oldRef is not null && ResolveControllerRef(KubeObject.Namespace(old), oldRef) is { } oldD)
        {
            Queue.Add(KubeObject.Key(oldD));
        }

        if (curRef is not null)
        {
            if (ResolveControllerRef(KubeObject.Namespace(cur), curRef) is { } d)
            {
                Queue.Add(KubeObject.Key(d));
            }

            return;
        }

        if (refChanged || !KubeObject.SemanticEquals(KubeObject.Labels(old), KubeObject.Labels(cur)))
        {
            foreach (var d in DeploymentsSelecting(cur))
            {
                Queue.Add(KubeObject.Key(d));
            }
        }
    }

    private void DeleteReplicaSet(JsonObject rs)
    {
        if (KubeObject.ControllerOf(rs) is { } controllerRef && ResolveControllerRef(KubeObject.Namespace(rs), controllerRef) is { } d)
        {
            Queue.Add(KubeObject.Key(d));
        }
    }

    /// <summary>A Recreate rollout waits for the old pods to be gone: their deletion wakes it.</summary>
    private void DeletePod(JsonObject pod)
    {
        var ns = KubeObject.Namespace(pod);
        if (KubeObject.ControllerOf(pod) is not { Kind: "ReplicaSet" } rsRef
            || !_replicaSets.TryGetCached(ns + "/" + rsRef.Name, out var rs) || rs.Uid != rsRef.Uid
            || rs.ControllerOf() is not { } dRef || ResolveControllerRef(ns, dRef) is not { } d)
        {
            return;
        }

        if (StrategyType(d) == "Recreate")
        {
            Queue.Add(KubeObject.Key(d));
        }
    }

    private JsonObject? ResolveControllerRef(string ns, ControllerReference controllerRef)
    {
        if (controllerRef.Kind != Kind || !_deployments.TryGet(ns + "/" + controllerRef.Name, out var d))
        {
            return null;
        }

        return KubeObject.Uid(d) == controllerRef.Uid ? d : null;
    }

    private IEnumerable<JsonObject> DeploymentsSelecting(JsonObject rs)
    {
        var ns = KubeObject.Namespace(rs);
        var labels = KubeObject.Labels(rs);
        foreach (var d in _deployments.ListNamespace(ns))
        {
            var selector = LabelSelector.ParseOrNothing(Spec(d)["selector"]);
            if (!selector.IsEverything && selector.Matches(labels))
            {
                yield return d;
            }
        }
    }

    protected override async Task<TimeSpan?> ReconcileAsync(string key, CancellationToken ct)
    {
        if (!_deployments.TryGet(key, out var cached))
        {
            return null;
        }

        var sync = new DeploymentSync(this, (JsonObject)cached.DeepClone(), ct);
        return await sync.RunAsync().ConfigureAwait(false);
    }

    // Readers over Deployment and ReplicaSet JSON.
    private static JsonObject Spec(JsonObject obj) => obj["spec"] as JsonObject ?? [];

    internal static string StrategyType(JsonObject d) => KubeObject.String(Spec(d)["strategy"] as JsonObject, "type") ?? "RollingUpdate";

    internal static int Replicas(JsonObject obj) => (int)KubeObject.Int(Spec(obj), "replicas", 1);

    internal static int StatusInt(JsonObject obj, string field) => (int)KubeObject.Int(obj["status"] as JsonObject, field);

    internal static long Revision(JsonObject rs) =>
        long.TryParse(KubeObject.Annotation(rs, RevisionAnnotation), NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) ? r : 0;

    internal static int MaxSurge(JsonObject d)
    {
        if (StrategyType(d) != "RollingUpdate")
        {
            return 0;
        }

        var rolling = Spec(d)["strategy"]?["rollingUpdate"] as JsonObject;
        return RolloutMath.ResolveFenceposts(rolling?["maxSurge"], rolling?["maxUnavailable"], Replicas(d)).MaxSurge;
    }

    internal static int MaxUnavailable(JsonObject d)
    {
        if (StrategyType(d) != "RollingUpdate" || Replicas(d) == 0)
        {
            return 0;
        }

        var rolling = Spec(d)["strategy"]?["rollingUpdate"] as JsonObject;
        var unavailable = RolloutMath.ResolveFenceposts(rolling?["maxSurge"], rolling?["maxUnavailable"], Replicas(d)).MaxUnavailable;
        return Math.Min(unavailable, Replicas(d));
    }

    /// <summary>The spec's int32 field when set and not math.MaxInt32 (which means "no limit").</summary>
    private static long? Limit(JsonObject d, string field) =>
        KubeObject.AsInt(Spec(d)[field]) is { } v && v != int.MaxValue ? v : null;

    private static int Sum(IEnumerable<JsonObject> rss, Func<JsonObject, int> f) => rss.Sum(f);

    private static IEnumerable<JsonObject> Active(IEnumerable<JsonObject> rss) => rss.Where(rs => Replicas(rs) > 0);

    private static int CompareByCreation(JsonObject a, JsonObject b)
    {
        var c = Nullable.Compare(KubeObject.CreationTimestamp(a), KubeObject.CreationTimestamp(b));
        return c != 0 ? c : string.CompareOrdinal(KubeObject.Name(a), KubeObject.Name(b));
    }

    private static List<JsonObject> ByCreation(IEnumerable<JsonObject> rss) => rss.Order(Comparer<JsonObject>.Create(CompareByCreation)).ToList();

    /// <summary>
    /// One sync of one Deployment (syncDeployment and the rollout functions it calls). Holds the
    /// Deployment being worked on; every status write replaces it with what the API returned, so
    /// later writes in the same sync do not conflict with earlier ones.
    /// </summary>
    private sealed class DeploymentSync(DeploymentController c, JsonObject d, CancellationToken ct)
    {
        private JsonObject _d = d;
        private DeploymentStatus _status = DeploymentStatus.FromJson(d["status"] as JsonObject);
        private List<JsonObject> _rsList = [];
        /// <summary>getPodMapForDeployment's result, built on first use: only a Recreate rollout reads it, and it parses every pod.</summary>
        private Dictionary<string, List<JsonObject>>? _podMap;
        private LabelSelector _selector = LabelSelector.Nothing;

        private string Ns => KubeObject.Namespace(_d);

        private string Name => KubeObject.Name(_d);

        private InvolvedObject Reference => InvolvedObject.For(_d, ApiVersion, Kind);

        private DateTimeOffset Now => c._time.GetUtcNow();

        private bool HasProgressDeadline => Limit(_d, "progressDeadlineSeconds") is not null;

        public async Task<TimeSpan?> RunAsync()
        {
            LabelSelector selector;
            try
            {
                selector = LabelSelector.Parse(Spec(_d)["selector"]);
            }
            catch (FormatException e)
            {
                LogInvalidSelector(c.Logger, KubeObject.Key(_d), e.Message);
                return null;
            }

            if (selector.IsEverything)
            {
                c._recorder.Event(Reference, EventRecorder.Warning, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
                if (_status.ObservedGeneration < KubeObject.Generation(_d))
                {
                    _status.ObservedGeneration = KubeObject.Generation(_d);
                    await WriteStatusAsync().ConfigureAwait(false);
                }

                return null;
            }

            _rsList = await ReplicaSetsForDeploymentAsync(selector).ConfigureAwait(false);
            _selector = selector;

            if (KubeObject.IsBeingDeleted(_d))
            {
                var (newRs, oldRss) = await AllReplicaSetsAndSyncRevisionAsync(createIfNotExisted: false).ConfigureAwait(false);
                await SyncDeploymentStatusAsync(oldRss, newRs).ConfigureAwait(false);
                return null;
            }

            await CheckPausedConditionsAsync().ConfigureAwait(false);
            if (KubeObject.Bool(Spec(_d), "paused"))
            {
                return await SyncAsync().ConfigureAwait(false);
            }

            if (await IsScalingEventAsync().ConfigureAwait(false))
            {
                return await SyncAsync().ConfigureAwait(false);
            }

            return StrategyType(_d) == "Recreate"
                ? await RolloutRecreateAsync().ConfigureAwait(false)
                : await RolloutRollingAsync().ConfigureAwait(false);
        }

        /// <summary>getReplicaSetsForDeployment: claims the namespace's ReplicaSets (adopting and releasing).</summary>
        private async Task<List<JsonObject>> ReplicaSetsForDeploymentAsync(LabelSelector selector)
        {
            var ns = Ns;
            var candidates = c._replicaSets.ListNamespace(ns);
            var controllerRef = ControllerReference.ControllerRefFor(_d, ApiVersion, Kind);
            var claimer = new ControllerRefManager(c._client, WorkloadResources.Deployments, _d, controllerRef, selector);
            return await claimer.ClaimAsync(WorkloadResources.ReplicaSets, candidates, ct).ConfigureAwait(false);
        }

        /// <summary>getPodMapForDeployment: the Deployment's pods grouped by the uid of the ReplicaSet that owns them.</summary>
        private Dictionary<string, List<JsonObject>> PodMap(LabelSelector selector)
        {
            var map = _rsList.ToDictionary(KubeObject.Uid, _ => new List<JsonObject>(), StringComparer.Ordinal);
            var ns = Ns;
            foreach (var pod in c._pods.ByNamespace(ns))
            {
                if (selector.Matches(pod.Labels) && pod.ControllerOf() is { } owner && map.TryGetValue(owner.Uid, out var pods))
                {
                    pods.Add(pod.ToJsonObject());
                }
            }

            return map;
        }

        private async Task CheckPausedConditionsAsync()
        {
            if (!HasProgressDeadline)
            {
                return;
            }

            var cond = _status.Condition(DeploymentStatus.Progressing);
            if (KubeObject.String(cond, "reason") == TimedOutReason)
            {
                return;
            }

            var pausedCondExists = KubeObject.String(cond, "reason") == PausedReason;
            var paused = KubeObject.Bool(Spec(_d), "paused");
            if (paused && !pausedCondExists)
            {
                _status.SetCondition(DeploymentStatus.NewCondition(DeploymentStatus.Progressing, "Unknown", PausedReason, "Deployment is paused", Now));
            }
            else if (!paused && pausedCondExists)
            {
                _status.SetCondition(DeploymentStatus.NewCondition(DeploymentStatus.Progressing, "Unknown", ResumedReason, "Deployment is resumed", Now));
            }
            else
            {
                return;
            }

            await WriteStatusAsync().ConfigureAwait(false);
        }

        private async Task<bool> IsScalingEventAsync()
        {
            var (newRs, oldRss) = await AllReplicaSetsAndSyncRevisionAsync(createIfNotExisted: false).ConfigureAwait(false);
            var all = newRs is null ? oldRss : [.. oldRss, newRs];
            foreach (var rs in Active(all))
            {
                if (KubeObject.Annotation(rs, DesiredReplicasAnnotation) is { } desired
                    && int.TryParse(desired, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n != Replicas(_d))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>sync: scaling and paused Deployments only resize; a paused one also cleans up history.</summary>
        private async Task<TimeSpan?> SyncAsync()
        {
            var (newRs, oldRss) = await AllReplicaSetsAndSyncRevisionAsync(createIfNotExisted: false).ConfigureAwait(false);
            await ScaleAsync(newRs, oldRss).ConfigureAwait(false);
            if (KubeObject.Bool(Spec(_d), "paused"))
            {
                await CleanupAsync(oldRss).ConfigureAwait(false);
            }

            await SyncDeploymentStatusAsync(oldRss, newRs).ConfigureAwait(false);
            return null;
        }

        private async Task<TimeSpan?> RolloutRollingAsync()
        {
            var (newRs, oldRss) = await AllReplicaSetsAndSyncRevisionAsync(createIfNotExisted: true).ConfigureAwait(false);
            var all = newRs is null ? oldRss : [.. oldRss, newRs];

            if (newRs is not null && await ReconcileNewReplicaSetAsync(all, newRs).ConfigureAwait(false))
            {
                return await SyncRolloutStatusAsync(oldRss, newRs).ConfigureAwait(false);
            }

            if (newRs is not null && await ReconcileOldReplicaSetsAsync(all, Active(oldRss).ToList(), newRs).ConfigureAwait(false))
            {
                return await SyncRolloutStatusAsync(oldRss, newRs).ConfigureAwait(false);
            }

            if (DeploymentComplete(CalculateStatus(oldRss, newRs)))
            {
                await CleanupAsync(oldRss).ConfigureAwait(false);
            }

            return await SyncRolloutStatusAsync(oldRss, newRs).ConfigureAwait(false);
        }

        private async Task<TimeSpan?> RolloutRecreateAsync()
        {
            var (newRs, oldRss) = await AllReplicaSetsAndSyncRevisionAsync(createIfNotExisted: false).ConfigureAwait(false);

            // Scale every old ReplicaSet to zero first.
            var scaledDown = false;
            foreach (var rs in Active(oldRss).ToList())
            {
                var (scaled, _) = await ScaleReplicaSetAndRecordEventAsync(rs, 0).ConfigureAwait(false);
                scaledDown |= scaled;
            }

            if (scaledDown || OldPodsRunning(newRs, oldRss))
            {
                return await SyncRolloutStatusAsync(oldRss, newRs).ConfigureAwait(false);
            }

            if (newRs is null)
            {
                (newRs, oldRss) = await AllReplicaSetsAndSyncRevisionAsync(createIfNotExisted: true).ConfigureAwait(false);
            }

            if (newRs is not null)
            {
                (_, newRs) = await ScaleReplicaSetAndRecordEventAsync(newRs, Replicas(_d)).ConfigureAwait(false);
            }

            if (DeploymentComplete(CalculateStatus(oldRss, newRs)))
            {
                await CleanupAsync(oldRss).ConfigureAwait(false);
            }

            return await SyncRolloutStatusAsync(oldRss, newRs).ConfigureAwait(false);
        }

        /// <summary>oldPodsRunning: old ReplicaSets still report pods, or a pod of theirs is not yet terminal.</summary>
        private bool OldPodsRunning(JsonObject? newRs, List<JsonObject> oldRss)
        {
            if (Sum(oldRss, rs => StatusInt(rs, "replicas")) > 0)
            {
                return true;
            }

            var newUid = newRs is null ? null : KubeObject.Uid(newRs);
            _podMap ??= PodMap(_selector);
            foreach (var (uid, pods) in _podMap)
            {
                if (uid == newUid)
                {
                    continue;
                }

                if (pods.Any(p => PodConditions.Phase(p) is not ("Failed" or "Succeeded")))
                {
                    return true;
                }
            }

            return false;
        }

        private async Task<bool> ReconcileNewReplicaSetAsync(List<JsonObject> all, JsonObject newRs)
        {
            var desired = Replicas(_d);
            var current = Replicas(newRs);
            if (current == desired)
            {
                return false;
            }

            if (current > desired)
            {
                return (await ScaleReplicaSetAndRecordEventAsync(newRs, desired).ConfigureAwait(false)).Scaled;
            }

            var rolling = Spec(_d)["strategy"]?["rollingUpdate"] as JsonObject;
            var maxSurge = RolloutMath.ScaledValue(rolling?["maxSurge"], desired, roundUp: true);
            var target = RolloutMath.NewReplicaSetReplicas(desired, maxSurge, Sum(all, Replicas), current);
            return (await ScaleReplicaSetAndRecordEventAsync(newRs, target).ConfigureAwait(false)).Scaled;
        }

        private async Task<bool> ReconcileOldReplicaSetsAsync(List<JsonObject> all, List<JsonObject> oldRss, JsonObject newRs)
        {
            if (Sum(oldRss, Replicas) == 0)
            {
                return false;
            }

            var maxUnavailable = MaxUnavailable(_d);
            var maxScaledDown = RolloutMath.MaxScaledDown(Sum(all, Replicas), Replicas(_d), maxUnavailable, Replicas(newRs), StatusInt(newRs, "availableReplicas"));
            if (maxScaledDown <= 0)
            {
                return false;
            }

            // Unhealthy old pods first: they would otherwise block the rollout.
            var (cleaned, cleanupCount) = await CleanupUnhealthyReplicasAsync(oldRss, maxScaledDown).ConfigureAwait(false);
            var scaledDownCount = await ScaleDownOldReplicaSetsForRollingUpdateAsync([.. cleaned, newRs], cleaned).ConfigureAwait(false);
            return cleanupCount + scaledDownCount > 0;
        }

        private async Task<(List<JsonObject> OldRss, int Count)> CleanupUnhealthyReplicasAsync(List<JsonObject> oldRss, int maxCleanupCount)
        {
            var sorted = ByCreation(oldRss);
            var total = 0;
            for (var i = 0; i < sorted.Count; i++)
            {
                if (total >= maxCleanupCount)
                {
                    break;
                }

                var rs = sorted[i];
                var replicas = Replicas(rs);
                var available = StatusInt(rs, "availableReplicas");
                if (replicas == 0 || replicas == available)
                {
                    continue;
                }

                var count = Math.Min(maxCleanupCount - total, replicas - available);
                var (_, updated) = await ScaleReplicaSetAndRecordEventAsync(rs, replicas - count).ConfigureAwait(false);
                total += count;
                sorted[i] = updated;
            }

            return (sorted, total);
        }

        private async Task<int> ScaleDownOldReplicaSetsForRollingUpdateAsync(List<JsonObject> all, List<JsonObject> oldRss)
        {
            var minAvailable = Replicas(_d) - MaxUnavailable(_d);
            var available = Sum(all, rs => StatusInt(rs, "availableReplicas"));
            if (available <= minAvailable)
            {
                return 0;
            }

            var totalToScaleDown = available - minAvailable;
            var total = 0;
            foreach (var rs in ByCreation(oldRss))
            {
                if (total >= totalToScaleDown)
                {
                    break;
                }

                if (Replicas(rs) == 0)
                {
                    continue;
                }

                var count = Math.Min(Replicas(rs), totalToScaleDown - total);
                await ScaleReplicaSetAndRecordEventAsync(rs, Replicas(rs) - count).ConfigureAwait(false);
                total += count;
            }

            return total;
        }

        /// <summary>
        /// scale: resizes for a changed spec.replicas. One active ReplicaSet (or none: the newest)
        /// takes the full count; a saturated new ReplicaSet retires the old ones; otherwise the
        /// difference is spread over the active ReplicaSets in proportion to their size.
        /// </summary>
        private async Task ScaleAsync(JsonObject? newRs, List<JsonObject> oldRss)
        {
            var desired = Replicas(_d);
            if (FindActiveOrLatest(newRs, oldRss) is { } activeOrLatest)
            {
                if (Replicas(activeOrLatest) != desired)
                {
                    await ScaleReplicaSetAndRecordEventAsync(activeOrLatest, desired).ConfigureAwait(false);
                }

                return;
            }

            if (IsSaturated(newRs))
            {
                foreach (var old in Active(oldRss).ToList())
                {
                    await ScaleReplicaSetAndRecordEventAsync(old, 0).ConfigureAwait(false);
                }

                return;
            }

            if (StrategyType(_d) != "RollingUpdate")
            {
                return;
            }

            var all = Active(newRs is null ? oldRss : [.. oldRss, newRs]).ToList();
            var allowedSize = desired > 0 ? desired + MaxSurge(_d) : 0;
            var toAdd = allowedSize - Sum(all, Replicas);
            var operation = "";
            if (toAdd > 0)
            {
                // Larger first; equal sizes: newer first.
                all = all.Order(Comparer<JsonObject>.Create((a, b) => Replicas(a) != Replicas(b) ? Replicas(b).CompareTo(Replicas(a)) : CompareByCreation(b, a))).ToList();
                operation = "up";
            }
            else if (toAdd < 0)
            {
                // Larger first; equal sizes: older first.
                all = all.Order(Comparer<JsonObject>.Create((a, b) => Replicas(a) != Replicas(b) ? Replicas(b).CompareTo(Replicas(a)) : CompareByCreation(a, b))).ToList();
                operation = "down";
            }

            var added = 0;
            var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var rs in all)
            {
                if (toAdd != 0)
                {
                    var annotated = int.TryParse(KubeObject.Annotation(rs, MaxReplicasAnnotation), NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) ? m : (int)_status.Replicas;
                    var fraction = RolloutMath.ReplicaSetFraction(Replicas(rs), desired, desired + MaxSurge(_d), annotated);
                    var proportion = RolloutMath.ReplicaSetProportion(Replicas(rs), fraction, toAdd, added);
                    sizes[KubeObject.Name(rs)] = Replicas(rs) + proportion;
                    added += proportion;
                }
                else
                {
                    sizes[KubeObject.Name(rs)] = Replicas(rs);
                }
            }

            for (var i = 0; i < all.Count; i++)
            {
                var rs = all[i];
                var name = KubeObject.Name(rs);
                if (i == 0 && toAdd != 0)
                {
                    sizes[name] = Math.Max(0, sizes[name] + toAdd - added);
                }

                await ScaleReplicaSetAsync(rs, sizes[name], operation).ConfigureAwait(false);
            }
        }

        private static JsonObject? FindActiveOrLatest(JsonObject? newRs, List<JsonObject> oldRss)
        {
            if (newRs is null && oldRss.Count == 0)
            {
                return null;
            }

            var newestFirst = ByCreation(oldRss);
            newestFirst.Reverse();
            var active = Active(newRs is null ? newestFirst : [.. newestFirst, newRs]).ToList();
            return active.Count switch
            {
                0 => newRs ?? newestFirst[0],
                1 => active[0],
                _ => null,
            };
        }

        private bool IsSaturated(JsonObject? newRs)
        {
            if (newRs is null)
            {
                return false;
            }

            var desired = Replicas(_d);
            return Replicas(newRs) == desired
                && KubeObject.Annotation(newRs, DesiredReplicasAnnotation) == desired.ToString(CultureInfo.InvariantCulture)
                && StatusInt(newRs, "availableReplicas") == desired;
        }

        private async Task<(bool Scaled, JsonObject Rs)> ScaleReplicaSetAndRecordEventAsync(JsonObject rs, int newScale)
        {
            if (Replicas(rs) == newScale)
            {
                return (false, rs);
            }

            return await ScaleReplicaSetAsync(rs, newScale, Replicas(rs) < newScale ? "up" : "down").ConfigureAwait(false);
        }

        /// <summary>scaleReplicaSet: writes the size and the desired/max replicas annotations; an Event when the size changed.</summary>
        private async Task<(bool Scaled, JsonObject Rs)> ScaleReplicaSetAsync(JsonObject rs, int newScale, string operation)
        {
            var oldScale = Replicas(rs);
            var desired = Replicas(_d);
            var max = desired + MaxSurge(_d);
            var sizeNeedsUpdate = oldScale != newScale;
            var annotationsNeedUpdate = KubeObject.Annotation(rs, DesiredReplicasAnnotation) != Itoa(desired) || KubeObject.Annotation(rs, MaxReplicasAnnotation) != Itoa(max);
            if (!sizeNeedsUpdate && !annotationsNeedUpdate)
            {
                return (false, rs);
            }

            var copy = (JsonObject)rs.DeepClone();
            ((JsonObject)copy["spec"]!)["replicas"] = newScale;
            SetReplicasAnnotations(copy, desired, max);
            var updated = await c._client.UpdateAsync(WorkloadResources.ReplicaSets, Ns, KubeObject.Name(rs), copy, ct: ct).ConfigureAwait(false);
            Replace(rs, updated);
            if (sizeNeedsUpdate)
            {
                c._recorder.Event(Reference, EventRecorder.Normal, "ScalingReplicaSet", $"Scaled {operation} replica set {KubeObject.Name(updated)} from {oldScale} to {newScale}");
            }

            return (sizeNeedsUpdate, updated);
        }

        private void Replace(JsonObject old, JsonObject updated)
        {
            var i = _rsList.IndexOf(old);
            if (i >= 0)
            {
                _rsList[i] = updated;
            }
        }

        private static string Itoa(long n) => n.ToString(CultureInfo.InvariantCulture);

        private static JsonObject Annotations(JsonObject obj)
        {
            var meta = obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());
            return meta["annotations"] as JsonObject ?? (JsonObject)(meta["annotations"] = new JsonObject());
        }

        private static bool SetReplicasAnnotations(JsonObject rs, int desired, int max)
        {
            var a = Annotations(rs);
            var changed = false;
            foreach (var (key, value) in new[] { (DesiredReplicasAnnotation, Itoa(desired)), (MaxReplicasAnnotation, Itoa(max)) })
            {
                if (KubeObject.String(a, key) != value)
                {
                    a[key] = value;
                    changed = true;
                }
            }

            return changed;
        }

        /// <summary>
        /// getAllReplicaSetsAndSyncRevision: the new ReplicaSet (the one whose template equals the
        /// Deployment's, created when asked and missing) and all the old ones; the new one's
        /// revision becomes the highest, and the Deployment's revision annotation follows it.
        /// </summary>
        private async Task<(JsonObject? NewRs, List<JsonObject> OldRss)> AllReplicaSetsAndSyncRevisionAsync(bool createIfNotExisted)
        {
            var existing = FindNewReplicaSet();
            var oldRss = _rsList.Where(rs => existing is null || KubeObject.Uid(rs) != KubeObject.Uid(existing)).ToList();
            var newRs = await NewReplicaSetAsync(existing, oldRss, createIfNotExisted).ConfigureAwait(false);
            return (newRs, oldRss);
        }

        /// <summary>FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's (ignoring the hash label).</summary>
        private JsonObject? FindNewReplicaSet()
        {
            var template = Spec(_d)["template"] as JsonObject;
            return ByCreation(_rsList).FirstOrDefault(rs => PodTemplateHash.EqualIgnoreHash(Spec(rs)["template"] as JsonObject, template));
        }

        private async Task<JsonObject?> NewReplicaSetAsync(JsonObject? existing, List<JsonObject> oldRss, bool createIfNotExisted)
        {
            var maxOldRevision = oldRss.Select(Revision).DefaultIfEmpty(0).Max();
            var newRevision = Itoa(maxOldRevision + 1);
            var minReadySeconds = KubeObject.Int(Spec(_d), "minReadySeconds");

            if (existing is not null)
            {
                var copy = (JsonObject)existing.DeepClone();
                var annotationsUpdated = SetNewReplicaSetAnnotations(copy, newRevision, exists: true);
                if (annotationsUpdated || KubeObject.Int(Spec(copy), "minReadySeconds") != minReadySeconds)
                {
                    ((JsonObject)copy["spec"]!)["minReadySeconds"] = minReadySeconds;
                    var updated = await c._client.UpdateAsync(WorkloadResources.ReplicaSets, Ns, KubeObject.Name(copy), copy, ct: ct).ConfigureAwait(false);
                    Replace(existing, updated);
                    return updated;
                }

                var needsUpdate = SetDeploymentRevision(KubeObject.Annotation(copy, RevisionAnnotation) ?? "");
                if (HasProgressDeadline && _status.Condition(DeploymentStatus.Progressing) is null)
                {
                    _status.SetCondition(DeploymentStatus.NewCondition(DeploymentStatus.Progressing, "True", FoundNewReplicaSetReason, $"Found new replica set \"{KubeObject.Name(copy)}\"", Now));
                    needsUpdate = true;
                }

                if (needsUpdate)
                {
                    await WriteStatusAsync().ConfigureAwait(false);
                }

                return existing;
            }

            if (!createIfNotExisted)
            {
                return null;
            }

            var template = (JsonObject)Spec(_d)["template"]!.DeepClone();
            var hash = PodTemplateHash.Compute((JsonObject)Spec(_d)["template"]!, _status.CollisionCount);
            var templateMeta = template["metadata"] as JsonObject ?? (JsonObject)(template["metadata"] = new JsonObject());
            var labels = templateMeta["labels"] as JsonObject ?? (JsonObject)(templateMeta["labels"] = new JsonObject());
            labels[PodTemplateHash.Label] = hash;
            var selector = (JsonObject)(Spec(_d)["selector"]?.DeepClone() ?? new JsonObject());
            var matchLabels = selector["matchLabels"] as JsonObject ?? (JsonObject)(selector["matchLabels"] = new JsonObject());
            matchLabels[PodTemplateHash.Label] = hash;

            var name = Name + "-" + hash;
            var newRs = new JsonObject
            {
                ["apiVersion"] = ApiVersion,
                ["kind"] = "ReplicaSet",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["namespace"] = Ns,
                    ["labels"] = labels.DeepClone(),
                    ["ownerReferences"] = new JsonArray { ControllerReference.ControllerRefFor(_d, ApiVersion, Kind).ToJson() },
                },
                ["spec"] = new JsonObject
                {
                    ["replicas"] = 0,
                    ["minReadySeconds"] = minReadySeconds,
                    ["selector"] = selector,
                    ["template"] = template,
                },
            };

            int newReplicas;
            if (StrategyType(_d) == "Recreate")
            {
                newReplicas = Replicas(_d);
            }
            else
            {
                var rolling = Spec(_d)["strategy"]?["rollingUpdate"] as JsonObject;
                var maxSurge = RolloutMath.ScaledValue(rolling?["maxSurge"], Replicas(_d), roundUp: true);
                newReplicas = RolloutMath.NewReplicaSetReplicas(Replicas(_d), maxSurge, Sum(oldRss, Replicas), 0);
            }

            ((JsonObject)newRs["spec"]!)["replicas"] = newReplicas;
            SetNewReplicaSetAnnotations(newRs, newRevision, exists: false);

            JsonObject created;
            var alreadyExists = false;
            try
            {
                created = await c._client.CreateAsync(WorkloadResources.ReplicaSets, Ns, newRs, ct).ConfigureAwait(false);
            }
            catch (ApiStatusException e) when (e.Code == 409)
            {
                alreadyExists = true;
                var found = await c._client.GetAsync(WorkloadResources.ReplicaSets, Ns, name, ct).ConfigureAwait(false);
                if (KubeObject.ControllerOf(found)?.Uid == KubeObject.Uid(_d) && PodTemplateHash.EqualIgnoreHash(Spec(_d)["template"] as JsonObject, Spec(found)["template"] as JsonObject))
                {
                    created = found;
                }
                else
                {
                    // A hash collision: another template already has this name. Count it, so the next hash differs.
                    _status.CollisionCount = (_status.CollisionCount ?? 0) + 1;
                    await WriteStatusAsync().ConfigureAwait(false);
                    throw;
                }
            }
            catch (ApiStatusException e)
            {
                var msg = $"Failed to create new replica set \"{name}\": {e.Message}";
                if (HasProgressDeadline)
                {
                    _status.SetCondition(DeploymentStatus.NewCondition(DeploymentStatus.Progressing, "False", FailedReplicaSetCreateReason, msg, Now));
                    try
                    {
                        await WriteStatusAsync().ConfigureAwait(false);
                    }
                    catch (ApiStatusException)
                    {
                        // The failed create is the error to report.
                    }
                }

                c._recorder.Event(Reference, EventRecorder.Warning, FailedReplicaSetCreateReason, msg);
                throw;
            }

            if (!alreadyExists && newReplicas > 0)
            {
                c._recorder.Event(Reference, EventRecorder.Normal, "ScalingReplicaSet", $"Scaled up replica set {KubeObject.Name(created)} from 0 to {newReplicas}");
            }

            _rsList.Add(created);
            var revisionChanged = SetDeploymentRevision(newRevision);
            if (!alreadyExists && HasProgressDeadline)
            {
                _status.SetCondition(DeploymentStatus.NewCondition(DeploymentStatus.Progressing, "True", NewReplicaSetReason, $"Created new replica set \"{KubeObject.Name(created)}\"", Now));
                revisionChanged = true;
            }

            if (revisionChanged)
            {
                await WriteStatusAsync().ConfigureAwait(false);
            }

            return created;
        }

        /// <summary>
        /// SetNewReplicaSetAnnotations: copies the Deployment's annotations (but the skipped ones),
        /// raises the revision (keeping the replaced one in revision-history when an old template
        /// comes back), and on a new ReplicaSet sets the desired and max replicas.
        /// </summary>
        private bool SetNewReplicaSetAnnotations(JsonObject rs, string newRevision, bool exists)
        {
            var a = Annotations(rs);
            var changed = false;
            foreach (var (k, v) in KubeObject.StringMap(KubeObject.Annotations(_d)))
            {
                if (AnnotationsToSkip.Contains(k) || KubeObject.String(a, k) == v)
                {
                    continue;
                }

                a[k] = v;
                changed = true;
            }

            var oldRevision = KubeObject.String(a, RevisionAnnotation);
            long oldRevisionInt = 0;
            if (oldRevision is not null && !long.TryParse(oldRevision, NumberStyles.Integer, CultureInfo.InvariantCulture, out oldRevisionInt))
            {
                return false;
            }

            var newRevisionInt = long.Parse(newRevision, CultureInfo.InvariantCulture);
            if (oldRevisionInt < newRevisionInt)
            {
                a[RevisionAnnotation] = newRevision;
                changed = true;
                if (oldRevision is not null)
                {
                    var history = KubeObject.String(a, RevisionHistoryAnnotation) ?? "";
                    if (history.Length == 0)
                    {
                        a[RevisionHistoryAnnotation] = oldRevision;
                    }
                    else
                    {
                        var revisions = history.Split(',').ToList();
                        var totalLength = history.Length + oldRevision.Length + 1;
                        var start = 0;
                        while (totalLength > MaxRevisionHistoryLength && start < revisions.Count)
                        {
                            totalLength -= revisions[start].Length + 1;
                            start++;
                        }

                        if (totalLength <= MaxRevisionHistoryLength)
                        {
                            a[RevisionHistoryAnnotation] = string.Join(',', revisions.Skip(start).Append(oldRevision));
                        }
                    }
                }
            }

            if (!exists && SetReplicasAnnotations(rs, Replicas(_d), Replicas(_d) + MaxSurge(_d)))
            {
                changed = true;
            }

            return changed;
        }

        private bool SetDeploymentRevision(string revision)
        {
            var a = Annotations(_d);
            if (KubeObject.String(a, RevisionAnnotation) == revision)
            {
                return false;
            }

            a[RevisionAnnotation] = revision;
            return true;
        }

        /// <summary>cleanupDeployment: deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit.</summary>
        private async Task CleanupAsync(List<JsonObject> oldRss)
        {
            if (Limit(_d, "revisionHistoryLimit") is not { } limit)
            {
                return;
            }

            var cleanable = oldRss.Where(rs => !KubeObject.IsBeingDeleted(rs)).ToList();
            var diff = cleanable.Count - (int)limit;
            if (diff <= 0)
            {
                return;
            }

            var byRevision = cleanable.Order(Comparer<JsonObject>.Create((a, b) => Revision(a) != Revision(b) ? Revision(a).CompareTo(Revision(b)) : CompareByCreation(a, b))).ToList();
            for (var i = 0; i < diff; i++)
            {
                var rs = byRevision[i];
                if (StatusInt(rs, "replicas") != 0 || Replicas(rs) != 0 || KubeObject.Generation(rs) > KubeObject.Int(rs["status"] as JsonObject, "observedGeneration") || KubeObject.IsBeingDeleted(rs))
                {
                    continue;
                }

                try
                {
                    await c._client.DeleteAsync(WorkloadResources.ReplicaSets, Ns, KubeObject.Name(rs), ct: ct).ConfigureAwait(false);
                }
                catch (ApiStatusException e) when (e.IsNotFound)
                {
                }
            }
        }

        private DeploymentStatus CalculateStatus(List<JsonObject> oldRss, JsonObject? newRs)
        {
            var all = newRs is null ? oldRss : [.. oldRss, newRs];
            var available = Sum(all, rs => StatusInt(rs, "availableReplicas"));
            var unavailable = Math.Max(0, Sum(all, Replicas) - available);
            var status = new DeploymentStatus
            {
                ObservedGeneration = KubeObject.Generation(_d),
                Replicas = Sum(all, rs => StatusInt(rs, "replicas")),
                UpdatedReplicas = newRs is null ? 0 : StatusInt(newRs, "replicas"),
                ReadyReplicas = Sum(all, rs => StatusInt(rs, "readyReplicas")),
                AvailableReplicas = available,
                UnavailableReplicas = unavailable,
                CollisionCount = _status.CollisionCount,
            };
            status.Conditions.AddRange(_status.Conditions.Select(cond => (JsonObject)cond.DeepClone()));
            status.SetCondition(available >= Replicas(_d) - MaxUnavailable(_d)
                ? DeploymentStatus.NewCondition(DeploymentStatus.Available, "True", MinimumReplicasAvailable, "Deployment has minimum availability.", Now)
                : DeploymentStatus.NewCondition(DeploymentStatus.Available, "False", MinimumReplicasUnavailable, "Deployment does not have minimum availability.", Now));
            return status;
        }

        private bool DeploymentComplete(DeploymentStatus s)
        {
            var desired = Replicas(_d);
            return s.UpdatedReplicas == desired && s.Replicas == desired && s.AvailableReplicas == desired && s.ObservedGeneration >= KubeObject.Generation(_d);
        }

        private async Task SyncDeploymentStatusAsync(List<JsonObject> oldRss, JsonObject? newRs)
        {
            var status = CalculateStatus(oldRss, newRs);
            if (!KubeObject.SemanticEquals(status.ToJson(), _status.ToJson()))
            {
                _status = status;
                await WriteStatusAsync().ConfigureAwait(false);
            }
        }

        /// <summary>syncRolloutStatus: the status plus the Progressing condition (progress, completion, timeout) and ReplicaFailure.</summary>
        private async Task<TimeSpan?> SyncRolloutStatusAsync(List<JsonObject> oldRss, JsonObject? newRs)
        {
            var status = CalculateStatus(oldRss, newRs);
            if (!HasProgressDeadline)
            {
                status.RemoveCondition(DeploymentStatus.Progressing);
            }

            var currentCond = _status.Condition(DeploymentStatus.Progressing);
            var isComplete = status.Replicas == status.UpdatedReplicas && KubeObject.String(currentCond, "reason") == NewReplicaSetAvailableReason;
            if (HasProgressDeadline && !isComplete)
            {
                var rsName = newRs is null ? null : KubeObject.Name(newRs);
                if (DeploymentComplete(status))
                {
                    var msg = rsName is null ? $"Deployment \"{Name}\" has successfully progressed." : $"ReplicaSet \"{rsName}\" has successfully progressed.";
                    status.SetCondition(DeploymentStatus.NewCondition(DeploymentStatus.Progressing, "True", NewReplicaSetAvailableReason, msg, Now));
                }
                else if (IsProgressing(status))
                {
                    var msg = rsName is null ? $"Deployment \"{Name}\" is progressing." : $"ReplicaSet \"{rsName}\" is progressing.";
                    var condition = DeploymentStatus.NewCondition(DeploymentStatus.Progressing, "True", ReplicaSetUpdatedReason, msg, Now);
                    if (currentCond is not null)
                    {
                        if (KubeObject.String(currentCond, "status") == "True")
                        {
                            condition["lastTransitionTime"] = currentCond["lastTransitionTime"]?.DeepClone();
                        }

                        status.RemoveCondition(DeploymentStatus.Progressing);
                    }

                    status.SetCondition(condition);
                }
                else if (TimedOut(status))
                {
                    var msg = rsName is null ? $"Deployment \"{Name}\" has timed out progressing." : $"ReplicaSet \"{rsName}\" has timed out progressing.";
                    status.SetCondition(DeploymentStatus.NewCondition(DeploymentStatus.Progressing, "False", TimedOutReason, msg, Now));
                }
            }

            if (ReplicaFailure(oldRss, newRs) is { } failure)
            {
                status.SetCondition(failure);
            }
            else
            {
                status.RemoveCondition(DeploymentStatus.ReplicaFailure);
            }

            if (KubeObject.SemanticEquals(status.ToJson(), _status.ToJson()))
            {
                return RequeueStuckDeployment(status);
            }

            _status = status;
            await WriteStatusAsync().ConfigureAwait(false);
            return null;
        }

        /// <summary>DeploymentProgressing: more updated, ready or available pods, or fewer old ones, than the stored status says.</summary>
        private bool IsProgressing(DeploymentStatus s)
        {
            var old = DeploymentStatus.FromJson(_d["status"] as JsonObject);
            return s.UpdatedReplicas > old.UpdatedReplicas
                || s.Replicas - s.UpdatedReplicas < old.Replicas - old.UpdatedReplicas
                || s.ReadyReplicas > old.ReadyReplicas
                || s.AvailableReplicas > old.AvailableReplicas;
        }

        private bool TimedOut(DeploymentStatus s)
        {
            if (Limit(_d, "progressDeadlineSeconds") is not { } deadline || s.Condition(DeploymentStatus.Progressing) is not { } cond)
            {
                return false;
            }

            var reason = KubeObject.String(cond, "reason");
            if (reason == NewReplicaSetAvailableReason)
            {
                return false;
            }

            if (reason == TimedOutReason)
            {
                return true;
            }

            return KubeObject.Time(cond, "lastUpdateTime") is { } from && from.AddSeconds(deadline) < Now;
        }

        /// <summary>requeueStuckDeployment: when no progress shows, look again when the deadline would pass.</summary>
        private TimeSpan? RequeueStuckDeployment(DeploymentStatus s)
        {
            var cond = _status.Condition(DeploymentStatus.Progressing);
            if (Limit(_d, "progressDeadlineSeconds") is not { } deadline || cond is null || DeploymentComplete(s) || KubeObject.String(cond, "reason") == TimedOutReason)
            {
                return null;
            }

            var lastUpdate = KubeObject.Time(cond, "lastUpdateTime") ?? Now;
            var after = lastUpdate.AddSeconds(deadline) - Now;
            return after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after + TimeSpan.FromSeconds(1);
        }

        /// <summary>getReplicaFailures: the new ReplicaSet's ReplicaFailure condition, else an old one's.</summary>
        private static JsonObject? ReplicaFailure(List<JsonObject> oldRss, JsonObject? newRs)
        {
            foreach (var rs in newRs is null ? oldRss : [newRs, .. oldRss])
            {
                foreach (var cond in (rs["status"] as JsonObject)?["conditions"] as JsonArray ?? [])
                {
                    if (cond is JsonObject o && KubeObject.String(o, "type") == "ReplicaFailure")
                    {
                        return new JsonObject
                        {
                            ["type"] = DeploymentStatus.ReplicaFailure,
                            ["status"] = o["status"]?.DeepClone(),
                            ["lastUpdateTime"] = o["lastTransitionTime"]?.DeepClone(),
                            ["lastTransitionTime"] = o["lastTransitionTime"]?.DeepClone(),
                            ["reason"] = o["reason"]?.DeepClone(),
                            ["message"] = o["message"]?.DeepClone(),
                        };
                    }
                }
            }

            return null;
        }

        /// <summary>
        /// UpdateStatus with the Deployment as this sync holds it. Kube's deployment status strategy
        /// keeps metadata changes, which is how the revision annotation is written without bumping
        /// the generation; when the server drops them, the annotation goes in a metadata patch.
        /// </summary>
        private async Task WriteStatusAsync()
        {
            var update = (JsonObject)_d.DeepClone();
            update["status"] = _status.ToJson();
            var written = await c._client.UpdateAsync(WorkloadResources.Deployments, Ns, Name, update, "status", ct).ConfigureAwait(false);
            var revision = KubeObject.Annotation(_d, RevisionAnnotation);
            if (revision is not null && KubeObject.Annotation(written, RevisionAnnotation) != revision)
            {
                var patch = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["resourceVersion"] = KubeObject.ResourceVersion(written),
                        ["annotations"] = new JsonObject { [RevisionAnnotation] = revision },
                    },
                };
                written = await c._client.PatchAsync(WorkloadResources.Deployments, Ns, Name, "application/merge-patch+json", patch, ct: ct).ConfigureAwait(false);
            }

            _d = written;
            _status = DeploymentStatus.FromJson(written["status"] as JsonObject);
        }
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Warning, Message = "Deployment {Key} has an invalid selector: {Error}")]
    private static partial void LogInvalidSelector(ILogger logger, string key, string error);
}
