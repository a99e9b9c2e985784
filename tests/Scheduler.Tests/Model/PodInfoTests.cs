namespace Nautilus.Scheduler.Tests.Model;

public class PodInfoTests
{
    [Test]
    public void Requests_MaxOfContainerSumAndLargestInit_PlusOverhead()
    {
        var pod = T.Pod()
            .Req(("cpu", "100m"), ("memory", "100Mi"))
            .Req(("cpu", "200m"), ("memory", "100Mi"))
            .Init("""{"name":"i1","resources":{"requests":{"cpu":"500m","memory":"50Mi"}}}""")
            .Spec("""{"overhead":{"cpu":"10m","memory":"1Mi"}}""")
            .Build();

        Assert.Multiple(() =>
        {
            Assert.That(pod.Requests.MilliCpu, Is.EqualTo(510));
            Assert.That(pod.Requests.Memory, Is.EqualTo((200L + 1) * 1024 * 1024));
        });
    }

    [Test]
    public void Requests_SidecarAddsToSumAndLaterInits()
    {
        var pod = T.Pod()
            .Req(("cpu", "100m"))
            .Init("""{"name":"sidecar","restartPolicy":"Always","resources":{"requests":{"cpu":"200m"}}}""")
            .Init("""{"name":"init","resources":{"requests":{"cpu":"250m"}}}""")
            .Build();

        // sum = 100 + 200 = 300; the init container runs beside the sidecar: 250 + 200 = 450.
        Assert.That(pod.Requests.MilliCpu, Is.EqualTo(450));
    }

    [Test]
    public void Requests_MissingRequestDefaultsToLimit()
    {
        var pod = T.Pod().Container("""{"name":"c","resources":{"limits":{"cpu":"2","example.com/gpu":"1"}}}""").Build();

        Assert.Multiple(() =>
        {
            Assert.That(pod.Requests.MilliCpu, Is.EqualTo(2000));
            Assert.That(pod.Requests.GetScalar("example.com/gpu"), Is.EqualTo(1));
        });
    }

    [Test]
    public void NonZeroRequests_ContainerWithoutRequestsCountsDefaults()
    {
        var pod = T.Pod().Container("""{"name":"c"}""").Req(("cpu", "0")).Build();

        Assert.Multiple(() =>
        {
            Assert.That(pod.Requests.MilliCpu, Is.Zero);
            Assert.That(pod.NonZeroMilliCpu, Is.EqualTo(100), "the explicit 0 stays 0; the missing request counts 100m");
            Assert.That(pod.NonZeroMemory, Is.EqualTo(2 * 200L * 1024 * 1024));
        });
    }

    [Test]
    public void Parse_ReadsSchedulingFields()
    {
        var pod = T.Pod("web", "prod").Label("app", "web").HostPort(8080, "UDP", "10.0.0.1").Priority(7)
            .Spec("""{"schedulerName":"nautilus-scheduler","tolerations":[{"key":"k","operator":"Exists"}],"nodeSelector":{"disk":"ssd"}}""")
            .Build();

        Assert.Multiple(() =>
        {
            Assert.That(pod.Key, Is.EqualTo("prod/web"));
            Assert.That(pod.SchedulerName, Is.EqualTo("nautilus-scheduler"));
            Assert.That(pod.Priority, Is.EqualTo(7));
            Assert.That(pod.Ports, Has.Length.EqualTo(1));
            Assert.That(pod.Ports[0].Ip, Is.EqualTo("10.0.0.1"));
            Assert.That(pod.Tolerations, Has.Length.EqualTo(1));
            Assert.That(pod.NodeSelector["disk"], Is.EqualTo("ssd"));
        });
    }
}
