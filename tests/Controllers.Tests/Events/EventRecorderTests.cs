using Microsoft.Extensions.Logging.Abstractions;
using Nautilus.Controllers.Events;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Tests.Events;

/// <summary>Events as kubectl describe and kubectl get events show them.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class EventRecorderTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private ServerFixture _server = null!;
    private CancellationTokenSource _stop = null!;
    private Task _broadcasting = null!;
    private EventRecorder _recorder = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await ServerFixture.StartAsync();
        var broadcaster = new EventBroadcaster(_server.Api, NullLogger.Instance);
        _recorder = broadcaster.NewRecorder("test-controller");
        _stop = new CancellationTokenSource();
        _broadcasting = broadcaster.RunAsync(_stop.Token);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _stop.CancelAsync();
        await _broadcasting;
        _stop.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task RepeatedEvent_IncrementsCountOfOneEvent()
    {
        var ns = await _server.CreateNamespaceAsync("ev");
        var involved = new InvolvedObject("apps/v1", "ReplicaSet", ns, "web", "uid-1", "7");

        _recorder.Event(involved, EventRecorder.Warning, "FailedCreate", "Error creating: quota exceeded");
        _recorder.Event(involved, EventRecorder.Warning, "FailedCreate", "Error creating: quota exceeded");
        _recorder.Event(involved, EventRecorder.Normal, "SuccessfulCreate", "Created pod: web-abcde");

        await ServerFixture.WaitUntilAsync(
            async () => (await _server.EventsAsync(ns, "FailedCreate")).SingleOrDefault() is { } e && KubeObject.Int(e, "count") == 2
                && (await _server.EventsAsync(ns, "SuccessfulCreate")).Count == 1,
            Deadline,
            () => "one FailedCreate event with count 2 and one SuccessfulCreate");
        var failed = (await _server.EventsAsync(ns, "FailedCreate")).Single();
        Assert.That(KubeObject.String(failed, "type"), Is.EqualTo("Warning"));
        Assert.That(KubeObject.String(failed, "firstTimestamp"), Is.Not.Null);
        Assert.That(failed["involvedObject"]?.ToJsonString(), Is.EqualTo("""{"kind":"ReplicaSet","namespace":"NS","name":"web","uid":"uid-1","apiVersion":"apps/v1","resourceVersion":"7"}""".Replace("NS", ns, StringComparison.Ordinal)));

        var described = await _server.Kubectl("-n", ns, "get", "events", "--field-selector", "reason=FailedCreate");
        Assert.That(described.ExitCode, Is.Zero, described.ToString());
        Assert.That(described.Stdout, Does.Contain("Error creating: quota exceeded"));
    }
}
