using System.Text.Json.Nodes;
using static Nautilus.Server.Tests.Printing.TableTestKit;

namespace Nautilus.Server.Tests.Printing;

/// <summary>
/// Pod rows: the cases of kubernetes pkg/printers/internalversion/printers_test.go (TestPrintPod,
/// TestPrintPodWithRestartableInitContainer, TestPrintPodwide) written as stored JSON, plus the
/// statuses kubectl users meet every day.
/// </summary>
public sealed class PodTableTests
{
    private static readonly Nautilus.Server.Api.ResourceDefinition Pods = Resource("", "Pod");

    private static string Pod(string name, string spec, string status, string metadata = "") =>
        $$"""{"kind":"Pod","apiVersion":"v1","metadata":{"name":"{{name}}","namespace":"default"{{metadata}}},"spec":{{spec}},"status":{{status}}}""";

    private static string Containers(int n) => "[" + string.Join(',', Enumerable.Range(0, n).Select(i => $$"""{"name":"c{{i}}","image":"nginx"}""")) + "]";

    private static string Finished(TimeSpan ago) => $$$"""{"terminated":{"exitCode":0,"finishedAt":"{{{Ago(ago)}}}"}}""";

    private static readonly string Deleted = $$""","deletionTimestamp":"{{Ago(TimeSpan.FromSeconds(10))}}" """.TrimEnd();

    private static IEnumerable<TestCaseData> KubernetesCases()
    {
        var s10 = Finished(TimeSpan.FromSeconds(10));
        var s20 = Finished(TimeSpan.FromSeconds(20));
        var m2 = Finished(TimeSpan.FromMinutes(2));
        var d5 = Finished(TimeSpan.FromDays(5));
        var d10 = Finished(TimeSpan.FromDays(10));
        var d20 = Finished(TimeSpan.FromDays(20));
        var two = $$"""{"containers":{{Containers(2)}}}""";
        var one = $$"""{"containers":{{Containers(1)}}}""";
        var oneInit = $$"""{"initContainers":[{"name":"i0"}],"containers":{{Containers(1)}}}""";
        var twoInit = $$"""{"initContainers":[{"name":"i0"},{"name":"i1"}],"containers":{{Containers(1)}}}""";
        var sidecars = $$"""{"initContainers":[{"name":"restartable-init-1","restartPolicy":"Always"},{"name":"restartable-init-2","restartPolicy":"Always"}],"containers":{{Containers(1)}}}""";

        (string Name, string Pod, string[] Cells)[] cases =
        [
            ("name, containers, restarts, ready", Pod("test1", two, """{"phase":"podPhase","containerStatuses":[{"ready":true,"restartCount":3,"state":{"running":{}}},{"restartCount":3}]}"""),
                ["test1", "1/2", "podPhase", "6", "<unknown>"]),
            ("container waiting overwrites phase", Pod("test2", two, """{"phase":"podPhase","containerStatuses":[{"ready":true,"restartCount":3,"state":{"running":{}}},{"state":{"waiting":{"reason":"ContainerWaitingReason"}},"restartCount":3}]}"""),
                ["test2", "1/2", "ContainerWaitingReason", "6", "<unknown>"]),
            ("first container wins", Pod("test3", two, """{"phase":"podPhase","containerStatuses":[{"state":{"waiting":{"reason":"ContainerWaitingReason"}},"restartCount":3},{"state":{"terminated":{"reason":"ContainerTerminatedReason"}},"restartCount":3}]}"""),
                ["test3", "0/2", "ContainerWaitingReason", "6", "<unknown>"]),
            ("ready is not enough for running", Pod("test4", two, """{"phase":"podPhase","containerStatuses":[{"ready":true,"restartCount":3,"state":{"running":{}}},{"ready":true,"restartCount":3}]}"""),
                ["test4", "1/2", "podPhase", "6", "<unknown>"]),
            ("pod reason", Pod("test5", two, """{"reason":"podReason","phase":"podPhase","containerStatuses":[{"ready":true,"restartCount":3,"state":{"running":{}}},{"ready":true,"restartCount":3}]}"""),
                ["test5", "1/2", "podReason", "6", "<unknown>"]),
            ("completed and running without Ready", Pod("test6", two, """{"phase":"Running","containerStatuses":[{"ready":true,"restartCount":3,"state":{"terminated":{"reason":"Completed","exitCode":0}}},{"ready":true,"restartCount":3,"state":{"running":{}}}]}"""),
                ["test6", "1/2", "NotReady", "6", "<unknown>"]),
            ("completed and running with Ready", Pod("test6", two, """{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"ready":true,"restartCount":3,"state":{"terminated":{"reason":"Completed","exitCode":0}}},{"ready":true,"restartCount":3,"state":{"running":{}}}]}"""),
                ["test6", "1/2", "Running", "6", "<unknown>"]),
            ("init container restarting", Pod("test7", oneInit, $$$$"""{"phase":"podPhase","initContainerStatuses":[{"name":"i0","restartCount":3,"state":{"running":{}},"lastState":{{{{s10}}}}}],"containerStatuses":[{"restartCount":0,"state":{"waiting":{}}}]}"""),
                ["test7", "0/1", "Init:0/1", "3 (10s ago)", "<unknown>"]),
            ("two init containers, first restarting", Pod("test8", twoInit, $$$$"""{"phase":"podPhase","initContainerStatuses":[{"name":"i0","restartCount":3,"state":{"running":{}},"lastState":{{{{s10}}}}},{"name":"i1","state":{"waiting":{}}}],"containerStatuses":[{"state":{"waiting":{}}}]}"""),
                ["test8", "0/1", "Init:0/2", "3 (10s ago)", "<unknown>"]),
            ("first init completed, second restarting", Pod("test9", twoInit, $$$$"""{"phase":"podPhase","initContainerStatuses":[{"name":"i0","state":{"terminated":{}}},{"name":"i1","restartCount":3,"state":{"running":{}},"lastState":{{{{s10}}}}}],"containerStatuses":[{"state":{"waiting":{}}}]}"""),
                ["test9", "0/1", "Init:1/2", "3 (10s ago)", "<unknown>"]),
            ("init restarts add up", Pod("test10", twoInit, $$$$"""{"phase":"podPhase","initContainerStatuses":[{"name":"i0","restartCount":2,"state":{"terminated":{}},"lastState":{{{{m2}}}}},{"name":"i1","restartCount":3,"state":{"running":{}},"lastState":{{{{s10}}}}}],"containerStatuses":[{"state":{"waiting":{}}}]}"""),
                ["test10", "0/1", "Init:1/2", "5 (10s ago)", "<unknown>"]),
            ("initialized: only container restarts count", Pod("test11", oneInit, $$$"""{"phase":"Running","initContainerStatuses":[{"name":"i0","restartCount":2,"state":{"terminated":{}},"lastState":{{{m2}}}}],"containerStatuses":[{"restartCount":4,"state":{"running":{}},"lastState":{{{s20}}}}]}"""),
                ["test11", "0/1", "Running", "4 (20s ago)", "<unknown>"]),
            ("restarted 5d ago", Pod("test12", one, $$$"""{"phase":"Running","containerStatuses":[{"ready":true,"restartCount":3,"state":{"running":{}},"lastState":{{{d5}}}}]}"""),
                ["test12", "1/1", "Running", "3 (5d ago)", "<unknown>"]),
            ("one never restarted", Pod("test13", two, $$$$"""{"phase":"Running","containerStatuses":[{"ready":true,"restartCount":0,"state":{"running":{}}},{"ready":true,"restartCount":3,"state":{"running":{}},"lastState":{{{{d10}}}}}]}"""),
                ["test13", "2/2", "Running", "3 (10d ago)", "<unknown>"]),
            ("latest restart wins", Pod("test14", two, $$$"""{"phase":"Running","containerStatuses":[{"ready":true,"restartCount":6,"state":{"running":{}},"lastState":{{{d5}}}},{"ready":true,"restartCount":3,"state":{"running":{}},"lastState":{{{d20}}}}]}"""),
                ["test14", "2/2", "Running", "9 (5d ago)", "<unknown>"]),
            ("scheduling gated", Pod("test15", two, """{"phase":"podPhase","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}"""),
                ["test15", "0/2", "SchedulingGated", "0", "<unknown>"]),
            ("succeeded", Pod("test16", one, """{"phase":"Succeeded","containerStatuses":[{"ready":false,"restartCount":0,"state":{"terminated":{"reason":"Completed","exitCode":0}}}]}"""),
                ["test16", "0/1", "Completed", "0", "<unknown>"]),
            ("failed", Pod("test17", one, """{"phase":"Failed","containerStatuses":[{"ready":false,"restartCount":0,"state":{"terminated":{"reason":"Error","exitCode":1}}}]}"""),
                ["test17", "0/1", "Error", "0", "<unknown>"]),
            ("succeeded while deleted", Pod("test18", one, """{"phase":"Succeeded","containerStatuses":[{"ready":false,"restartCount":0,"state":{"terminated":{"reason":"Completed","exitCode":0}}}]}""", Deleted),
                ["test18", "0/1", "Completed", "0", "<unknown>"]),
            ("running while deleted", Pod("test19", one, """{"phase":"Running","containerStatuses":[{"ready":false,"restartCount":0,"state":{"running":{}}}]}""", Deleted),
                ["test19", "0/1", "Terminating", "0", "<unknown>"]),
            ("pending while deleted", Pod("test20", one, """{"phase":"Pending"}""", Deleted),
                ["test20", "0/1", "Terminating", "0", "<unknown>"]),
            ("sidecars, first running not started", Pod("test1", sidecars, $$$$"""{"phase":"Pending","initContainerStatuses":[{"name":"restartable-init-1","ready":false,"restartCount":3,"state":{"running":{}},"started":false,"lastState":{{{{s10}}}}},{"name":"restartable-init-2","ready":false,"state":{"waiting":{}},"started":false}],"containerStatuses":[{"ready":false,"restartCount":0,"state":{"waiting":{}}}],"conditions":[{"type":"Initialized","status":"False"}]}"""),
                ["test1", "0/3", "Init:0/2", "3 (10s ago)", "<unknown>"]),
            ("sidecars, second running not started", Pod("test1", sidecars, $$$$"""{"phase":"Pending","initContainerStatuses":[{"name":"restartable-init-1","ready":false,"restartCount":3,"state":{"running":{}},"started":true,"lastState":{{{{s10}}}}},{"name":"restartable-init-2","ready":false,"state":{"running":{}},"started":false}],"containerStatuses":[{"ready":false,"restartCount":0,"state":{"waiting":{}}}],"conditions":[{"type":"Initialized","status":"False"}]}"""),
                ["test1", "0/3", "Init:1/2", "3 (10s ago)", "<unknown>"]),
            ("sidecars started, container running", Pod("test2", sidecars, $$$"""{"phase":"Running","initContainerStatuses":[{"name":"restartable-init-1","ready":false,"restartCount":3,"state":{"running":{}},"started":true,"lastState":{{{s10}}}},{"name":"restartable-init-2","ready":false,"state":{"running":{}},"started":true}],"containerStatuses":[{"ready":true,"restartCount":4,"state":{"running":{}},"lastState":{{{s20}}}}],"conditions":[{"type":"Initialized","status":"True"}]}"""),
                ["test2", "1/3", "Running", "7 (10s ago)", "<unknown>"]),
            ("sidecars failed, container completed", Pod("test3", sidecars, $$$"""{"phase":"Succeeded","initContainerStatuses":[{"name":"restartable-init-1","ready":false,"restartCount":3,"state":{"terminated":{"reason":"Error","exitCode":137}},"started":false,"lastState":{{{s10}}}},{"name":"restartable-init-2","ready":false,"state":{"terminated":{"reason":"Error","exitCode":137}},"started":false}],"containerStatuses":[{"ready":false,"restartCount":4,"state":{"terminated":{"reason":"Completed","exitCode":0}},"lastState":{{{s20}}}}],"conditions":[{"type":"Initialized","status":"True"}]}"""),
                ["test3", "0/3", "Completed", "7 (10s ago)", "<unknown>"]),
            ("statuses of unknown containers", Pod("test4", $$"""{"initContainers":[{"name":"init1","image":"initimage"},{"name":"sidecar1","image":"sidecarimage","restartPolicy":"Always"}],"containers":[{"name":"container1","image":"containerimage"}]}""", """{"phase":"Running","initContainerStatuses":[{"name":"initinvalid"},{"name":"init1"},{"name":"sidecar1"}],"containerStatuses":[{"name":"containerinvalid"},{"name":"container1"}]}"""),
                ["test4", "0/2", "Init:0/2", "0", "<unknown>"]),
        ];
        return cases.Select(c => new TestCaseData(c.Pod, c.Cells).SetArgDisplayNames(c.Name));
    }

    private static IEnumerable<TestCaseData> EverydayCases()
    {
        var one = $$"""{"containers":{{Containers(1)}}}""";
        var oneInit = $$"""{"initContainers":[{"name":"i0"}],"containers":{{Containers(1)}}}""";
        (string Name, string Pod, string Status)[] cases =
        [
            ("pending, not scheduled", Pod("p", one, """{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable"}]}"""), "Pending"),
            ("container creating", Pod("p", one, """{"phase":"Pending","containerStatuses":[{"name":"c0","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]}"""), "ContainerCreating"),
            ("running", Pod("p", one, """{"phase":"Running","containerStatuses":[{"name":"c0","ready":true,"restartCount":0,"state":{"running":{"startedAt":"2025-03-01T11:00:00Z"}}}]}"""), "Running"),
            ("crash loop", Pod("p", one, """{"phase":"Running","containerStatuses":[{"name":"c0","ready":false,"restartCount":5,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}"""), "CrashLoopBackOff"),
            ("image pull error", Pod("p", one, """{"phase":"Pending","containerStatuses":[{"name":"c0","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ErrImagePull"}}}]}"""), "ErrImagePull"),
            ("image pull backoff", Pod("p", one, """{"phase":"Pending","containerStatuses":[{"name":"c0","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ImagePullBackOff"}}}]}"""), "ImagePullBackOff"),
            ("terminated without reason, exit code", Pod("p", one, """{"phase":"Running","containerStatuses":[{"name":"c0","state":{"terminated":{"exitCode":2}}}]}"""), "ExitCode:2"),
            ("terminated without reason, signal", Pod("p", one, """{"phase":"Running","containerStatuses":[{"name":"c0","state":{"terminated":{"exitCode":137,"signal":9}}}]}"""), "Signal:9"),
            ("OOM killed", Pod("p", one, """{"phase":"Running","containerStatuses":[{"name":"c0","state":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}]}"""), "OOMKilled"),
            ("init crash loop", Pod("p", oneInit, """{"phase":"Pending","initContainerStatuses":[{"name":"i0","restartCount":2,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}"""), "Init:CrashLoopBackOff"),
            ("init pod initializing", Pod("p", oneInit, """{"phase":"Pending","initContainerStatuses":[{"name":"i0","state":{"waiting":{"reason":"PodInitializing"}}}]}"""), "Init:0/1"),
            ("init failed with exit code", Pod("p", oneInit, """{"phase":"Pending","initContainerStatuses":[{"name":"i0","state":{"terminated":{"exitCode":1}}}]}"""), "Init:ExitCode:1"),
            ("init killed by signal", Pod("p", oneInit, """{"phase":"Pending","initContainerStatuses":[{"name":"i0","state":{"terminated":{"exitCode":137,"signal":9}}}]}"""), "Init:Signal:9"),
            ("init error", Pod("p", oneInit, """{"phase":"Pending","initContainerStatuses":[{"name":"i0","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]}"""), "Init:Error"),
            ("evicted", Pod("p", one, """{"phase":"Failed","reason":"Evicted","message":"The node was low on resource: memory."}"""), "Evicted"),
            ("node lost while deleted", Pod("p", one, """{"phase":"Running","reason":"NodeLost","containerStatuses":[{"name":"c0","ready":true,"state":{"running":{}}}]}""", Deleted), "Unknown"),
            ("failed while deleted keeps its reason", Pod("p", one, """{"phase":"Failed","containerStatuses":[{"name":"c0","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]}""", Deleted), "Error"),
        ];
        return cases.Select(c => new TestCaseData(c.Pod, c.Status).SetArgDisplayNames(c.Name));
    }

    [TestCaseSource(nameof(KubernetesCases))]
    public void Row_MatchesKubernetesPrintPod(string pod, string[] expected) =>
        Assert.That(Cells(Pods, pod).Take(5), Is.EqualTo(Expect(expected)));

    [TestCaseSource(nameof(EverydayCases))]
    public void Status_IsTheReasonKubectlShows(string pod, string expected) =>
        Assert.That(Cells(Pods, pod)[2], Is.EqualTo(Expect(expected)[0]));

    [Test]
    public void WideCells_IpNodeNominatedNodeReadinessGates()
    {
        var pod = Pod("test1",
            $$"""{"containers":{{Containers(2)}},"nodeName":"test1","readinessGates":[{"conditionType":"condition1"},{"conditionType":"condition2"},{"conditionType":"condition3"}]}""",
            """{"conditions":[{"type":"condition1","status":"False"},{"type":"condition2","status":"True"}],"phase":"podPhase","podIPs":[{"ip":"1.1.1.1"},{"ip":"2001:db8::"}],"podIP":"1.1.1.1","containerStatuses":[{"ready":true,"restartCount":3,"state":{"running":{}}},{"restartCount":3}],"nominatedNodeName":"node1"}""");

        Assert.That(Cells(Pods, pod), Is.EqualTo(Expect("test1", "1/2", "podPhase", "6", "<unknown>", "1.1.1.1", "test1", "node1", "1/3")));
    }

    [Test]
    public void WideCells_Unscheduled_AreNone()
    {
        var pod = Pod("test2", $$"""{"containers":{{Containers(2)}},"nodeName":""}""",
            """{"phase":"podPhase","containerStatuses":[{"ready":true,"restartCount":3,"state":{"running":{}}},{"state":{"waiting":{"reason":"ContainerWaitingReason"}},"restartCount":3}]}""");

        Assert.That(Cells(Pods, pod), Is.EqualTo(Expect("test2", "1/2", "ContainerWaitingReason", "6", "<unknown>", "<none>", "<none>", "<none>", "<none>")));
    }

    [Test]
    public void Age_IsHumanDurationSinceCreation()
    {
        var pod = Pod("web", $$"""{"containers":{{Containers(1)}}}""", """{"phase":"Pending"}""",
            $$""","creationTimestamp":"{{Ago(TimeSpan.FromSeconds(192))}}" """.TrimEnd());

        Assert.That(Cells(Pods, pod)[4], Is.EqualTo("\"3m12s\""));
    }

    [TestCase("Succeeded", "Succeeded", "The pod has completed successfully.")]
    [TestCase("Failed", "Failed", "The pod failed.")]
    public void TerminalPhase_RowCarriesCompletedCondition(string phase, string reason, string message)
    {
        var table = Table(Pods, Pod("done", $$"""{"containers":{{Containers(1)}}}""", $$"""{"phase":"{{phase}}"}"""));

        var expected = new JsonArray(new JsonObject { ["type"] = "Completed", ["status"] = "True", ["reason"] = reason, ["message"] = message });
        Assert.That(JsonNode.DeepEquals(table["rows"]![0]!["conditions"], expected), Is.True, table.ToJsonString());
    }

    [Test]
    public void RunningPod_RowHasNoConditions()
    {
        var table = Table(Pods, Pod("up", $$"""{"containers":{{Containers(1)}}}""", """{"phase":"Running"}"""));

        Assert.That(table["rows"]![0]!.AsObject().ContainsKey("conditions"), Is.False);
    }
}
