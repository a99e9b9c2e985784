using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;
using Nautilus.Scheduler.Internal.Queue;

namespace Nautilus.Scheduler.Tests.Framework;

public class SchedulingQueueTests
{
    private ManualTime _time = null!;
    private SchedulingFramework _framework = null!;
    private SchedulingQueue _queue = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new ManualTime();
        _framework = new SchedulingFramework(ProfileConfig.DefaultScheduler(), Registry.InTree(), new FrameworkHandle { Time = _time });
        _queue = new SchedulingQueue(_time, _ => _framework);
    }

    [TearDown]
    public void TearDown() => _queue.Dispose();

    private static PodInfo Pod(string name, int priority = 0) => T.Pod(name).Priority(priority).Build();

    [Test]
    public void Pop_HigherPriorityFirst_ThenEarlierQueued()
    {
        _queue.Add(Pod("low-1"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _queue.Add(Pod("high", 100));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _queue.Add(Pod("low-2"));

        var order = new List<string>();
        while (_queue.TryPop() is { } q)
        {
            order.Add(q.Pod.Name);
        }

        Assert.That(order, Is.EqualTo(new[] { "high", "low-1", "low-2" }));
    }

    [Test]
    public void Unschedulable_ParkedUntilRelevantEvent()
    {
        _queue.Add(Pod("p"));
        var q = _queue.TryPop()!;
        q.UnschedulablePlugins.Add("NodeResourcesFit");
        _queue.AddUnschedulableIfNotPresent(q, _queue.SchedulingCycle);

        _queue.MoveAllToActiveOrBackoff(ClusterEvents.NamespaceChange);
        var afterIrrelevant = _queue.Counts;
        _time.Advance(TimeSpan.FromSeconds(1));
        _queue.MoveAllToActiveOrBackoff(ClusterEvents.NodeAdd);

        Assert.Multiple(() =>
        {
            Assert.That(afterIrrelevant.Unschedulable, Is.EqualTo(1), "NodeResourcesFit ignores namespace changes");
            Assert.That(_queue.Counts.Unschedulable, Is.Zero);
            Assert.That(_queue.TryPop()?.Pod.Name, Is.EqualTo("p"), "its 1 s backoff has passed");
        });
    }

    [Test]
    public void Backoff_DoublesPerAttempt_CappedAtTenSeconds()
    {
        var q = new QueuedPodInfo(Pod("p"), _time.GetUtcNow());
        var durations = new List<double>();
        for (var attempts = 1; attempts <= 6; attempts++)
        {
            q.Attempts = attempts;
            durations.Add(_queue.BackoffDuration(q).TotalSeconds);
        }

        Assert.That(durations, Is.EqualTo(new double[] { 1, 2, 4, 8, 10, 10 }));
    }

    [Test]
    public void Error_GoesToBackoff_ThenActiveWhenExpired()
    {
        _queue.Add(Pod("p"));
        var q = _queue.TryPop()!;
        _queue.AddUnschedulableIfNotPresent(q, _queue.SchedulingCycle); // no rejecting plugin: an error

        _queue.FlushBackoffCompleted();
        var beforeExpiry = _queue.Counts;
        _time.Advance(TimeSpan.FromSeconds(1));
        _queue.FlushBackoffCompleted();

        Assert.Multiple(() =>
        {
            Assert.That(beforeExpiry.Backoff, Is.EqualTo(1));
            Assert.That(_queue.Counts.Active, Is.EqualTo(1));
        });
    }

    [Test]
    public void MoveRequestDuringCycle_FailedPodGoesToBackoffNotUnschedulable()
    {
        _queue.Add(Pod("p"));
        var q = _queue.TryPop()!;
        var cycle = _queue.SchedulingCycle;
        _queue.MoveAllToActiveOrBackoff(ClusterEvents.NodeAdd); // a node arrived while p was being scheduled
        q.UnschedulablePlugins.Add("NodeResourcesFit");

        _queue.AddUnschedulableIfNotPresent(q, cycle);

        Assert.That(_queue.Counts.Backoff, Is.EqualTo(1));
    }

    [Test]
    public void UnschedulableLeftover_FlushedAfterFiveMinutes()
    {
        _queue.Add(Pod("p"));
        var q = _queue.TryPop()!;
        q.UnschedulablePlugins.Add("TaintToleration");
        _queue.AddUnschedulableIfNotPresent(q, _queue.SchedulingCycle);

        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        _queue.FlushUnschedulableLeftover();

        Assert.That(_queue.Counts.Active, Is.EqualTo(1));
    }

    [Test]
    public void Gated_HeldUntilGatesRemoved()
    {
        var gated = PodInfo.Parse(T.Pod("p").Spec("""{"schedulingGates":[{"name":"example.com/wait"}]}""").Json());
        _queue.Add(gated);
        var whileGated = _queue.Counts;

        _queue.Update(PodInfo.Parse(T.Pod("p").Json()) with { Uid = gated.Uid });

        Assert.Multiple(() =>
        {
            Assert.That(whileGated.Unschedulable, Is.EqualTo(1));
            Assert.That(whileGated.Active, Is.Zero);
            Assert.That(_queue.TryPop()?.Pod.Name, Is.EqualTo("p"));
        });
    }

    [Test]
    public void Delete_RemovesFromActive()
    {
        var pod = Pod("p");
        _queue.Add(pod);

        _queue.Delete(pod);

        Assert.That(_queue.TryPop(), Is.Null);
    }

    [Test]
    public async Task PopAsync_WaitsForAdd()
    {
        var pop = _queue.PopAsync(CancellationToken.None).AsTask();
        Assert.That(pop.IsCompleted, Is.False);

        _queue.Add(Pod("p"));
        var q = await pop.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(q?.Pod.Name, Is.EqualTo("p"));
    }
}
