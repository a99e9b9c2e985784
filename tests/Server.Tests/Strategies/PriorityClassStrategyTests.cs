using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Strategies;
using Nautilus.Store;

namespace Nautilus.Server.Tests.Strategies;

/// <summary>
/// PriorityClasses (SetDefaults_PriorityClass, ValidatePriorityClass and ValidatePriorityClassUpdate,
/// the Priority admission plugin) and the pods that name them.
/// </summary>
public sealed class PriorityClassStrategyTests
{
    private static readonly PriorityClassStrategy Strategy = new();

    private static readonly PodStrategy Pods = new();

    private static IEnumerable<TestCaseData> InvalidCases() => new (string Scenario, string Json, string Field, string Message)[]
    {
        ("UserValueAboveOneBillion", """{"metadata":{"name":"huge"},"value":1000000001}""",
            "value", "Forbidden: maximum allowed value of a user defined priority is 1000000000"),
        ("UnknownSystemName", """{"metadata":{"name":"system-mine"},"value":10}""",
            "metadata.name", "Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"),
        ("SystemNameWithOtherValue", """{"metadata":{"name":"system-node-critical"},"value":10}""",
            "metadata.name", "Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000"),
        ("SystemClassAsGlobalDefault", """{"metadata":{"name":"system-cluster-critical"},"value":2000000000,"globalDefault":true}""",
            "metadata.name", "Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: globalDefault of system-cluster-critical PriorityClass must be false"),
        ("UnknownPreemptionPolicy", """{"metadata":{"name":"odd"},"value":1,"preemptionPolicy":"Sometimes"}""",
            "preemptionPolicy", "Unsupported value: \"Sometimes\": supported values: \"PreemptLowerPriority\", \"Never\""),
    }.Select(c => new TestCaseData(c.Json, c.Field, c.Message).SetArgDisplayNames(c.Scenario));

    [TestCaseSource(nameof(InvalidCases))]
    public void Create_Invalid_HasKubesCause(string json, string field, string message)
    {
        var causes = Validate(json);

        Assert.That(causes.Select(c => (c.Field, c.Message)), Is.EqualTo(new[] { (field, message) }));
    }

    [TestCase("""{"metadata":{"name":"system-node-critical"},"value":2000001000}""")]
    [TestCase("""{"metadata":{"name":"high"},"value":1000000000,"globalDefault":true}""")]
    [TestCase("""{"metadata":{"name":"negative"},"value":-2147483648,"preemptionPolicy":"Never"}""")]
    public void Create_Valid_HasNoCause(string json) => Assert.That(Validate(json), Is.Empty);

    [Test]
    public void Defaults_PreemptLowerPriority()
    {
        var pc = StrategyAssert.Parse("""{"metadata":{"name":"p"},"value":5}""");

        Strategy.ApplyDefaults(pc);

        Assert.That(pc["preemptionPolicy"]!.GetValue<string>(), Is.EqualTo("PreemptLowerPriority"));
    }

    [Test]
    public void UpdateOfValueOrPolicy_IsForbidden()
    {
        var old = StrategyAssert.Parse("""{"metadata":{"name":"p"},"value":5,"preemptionPolicy":"PreemptLowerPriority"}""");
        var next = StrategyAssert.Parse("""{"metadata":{"name":"p"},"value":6,"preemptionPolicy":"Never","description":"changed"}""");
        var causes = new List<StatusCause>();

        Strategy.ValidateUpdate(next, old, causes);

        Assert.That(causes.Select(c => (c.Field, c.Message)), Is.EqualTo(new[]
        {
            ("value", "Forbidden: may not be changed in an update."),
            ("preemptionPolicy", "Invalid value: \"Never\": field is immutable"),
        }));
    }

    [Test]
    public void SecondGlobalDefault_IsForbidden()
    {
        var store = new EmbeddedStore();
        StrategyAssert.AddPriorityClass(store, """{"metadata":{"name":"first"},"value":10,"globalDefault":true}""");

        var error = Assert.Throws<ApiException>(() => StrategyAssert.Create(Strategy, """{"metadata":{"name":"second"},"value":20,"globalDefault":true}""", store));

        Assert.That(error!.Code, Is.EqualTo(403));
        Assert.That(error.Message, Is.EqualTo("priorityclasses.scheduling.k8s.io \"second\" is forbidden: PriorityClass first is already marked as default. Only one default can exist"));
    }

    [Test]
    public void UpdateMakingASecondGlobalDefault_IsForbiddenButTheDefaultItselfMayChange()
    {
        var store = new EmbeddedStore();
        StrategyAssert.AddPriorityClass(store, """{"metadata":{"name":"first"},"value":10,"globalDefault":true}""");
        var second = StrategyAssert.Parse("""{"metadata":{"name":"second"},"value":20}""");
        var promoted = StrategyAssert.Parse("""{"metadata":{"name":"second"},"value":20,"globalDefault":true}""");
        var first = StrategyAssert.Parse("""{"metadata":{"name":"first"},"value":10,"globalDefault":true}""");
        var described = StrategyAssert.Parse("""{"metadata":{"name":"first"},"value":10,"globalDefault":true,"description":"the default"}""");

        var error = Assert.ThrowsAsync<ApiException>(async () => await Strategy.AdmitUpdateAsync(promoted, second, store, CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("priorityclasses.scheduling.k8s.io \"second\" is forbidden: PriorityClass first is already marked as default. Only one default can exist"));
        Assert.DoesNotThrowAsync(async () => await Strategy.AdmitUpdateAsync(described, first, store, CancellationToken.None));
    }

    [Test]
    public void DeleteOfSystemClass_IsForbidden()
    {
        var error = Assert.Throws<ApiException>(() => Strategy.ValidateDelete("system-cluster-critical"));

        Assert.That(error!.Message, Is.EqualTo("priorityclasses.scheduling.k8s.io \"system-cluster-critical\" is forbidden: this is a system priority class and cannot be deleted"));
        Assert.DoesNotThrow(() => Strategy.ValidateDelete("user-class"));
    }

    [Test]
    public void PodNamingAClass_GetsItsValueAndPolicy()
    {
        var store = new EmbeddedStore();
        StrategyAssert.AddPriorityClass(store, """{"metadata":{"name":"batch"},"value":-10,"preemptionPolicy":"Never"}""");

        var pod = StrategyAssert.Create(Pods, """{"metadata":{"name":"p"},"spec":{"priorityClassName":"batch","containers":[{"name":"c","image":"app"}]}}""", store);

        Assert.That(pod["spec"]!["priority"]!.GetValue<int>(), Is.EqualTo(-10));
        Assert.That(pod["spec"]!["preemptionPolicy"]!.GetValue<string>(), Is.EqualTo("Never"));
    }

    [Test]
    public void PodWithoutClass_GetsTheLowestGlobalDefault()
    {
        var store = new EmbeddedStore();
        StrategyAssert.AddPriorityClass(store, """{"metadata":{"name":"normal"},"value":100,"globalDefault":true}""");
        StrategyAssert.AddPriorityClass(store, """{"metadata":{"name":"raced"},"value":50,"globalDefault":true}""");
        StrategyAssert.AddPriorityClass(store, """{"metadata":{"name":"other"},"value":1}""");

        var pod = StrategyAssert.Create(Pods, """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"app"}]}}""", store);

        Assert.That(pod["spec"]!["priorityClassName"]!.GetValue<string>(), Is.EqualTo("raced"));
        Assert.That(pod["spec"]!["priority"]!.GetValue<int>(), Is.EqualTo(50));
        Assert.That(pod["spec"]!["preemptionPolicy"]!.GetValue<string>(), Is.EqualTo("PreemptLowerPriority"));
    }

    [Test]
    public async Task PodWithoutClass_FollowsTheGlobalDefaultThroughUpdatesOfTheClass()
    {
        var store = new EmbeddedStore();
        StrategyAssert.AddPriorityClass(store, """{"metadata":{"name":"normal"},"value":100}""");
        const string PodJson = """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"app"}]}}""";

        Assert.That(StrategyAssert.Create(Pods, PodJson, store)["spec"]!["priority"]!.GetValue<int>(), Is.EqualTo(0));

        await SetGlobalDefault(store, "normal", true);
        var pod = StrategyAssert.Create(Pods, PodJson, store);
        Assert.That(pod["spec"]!["priorityClassName"]!.GetValue<string>(), Is.EqualTo("normal"));
        Assert.That(pod["spec"]!["priority"]!.GetValue<int>(), Is.EqualTo(100));

        await SetGlobalDefault(store, "normal", false);
        pod = StrategyAssert.Create(Pods, PodJson, store);
        Assert.That(pod["spec"]!["priorityClassName"], Is.Null);
        Assert.That(pod["spec"]!["priority"]!.GetValue<int>(), Is.EqualTo(0));
    }

    private static async Task SetGlobalDefault(EmbeddedStore store, string name, bool globalDefault)
    {
        BuiltInResources.CreateRegistry().TryGet("scheduling.k8s.io", "v1", "priorityclasses", out var resource);
        await store.GuaranteedUpdateAsync(PriorityClassStrategy.StorageType, new ObjectKey("", name), (current, _) =>
        {
            var pc = ObjectCodec.ToTree(current!);
            pc["globalDefault"] = globalDefault;
            return ValueTask.FromResult(ObjectCodec.ToStored(resource, pc));
        });
    }

    private static List<StatusCause> Validate(string json)
    {
        var pc = StrategyAssert.Parse(json);
        Strategy.ApplyDefaults(pc);
        var causes = new List<StatusCause>();
        Strategy.Validate(pc, causes);
        return causes;
    }
}
