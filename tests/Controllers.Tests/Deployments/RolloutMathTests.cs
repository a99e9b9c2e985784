using System.Text.Json.Nodes;
using Nautilus.Controllers.Deployments;

namespace Nautilus.Controllers.Tests.Deployments;

public sealed class RolloutMathTests
{
    private static JsonNode? IntOrPercent(object? value) => value switch
    {
        null => null,
        int i => JsonValue.Create(i),
        string s => JsonValue.Create(s),
        _ => throw new ArgumentException("int or string", nameof(value)),
    };

    [TestCase("25%", 10, true, 3, TestName = "Percent_RoundsUp_ForSurge")]
    [TestCase("25%", 10, false, 2, TestName = "Percent_RoundsDown_ForUnavailable")]
    [TestCase("25%", 3, true, 1)]
    [TestCase("25%", 3, false, 0)]
    [TestCase("100%", 7, false, 7)]
    [TestCase("0%", 7, true, 0)]
    [TestCase(2, 10, true, 2, TestName = "Integer_IsTakenAsIs")]
    [TestCase(null, 10, true, 0, TestName = "Unset_IsZero")]
    public void ScaledValue(object? value, int total, bool roundUp, int expected) =>
        Assert.That(RolloutMath.ScaledValue(IntOrPercent(value), total, roundUp), Is.EqualTo(expected));

    [TestCase("25")]
    [TestCase("x%")]
    public void ScaledValue_NotAPercentage_IsRefused(string value) =>
        Assert.Throws<FormatException>(() => RolloutMath.ScaledValue(JsonValue.Create(value), 10, true));

    // kube's TestResolveFenceposts, plus the defaults.
    [TestCase("0%", "0%", 0, 0, 1, TestName = "BothZero_UnavailableBecomesOne")]
    [TestCase("39%", "39%", 10, 4, 3)]
    [TestCase(null, "39%", 10, 0, 3)]
    [TestCase(0, 0, 5, 0, 1)]
    [TestCase("25%", "25%", 3, 1, 0, TestName = "Defaults_ThreeReplicas")]
    [TestCase("25%", "25%", 1, 1, 0, TestName = "Defaults_OneReplica")]
    [TestCase("25%", "25%", 10, 3, 2, TestName = "Defaults_TenReplicas")]
    [TestCase(1, 0, 4, 1, 0)]
    public void ResolveFenceposts(object? maxSurge, object? maxUnavailable, int desired, int expectedSurge, int expectedUnavailable) =>
        Assert.That(RolloutMath.ResolveFenceposts(IntOrPercent(maxSurge), IntOrPercent(maxUnavailable), desired), Is.EqualTo((expectedSurge, expectedUnavailable)));

    [TestCase(3, 1, 3, 0, 1, TestName = "FirstStep_OneSurgePod")]
    [TestCase(3, 1, 4, 1, 1, TestName = "AtMaxTotal_NoGrowth")]
    [TestCase(10, 3, 10, 0, 3, TestName = "Surge_Three")]
    [TestCase(10, 3, 8, 2, 7)]
    [TestCase(3, 5, 3, 0, 3, TestName = "NeverBeyondDesired")]
    [TestCase(1, 1, 5, 0, 0, TestName = "OverMaxTotal_NoGrowth")]
    public void NewReplicaSetReplicas(int desired, int maxSurge, int currentPods, int newReplicas, int expected) =>
        Assert.That(RolloutMath.NewReplicaSetReplicas(desired, maxSurge, currentPods, newReplicas), Is.EqualTo(expected));

    [TestCase(4, 3, 1, 1, 0, 1, TestName = "NewNotAvailable_BlocksOne")]
    [TestCase(4, 3, 1, 1, 1, 2)]
    [TestCase(3, 3, 0, 0, 0, 0, TestName = "NoUnavailableAllowed_NothingYet")]
    public void MaxScaledDown(int allPods, int desired, int maxUnavailable, int newReplicas, int newAvailable, int expected) =>
        Assert.That(RolloutMath.MaxScaledDown(allPods, desired, maxUnavailable, newReplicas, newAvailable), Is.EqualTo(expected));

    [TestCase(5, 10, 13, 13, 0, TestName = "SameSize_NoChange")]
    [TestCase(5, 20, 26, 13, 5, TestName = "Doubled_Doubles")]
    [TestCase(3, 5, 7, 13, -1, TestName = "Shrunk_RoundsHalfAwayFromZero")]
    [TestCase(4, 0, 0, 13, -4, TestName = "ToZero_WholeSize")]
    public void ReplicaSetFraction(int replicas, int deploymentReplicas, int deploymentMax, int annotatedMax, int expected) =>
        Assert.That(RolloutMath.ReplicaSetFraction(replicas, deploymentReplicas, deploymentMax, annotatedMax), Is.EqualTo(expected));

    [TestCase(5, 5, 3, 0, 3, TestName = "ScaleUp_CappedByWhatIsLeft")]
    [TestCase(5, 2, 3, 0, 2)]
    [TestCase(5, -4, -3, 0, -3, TestName = "ScaleDown_CappedByWhatIsLeft")]
    [TestCase(0, 5, 3, 0, 0, TestName = "EmptyReplicaSet_GetsNothing")]
    [TestCase(5, 5, 3, 3, 0, TestName = "NothingLeft")]
    public void ReplicaSetProportion(int replicas, int fraction, int toAdd, int added, int expected) =>
        Assert.That(RolloutMath.ReplicaSetProportion(replicas, fraction, toAdd, added), Is.EqualTo(expected));
}
