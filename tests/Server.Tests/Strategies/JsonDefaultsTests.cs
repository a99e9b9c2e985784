using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Strategies.Defaults;

namespace Nautilus.Server.Tests.Strategies;

/// <summary>
/// The defaulting setters on parsed bodies: an unset member is replaced where it stands (the
/// stored bytes keep the client's member order), an absent one is appended, a set one is kept.
/// </summary>
public sealed class JsonDefaultsTests
{
    private static IEnumerable<TestCaseData> Cases() =>
    [
        new TestCaseData("""{"a":"","b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfEmpty(o, "a", "x")), """{"a":"x","b":1}""").SetName("SetIfEmpty_EmptyString_ReplacedInPlace"),
        new TestCaseData("""{"a":null,"b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfEmpty(o, "a", "x")), """{"a":"x","b":1}""").SetName("SetIfEmpty_Null_ReplacedInPlace"),
        new TestCaseData("""{"a":"y","b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfEmpty(o, "a", "x")), """{"a":"y","b":1}""").SetName("SetIfEmpty_Set_Kept"),
        new TestCaseData("""{"b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfEmpty(o, "a", "x")), """{"b":1,"a":"x"}""").SetName("SetIfEmpty_Absent_Appended"),
        new TestCaseData("""{"a":0,"b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfZero(o, "a", 30)), """{"a":30,"b":1}""").SetName("SetIfZero_Zero_ReplacedInPlace"),
        new TestCaseData("""{"a":5,"b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfZero(o, "a", 30)), """{"a":5,"b":1}""").SetName("SetIfZero_Set_Kept"),
        new TestCaseData("""{"b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfZero(o, "a", 30)), """{"b":1,"a":30}""").SetName("SetIfZero_Absent_Appended"),
        new TestCaseData("""{"a":null,"b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfUnset(o, "a", true)), """{"a":true,"b":1}""").SetName("SetIfUnset_Null_ReplacedInPlace"),
        new TestCaseData("""{"a":false,"b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfUnset(o, "a", true)), """{"a":false,"b":1}""").SetName("SetIfUnset_ZeroValue_Kept"),
        new TestCaseData("""{"a":"","b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfUnset(o, "a", "x")), """{"a":"","b":1}""").SetName("SetIfUnset_EmptyString_Kept"),
        new TestCaseData("""{"b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfUnset(o, "a", 3)), """{"b":1,"a":3}""").SetName("SetIfUnset_Absent_Appended"),
        new TestCaseData("""{"a":null,"b":1}""", (Action<JsonObject>)(o => JsonDefaults.SetIfUnset(o, "a", new JsonObject())), """{"a":{},"b":1}""").SetName("SetIfUnset_Node_ReplacedInPlace"),
    ];

    [TestCaseSource(nameof(Cases))]
    public void Setter_LeavesOrderAndSetValues(string body, Action<JsonObject> set, string expected)
    {
        // Arrange
        var obj = KubeJson.ParseObject(System.Text.Encoding.UTF8.GetBytes(body));

        // Act
        set(obj);

        // Assert
        Assert.That(obj.ToJsonString(), Is.EqualTo(expected));
    }
}
