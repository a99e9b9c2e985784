using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;
using Nautilus.Scheduler.Internal.Queue;

namespace Nautilus.Scheduler.Internal;

/// <summary>Where the pod goes, or why it goes nowhere.</summary>
internal sealed class ScheduleResult
{
    public string? Host { get; init; }
    public int EvaluatedNodes { get; init; }
    public int FeasibleNodes { get; init; }
    public int NumAllNodes { get; init; }

    /// <summary>The status of each node that failed a filter.</summary>
    public Dictionary<string, Status> NodeStatuses { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The status of nodes excluded before filtering (a PreFilter rejection or node-name restriction).</summary>
    public Status? AbsentNodesStatus { get; set; }

    public string? PreFilterMessage { get; set; }

    public HashSet<string> UnschedulablePlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>Set when the cycle failed with an error rather than a fit failure.</summary>
    public Status? Error { get; set; }

    public bool NoNodes { get; init; }
}

/// <summary>
/// kube-scheduler's scheduleOne: pops a pod, filters the nodes of a fresh snapshot (in parallel,
/// stopping once enough feasible nodes are found, from a rotating start index), scores them,
/// picks the best (ties broken at random), reserves and assumes it in the cache, runs Permit, and
/// binds asynchronously. A pod that fits nowhere gets PostFilter's verdict, a PodScheduled=False
/// condition and a FailedScheduling event, and goes back to the queue.
/// </summary>
internal sealed partial class PodScheduler : IAsyncDisposable
{
    private const int MinFeasibleNodesToFind = 100;
    private const int MinFeasibleNodesPercentageToFind = 5;
    private const int ParallelFilterThreshold = 128;
    private const int MaxMessageLength = 1024;

    private readonly SchedulerCache _cache;
    private readonly SchedulingQueue _queue;
    private readonly IReadOnlyDictionary<string, SchedulingFramework> _profiles;
    private readonly ISchedulerApi _api;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<PodInfo, PodInfo?> _currentPod;
    private readonly int _parallelism;
    private readonly Random _random;
    private readonly Nominator _nominator;
    private readonly SchedulerMetrics? _metrics;
    private readonly Snapshot _snapshot = new();

    // Buffers of the scheduling loop, reused across cycles (one cycle at a time).
    private readonly List<NodeInfo> _feasible = [];
    private NodeInfo?[] _found = [];
    private Status[] _statuses = [];
    private int[] _examined = [];
    private long[] _totals = [];
    private int _stamp;
    private readonly Channel<Func<CancellationToken, Task>> _writes = Channel.CreateBounded<Func<CancellationToken, Task>>(new BoundedChannelOptions(16384) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<Task> _writers = [];
    private readonly CancellationTokenSource _stopping = new();
    private int _bindingsInFlight;

    // Status and event writes queued or being written.
    private int _writesPending;
    private int _nextStartNodeIndex;

    public PodScheduler(SchedulerCache cache, SchedulingQueue queue, IReadOnlyDictionary<string, SchedulingFramework> profiles, ISchedulerApi api, TimeProvider time, ILogger logger, Func<PodInfo, PodInfo?>? currentPod = null, int parallelism = 16, Random? random = null, int statusWriters = 4, Nominator? nominator = null, SchedulerMetrics? metrics = null)
    {
        _nominator = nominator ?? new Nominator();
        _metrics = metrics;
        _cache = cache;
        _queue = queue;
        _profiles = profiles;
        _api = api;
        _time = time;
        _logger = logger;
        _currentPod = currentPod ?? (p => p);
        _parallelism = Math.Max(1, parallelism);
        _random = random ?? new Random();
        for (var i = 0; i < statusWriters; i++)
        {
            _writers.Add(Task.Run(() => WriteLoopAsync(_stopping.Token)));
        }
    }

    /// <summary>Bindings started and not yet finished.</summary>
    public int BindingsInFlight => Volatile.Read(ref _bindingsInFlight);

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            QueuedPodInfo? q;
            try
            {
                q = await _queue.PopAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (q is null)
            {
                return;
            }

            try
            {
                _ = ScheduleOne(q, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCycleCrashed(_logger, q.Pod.Key, e);
                _queue.AddUnschedulableIfNotPresent(q, _queue.SchedulingCycle);
            }
        }
    }

    /// <summary>One scheduling cycle; returns the binding cycle's task (completed when the pod was not assumed).</summary>
    public Task ScheduleOne(QueuedPodInfo q, CancellationToken ct)
    {
        var pod = q.Pod;
        var cycle = _queue.SchedulingCycle;
        if (!_profiles.TryGetValue(pod.SchedulerName, out var framework) || pod.Terminating || _cache.IsAssumed(pod))
        {
            _queue.Done(q);
            return Task.CompletedTask;
        }

        var start = _time.GetTimestamp();
        var state = new CycleState();
        _cache.UpdateSnapshot(_snapshot);
        var result = SchedulePod(framework, state, pod);
        _metrics?.AlgorithmRan(_time.GetElapsedTime(start));
        if (result.Host is null)
        {
            if (result.Error is { } error)
            {
                HandleFailure(framework, q, cycle, start, error, error.Message);
                return Task.CompletedTask;
            }

            string message;
            string? nominated = null;
            if (result.NoNodes)
            {
                message = "no nodes available to schedule pods";
            }
            else
            {
                var post = framework.RunPostFilter(state, pod, _snapshot, result.NodeStatuses, out nominated);
                message = FitError.Message(result.NumAllNodes, result.PreFilterMessage, result.NodeStatuses, post.Message, result.AbsentNodesStatus);
                if (nominated is not null)
                {
                    // A new nomination, or "" when preemption cannot help: the old one no longer holds room.
                    _nominator.Add(pod, nominated);
                }
            }

            q.UnschedulablePlugins.Clear();
            q.UnschedulablePlugins.UnionWith(result.UnschedulablePlugins);
            HandleFailure(framework, q, cycle, start, Status.Unschedulable(message), message, nominated);
            return Task.CompletedTask;
        }

        var host = result.Host;
        _nominator.Remove(pod);
        var assumed = pod.WithNodeName(host);
        try
        {
            _cache.AssumePod(assumed);
        }
        catch (InvalidOperationException e)
        {
            HandleFailure(framework, q, cycle, start, Status.FromError(e), e.Message);
            return Task.CompletedTask;
        }

        var reserve = framework.RunReserve(state, assumed, host);
        if (!reserve.IsSuccess)
        {
            framework.RunUnreserve(state, assumed, host);
            _cache.ForgetPod(assumed);
            q.UnschedulablePlugins.Clear();
            if (reserve.IsRejected && reserve.Plugin is not null)
            {
                q.UnschedulablePlugins.Add(reserve.Plugin);
            }

            HandleFailure(framework, q, cycle, start, reserve, reserve.Message);
            return Task.CompletedTask;
        }

        var permit = framework.RunPermit(state, assumed, host);
        if (!permit.IsSuccess && !permit.IsWait)
        {
            framework.RunUnreserve(state, assumed, host);
            _cache.ForgetPod(assumed);
            q.UnschedulablePlugins.Clear();
            if (permit.IsRejected && permit.Plugin is not null)
            {
                q.UnschedulablePlugins.Add(permit.Plugin);
            }

            HandleFailure(framework, q, cycle, start, permit, permit.Message);
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _bindingsInFlight);
        return BindingCycleAsync(framework, state, q, assumed, host, cycle, start, ct);
    }

    private async Task BindingCycleAsync(SchedulingFramework framework, CycleState state, QueuedPodInfo q, PodInfo assumed, string host, long cycle, long start, CancellationToken ct)
    {
        try
        {
            var status = await framework.WaitOnPermitAsync(assumed, ct).ConfigureAwait(false);
            if (status.IsSuccess)
            {
                status = await framework.RunPreBindAsync(state, assumed, host, ct).ConfigureAwait(false);
            }

            if (status.IsSuccess)
            {
                status = await framework.RunBindAsync(state, assumed, host, ct).ConfigureAwait(false);
            }

            if (!status.IsSuccess)
            {
                framework.RunUnreserve(state, assumed, host);
                _cache.ForgetPod(assumed);
                // The assumed pod's resources are free again: pods waiting for them may fit now.
                _queue.MoveAllToActiveOrBackoff(ClusterEvents.AssignedPodDelete);
                q.UnschedulablePlugins.Clear();
                if (status.IsRejected && status.Plugin is not null)
                {
                    q.UnschedulablePlugins.Add(status.Plugin);
                }

                LogBindFailed(_logger, assumed.Key, host, status.Message);
                HandleFailure(framework, q, cycle, start, status, status.IsRejected ? status.Message : "Binding rejected: " + status.Message);
                return;
            }

            _cache.FinishBinding(assumed);
            _queue.Done(q);
            if (_metrics is { } metrics)
            {
                metrics.Attempted(SchedulerMetrics.Scheduled, framework.ProfileName, _time.GetElapsedTime(start));
                metrics.PodScheduled(q.Attempts, _time.GetUtcNow() - q.InitialAttemptTimestamp);
            }

            LogScheduled(_logger, assumed.Key, host);
            var note = $"Successfully assigned {assumed.Namespace}/{assumed.Name} to {host}";
            Enqueue(token => _api.RecordEventAsync(assumed, "Normal", "Scheduled", "Binding", note, framework.ProfileName, token));
            framework.RunPostBind(state, assumed, host);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _cache.ForgetPod(assumed);
        }
        finally
        {
            Interlocked.Decrement(ref _bindingsInFlight);
        }
    }

    private void HandleFailure(SchedulingFramework framework, QueuedPodInfo q, long cycle, long start, Status status, string message, string? nominatedNodeName = null)
    {
        _metrics?.Attempted(status.IsRejected ? SchedulerMetrics.Unschedulable : SchedulerMetrics.Error, framework.ProfileName, _time.GetElapsedTime(start));
        var current = _currentPod(q.Pod);
        if (current is null || current.NodeName.Length > 0)
        {
            // Deleted or bound meanwhile: nothing to retry or report.
            _queue.Done(q);
            return;
        }

        q.Pod = current;
        _queue.AddUnschedulableIfNotPresent(q, cycle);
        var reason = status.IsRejected ? "Unschedulable" : "SchedulerError";
        if (message.Length > MaxMessageLength)
        {
            message = message[..(MaxMessageLength - 3)] + "...";
        }

        LogUnschedulable(_logger, current.Key, message);
        Enqueue(async token =>
        {
            await _api.UpdatePodScheduledAsync(current, reason, message, nominatedNodeName, token).ConfigureAwait(false);
            await _api.RecordEventAsync(current, "Warning", "FailedScheduling", "Scheduling", message, framework.ProfileName, token).ConfigureAwait(false);
        });
    }

    /// <summary>Filters and scores the snapshot's nodes for the pod; no side effects beyond the cycle state.</summary>
    internal ScheduleResult SchedulePod(SchedulingFramework framework, CycleState state, PodInfo pod) => SchedulePod(framework, state, pod, _snapshot);

    internal ScheduleResult SchedulePod(SchedulingFramework framework, CycleState state, PodInfo pod, Snapshot snapshot)
    {
        var all = snapshot.Nodes;
        if (all.Count == 0)
        {
            return new ScheduleResult { NoNodes = true, NumAllNodes = 0 };
        }

        var result = new ScheduleResult { NumAllNodes = all.Count };
        var pre = framework.RunPreFilter(state, pod, snapshot, out var nodeNames, out var restricting);
        if (!pre.IsSuccess)
        {
            if (!pre.IsRejected)
            {
                result.Error = pre;
                return result;
            }

            result.PreFilterMessage = pre.Message;
            result.AbsentNodesStatus = pre;
            if (pre.Plugin is not null)
            {
                result.UnschedulablePlugins.Add(pre.Plugin);
            }

            return result;
        }

        // A pod nominated by an earlier preemption tries its node first (kube's evaluateNominatedNode).
        if (pod.NominatedNodeName.Length > 0 && snapshot.Get(pod.NominatedNodeName) is { } nominatedNode && (nodeNames is null || nodeNames.Contains(nominatedNode.Name))
            && framework.RunFilterWithNominatedPods(state, pod, nominatedNode).IsSuccess)
        {
            return new ScheduleResult { Host = nominatedNode.Name, EvaluatedNodes = 1, FeasibleNodes = 1, NumAllNodes = all.Count };
        }

        IReadOnlyList<NodeInfo> nodes = all;
        if (nodeNames is not null)
        {
            var subset = new List<NodeInfo>(nodeNames.Count);
            foreach (var name in nodeNames)
            {
                if (snapshot.Get(name) is { } n)
                {
                    subset.Add(n);
                }
            }

            nodes = subset;
            restricting!.Sort(StringComparer.Ordinal);
            result.AbsentNodesStatus = Status.Unresolvable($"node(s) didn't satisfy plugin(s) [{string.Join(" ", restricting)}]");
            result.UnschedulablePlugins.UnionWith(restricting);
        }

        var feasible = FindNodesThatPassFilters(framework, state, pod, nodes, result, nodeNames is null);
        if (result.Error is not null)
        {
            return result;
        }

        if (feasible.Count == 0)
        {
            foreach (var s in result.NodeStatuses.Values)
            {
                if (s.Plugin is not null)
                {
                    result.UnschedulablePlugins.Add(s.Plugin);
                }
            }

            return result;
        }

        if (feasible.Count == 1)
        {
            return new ScheduleResult { Host = feasible[0].Name, EvaluatedNodes = 1 + result.NodeStatuses.Count, FeasibleNodes = 1, NumAllNodes = all.Count };
        }

        if (_totals.Length < feasible.Count)
        {
            _totals = new long[Math.Max(feasible.Count, _totals.Length * 2)];
        }

        var totals = _totals;
        Array.Clear(totals, 0, feasible.Count);
        var scored = PrioritizeNodes(framework, state, pod, snapshot, feasible, totals);
        if (!scored.IsSuccess)
        {
            result.Error = scored;
            return result;
        }

        return new ScheduleResult
        {
            Host = feasible[SelectHost(totals, feasible.Count)].Name,
            EvaluatedNodes = feasible.Count + result.NodeStatuses.Count,
            FeasibleNodes = feasible.Count,
            NumAllNodes = all.Count,
        };
    }

    /// <summary>kube's numFeasibleNodesToFind: all nodes below 100; else a percentage (adaptive 50 - nodes/125, at least 5%), at least 100.</summary>
    public static int NumFeasibleNodesToFind(int percentageOfNodesToScore, int numAllNodes)
    {
        if (numAllNodes < MinFeasibleNodesToFind)
        {
            return numAllNodes;
        }

        var percentage = percentageOfNodesToScore;
        if (percentage <= 0)
        {
            percentage = 50 - (numAllNodes / 125);
            if (percentage < MinFeasibleNodesPercentageToFind)
            {
                percentage = MinFeasibleNodesPercentageToFind;
            }
        }

        var numNodes = (int)((long)numAllNodes * percentage / 100);
        return numNodes < MinFeasibleNodesToFind ? MinFeasibleNodesToFind : numNodes;
    }

    /// <summary>
    /// Runs the filters from the rotating start index until <see cref="NumFeasibleNodesToFind"/>
    /// nodes pass, sequentially or (on several cores, with many nodes) in chunks on worker threads,
    /// as kube's parallelizer. The buffers are the loop's own and reused; failures of examined
    /// nodes go to <paramref name="result"/>.
    /// </summary>
    private List<NodeInfo> FindNodesThatPassFilters(SchedulingFramework framework, CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes, ScheduleResult result, bool rotate)
    {
        var n = nodes.Count;
        var feasible = _feasible;
        feasible.Clear();
        if (n == 0)
        {
            return feasible;
        }

        var toFind = NumFeasibleNodesToFind(framework.PercentageOfNodesToScore, n);
        var start = rotate ? _nextStartNodeIndex % n : 0;
        if (!framework.HasFilterPlugins)
        {
            for (var i = 0; i < toFind; i++)
            {
                feasible.Add(nodes[(start + i) % n]);
            }

            if (rotate)
            {
                _nextStartNodeIndex = (start + toFind) % n;
            }

            return feasible;
        }

        if (_statuses.Length < n)
        {
            _statuses = new Status[n];
            _examined = new int[n];
        }

        if (_found.Length < toFind)
        {
            _found = new NodeInfo?[toFind];
        }

        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_examined);
            _stamp = 1;
        }

        var stamp = _stamp;
        var found = _found;
        var statuses = _statuses;
        var examined = _examined;
        var withNominated = !_nominator.IsEmpty;
        var count = 0;
        Status? error = null;

        void Check(int i)
        {
            var node = nodes[(start + i) % n];
            var status = withNominated ? framework.RunFilterWithNominatedPods(state, pod, node) : framework.RunFilter(state, pod, node);
            examined[i] = stamp;
            statuses[i] = status;
            if (status.IsSuccess)
            {
                var slot = Interlocked.Increment(ref count) - 1;
                if (slot < toFind)
                {
                    found[slot] = node;
                }
                else
                {
                    examined[i] = 0; // found after the limit: not counted as processed, as kube
                }

                return;
            }

            if (!status.IsRejected)
            {
                error = status;
            }
        }

        var workers = Math.Min(_parallelism, Environment.ProcessorCount);
        if (workers <= 1 || n < ParallelFilterThreshold)
        {
            for (var i = 0; i < n && count < toFind && error is null; i++)
            {
                Check(i);
            }
        }
        else
        {
            // kube's chunk size: sqrt(n), at most n / workers + 1.
            var chunk = Math.Max(1, Math.Min((int)Math.Sqrt(n), (n / workers) + 1));
            var chunks = (n + chunk - 1) / chunk;
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = workers }, (c, loop) =>
            {
                var end = Math.Min(n, (c + 1) * chunk);
                for (var i = c * chunk; i < end; i++)
                {
                    if (Volatile.Read(ref count) >= toFind || error is not null)
                    {
                        loop.Stop();
                        return;
                    }

                    Check(i);
                }
            });
        }

        if (error is { } e)
        {
            result.Error = e;
            return feasible;
        }

        var processed = 0;
        for (var i = 0; i < n; i++)
        {
            if (examined[i] != stamp)
            {
                continue;
            }

            processed++;
            if (!statuses[i].IsSuccess)
            {
                result.NodeStatuses[nodes[(start + i) % n].Name] = statuses[i];
                statuses[i] = default;
            }
        }

        var total = Math.Min(count, toFind);
        for (var i = 0; i < total; i++)
        {
            feasible.Add(found[i]!);
            found[i] = null;
        }

        if (rotate)
        {
            _nextStartNodeIndex = (start + processed) % n;
        }

        return feasible;
    }

    private static Status PrioritizeNodes(SchedulingFramework framework, CycleState state, PodInfo pod, Snapshot snapshot, List<NodeInfo> feasible, long[] totals)
    {
        if (!framework.HasScorePlugins)
        {
            Array.Fill(totals, 1);
            return default;
        }

        var pre = framework.RunPreScore(state, pod, snapshot, feasible);
        if (!pre.IsSuccess)
        {
            return pre;
        }

        return framework.RunScore(state, pod, feasible, totals);
    }

    /// <summary>The index of a highest total, chosen uniformly among ties (reservoir sampling, as kube's selectHost).</summary>
    internal int SelectHost(long[] totals) => SelectHost(totals, totals.Length);

    internal int SelectHost(long[] totals, int count)
    {
        var selected = 0;
        var max = totals[0];
        var ties = 1;
        for (var i = 1; i < count; i++)
        {
            if (totals[i] > max)
            {
                max = totals[i];
                selected = i;
                ties = 1;
            }
            else if (totals[i] == max)
            {
                ties++;
                if (_random.Next(ties) == 0)
                {
                    selected = i;
                }
            }
        }

        return selected;
    }

    private void Enqueue(Func<CancellationToken, Task> write)
    {
        Interlocked.Increment(ref _writesPending);
        if (!_writes.Writer.TryWrite(write))
        {
            Interlocked.Decrement(ref _writesPending);
            LogWriteDropped(_logger);
        }
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var write in _writes.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await write(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    LogWriteFailed(_logger, e.Message);
                }
                finally
                {
                    Interlocked.Decrement(ref _writesPending);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Waits until queued status and event writes are done, the ones a writer has taken but not finished too (tests).</summary>
    internal async Task FlushWritesAsync(CancellationToken ct)
    {
        while (Volatile.Read(ref _writesPending) > 0 || Volatile.Read(ref _bindingsInFlight) > 0)
        {
            await Task.Delay(5, ct).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_writers).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Debug, Message = "Successfully bound pod {Pod} to node {Node}")]
    private static partial void LogScheduled(ILogger logger, string pod, string node);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Unable to schedule pod {Pod}: {Message}")]
    private static partial void LogUnschedulable(ILogger logger, string pod, string message);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Binding pod {Pod} to node {Node} failed: {Message}")]
    private static partial void LogBindFailed(ILogger logger, string pod, string node, string message);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Scheduling cycle for pod {Pod} crashed")]
    private static partial void LogCycleCrashed(ILogger logger, string pod, Exception error);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Writing a pod condition or event failed: {Error}")]
    private static partial void LogWriteFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Status/event write queue is full; a write was dropped")]
    private static partial void LogWriteDropped(ILogger logger);
}
