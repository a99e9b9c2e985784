using System.Diagnostics;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Nautilus.Scheduler;

namespace Nautilus.E2E.Tests;

/// <summary>
/// The scheduler as its own process: a server started without its scheduler, the
/// nautilus-scheduler program started as a child process with the server's kubeconfig, and pods
/// bound by it. The child is stopped by its PID at the end.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class SchedulerProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private ServerFixture _server = null!;
    private Process? _scheduler;
    private readonly StringBuilder _schedulerOutput = new();

    private IKubernetes Client => _server.Client;

    [OneTimeSetUp]
    public async Task StartServerAndScheduler()
    {
        _server = await ServerFixture.StartAsync(scheduler: false);
        foreach (var (name, zone) in new[] { ("proc-a", "zone-a"), ("proc-b", "zone-b") })
        {
            var node = await Client.CoreV1.CreateNodeAsync(new V1Node
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name, ["topology.kubernetes.io/zone"] = zone } },
            });
            var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2"), ["memory"] = new("4Gi"), ["pods"] = new("110") };
            node.Status = new V1NodeStatus { Capacity = resources, Allocatable = resources, Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] };
            // Unconditional, as kubelet's status writes: the node IPAM controller may have set spec.podCIDR meanwhile.
            node.Metadata.ResourceVersion = null;
            await Client.CoreV1.ReplaceNodeStatusAsync(node, name);
        }

        var startInfo = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "nautilus-scheduler.dll"));
        startInfo.ArgumentList.Add("--kubeconfig");
        startInfo.ArgumentList.Add(_server.KubeconfigPath);
        _scheduler = new Process { StartInfo = startInfo };
        _scheduler.OutputDataReceived += (_, e) => Append(e.Data);
        _scheduler.ErrorDataReceived += (_, e) => Append(e.Data);
        _scheduler.Start();
        _scheduler.BeginOutputReadLine();
        _scheduler.BeginErrorReadLine();
    }

    [OneTimeTearDown]
    public async Task StopSchedulerAndServer()
    {
        if (_scheduler is not null)
        {
            if (!_scheduler.HasExited)
            {
                _scheduler.Kill(entireProcessTree: true);
            }

            await _scheduler.WaitForExitAsync();
            _scheduler.Dispose();
        }

        await _server.DisposeAsync();
    }

    [Test]
    public async Task PodsCreatedWithoutInProcessScheduler_AreBoundByTheSchedulerProgram()
    {
        string ns = await _server.CreateNamespaceAsync();
        Assert.That(_server.Server.Services.GetRequiredService<SchedulerHost>().IsReady, Is.False, "the server runs no scheduler of its own");

        for (var i = 0; i < 3; i++)
        {
            await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"remote-{i}" },
                Spec = new V1PodSpec
                {
                    Containers = [new V1Container { Name = "main", Image = "nginx", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("600m") } } }],
                },
            }, ns);
        }

        await ServerFixture.WaitUntilAsync(async () =>
        {
            Assert.That(_scheduler!.HasExited, Is.False, $"nautilus-scheduler exited:\n{Output()}");
            var pods = await Client.CoreV1.ListNamespacedPodAsync(ns);
            return pods.Items.Count == 3 && pods.Items.All(p => !string.IsNullOrEmpty(p.Spec.NodeName));
        }, Deadline, "the scheduler program binds the three pods");
        var bound = await Client.CoreV1.ListNamespacedPodAsync(ns);
        Assert.That(bound.Items.Select(p => p.Spec.NodeName).Distinct().Count(), Is.EqualTo(2), "three 600m pods do not fit on one 2-cpu node with the others");
        await ServerFixture.WaitUntilAsync(async () =>
        {
            var events = await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "reason=Scheduled");
            return events.Items.Count == 3;
        }, Deadline, "each binding has its Scheduled event");
        Assert.That(Output(), Does.Contain("nautilus-scheduler: scheduling for " + _server.BaseAddress.ToString().TrimEnd('/')));
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_schedulerOutput)
        {
            _schedulerOutput.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_schedulerOutput)
        {
            return _schedulerOutput.ToString();
        }
    }
}
