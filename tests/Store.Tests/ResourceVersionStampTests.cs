using System.Text;
using System.Text.Json;

namespace Nautilus.Store.Tests;

public sealed class ResourceVersionStampTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"5\"},\"x\":1}", "{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"42\"},\"x\":1}").SetName("Stamp_Existing_IsReplaced");
        yield return new TestCaseData("{\"metadata\":{\"name\":\"a\"}}", "{\"metadata\":{\"resourceVersion\":\"42\",\"name\":\"a\"}}").SetName("Stamp_Absent_IsInsertedFirst");
        yield return new TestCaseData("{\"metadata\":{}}", "{\"metadata\":{\"resourceVersion\":\"42\"}}").SetName("Stamp_EmptyMetadata_GetsOnlyProperty");
        yield return new TestCaseData("{\"kind\":\"Pod\"}", "{\"metadata\":{\"resourceVersion\":\"42\"},\"kind\":\"Pod\"}").SetName("Stamp_NoMetadata_AddsMetadata");
        yield return new TestCaseData("{}", "{\"metadata\":{\"resourceVersion\":\"42\"}}").SetName("Stamp_EmptyObject_AddsMetadata");
        yield return new TestCaseData("{\"metadata\":{\"resourceVersion\":12}}", "{\"metadata\":{\"resourceVersion\":\"42\"}}").SetName("Stamp_NumericValue_BecomesString");
        yield return new TestCaseData("{\"metadata\":null}", "{\"metadata\":{\"resourceVersion\":\"42\"}}").SetName("Stamp_NullMetadata_BecomesObject");
        yield return new TestCaseData(
            "{\n  \"spec\": {\"metadata\": {\"resourceVersion\": \"1\"}},\n  \"metadata\" : {\n    \"labels\": {\"resourceVersion\": \"x\"},\n    \"resourceVersion\" : \"7\"\n  }\n}",
            "{\n  \"spec\": {\"metadata\": {\"resourceVersion\": \"1\"}},\n  \"metadata\" : {\n    \"labels\": {\"resourceVersion\": \"x\"},\n    \"resourceVersion\" : \"42\"\n  }\n}")
            .SetName("Stamp_PrettyJsonWithNestedLookalikes_OnlyTopLevelChanges");
    }

    [TestCaseSource(nameof(Cases))]
    public void Write_ProducesExpectedJson(string input, string expected)
    {
        // Act
        var output = ResourceVersionStamp.Write(Encoding.UTF8.GetBytes(input), 42);

        // Assert
        Assert.That(Encoding.UTF8.GetString(output), Is.EqualTo(expected));
        Assert.DoesNotThrow(() => JsonDocument.Parse(output).Dispose());
    }

    [TestCaseSource(nameof(Cases))]
    public void WithResourceVersion_PreparedBeforeTheRevision_SameBytesAsInOneStep(string input, string expected)
    {
        // Arrange: the store finds the place before its lock and copies with the digits inside it.
        var obj = new StoredObject(new ObjectKey("ns", "a"), "uid", Encoding.UTF8.GetBytes(input), null, null);
        var stamp = obj.PrepareStamp();

        // Act
        var stamped = obj.WithResourceVersion(stamp, 42);

        // Assert
        Assert.That(Encoding.UTF8.GetString(stamped.Json), Is.EqualTo(expected));
        Assert.That(stamped.ResourceVersion, Is.EqualTo(42));
    }

    [Test]
    public void WithResourceVersion_PreparedFromNotAnObject_ThrowsFormatExceptionOnWrite()
    {
        // Arrange
        var obj = new StoredObject(new ObjectKey("ns", "a"), "uid", "[1]"u8.ToArray(), null, null);
        var stamp = obj.PrepareStamp();

        // Act / Assert: the error surfaces where the one-step write raised it, under the store's checks.
        Assert.Throws<FormatException>(() => obj.WithResourceVersion(stamp, 1));
    }

    [Test]
    public void Write_NotAnObject_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ResourceVersionStamp.Write("[1]"u8.ToArray(), 1));
    }

    [TestCaseSource(nameof(Cases))]
    public void Matches_TheStampedJson_IsTrue(string input, string expected)
    {
        Assert.That(ResourceVersionStamp.Matches(Encoding.UTF8.GetBytes(input), 42, Encoding.UTF8.GetBytes(expected)), Is.True);
    }

    [TestCaseSource(nameof(Cases))]
    public void Matches_AnotherRevision_IsFalse(string input, string expected)
    {
        Assert.That(ResourceVersionStamp.Matches(Encoding.UTF8.GetBytes(input), 43, Encoding.UTF8.GetBytes(expected)), Is.False);
        Assert.That(ResourceVersionStamp.Matches(Encoding.UTF8.GetBytes(input), 4, Encoding.UTF8.GetBytes(expected)), Is.False);
    }

    [TestCase("{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"42\"},\"x\":2}", TestName = "Matches_ChangeAfterTheRevision_IsFalse")]
    [TestCase("{\"metadata\":{\"name\":\"b\",\"resourceVersion\":\"42\"},\"x\":1}", TestName = "Matches_ChangeBeforeTheRevision_IsFalse")]
    [TestCase("{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"42\"},\"x\":1,\"y\":1}", TestName = "Matches_LongerStoredJson_IsFalse")]
    [TestCase("{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"42\"},\"x\":1", TestName = "Matches_ShorterStoredJson_IsFalse")]
    [TestCase("{\"metadata\":{\"name\":\"a\",\"resourceVersion\":42},\"x\":1}", TestName = "Matches_UnquotedRevision_IsFalse")]
    public void Matches_DifferentContent_IsFalse(string stored)
    {
        var candidate = "{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"0\"},\"x\":1}"u8.ToArray();
        Assert.That(ResourceVersionStamp.Matches(candidate, 42, Encoding.UTF8.GetBytes(stored)), Is.False);
    }

    [Test]
    public void Matches_NotAnObject_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ResourceVersionStamp.Matches("[1]"u8, 1, "[1]"u8));
    }
}
