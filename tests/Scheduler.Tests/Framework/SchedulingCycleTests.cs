using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Scheduler.Internal;
using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;
using Nautilus.Scheduler.Internal.Queue;

namespace Nautilus.Scheduler.Tests.Framework;

/// <summary>Whole cycles over in-memory nodes: queue, cache, default profile, a recording API.</summary>
public class SchedulingCycleTests
{
    private sealed class RecordingApi : ISchedulerApi
    {
        public ConcurrentQueue<(string Pod, string Node)> Bindings { get; } = new();
        public ConcurrentQueue<(string Pod, string Reason, string Message)> Conditions { get; } = new();
        public ConcurrentQueue<(string Pod, string Type, string Reason, string Note, string Controller)> Events { get; } = new();
        public Func<PodInfo, string, Exception?> BindError { get; set; } = (_, _) => null;

        public Task BindAsync(PodInfo pod, string nodeName, CancellationToken ct)
        {
            if (BindError(pod, nodeName) is { } e)
            {
                throw e;
            }

            Bindings.Enqueue((pod.Key, nodeName));
            return Task.CompletedTask;
        }

        public ConcurrentQueue<(string Pod, string? Nominated)> Nominations { get; } = new();
        public ConcurrentQueue<(string Victim, string Preemptor, string Node)> Preemptions { get; } = new();

        public Task UpdatePodScheduledAsync(PodInfo pod, string reason, string message, string? nominatedNodeName, CancellationToken ct)
        {
            Conditions.Enqueue((pod.Key, reason, message));
            Nominations.Enqueue((pod.Key, nominatedNodeName));
            return Task.CompletedTask;
        }

        public Task PreemptAsync(PodInfo victim, PodInfo preemptor, string nodeName, CancellationToken ct)
        {
            Preemptions.Enqueue((victim.Key, preemptor.Key, nodeName));
            return Task.CompletedTask;
        }

        public Task ClearNominatedNodeNameAsync(PodInfo pod, CancellationToken ct)
        {
            Nominations.Enqueue((pod.Key, ""));
            return Task.CompletedTask;
        }

        public Task RecordEventAsync(PodInfo pod, string type, string reason, string action, string note, string reportingController, CancellationToken ct)
        {
            Events.Enqueue((pod.Key, type, reason, note, reportingController));
            return Task.CompletedTask;
        }
    }

    private ManualTime _time = null!;
    private RecordingApi _api = null!;
    private SchedulerCache _cache = null!;
    private SchedulingQueue _queue = null!;
    private PodScheduler _scheduler = null!;
    private Dictionary<string, SchedulingFramework> _profiles = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTime();
        _api = new RecordingApi();
        var handle = new FrameworkHandle { Api = _api, Lister = new FakeLister(), Time = _time };
        _profiles = new Dictionary<string, SchedulingFramework>
        {
            ["default-scheduler"] = new(ProfileConfig.DefaultScheduler(), Registry.InTree(), handle),
            ["nautilus-scheduler"] = new(ProfileConfig.NautilusScheduler(), Registry.InTree(), new FrameworkHandle { Api = _api, Lister = new FakeLister(), Time = _time }),
        };
        _cache = new SchedulerCache(_time, TimeSpan.Zero);
        _queue = new SchedulingQueue(_time, p => _profiles.GetValueOrDefault(p.SchedulerName));
        _scheduler = new PodScheduler(_cache, _queue, _profiles, _api, _time, NullLogger.Instance, random: new Random(1));
    }

    [TearDown]
    public async Task TearDown()
    {
        await _scheduler.DisposeAsync();
        _queue.Dispose();
    }

    private async Task ScheduleAllAsync()
    {
        while (_queue.TryPop() is { } q)
        {
            await _scheduler.ScheduleOne(q, CancellationToken.None);
        }

        await _scheduler.FlushWritesAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task Pod_BindsToTheOnlyFeasibleNode_AndRecordsScheduledEvent()
    {
        _cache.AddOrUpdateNode(T.Node("small").Capacity(("cpu", "1"), ("memory", "1Gi"), ("pods", "110")).Build());
        _cache.AddOrUpdateNode(T.Node("big").Capacity(("cpu", "8"), ("memory", "16Gi"), ("pods", "110")).Build());
        _queue.Add(T.Pod("web").Req(("cpu", "2"), ("memory", "1Gi")).Build());

        await ScheduleAllAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_api.Bindings, Is.EqualTo(new[] { ("default/web", "big") }));
            Assert.That(_api.Events.Single(), Is.EqualTo(("default/web", "Normal", "Scheduled", "Successfully assigned default/web to big", "default-scheduler")));
        });
    }

    [Test]
    public async Task Metrics_CountAttemptsByResultAndPendingPodsByQueue()
    {
        using var metrics = new SchedulerMetrics(() => _queue.PendingCounts);
        await using var scheduler = new PodScheduler(_cache, _queue, _profiles, _api, _time, NullLogger.Instance, random: new Random(1), metrics: metrics);
        var recorded = new ConcurrentQueue<(string Instrument, double Value, string Tags)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(System.Diagnostics.Metrics.Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            recorded.Enqueue((instrument.Name, value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        _cache.AddOrUpdateNode(T.Node("n").Capacity(("cpu", "2"), ("pods", "110")).Build());
        _queue.Add(T.Pod("fits").Req(("cpu", "1")).Build());
        _queue.Add(T.Pod("huge").Req(("cpu", "64")).Build());
        _queue.Add(PodInfo.Parse(T.Pod("gated").Spec("""{"schedulingGates":[{"name":"example.com/wait"}]}""").Json()));

        while (_queue.TryPop() is { } q)
        {
            await scheduler.ScheduleOne(q, CancellationToken.None);
        }

        listener.RecordObservableInstruments();
        var attempts = recorded.Where(r => r.Instrument == "scheduler_schedule_attempts_total").Select(r => r.Tags).Order().ToArray();
        var pending = recorded.Where(r => r.Instrument == "scheduler_pending_pods").ToDictionary(r => r.Tags, r => r.Value);
        Assert.Multiple(() =>
        {
            Assert.That(attempts, Is.EqualTo(new[] { "profile=default-scheduler,result=scheduled", "profile=default-scheduler,result=unschedulable" }));
            Assert.That(recorded.Count(r => r.Instrument == "scheduler_pod_scheduling_sli_duration_seconds" && r.Tags == "attempts=1"), Is.EqualTo(1));
            Assert.That(pending, Is.EqualTo(new Dictionary<string, double> { ["queue=active"] = 0, ["queue=backoff"] = 0, ["queue=unschedulable"] = 1, ["queue=gated"] = 1 }));
        });
    }

    [Test]
    public async Task AssumedPods_CountBeforeBindingConfirmed()
    {
        _cache.AddOrUpdateNode(T.Node("a").Capacity(("cpu", "2"), ("pods", "110")).Build());
        _cache.AddOrUpdateNode(T.Node("b").Capacity(("cpu", "2"), ("pods", "110")).Build());
        for (var i = 0; i < 4; i++)
        {
            _queue.Add(T.Pod("p" + i).Req(("cpu", "1")).Build());
        }

        await ScheduleAllAsync();

        var perNode = _api.Bindings.GroupBy(b => b.Node).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(perNode, Is.EqualTo(new Dictionary<string, int> { ["a"] = 2, ["b"] = 2 }));
    }

    [Test]
    public async Task Unschedulable_ReportsKubeMessage_ConditionAndWarningEvent()
    {
        _cache.AddOrUpdateNode(T.Node("n1").Capacity(("cpu", "1"), ("pods", "110")).Build());
        _cache.AddOrUpdateNode(T.Node("n2").Capacity(("cpu", "1"), ("pods", "110")).Build());
        _cache.AddOrUpdateNode(T.Node("n3").Capacity(("cpu", "8"), ("pods", "110")).Taint("dedicated", "gpu", "NoSchedule").Build());
        _queue.Add(T.Pod("big").Req(("cpu", "2")).Build());

        await ScheduleAllAsync();

        const string Expected = "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
        Assert.Multiple(() =>
        {
            Assert.That(_api.Bindings, Is.Empty);
            Assert.That(_api.Conditions.Single(), Is.EqualTo(("default/big", "Unschedulable", Expected)));
            Assert.That(_api.Events.Single(), Is.EqualTo(("default/big", "Warning", "FailedScheduling", Expected, "default-scheduler")));
            Assert.That(_queue.Counts.Unschedulable, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Unschedulable_ResolvableOnNodesWithoutVictims_NoVictimsMessage()
    {
        _cache.AddOrUpdateNode(T.Node("n1").Capacity(("cpu", "2"), ("pods", "110")).Build());
        _cache.AddPod(T.Pod("existing").Req(("cpu", "2")).Node("n1").Build());
        _queue.Add(T.Pod("p").Req(("cpu", "1")).Build());

        await ScheduleAllAsync();

        Assert.That(_api.Conditions.Single().Message, Is.EqualTo("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."));
    }

    [Test]
    public async Task Preemption_EvictsLowerPriorityVictims_NominatesNode_ThenBindsThere()
    {
        _cache.AddOrUpdateNode(T.Node("n1").Capacity(("cpu", "2"), ("pods", "110")).Build());
        var victim = T.Pod("victim").Req(("cpu", "2")).Priority(0).Node("n1").Build();
        _cache.AddPod(victim);
        var important = T.Pod("important").Req(("cpu", "1")).Priority(1000).Build();
        _queue.Add(important);

        await ScheduleAllAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_api.Preemptions, Is.EqualTo(new[] { ("default/victim", "default/important", "n1") }));
            Assert.That(_api.Nominations.Single(), Is.EqualTo(("default/important", (string?)"n1")));
            Assert.That(_api.Conditions.Single().Message, Is.EqualTo("0/1 nodes are available: 1 Insufficient cpu."), "a successful preemption adds nothing to the FitError, as kube");
            Assert.That(_api.Bindings, Is.Empty);
        });

        // The victim goes; the preemptor (now carrying its nomination) lands on the node.
        _cache.RemovePod(victim);
        _queue.Update(important with { NominatedNodeName = "n1" });
        _queue.MoveAllToActiveOrBackoff(ClusterEvents.AssignedPodDelete);
        _time.Advance(TimeSpan.FromSeconds(2));
        _queue.FlushBackoffCompleted();
        await ScheduleAllAsync();

        Assert.That(_api.Bindings, Is.EqualTo(new[] { ("default/important", "n1") }));
    }

    [Test]
    public async Task Unschedulable_MovedBackWhenNodeAdded_ThenBinds()
    {
        _cache.AddOrUpdateNode(T.Node("n1").Capacity(("cpu", "1"), ("pods", "110")).Build());
        _queue.Add(T.Pod("p").Req(("cpu", "2")).Build());
        await ScheduleAllAsync();

        _cache.AddOrUpdateNode(T.Node("n2").Capacity(("cpu", "4"), ("pods", "110")).Build());
        _queue.MoveAllToActiveOrBackoff(ClusterEvents.NodeAdd);
        _time.Advance(TimeSpan.FromSeconds(1));
        _queue.FlushBackoffCompleted();
        await ScheduleAllAsync();

        Assert.That(_api.Bindings, Is.EqualTo(new[] { ("default/p", "n2") }));
    }

    [Test]
    public async Task BindFailure_ForgetsAssumedPodAndRequeues()
    {
        _cache.AddOrUpdateNode(T.Node("n1").Capacity(("cpu", "1"), ("pods", "110")).Build());
        _api.BindError = (_, _) => new InvalidOperationException("boom");
        var pod = T.Pod("p").Req(("cpu", "1")).Build();
        _queue.Add(pod);

        await ScheduleAllAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_cache.IsAssumed(pod), Is.False);
            Assert.That(_cache.PodCount, Is.Zero);
            Assert.That(_queue.Counts.Backoff, Is.EqualTo(1));
            Assert.That(_api.Conditions.Single().Reason, Is.EqualTo("SchedulerError"));
            Assert.That(_api.Conditions.Single().Message, Does.StartWith("Binding rejected: boom"));
        });
    }

    [Test]
    public async Task NoNodes_ReportsNoNodesAvailable()
    {
        _queue.Add(T.Pod("p").Build());

        await ScheduleAllAsync();

        Assert.That(_api.Conditions.Single().Message, Is.EqualTo("no nodes available to schedule pods"));
    }

    [Test]
    public async Task PreFilterRejection_ReportsPreFilterMessage()
    {
        _cache.AddOrUpdateNode(T.Node("n1").Capacity(("cpu", "1"), ("pods", "110")).Build());
        _queue.Add(T.Pod("p").Spec("""{"volumes":[{"name":"v","persistentVolumeClaim":{"claimName":"data"}}]}""").Build());

        await ScheduleAllAsync();

        Assert.That(_api.Conditions.Single().Message, Is.EqualTo("0/1 nodes are available: persistentvolumeclaim \"data\" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."));
    }

    [Test]
    public async Task NodeSelectorAndTolerations_PlaceOnMatchingNode()
    {
        _cache.AddOrUpdateNode(T.Node("plain").Capacity(("cpu", "4"), ("pods", "110")).Build());
        _cache.AddOrUpdateNode(T.Node("gpu").Capacity(("cpu", "4"), ("pods", "110")).Label("accelerator", "nvidia").Taint("gpu", "true", "NoSchedule").Build());
        _queue.Add(T.Pod("trainer").Spec("""{"nodeSelector":{"accelerator":"nvidia"},"tolerations":[{"key":"gpu","operator":"Equal","value":"true","effect":"NoSchedule"}]}""").Build());

        await ScheduleAllAsync();

        Assert.That(_api.Bindings.Single().Node, Is.EqualTo("gpu"));
    }

    [Test]
    public async Task AntiAffinity_SpreadsReplicasOverHosts()
    {
        for (var i = 0; i < 3; i++)
        {
            _cache.AddOrUpdateNode(T.Node("n" + i).Capacity(("cpu", "4"), ("pods", "110")).Build());
        }

        const string Anti = """{"affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"kubernetes.io/hostname"}]}}}""";
        for (var i = 0; i < 4; i++)
        {
            _queue.Add(T.Pod("db" + i).Label("app", "db").Spec(Anti).Build());
        }

        await ScheduleAllAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_api.Bindings.Select(b => b.Node).Distinct().Count(), Is.EqualTo(3));
            Assert.That(_api.Bindings, Has.Count.EqualTo(3));
            Assert.That(_api.Conditions.Single().Message, Does.StartWith("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."));
        });
    }

    [Test]
    public async Task NautilusProfile_SelectedBySchedulerName()
    {
        _cache.AddOrUpdateNode(T.Node("n1").Capacity(("cpu", "4"), ("memory", "8Gi"), ("pods", "110")).Build());
        _queue.Add(T.Pod("p").Spec("""{"schedulerName":"nautilus-scheduler"}""").Req(("cpu", "1")).Build());

        await ScheduleAllAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_api.Bindings.Single().Node, Is.EqualTo("n1"));
            Assert.That(_api.Events.Single().Controller, Is.EqualTo("nautilus-scheduler"));
        });
    }

    [Test]
    public async Task OtherSchedulerName_NotScheduled()
    {
        _cache.AddOrUpdateNode(T.Node("n1").Capacity(("cpu", "4"), ("pods", "110")).Build());
        _queue.Add(T.Pod("p").Spec("""{"schedulerName":"someone-else"}""").Build());

        await ScheduleAllAsync();

        Assert.That(_api.Bindings, Is.Empty);
    }

    private static IEnumerable<TestCaseData> FeasibleCases()
    {
        yield return new TestCaseData(0, 50, 50).SetName("NumFeasible_FewNodes_All");
        yield return new TestCaseData(0, 100, 100).SetName("NumFeasible_HundredNodes_All");
        yield return new TestCaseData(0, 1000, 420).SetName("NumFeasible_Adaptive1000_42Percent");
        yield return new TestCaseData(0, 5000, 500).SetName("NumFeasible_Adaptive5000_10Percent");
        yield return new TestCaseData(0, 6000, 300).SetName("NumFeasible_Adaptive6000_AtLeast5Percent");
        yield return new TestCaseData(0, 1500, 570).SetName("NumFeasible_Adaptive1500");
        yield return new TestCaseData(1, 500, 100).SetName("NumFeasible_ExplicitPercentage_AtLeast100");
    }

    [TestCaseSource(nameof(FeasibleCases))]
    public void NumFeasibleNodesToFind_MatchesKube(int percentage, int nodes, int expected) =>
        Assert.That(PodScheduler.NumFeasibleNodesToFind(percentage, nodes), Is.EqualTo(expected));

    [Test]
    public void SchedulePod_ManyNodes_StopsAtFeasibleLimitAndRotatesStart()
    {
        var nodes = new List<NodeInfo>();
        for (var i = 0; i < 1000; i++)
        {
            nodes.Add(T.Node("n" + i.ToString("D4")).Capacity(("cpu", "4"), ("pods", "110")).Info());
        }

        var snapshot = Snapshot.From(nodes);
        var framework = _profiles["default-scheduler"];
        var first = _scheduler.SchedulePod(framework, new CycleState(), T.Pod().Build(), snapshot);
        var second = _scheduler.SchedulePod(framework, new CycleState(), T.Pod().Build(), snapshot);

        Assert.Multiple(() =>
        {
            Assert.That(first.FeasibleNodes, Is.EqualTo(420));
            Assert.That(second.FeasibleNodes, Is.EqualTo(420));
            Assert.That(first.Host, Is.Not.Null);
        });
    }

    [Test]
    public void SelectHost_TiesBrokenAcrossAllTopNodes()
    {
        var seen = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            seen.Add(_scheduler.SelectHost([5, 9, 9, 1, 9]));
        }

        Assert.That(seen, Is.EquivalentTo(new[] { 1, 2, 4 }));
    }
}
