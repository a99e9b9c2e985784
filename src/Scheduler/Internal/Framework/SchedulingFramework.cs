using System.Buffers;
using System.Collections.Concurrent;
using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Model;

namespace Nautilus.Scheduler.Internal.Framework;

/// <summary>
/// One profile's plugins, instantiated once and run per extension point in profile order, as
/// kube's frameworkImpl. Filter runs may be concurrent (one call per node); every other
/// extension point runs on the scheduling loop, except PreBind/Bind/PostBind on the binding task.
/// </summary>
internal sealed class SchedulingFramework
{
    /// <summary>Permit may not make a pod wait longer than this.</summary>
    public static readonly TimeSpan MaxPermitTimeout = TimeSpan.FromMinutes(15);

    private readonly IPreEnqueuePlugin[] _preEnqueue;
    private readonly IPreFilterPlugin[] _preFilter;
    private readonly IFilterPlugin[] _filter;
    private readonly IPostFilterPlugin[] _postFilter;
    private readonly IPreScorePlugin[] _preScore;
    private readonly (IScorePlugin Plugin, int Weight)[] _score;
    private readonly IReservePlugin[] _reserve;
    private readonly IPermitPlugin[] _permit;
    private readonly IPreBindPlugin[] _preBind;
    private readonly IBindPlugin[] _bind;
    private readonly IPostBindPlugin[] _postBind;
    private readonly Dictionary<string, ClusterEvents> _events = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WaitingPod> _waitingPods = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Nominator? _nominator;

    public SchedulingFramework(ProfileConfig profile, Registry registry, FrameworkHandle handle)
    {
        ProfileName = profile.SchedulerName;
        PercentageOfNodesToScore = profile.PercentageOfNodesToScore;
        _time = handle.Time;
        _nominator = handle.Nominator;
        handle.Profile = profile;
        handle.RunFilters = RunFilter;
        handle.RunFiltersWithNominatedPods = RunFilterWithNominatedPods;
        var preEnqueue = new List<IPreEnqueuePlugin>();
        var preFilter = new List<IPreFilterPlugin>();
        var filter = new List<IFilterPlugin>();
        var postFilter = new List<IPostFilterPlugin>();
        var preScore = new List<IPreScorePlugin>();
        var score = new List<(IScorePlugin, int)>();
        var reserve = new List<IReservePlugin>();
        var permit = new List<IPermitPlugin>();
        var preBind = new List<IPreBindPlugin>();
        var bind = new List<IBindPlugin>();
        var postBind = new List<IPostBindPlugin>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in profile.Plugins)
        {
            if (!seen.Add(reference.Name))
            {
                throw new ArgumentException($"plugin {reference.Name} is enabled twice in profile {profile.SchedulerName}");
            }

            var plugin = registry.Create(reference.Name, handle);
            if (plugin is IPreEnqueuePlugin a) preEnqueue.Add(a);
            if (plugin is IPreFilterPlugin b) preFilter.Add(b);
            if (plugin is IFilterPlugin c) filter.Add(c);
            if (plugin is IPostFilterPlugin d) postFilter.Add(d);
            if (plugin is IScorePlugin f && reference.Weight > 0)
            {
                score.Add((f, reference.Weight));
                if (plugin is IPreScorePlugin e) preScore.Add(e);
            }

            if (plugin is IReservePlugin g) reserve.Add(g);
            if (plugin is IPermitPlugin h) permit.Add(h);
            if (plugin is IPreBindPlugin i) preBind.Add(i);
            if (plugin is IBindPlugin j) bind.Add(j);
            if (plugin is IPostBindPlugin k) postBind.Add(k);
            _events[plugin.Name] = plugin is IEnqueueExtensions x ? x.EventsToRegister : ClusterEvents.All;
        }

        _preEnqueue = [.. preEnqueue];
        _preFilter = [.. preFilter];
        _filter = [.. filter];
        _postFilter = [.. postFilter];
        _preScore = [.. preScore];
        _score = [.. score];
        _reserve = [.. reserve];
        _permit = [.. permit];
        _preBind = [.. preBind];
        _bind = [.. bind];
        _postBind = [.. postBind];
    }

    public string ProfileName { get; }

    public int PercentageOfNodesToScore { get; }

    public bool HasFilterPlugins => _filter.Length > 0;

    public bool HasScorePlugins => _score.Length > 0;

    /// <summary>The PostFilter plugins in order (explanations run preemption as a dry run).</summary>
    public IReadOnlyList<IPostFilterPlugin> PostFilterPlugins => _postFilter;

    public IEnumerable<(string Name, int Weight)> ScorePlugins
    {
        get
        {
            foreach (var (p, w) in _score)
            {
                yield return (p.Name, w);
            }
        }
    }

    /// <summary>The cluster events that may help a pod the named plugins rejected (all events if none are named).</summary>
    public ClusterEvents EventsFor(IReadOnlyCollection<string> plugins)
    {
        if (plugins.Count == 0)
        {
            return ClusterEvents.All;
        }

        var events = ClusterEvents.None;
        foreach (var p in plugins)
        {
            events |= _events.TryGetValue(p, out var e) ? e : ClusterEvents.All;
        }

        return events;
    }

    public Status RunPreEnqueue(PodInfo pod)
    {
        foreach (var p in _preEnqueue)
        {
            var s = p.PreEnqueue(pod);
            if (!s.IsSuccess)
            {
                return s.WithPlugin(p.Name);
            }
        }

        return default;
    }

    /// <summary>Runs PreFilter; <paramref name="nodeNames"/> is the intersection of the plugins' node restrictions (null = all nodes).</summary>
    public Status RunPreFilter(CycleState state, PodInfo pod, Snapshot snapshot, out HashSet<string>? nodeNames, out List<string>? restrictingPlugins)
    {
        nodeNames = null;
        restrictingPlugins = null;
        foreach (var p in _preFilter)
        {
            Status s;
            IReadOnlySet<string>? names;
            try
            {
                s = p.PreFilter(state, pod, snapshot, out names);
            }
            catch (Exception e)
            {
                return Status.FromError(e).WithPlugin(p.Name);
            }

            if (s.IsSkip)
            {
                state.SkipFilterPlugins.Add(p.Name);
                continue;
            }

            if (!s.IsSuccess)
            {
                return s.WithPlugin(p.Name);
            }

            if (names is not null)
            {
                (restrictingPlugins ??= []).Add(p.Name);
                if (nodeNames is null)
                {
                    nodeNames = new HashSet<string>(names, StringComparer.Ordinal);
                }
                else
                {
                    nodeNames.IntersectWith(names);
                }
            }
        }

        state.Filters = Active(_filter, state.SkipFilterPlugins);
        return default;
    }

    /// <summary>The plugins not skipped this cycle; the profile's own array when none is (no allocation).</summary>
    private static T[] Active<T>(T[] plugins, HashSet<string> skipped)
        where T : IPlugin
    {
        if (skipped.Count == 0)
        {
            return plugins;
        }

        var active = new List<T>(plugins.Length);
        foreach (var p in plugins)
        {
            if (!skipped.Contains(p.Name))
            {
                active.Add(p);
            }
        }

        return [.. active];
    }

    /// <summary>The first failing Filter's status, or Success. Thread-safe across nodes.</summary>
    public Status RunFilter(CycleState state, PodInfo pod, NodeInfo node)
    {
        var filters = state.Filters ??= Active(_filter, state.SkipFilterPlugins);
        for (var i = 0; i < filters.Length; i++)
        {
            var p = filters[i];
            Status s;
            try
            {
                s = p.Filter(state, pod, node);
            }
            catch (Exception e)
            {
                return Status.FromError(e).WithPlugin(p.Name);
            }

            if (!s.IsSuccess)
            {
                return s.WithPlugin(p.Name);
            }
        }

        return default;
    }

    /// <summary>
    /// RunFilter, first with the pods nominated to the node (priority at least the pod's) added to a
    /// copy of it, then (if that passed) without them, as kube's RunFilterPluginsWithNominatedPods:
    /// the pod must fit both with and without the nominated pods.
    /// </summary>
    public Status RunFilterWithNominatedPods(CycleState state, PodInfo pod, NodeInfo node)
    {
        var nominated = _nominator is null || _nominator.IsEmpty ? null : _nominator.On(node.Name, pod.Priority, pod);
        if (nominated is null)
        {
            return RunFilter(state, pod, node);
        }

        var with = node.Clone();
        foreach (var p in nominated)
        {
            with.AddPod(p.WithNodeName(node.Name));
        }

        var s = RunFilter(state, pod, with);
        return s.IsSuccess ? RunFilter(state, pod, node) : s;
    }

    /// <summary>Runs PostFilter plugins until one succeeds; the returned status carries their messages for the FitError.</summary>
    public Status RunPostFilter(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyDictionary<string, Status> nodeStatuses, out string? nominatedNode)
    {
        nominatedNode = null;
        Status last = Status.Unschedulable();
        foreach (var p in _postFilter)
        {
            var s = p.PostFilter(state, pod, snapshot, nodeStatuses, out nominatedNode);
            if (s.IsSuccess)
            {
                return s.WithPlugin(p.Name);
            }

            last = s.WithPlugin(p.Name);
        }

        return last;
    }

    public Status RunPreScore(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        foreach (var p in _preScore)
        {
            var s = p.PreScore(state, pod, snapshot, nodes);
            if (s.IsSkip)
            {
                state.SkipScorePlugins.Add(p.Name);
                continue;
            }

            if (!s.IsSuccess)
            {
                return s.WithPlugin(p.Name);
            }
        }

        state.Scorers = ActiveScorers(state);
        return default;
    }

    private (IScorePlugin Plugin, int Weight)[] ActiveScorers(CycleState state)
    {
        if (state.SkipScorePlugins.Count == 0)
        {
            return _score;
        }

        var active = new List<(IScorePlugin, int)>(_score.Length);
        foreach (var entry in _score)
        {
            if (!state.SkipScorePlugins.Contains(entry.Plugin.Name))
            {
                active.Add(entry);
            }
        }

        return [.. active];
    }

    /// <summary>
    /// Scores <paramref name="nodes"/> with every Score plugin not skipped this cycle, normalizes,
    /// weights, and adds into <paramref name="totals"/> (which must start at zero). With
    /// <paramref name="perPlugin"/> each plugin's raw and normalized scores are kept
    /// (explanations); otherwise one pooled buffer serves every plugin.
    /// </summary>
    public Status RunScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes, long[] totals, List<PluginScores>? perPlugin = null)
    {
        var n = nodes.Count;
        var scorers = state.Scorers ??= ActiveScorers(state);
        var buffer = ArrayPool<NodeScore>.Shared.Rent(n);
        try
        {
            foreach (var (p, weight) in scorers)
            {
                for (var i = 0; i < n; i++)
                {
                    var node = nodes[i];
                    var s = p.Score(state, pod, node, out var score);
                    if (!s.IsSuccess)
                    {
                        return s.WithPlugin(p.Name);
                    }

                    buffer[i] = new NodeScore(node.Name, score);
                }

                var scores = buffer.AsSpan(0, n);
                long[]? raw = null;
                if (perPlugin is not null)
                {
                    raw = new long[n];
                    for (var i = 0; i < n; i++)
                    {
                        raw[i] = scores[i].Score;
                    }
                }

                if (p.ScoreExtensions is { } extensions)
                {
                    var s = extensions.NormalizeScore(state, pod, scores);
                    if (!s.IsSuccess)
                    {
                        return s.WithPlugin(p.Name);
                    }
                }

                for (var i = 0; i < n; i++)
                {
                    var score = scores[i].Score;
                    if (score is < NodeScores.MinNodeScore or > NodeScores.MaxNodeScore)
                    {
                        return Status.FromError($"plugin \"{p.Name}\" returns an invalid score {score}, it should in the range of [{NodeScores.MinNodeScore}, {NodeScores.MaxNodeScore}] after normalizing").WithPlugin(p.Name);
                    }

                    totals[i] += score * weight;
                }

                if (perPlugin is not null)
                {
                    var normalized = new long[n];
                    for (var i = 0; i < n; i++)
                    {
                        normalized[i] = scores[i].Score;
                    }

                    perPlugin.Add(new PluginScores(p.Name, weight, raw!, normalized));
                }
            }
        }
        finally
        {
            ArrayPool<NodeScore>.Shared.Return(buffer);
        }

        return default;
    }

    public Status RunReserve(CycleState state, PodInfo pod, string nodeName)
    {
        foreach (var p in _reserve)
        {
            var s = p.Reserve(state, pod, nodeName);
            if (!s.IsSuccess)
            {
                return s.WithPlugin(p.Name);
            }
        }

        return default;
    }

    /// <summary>Unreserve of every Reserve plugin, in reverse order; each is idempotent.</summary>
    public void RunUnreserve(CycleState state, PodInfo pod, string nodeName)
    {
        for (var i = _reserve.Length - 1; i >= 0; i--)
        {
            _reserve[i].Unreserve(state, pod, nodeName);
        }
    }

    /// <summary>Success, a rejection, or Wait (then <see cref="WaitOnPermitAsync"/> decides).</summary>
    public Status RunPermit(CycleState state, PodInfo pod, string nodeName)
    {
        Dictionary<string, TimeSpan>? waits = null;
        foreach (var p in _permit)
        {
            var s = p.Permit(state, pod, nodeName, out var timeout);
            if (s.IsWait)
            {
                waits ??= new(StringComparer.Ordinal);
                waits[p.Name] = timeout > MaxPermitTimeout ? MaxPermitTimeout : timeout;
                continue;
            }

            if (!s.IsSuccess)
            {
                return s.WithPlugin(p.Name);
            }
        }

        if (waits is null)
        {
            return default;
        }

        _waitingPods[pod.Uid] = new WaitingPod(pod, nodeName, waits, _time);
        return Status.New(StatusCode.Wait);
    }

    public WaitingPod? GetWaitingPod(string uid) => _waitingPods.TryGetValue(uid, out var w) ? w : null;

    public async ValueTask<Status> WaitOnPermitAsync(PodInfo pod, CancellationToken ct)
    {
        if (!_waitingPods.TryGetValue(pod.Uid, out var waiting))
        {
            return default;
        }

        try
        {
            return await waiting.Result.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _waitingPods.TryRemove(pod.Uid, out _);
            waiting.Dispose();
        }
    }

    public async ValueTask<Status> RunPreBindAsync(CycleState state, PodInfo pod, string nodeName, CancellationToken ct)
    {
        foreach (var p in _preBind)
        {
            var s = await p.PreBindAsync(state, pod, nodeName, ct).ConfigureAwait(false);
            if (!s.IsSuccess)
            {
                return s.WithPlugin(p.Name);
            }
        }

        return default;
    }

    public async ValueTask<Status> RunBindAsync(CycleState state, PodInfo pod, string nodeName, CancellationToken ct)
    {
        foreach (var p in _bind)
        {
            var s = await p.BindAsync(state, pod, nodeName, ct).ConfigureAwait(false);
            if (s.IsSkip)
            {
                continue;
            }

            return s.IsSuccess ? s : s.WithPlugin(p.Name);
        }

        return Status.FromError("no bind plugin bound the pod");
    }

    public void RunPostBind(CycleState state, PodInfo pod, string nodeName)
    {
        foreach (var p in _postBind)
        {
            p.PostBind(state, pod, nodeName);
        }
    }
}

/// <summary>One Score plugin's scores for each node of a cycle: as the plugin gave them, and after NormalizeScore (before the weight).</summary>
internal sealed record PluginScores(string Plugin, int Weight, long[] Raw, long[] Normalized);

/// <summary>A pod held at Permit until every waiting plugin allows it, one rejects it, or a plugin's timeout passes.</summary>
internal sealed class WaitingPod : IDisposable
{
    private readonly HashSet<string> _pending;
    private readonly List<ITimer> _timers = [];
    private readonly TaskCompletionSource<Status> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WaitingPod(PodInfo pod, string nodeName, Dictionary<string, TimeSpan> waits, TimeProvider time)
    {
        Pod = pod;
        NodeName = nodeName;
        _pending = new HashSet<string>(waits.Keys, StringComparer.Ordinal);
        foreach (var (plugin, timeout) in waits)
        {
            _timers.Add(time.CreateTimer(_ => Reject(plugin, $"rejected due to timeout after waiting {timeout} at plugin {plugin}"), null, timeout, Timeout.InfiniteTimeSpan));
        }
    }

    public PodInfo Pod { get; }

    public string NodeName { get; }

    public Task<Status> Result => _result.Task;

    public void Allow(string plugin)
    {
        lock (_pending)
        {
            if (_pending.Remove(plugin) && _pending.Count == 0)
            {
                _result.TrySetResult(default);
            }
        }
    }

    public void Reject(string plugin, string message) => _result.TrySetResult(Status.Unschedulable(message).WithPlugin(plugin));

    public void Dispose()
    {
        foreach (var t in _timers)
        {
            t.Dispose();
        }
    }
}
