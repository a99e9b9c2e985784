using System.Text;
using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Patching;

namespace Nautilus.Server.Tests.Patching;

public sealed class JsonPatchTests
{
    private static readonly object[] Cases =
    [
        new object[] { """{"spec":{"a":1}}""", """[{"op":"replace","path":"/spec","value":{"b":2}}]""", """{"spec":{"b":2}}""" },
        new object[] { """{"spec":{}}""", """[{"op":"add","path":"/status","value":{"phase":"Running"}}]""", """{"spec":{},"status":{"phase":"Running"}}""" },
        new object[] { """{"spec":{},"status":{}}""", """[{"op":"remove","path":"/status"}]""", """{"spec":{}}""" },
        new object[] { """{"a":{"b":[1,2]}}""", """[{"op":"add","path":"/a/b/-","value":3},{"op":"add","path":"/a/b/0","value":0}]""", """{"a":{"b":[0,1,2,3]}}""" },
        new object[] { """{"a":{"x~y":1,"p/q":2}}""", """[{"op":"remove","path":"/a/x~0y"},{"op":"replace","path":"/a/p~1q","value":3}]""", """{"a":{"p/q":3}}""" },
        new object[] { """{"a":1}""", """[{"op":"move","from":"/a","path":"/b"},{"op":"copy","from":"/b","path":"/c"},{"op":"test","path":"/c","value":1}]""", """{"b":1,"c":1}""" },
    ];

    [TestCaseSource(nameof(Cases))]
    public void Apply_ValidPatch_GivesTheExpectedDocument(string document, string patch, string expected)
    {
        var result = JsonPatch.Apply(JsonNode.Parse(document)!, Encoding.UTF8.GetBytes(patch));

        Assert.That(JsonNode.DeepEquals(result, JsonNode.Parse(expected)), Is.True, result.ToJsonString());
    }

    [TestCase("""[{"op":"remove","path":"/missing"}]""", 422)]
    [TestCase("""[{"op":"test","path":"/a","value":2}]""", 422)]
    [TestCase("""[{"op":"frobnicate","path":"/a"}]""", 400)]
    [TestCase("""{"op":"add"}""", 400)]
    public void Apply_BadPatch_IsRefusedWithKubesCode(string patch, int code)
    {
        var error = Assert.Throws<ApiException>(() => JsonPatch.Apply(JsonNode.Parse("""{"a":1}""")!, Encoding.UTF8.GetBytes(patch)));

        Assert.That(error!.Code, Is.EqualTo(code));
    }
}
