using System.Text;
using Nautilus.Server.Api.Strategies.Validation;

namespace Nautilus.Server.Tests.Validation;

/// <summary>
/// The fieldValidation walk (names matched as UTF-8 bytes, flags per member ordinal, map keys
/// compared in place) against <see cref="FieldValidationReference"/> on generated bodies: unknown
/// fields at every depth, duplicates in structs and maps, escaped and long names, arrays of
/// structs, strategic-merge-patch directives, malformed JSON. Same problems, same order, same text.
/// </summary>
public sealed class FieldValidationWalkTests
{
    private const int BodiesPerCase = 400;

    private static readonly (string Group, string Kind)[] Kinds =
    [
        ("", "Pod"), ("apps", "Deployment"), ("apps", "StatefulSet"), ("", "ConfigMap"), ("", "Secret"), ("", "Service"),
        ("batch", "CronJob"), ("", "Node"), ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ];

    private static IEnumerable<TestCaseData> GeneratedCases()
    {
        var seed = 1;
        foreach (var (group, kind) in Kinds)
        {
            foreach (var strategicPatch in new[] { false, true })
            {
                yield return new TestCaseData(group, kind, strategicPatch, seed++).SetArgDisplayNames(kind, strategicPatch ? "StrategicPatch" : "Object");
            }
        }
    }

    [TestCaseSource(nameof(GeneratedCases))]
    public void GeneratedBodies_SameProblemsAsReference(string group, string kind, bool strategicPatch, int seed)
    {
        var schema = FieldSchema.ForKind(group, "v1", kind);
        Assert.That(schema, Is.Not.Null, $"{group}/{kind} has a schema");

        AssertSameAsReference(schema!, strategicPatch, seed);
    }

    [TestCase(false, 101)]
    [TestCase(true, 102)]
    public void WideStruct_DuplicatesPastSixtyFourMembersFound(bool strategicPatch, int seed)
    {
        var schema = WideStruct();

        AssertSameAsReference(schema, strategicPatch, seed);
        Assert.That(
            FieldValidation.Find("""{"f130":{"f070":1,"f001":2,"f070":3},"f130":{}}"""u8, schema),
            Is.EqualTo(new[] { "duplicate field \"f130.f070\"", "duplicate field \"f130\"" }));
    }

    private static IEnumerable<TestCaseData> NamedCases() => new (string Scenario, string Kind, string Json, string[] Expected)[]
    {
        ("EscapedDuplicateOfDeclaredName_Duplicate", "Pod", """{"spec":{"hostname":"a","host\u006eame":"b"}}""", ["duplicate field \"spec.hostname\""]),
        ("EscapedDuplicateMapKey_Duplicate", "ConfigMap", """{"data":{"a/b":"1","\u0061\/b":"2"}}""", ["duplicate field \"data.a/b\""]),
        ("EscapedUnknownName_PathUnescaped", "Pod", """{"spec":{"f\"o\\o\u00e9":1}}""", ["unknown field \"spec.f\\\"o\\\\oé\""]),
        ("LongUnknownName_Reported", "Pod", "{\"metadata\":{\"" + new string('n', 200) + "\":1}}", ["unknown field \"metadata." + new string('n', 200) + "\""]),
        ("LongMapKeyDuplicate_Reported", "ConfigMap", "{\"data\":{\"" + new string('k', 300) + "\":\"1\",\"" + new string('k', 300) + "\":\"2\"}}", ["duplicate field \"data." + new string('k', 300) + "\""]),
        ("NonAsciiMapKeys_DistinctKeysNotDuplicates", "ConfigMap", """{"data":{"ä":"1","a":"2","ã":"3","ä":"4"}}""", ["duplicate field \"data.ä\""]),
        ("DuplicateInLargeMap_Reported", "ConfigMap", LargeMap(200, duplicateOf: 150), ["duplicate field \"data.key-150\""]),
        ("DuplicateAcrossNestedMaps_NotADuplicate", "Pod", """{"metadata":{"labels":{"a":"1"},"annotations":{"a":"1"}},"spec":{"nodeSelector":{"a":"1"}}}""", []),
        ("ArrayOfStructs_EachItemItsOwnFlags", "Pod", """{"spec":{"containers":[{"name":"a","image":"i"},{"name":"b","image":"i","name":"c"}]}}""", ["duplicate field \"spec.containers[1].name\""]),
        ("TypeMismatch_Skipped", "Pod", """{"spec":{"containers":{"name":"a","x":1},"nodeSelector":[{"a":1,"a":2}]}}""", []),
        ("EmptyName_Unknown", "Pod", """{"":{"x":1},"spec":{"":1}}""", ["unknown field \"\"", "unknown field \"spec.\""]),
        ("TrailingGarbage_NotRead", "Pod", """{"spec":{"x":1}} nonsense""", ["unknown field \"spec.x\""]),
        ("Malformed_Nothing", "Pod", """{"spec":{"x":1,}""", []),
    }.Select(c => new TestCaseData(c.Kind, c.Json, c.Expected).SetArgDisplayNames(c.Scenario));

    [TestCaseSource(nameof(NamedCases))]
    public void Find_AsTheReferenceAndAsKubeWordsIt(string kind, string json, string[] expected)
    {
        var schema = FieldSchema.ForKind("", "v1", kind)!;
        var body = Encoding.UTF8.GetBytes(json);

        Assert.That(FieldValidation.Find(body, schema), Is.EqualTo(expected));
        Assert.That(FieldValidationReference.Find(body, schema), Is.EqualTo(expected));
    }

    [TestCase(new byte[] { 0xC3, 0x28 }, "ConfigMap", "data")]
    [TestCase(new byte[] { 0xFF }, "Pod", "spec")]
    [TestCase(new byte[] { 0xED, 0xA0, 0x80 }, "Pod", "metadata")]
    public void InvalidUtf8Name_FailsAsTheDecoderFails(byte[] name, string kind, string member)
    {
        var schema = FieldSchema.ForKind("", "v1", kind)!;
        var body = Concat(Encoding.UTF8.GetBytes("{\"" + member + "\":{\"ok\":\"1\",\""), name, "\":\"2\"}}"u8.ToArray());

        Assert.That(Outcome(body, schema, strategicPatch: false, FieldValidation.Find), Is.EqualTo(Outcome(body, schema, strategicPatch: false, FieldValidationReference.Find)));
    }

    [TestCase("""{"data":{"\ud800":"1","\ud801":"2"}}""")]
    [TestCase("""{"data":{"\ud800\udc00":"1","\ud800\udc00":"2"}}""")]
    [TestCase("""{"spec":{"\ud800":1}}""")]
    public void EscapedSurrogates_AsTheReference(string json)
    {
        var schema = FieldSchema.ForKind("", "v1", json.Contains("data", StringComparison.Ordinal) ? "ConfigMap" : "Pod")!;
        var body = Encoding.UTF8.GetBytes(json);

        Assert.That(Outcome(body, schema, strategicPatch: false, FieldValidation.Find), Is.EqualTo(Outcome(body, schema, strategicPatch: false, FieldValidationReference.Find)));
    }

    [Test]
    public void NestedDeeperThanTheReaderAllows_Nothing()
    {
        var schema = FieldSchema.ForKind("apiextensions.k8s.io", "v1", "CustomResourceDefinition")!;
        var body = Encoding.UTF8.GetBytes("{\"spec\":{\"x\":1,\"versions\":[{\"schema\":{\"openAPIV3Schema\":" + string.Concat(Enumerable.Repeat("{\"items\":", 300)) + "{}" + new string('}', 300) + "}}]}}");

        Assert.That(FieldValidation.Find(body, schema), Is.Empty);
        Assert.That(FieldValidationReference.Find(body, schema), Is.Empty);
    }

    [Test]
    public void BodyWithoutProblems_AllocatesNothing()
    {
        var pods = ValidationAssert.Resource("pods");
        var body = Encoding.UTF8.GetBytes("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web","tier":"x"},"annotations":{"a/b":"c"}},"spec":{"containers":[{"name":"c","image":"i","env":[{"name":"A","value":"1"}],"resources":{"limits":{"cpu":"1"}},"ports":[{"containerPort":80}]}]}}""");
        var warnings = new List<string>();
        Action<string> warn = warnings.Add;
        FieldValidation.Check(pods, FieldValidation.Warn, body, "application/json", warn);

        var before = GC.GetAllocatedBytesForCurrentThread();
        FieldValidation.Check(pods, FieldValidation.Warn, body, "application/json", warn);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(warnings, Is.Empty);
        Assert.That(allocated, Is.Zero);
    }

    private static void AssertSameAsReference(FieldSchema schema, bool strategicPatch, int seed)
    {
        var random = new Random(seed);
        var problems = 0;
        for (var i = 0; i < BodiesPerCase; i++)
        {
            var body = Encoding.UTF8.GetBytes(new BodyWriter(random, strategicPatch).Write(schema));
            if (random.Next(20) == 0)
            {
                body = body[..random.Next(body.Length)];
            }

            var expected = Outcome(body, schema, strategicPatch, FieldValidationReference.Find);
            Assert.That(Outcome(body, schema, strategicPatch, FieldValidation.Find), Is.EqualTo(expected), () => Encoding.UTF8.GetString(body));
            problems += expected.Count(line => line.StartsWith("unknown", StringComparison.Ordinal) || line.StartsWith("duplicate", StringComparison.Ordinal)) > 0 ? 1 : 0;
        }

        // The generator is worth something only when both kinds of body come out of it.
        Assert.That(problems, Is.InRange(BodiesPerCase / 10, BodiesPerCase * 9 / 10));
    }

    private delegate List<string> FindProblems(ReadOnlySpan<byte> json, FieldSchema schema, bool strategicPatch);

    /// <summary>The problems, or the exception a walk ends with (a name that is not UTF-8).</summary>
    private static List<string> Outcome(byte[] body, FieldSchema schema, bool strategicPatch, FindProblems find)
    {
        try
        {
            return find(body, schema, strategicPatch);
        }
        catch (Exception e)
        {
            return ["threw " + e.GetType().Name + ": " + e.Message];
        }
    }

    private static FieldSchema WideStruct()
    {
        var inner = FieldSchema.Object(Enumerable.Range(0, 140).Select(i => KeyValuePair.Create($"f{i:D3}", FieldSchema.Leaf)));
        var config = FieldSchema.ForKind("", "v1", "ConfigMap")!;
        return FieldSchema.Object(Enumerable.Range(0, 150).Select(i => KeyValuePair.Create($"f{i:D3}", (i % 3) switch
        {
            0 => inner,
            1 => config.Properties!["data"],
            _ => FieldSchema.Leaf,
        })));
    }

    private static string LargeMap(int keys, int duplicateOf)
    {
        var text = new StringBuilder("{\"data\":{");
        for (var i = 0; i < keys; i++)
        {
            text.Append($"\"key-{i}\":\"v\",");
        }

        return text.Append($"\"key-{duplicateOf}\":\"again\"}}}}").ToString();
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A random body shaped by a schema, with deliberate faults: unknown and repeated names, escapes, directives, wrong types.</summary>
    private sealed class BodyWriter(Random random, bool strategicPatch)
    {
        private const int MaxDepth = 9;

        private static readonly string[] UnknownNames =
        [
            "foo", "x", "", "a.b", "naïve", "ключ", "名前", "spec", "Name", "nAme", "metadata ", "$", "$patch", "$retainKeys",
            "$setElementOrder/containers", "$deleteFromPrimitiveList/finalizers", new string('u', 129), new string('v', 300) + "é",
        ];

        private static readonly string[] MapKeys =
        [
            "app", "tier", "a/b", "x.y", "kubernetes.io/name", "app.kubernetes.io/instance", "", "é", "e", "$key", "\u2028",
            new string('k', 140), new string('k', 141),
        ];

        private readonly StringBuilder _text = new();

        public string Write(FieldSchema schema)
        {
            Struct(schema, 0);
            return _text.ToString();
        }

        private void Value(FieldSchema schema, int depth)
        {
            if (random.Next(25) == 0)
            {
                // The wrong kind of value: the walk skips it whole.
                Junk(depth);
            }
            else if (schema.Properties is not null)
            {
                Struct(schema, depth);
            }
            else if (schema.Values is { } values)
            {
                Map(values, depth);
            }
            else if (schema.Items is { } items)
            {
                _text.Append('[');
                var count = depth >= MaxDepth ? 0 : random.Next(4);
                for (var i = 0; i < count; i++)
                {
                    _text.Append(i > 0 ? "," : "");
                    Value(items, depth + 1);
                }

                _text.Append(']');
            }
            else if (ReferenceEquals(schema, FieldSchema.Any) || random.Next(10) == 0)
            {
                Junk(depth);
            }
            else
            {
                Scalar();
            }
        }

        private void Struct(FieldSchema schema, int depth)
        {
            var members = schema.Properties!.Keys.ToArray();
            var written = new List<string>();
            var count = depth >= MaxDepth || members.Length == 0 ? 0 : random.Next(Math.Min(members.Length, depth < 3 ? 8 : 4) + 1);
            _text.Append('{');
            for (var i = 0; i < count; i++)
            {
                _text.Append(i > 0 ? "," : "");
                var roll = random.Next(100);
                if (roll < 4)
                {
                    Name(UnknownNames[random.Next(UnknownNames.Length)]);
                    Junk(depth + 1);
                    continue;
                }

                if (strategicPatch && roll < 8)
                {
                    Directive(depth);
                    continue;
                }

                var name = roll < 10 && written.Count > 0 ? written[random.Next(written.Count)] : members[random.Next(members.Length)];
                written.Add(name);
                Name(name);
                Value(schema.Properties[name], depth + 1);
            }

            _text.Append('}');
        }

        private void Map(FieldSchema values, int depth)
        {
            var count = depth >= MaxDepth ? 0 : random.Next(8) switch
            {
                0 => random.Next(16, 120),
                _ => random.Next(5),
            };
            _text.Append('{');
            for (var i = 0; i < count; i++)
            {
                _text.Append(i > 0 ? "," : "");
                if (strategicPatch && random.Next(10) == 0)
                {
                    Directive(depth);
                    continue;
                }

                // Large maps mostly unique keys (a repeat is rarer as the map grows), small ones from a short list.
                var key = count > 8 && random.Next(count) != 0 ? $"key-{i}" : count > 8 ? $"key-{random.Next(i + 1)}" : MapKeys[random.Next(MapKeys.Length)];
                Name(key);
                Value(values, depth + 1);
            }

            _text.Append('}');
        }

        /// <summary>A strategic-merge-patch directive, its value anything (repeated names included).</summary>
        private void Directive(int depth)
        {
            Name(random.Next(3) switch
            {
                0 => "$patch",
                1 => "$retainKeys",
                _ => "$setElementOrder/containers",
            });
            Junk(depth + 1);
        }

        /// <summary>A property name: as is, or with some or all of its characters escaped.</summary>
        private void Name(string name)
        {
            var escape = random.Next(12);
            _text.Append('"');
            foreach (var c in name)
            {
                if (c is '"' or '\\' || c < ' ' || escape == 0 || (escape == 1 && random.Next(3) == 0))
                {
                    _text.Append($"\\u{(int)c:x4}");
                }
                else
                {
                    _text.Append(c);
                }
            }

            _text.Append("\":");
        }

        private void Scalar() => _text.Append(random.Next(5) switch
        {
            0 => "1",
            1 => "true",
            2 => "null",
            3 => "\"a \\\"quoted\\\" value\"",
            _ => "\"v\"",
        });

        /// <summary>Any JSON, objects with repeated names included: where the walk does not look.</summary>
        private void Junk(int depth)
        {
            switch (depth >= MaxDepth ? 0 : random.Next(4))
            {
                case 0:
                    Scalar();
                    break;
                case 1:
                    _text.Append("[{\"a\":1,\"a\":2},[]]");
                    break;
                default:
                    _text.Append('{');
                    var count = random.Next(3);
                    for (var i = 0; i < count; i++)
                    {
                        _text.Append(i > 0 ? "," : "");
                        Name(random.Next(2) == 0 ? "same" : UnknownNames[random.Next(UnknownNames.Length)]);
                        Junk(depth + 1);
                    }

                    _text.Append('}');
                    break;
            }
        }
    }
}
