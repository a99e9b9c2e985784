using Nautilus.Scheduler.Internal.Cache;

namespace Nautilus.Scheduler.Tests.Framework;

public class SchedulerCacheTests
{
    [Test]
    public void AssumePod_VisibleInNextSnapshot_ForgetRemovesIt()
    {
        var cache = new SchedulerCache(new ManualTime(), TimeSpan.Zero);
        cache.AddOrUpdateNode(T.Node("n").Capacity(("cpu", "4")).Build());
        var snapshot = new Snapshot();
        var pod = T.Pod().Req(("cpu", "1")).Build().WithNodeName("n");

        cache.AssumePod(pod);
        cache.UpdateSnapshot(snapshot);
        var assumed = snapshot.Get("n")!.Requested.MilliCpu;
        cache.ForgetPod(pod);
        cache.UpdateSnapshot(snapshot);

        Assert.Multiple(() =>
        {
            Assert.That(assumed, Is.EqualTo(1000));
            Assert.That(snapshot.Get("n")!.Requested.MilliCpu, Is.Zero);
            Assert.That(cache.IsAssumed(pod), Is.False);
        });
    }

    [Test]
    public void AssumePod_Twice_Throws()
    {
        var cache = new SchedulerCache(new ManualTime(), TimeSpan.Zero);
        var pod = T.Pod().Build().WithNodeName("n");
        cache.AssumePod(pod);

        Assert.Throws<InvalidOperationException>(() => cache.AssumePod(pod));
    }

    [Test]
    public void AddPod_ConfirmsAssumed_ForgetThenKeepsIt()
    {
        var cache = new SchedulerCache(new ManualTime(), TimeSpan.Zero);
        var pod = T.Pod().Req(("cpu", "1")).Build().WithNodeName("n");
        cache.AssumePod(pod);

        cache.AddPod(pod);
        cache.ForgetPod(pod);

        Assert.Multiple(() =>
        {
            Assert.That(cache.IsAssumed(pod), Is.False);
            Assert.That(cache.PodCount, Is.EqualTo(1), "a confirmed pod is not forgotten");
        });
    }

    [Test]
    public void AddPod_BoundElsewhere_MovesToActualNode()
    {
        var cache = new SchedulerCache(new ManualTime(), TimeSpan.Zero);
        cache.AddOrUpdateNode(T.Node("a").Build());
        cache.AddOrUpdateNode(T.Node("b").Build());
        var pod = T.Pod().Req(("cpu", "1")).Build();
        cache.AssumePod(pod.WithNodeName("a"));

        cache.AddPod(pod.WithNodeName("b"));
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);

        Assert.Multiple(() =>
        {
            Assert.That(snapshot.Get("a")!.Pods, Is.Empty);
            Assert.That(snapshot.Get("b")!.Pods, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void AssumedPod_ExpiresAfterTtlOnlyOnceBindingFinished()
    {
        var time = new ManualTime();
        var cache = new SchedulerCache(time, TimeSpan.FromSeconds(30));
        var pod = T.Pod().Build().WithNodeName("n");
        cache.AssumePod(pod);

        time.Advance(TimeSpan.FromMinutes(5));
        var beforeFinish = cache.CleanupExpiredAssumedPods();
        cache.FinishBinding(pod);
        time.Advance(TimeSpan.FromSeconds(29));
        var beforeTtl = cache.CleanupExpiredAssumedPods();
        time.Advance(TimeSpan.FromSeconds(1));
        var atTtl = cache.CleanupExpiredAssumedPods();

        Assert.That((beforeFinish, beforeTtl, atTtl), Is.EqualTo((0, 0, 1)));
    }

    [Test]
    public void RemoveNode_WithPods_KeepsAccountingOutOfSnapshot()
    {
        var cache = new SchedulerCache(new ManualTime(), TimeSpan.Zero);
        cache.AddOrUpdateNode(T.Node("n").Build());
        var pod = T.Pod().Build().WithNodeName("n");
        cache.AddPod(pod);

        cache.RemoveNode("n");
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);

        Assert.Multiple(() =>
        {
            Assert.That(snapshot.NumNodes, Is.Zero);
            Assert.That(cache.PodCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void UpdateSnapshot_ClonesOnlyChangedNodes()
    {
        var cache = new SchedulerCache(new ManualTime(), TimeSpan.Zero);
        cache.AddOrUpdateNode(T.Node("a").Build());
        cache.AddOrUpdateNode(T.Node("b").Build());
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        var a = snapshot.Get("a");
        var b = snapshot.Get("b");

        cache.AddPod(T.Pod().Build().WithNodeName("b"));
        cache.UpdateSnapshot(snapshot);

        Assert.Multiple(() =>
        {
            Assert.That(snapshot.Get("a"), Is.SameAs(a));
            Assert.That(snapshot.Get("b"), Is.Not.SameAs(b));
            Assert.That(b!.Pods, Is.Empty, "the previous clone is never mutated");
        });
    }
}
