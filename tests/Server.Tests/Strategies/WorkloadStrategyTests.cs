using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies;

namespace Nautilus.Server.Tests.Strategies;

/// <summary>
/// Deployment and ReplicaSet defaulting (apps/v1 SetDefaults_* plus the PodTemplate walk): the
/// expected objects are what <c>kubectl get deployment -o yaml</c> shows on a real cluster.
/// </summary>
public sealed class WorkloadStrategyTests
{
    private const string DefaultedTemplate = """
        {"metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},
         "spec":{"containers":[{"name":"nginx","image":"nginx","imagePullPolicy":"Always","resources":{},
                                "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
                 "dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler",
                 "securityContext":{},"terminationGracePeriodSeconds":30}}
        """;

    private const string Template = """{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}""";

    private static IEnumerable<TestCaseData> DeploymentCases() => new DefaultingCase[]
    {
        new("MinimalDeployment_GetsRollingUpdateHistoryDeadlineAndTemplateDefaults",
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx"},"spec":{"selector":{"matchLabels":{"app":"nginx"}},"template":%Template%}}""",
            """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx"},
             "spec":{"progressDeadlineSeconds":600,"replicas":1,"revisionHistoryLimit":10,"selector":{"matchLabels":{"app":"nginx"}},
                     "strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},
                     "template":%DefaultedTemplate%},
             "status":{}}
            """),
        new("RecreateStrategy_GetsNoRollingUpdate",
            """{"metadata":{"name":"nginx"},"spec":{"replicas":3,"strategy":{"type":"Recreate"},"selector":{"matchLabels":{"app":"nginx"}},"template":%Template%}}""",
            """
            {"metadata":{"name":"nginx"},
             "spec":{"progressDeadlineSeconds":600,"replicas":3,"revisionHistoryLimit":10,"selector":{"matchLabels":{"app":"nginx"}},
                     "strategy":{"type":"Recreate"},"template":%DefaultedTemplate%},
             "status":{}}
            """),
        new("SetValues_AreKeptAndPartialRollingUpdateIsCompleted",
            """
            {"metadata":{"name":"nginx"},"spec":{"replicas":0,"revisionHistoryLimit":0,"progressDeadlineSeconds":1200,
              "strategy":{"rollingUpdate":{"maxSurge":1}},"selector":{"matchLabels":{"app":"nginx"}},"template":%Template%,
              "paused":true},"status":{"replicas":7}}
            """,
            """
            {"metadata":{"name":"nginx"},
             "spec":{"progressDeadlineSeconds":1200,"replicas":0,"revisionHistoryLimit":0,"selector":{"matchLabels":{"app":"nginx"}},
                     "strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":"25%"},"type":"RollingUpdate"},
                     "template":%DefaultedTemplate%,"paused":true},
             "status":{}}
            """),
    }.Select(c => (c with { Input = c.Input.Replace("%Template%", Template).Replace("%DefaultedTemplate%", DefaultedTemplate), Expected = c.Expected.Replace("%Template%", Template).Replace("%DefaultedTemplate%", DefaultedTemplate) }).ToTestCase());

    private static IEnumerable<TestCaseData> ReplicaSetCases() => new DefaultingCase[]
    {
        new("MinimalReplicaSet_GetsOneReplicaAndTemplateDefaults",
            """{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"nginx"},"spec":{"selector":{"matchLabels":{"app":"nginx"}},"template":%Template%}}""",
            """
            {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"nginx"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"nginx"}},"template":%DefaultedTemplate%},
             "status":{"replicas":0}}
            """),
        new("TemplateWithOwnValues_KeepsThem",
            """
            {"metadata":{"name":"nginx"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"nginx"}},
              "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"restartPolicy":"Always","dnsPolicy":"None","serviceAccountName":"web",
                "containers":[{"name":"nginx","image":"nginx:1.27","imagePullPolicy":"Always","resources":{"limits":{"cpu":"1"}}}]}}}}
            """,
            """
            {"metadata":{"name":"nginx"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"nginx"}},
              "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"restartPolicy":"Always","dnsPolicy":"None",
                "serviceAccount":"web","serviceAccountName":"web","schedulerName":"default-scheduler","securityContext":{},"terminationGracePeriodSeconds":30,
                "containers":[{"name":"nginx","image":"nginx:1.27","imagePullPolicy":"Always","resources":{"limits":{"cpu":"1"}},
                               "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}]}}},
             "status":{"replicas":0}}
            """),
    }.Select(c => (c with { Input = c.Input.Replace("%Template%", Template).Replace("%DefaultedTemplate%", DefaultedTemplate), Expected = c.Expected.Replace("%Template%", Template).Replace("%DefaultedTemplate%", DefaultedTemplate) }).ToTestCase());

    [TestCaseSource(nameof(DeploymentCases))]
    public void CreateDeployment_StoresWhatKubeApiserverStores(DefaultingCase row) =>
        StrategyAssert.CreatesExactlyAndIdempotently(new DeploymentStrategy(), row);

    // Templates get SetDefaults_PodSpec only: no requests from limits, no enableServiceLinks, no admission.
    [TestCaseSource(nameof(ReplicaSetCases))]
    public void CreateReplicaSet_StoresWhatKubeApiserverStores(DefaultingCase row) =>
        StrategyAssert.CreatesExactlyAndIdempotently(new ReplicaSetStrategy(), row);

    // (change to the stored deployment as the client sends it, generation stored after the update)
    [TestCase("relabel", 1)]
    [TestCase("omit-defaults", 1)]
    [TestCase("annotate", 2)]
    [TestCase("scale", 2)]
    public void UpdateDeployment_BumpsGenerationOnSpecOrAnnotationChangeAfterDefaulting(string change, long generation)
    {
        var strategy = new DeploymentStrategy();
        var stored = StrategyAssert.Create(strategy, """{"metadata":{"name":"nginx"},"spec":{"selector":{"matchLabels":{"app":"nginx"}},"template":%Template%}}""".Replace("%Template%", Template));
        stored["metadata"]!["generation"] = 1;
        var next = (JsonObject)stored.DeepClone();
        switch (change)
        {
            case "relabel":
                next["metadata"]!["labels"] = new JsonObject { ["team"] = "blue" };
                break;
            case "omit-defaults":
                // A typed client drops the null creationTimestamp and may leave out defaulted fields.
                next["spec"]!["template"]!["metadata"]!.AsObject().Remove("creationTimestamp");
                next["spec"]!.AsObject().Remove("revisionHistoryLimit");
                break;
            case "annotate":
                next["metadata"]!["annotations"] = new JsonObject { ["note"] = "x" };
                break;
            case "scale":
                next["spec"]!["replicas"] = 4;
                break;
        }

        var updated = StrategyAssert.Update(strategy, next, stored);

        Assert.That(updated["metadata"]!["generation"]!.GetValue<long>(), Is.EqualTo(generation));
    }

    [TestCase("annotate", 1)]
    [TestCase("scale", 2)]
    public void UpdateReplicaSet_BumpsGenerationOnSpecChangeOnly(string change, long generation)
    {
        var strategy = new ReplicaSetStrategy();
        var stored = StrategyAssert.Create(strategy, """{"metadata":{"name":"nginx"},"spec":{"selector":{"matchLabels":{"app":"nginx"}},"template":%Template%}}""".Replace("%Template%", Template));
        stored["metadata"]!["generation"] = 1;
        var next = (JsonObject)stored.DeepClone();
        if (change == "annotate")
        {
            next["metadata"]!["annotations"] = new JsonObject { ["note"] = "x" };
        }
        else
        {
            next["spec"]!["replicas"] = 4;
        }

        var updated = StrategyAssert.Update(strategy, next, stored);

        Assert.That(updated["metadata"]!["generation"]!.GetValue<long>(), Is.EqualTo(generation));
    }
}
