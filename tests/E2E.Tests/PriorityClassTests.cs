using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Nautilus.E2E.Tests;

/// <summary>
/// scheduling.k8s.io/v1 PriorityClasses as kubectl and the client meet them on kube-apiserver:
/// the two system classes present from the start, kube's table, validation and the Priority
/// admission of pods.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class PriorityClassTests
{
    private ServerFixture _server = null!;

    private IKubernetes Client => _server.Client;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerFixture.StartAsync(apiServerOnly: true);

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task GetPriorityClasses_ShowsTheSystemClassesInKubesColumns()
    {
        var result = await _server.Kubectl("get", "priorityclasses");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.That(lines[0], Is.EqualTo(new[] { "NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY" }));
        Assert.That(lines.Skip(1).Select(l => (l[0], l[1], l[2], l[4])), Is.SupersetOf(new[]
        {
            ("system-cluster-critical", "2000000000", "false", "PreemptLowerPriority"),
            ("system-node-critical", "2000001000", "false", "PreemptLowerPriority"),
        }));
    }

    [Test]
    public async Task SecondGlobalDefault_IsForbiddenAndTheFirstAppliesToPodsWithoutClass()
    {
        string ns = await _server.CreateNamespaceAsync();
        var created = await _server.Kubectl("create", "priorityclass", "everyday", "--value=42", "--global-default", "--description=most pods");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        try
        {
            var second = await _server.Kubectl("create", "priorityclass", "another", "--value=7", "--global-default");
            Assert.That(second.ExitCode, Is.Not.Zero);
            Assert.That(second.Stderr.Trim(), Is.EqualTo(
                "error: failed to create priorityclass: priorityclasses.scheduling.k8s.io \"another\" is forbidden: PriorityClass everyday is already marked as default. Only one default can exist"));

            var ordinary = await _server.Kubectl("create", "priorityclass", "ordinary", "--value=3");
            Assert.That(ordinary.ExitCode, Is.Zero, ordinary.ToString());
            var promoted = await _server.Kubectl("patch", "priorityclass", "ordinary", "--type=merge", "-p", "{\"globalDefault\":true}");
            Assert.That(promoted.Stderr.Trim(), Is.EqualTo(
                "Error from server (Forbidden): priorityclasses.scheduling.k8s.io \"ordinary\" is forbidden: PriorityClass everyday is already marked as default. Only one default can exist"));

            var pod = await Client.CoreV1.CreateNamespacedPodAsync(Pod("plain"), ns);
            Assert.That((pod.Spec.PriorityClassName, pod.Spec.Priority, pod.Spec.PreemptionPolicy), Is.EqualTo(("everyday", 42, "PreemptLowerPriority")));
        }
        finally
        {
            await Client.SchedulingV1.DeletePriorityClassAsync("everyday");
        }
    }

    [Test]
    public async Task PodNamingUnknownClass_IsForbiddenAsKubeAnswers()
    {
        string ns = await _server.CreateNamespaceAsync();
        var pod = Pod("lost");
        pod.Spec.PriorityClassName = "no-such-class";

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedPodAsync(pod, ns));

        var status = error!.Status();
        Assert.That((status.Code, status.Reason), Is.EqualTo((403, "Forbidden")));
        Assert.That(status.Message, Is.EqualTo("pods \"lost\" is forbidden: no PriorityClass with name no-such-class was found"));
    }

    [Test]
    public async Task PodNamingSystemClass_GetsItsPriority()
    {
        string ns = await _server.CreateNamespaceAsync();
        var pod = Pod("critical");
        pod.Spec.PriorityClassName = "system-cluster-critical";

        var created = await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);

        Assert.That(created.Spec.Priority, Is.EqualTo(2000000000));
    }

    [Test]
    public async Task ReservedNamesAndValues_AreRefused()
    {
        var reserved = await _server.Kubectl("create", "priorityclass", "system-mine", "--value=10");
        var tooHigh = await _server.Kubectl("create", "priorityclass", "too-high", "--value=1000000001");
        var deleteSystem = await _server.Kubectl("delete", "priorityclass", "system-node-critical");

        Assert.That(reserved.Stderr, Does.Contain(
            "PriorityClass.scheduling.k8s.io \"system-mine\" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"));
        Assert.That(tooHigh.Stderr, Does.Contain(
            "PriorityClass.scheduling.k8s.io \"too-high\" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000"));
        Assert.That(deleteSystem.Stderr.Trim(), Is.EqualTo(
            "Error from server (Forbidden): priorityclasses.scheduling.k8s.io \"system-node-critical\" is forbidden: this is a system priority class and cannot be deleted"));
        Assert.That((await Client.SchedulingV1.ReadPriorityClassAsync("system-node-critical")).Value, Is.EqualTo(2000001000));
    }

    [Test]
    public async Task UpdateOfValue_IsForbidden()
    {
        var pc = await Client.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "fixed" }, Value = 5 });
        pc.Value = 6;

        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.SchedulingV1.ReplacePriorityClassAsync(pc, "fixed"));

        Assert.That(error!.Status().Message, Is.EqualTo("PriorityClass.scheduling.k8s.io \"fixed\" is invalid: value: Forbidden: may not be changed in an update."));
    }

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "nginx" }] },
    };
}
