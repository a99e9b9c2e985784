using System.Globalization;
using Nautilus.Controllers.NodeLifecycle.Internal;

namespace Nautilus.Controllers.Tests.NodeLifecycle;

/// <summary>Which taints a pod tolerates and for how long (v1helper.GetMatchingTolerations, getMinTolerationTime).</summary>
public sealed class TolerationTests
{
    private const string Unreachable = "node.kubernetes.io/unreachable=:NoExecute";
    private const string Dedicated = "dedicated=db:NoExecute";

    // Taints as "key=value:effect"; tolerations as "key|operator|value|effect|seconds" (empty seconds: none).
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("DefaultToleration_300Seconds", [Unreachable], ["node.kubernetes.io/unreachable|Exists||NoExecute|300"], true, 300);
        yield return Case("NoSeconds_ToleratedForever", [Unreachable], ["node.kubernetes.io/unreachable|Exists||NoExecute|"], true, null);
        yield return Case("NoTolerations_NotTolerated", [Unreachable], [], false, null);
        yield return Case("EmptyKeyExists_ToleratesEverything", [Unreachable], ["|Exists|||"], true, null);
        yield return Case("OtherEffect_NotTolerated", [Unreachable], ["node.kubernetes.io/unreachable|Exists||NoSchedule|"], false, null);
        yield return Case("EqualSameValue_Tolerated", [Dedicated], ["dedicated|Equal|db|NoExecute|60"], true, 60);
        yield return Case("EmptyOperatorOtherValue_NotTolerated", [Dedicated], ["dedicated||web|NoExecute|60"], false, null);
        yield return Case("TwoTaints_SmallestSecondsWins", [Dedicated, Unreachable], ["dedicated|Equal|db||60", "node.kubernetes.io/unreachable|Exists||NoExecute|30"], true, 30);
        yield return Case("TwoTaintsOneTolerated_NotTolerated", [Dedicated, Unreachable], ["dedicated|Equal|db||60"], false, null);
        yield return Case("NegativeSeconds_EvictAtOnce", [Unreachable], ["node.kubernetes.io/unreachable|Exists||NoExecute|-5"], true, 0);
    }

    [TestCaseSource(nameof(Cases))]
    public void Tolerations_DecideWhetherAndHowLong(string[] taints, string[] tolerations, bool tolerated, double? seconds)
    {
        var (all, used) = Toleration.Matching(taints.Select(ParseTaint).ToList(), tolerations.Select(ParseToleration).ToList());

        Assert.That(all, Is.EqualTo(tolerated));
        if (tolerated)
        {
            Assert.That(Toleration.MinTolerationTime(used)?.TotalSeconds, Is.EqualTo(seconds));
        }
    }

    private static TestCaseData Case(string name, string[] taints, string[] tolerations, bool tolerated, double? seconds) =>
        new TestCaseData(taints, tolerations, tolerated, seconds).SetName(name);

    private static Taint ParseTaint(string text)
    {
        var equals = text.IndexOf('=');
        var colon = text.LastIndexOf(':');
        return new Taint(text[..equals], text[(equals + 1)..colon], text[(colon + 1)..]);
    }

    private static Toleration ParseToleration(string text)
    {
        var f = text.Split('|');
        return new Toleration(f[0], f[1], f[2], f[3], f[4].Length == 0 ? null : long.Parse(f[4], CultureInfo.InvariantCulture));
    }
}
