using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Tests.Objects;

/// <summary>KubeJson.ParseObject: the request body's tree, built at once, reads and writes as the JSON that was sent.</summary>
public sealed class KubeJsonParseTests
{
    [TestCase("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web","x.io/y":""}},"spec":{"containers":[{"name":"c","image":"nginx:1.27","ports":[{"containerPort":8080,"protocol":"TCP"}]}]}}""")]
    [TestCase("""{"numbers":[0,7,65535,65536,123456789012345678901234567890,-1,-0,1.50,1e3,2E-2,0.0,1.0]}""")]
    [TestCase("""{"escaped":"a\"b\\c\u00e9\n","unicode":"héllo ✓","empty":"","t":true,"f":false,"n":null,"nested":[[],{},[{}],[null]]}""")]
    [TestCase("""  {"spaced" : [ 1 , 2 ] }  """)]
    public void Parse_WritesBackAsJsonNodeParseWould(string json)
    {
        // Arrange
        var expected = JsonNode.Parse(json)!.ToJsonString();

        // Act
        var tree = KubeJson.ParseObject(Encoding.UTF8.GetBytes(json));

        // Assert
        Assert.That(tree.ToJsonString(), Is.EqualTo(expected));
        Assert.That(JsonNode.DeepEquals(tree, JsonNode.Parse(json)), Is.True);
    }

    [Test]
    public void Parse_ValuesReadAsTheirTypes()
    {
        // Act
        var tree = KubeJson.ParseObject("""{"port":8080,"big":4294967296,"ratio":0.5,"on":true,"name":"web","kind":"Pod"}"""u8);

        // Assert
        Assert.That(tree["port"]!.GetValue<int>(), Is.EqualTo(8080));
        Assert.That(tree["port"]!.GetValue<long>(), Is.EqualTo(8080L));
        Assert.That(tree["big"]!.GetValue<long>(), Is.EqualTo(4294967296L));
        Assert.That(tree["ratio"]!.GetValue<double>(), Is.EqualTo(0.5));
        Assert.That(tree["on"]!.GetValue<bool>(), Is.True);
        Assert.That(tree["on"]!.GetValueKind(), Is.EqualTo(JsonValueKind.True));
        Assert.That(tree["name"]!.GetValue<string>(), Is.EqualTo("web"));
        Assert.That(tree["kind"]!.GetValue<string>(), Is.EqualTo("Pod"));
    }

    [Test]
    public void Parse_EqualNumbersInOneBody_AreSeparateNodes()
    {
        // Act
        var tree = KubeJson.ParseObject("""{"a":80,"b":80}"""u8);
        tree["a"]!.ReplaceWith(81);

        // Assert
        Assert.That(tree.ToJsonString(), Is.EqualTo("""{"a":81,"b":80}"""));
    }

    [Test]
    public void Parse_DuplicateMember_KeepsTheFirstPlaceAndTheLastValue()
    {
        // Act
        var tree = KubeJson.ParseObject("""{"metadata":{"name":"p","labels":{"a":"1"},"name":"q"},"spec":{"paused":true,"paused":false}}"""u8);

        // Assert
        Assert.That(tree.ToJsonString(), Is.EqualTo("""{"metadata":{"name":"q","labels":{"a":"1"}},"spec":{"paused":false}}"""));
    }

    [TestCase("")]
    [TestCase("""{"a":1""")]
    [TestCase("""{"a":1} {"b":2}""")]
    [TestCase("""{"a":tru}""")]
    [TestCase("""{"a":1,}""")]
    [TestCase("""{"a":1 /* comment */}""")]
    public void Parse_Malformed_Is400_WithTheJsonReadersWords(string json)
    {
        // Arrange: the words System.Text.Json's document parser has for the same bytes.
        var expected = Assert.Catch<JsonException>(() => JsonDocument.Parse(json))!.Message.Split(" Path:")[0];

        // Act
        var error = Assert.Throws<ApiException>(() => KubeJson.ParseObject(Encoding.UTF8.GetBytes(json)));

        // Assert
        Assert.That((error!.Code, error.Reason), Is.EqualTo((400, "BadRequest")));
        Assert.That(error.Message, Does.StartWith("error decoding request body: json parse error: " + expected));
    }

    [Test]
    public void Parse_NotAnObject_Is400()
    {
        // Act
        var error = Assert.Throws<ApiException>(() => KubeJson.ParseObject("[1,2]"u8));

        // Assert
        Assert.That((error!.Code, error.Message), Is.EqualTo((400, "error decoding request body: the body must be a JSON object")));
    }

    [Test]
    public void Parse_InvalidUtf8InAString_Is400()
    {
        // Arrange
        byte[] body = [.. "{\"name\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        // Act
        var error = Assert.Throws<ApiException>(() => KubeJson.ParseObject(body));

        // Assert
        Assert.That(error!.Code, Is.EqualTo(400));
    }

    [Test]
    public void Parse_NestedDeeperThan256_Is400()
    {
        // Arrange
        var json = "{\"a\":" + new string('[', 300) + new string(']', 300) + "}";

        // Act
        var error = Assert.Throws<ApiException>(() => KubeJson.ParseObject(Encoding.UTF8.GetBytes(json)));

        // Assert
        Assert.That(error!.Code, Is.EqualTo(400));
    }
}
