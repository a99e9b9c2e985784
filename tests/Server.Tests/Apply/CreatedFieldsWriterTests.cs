using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Apply;
using Nautilus.Server.Api.Printing;

namespace Nautilus.Server.Tests.Apply;

/// <summary>
/// A create's FieldsV1, written directly, against what the comparison it replaces encodes:
/// <c>Compare(zero, created).Changed.Difference(strip)</c> as a <see cref="FieldSet"/>, for objects
/// of every served kind generated from its schema, with the shapes clients get wrong (values of
/// the wrong type, nulls, empty objects, duplicate and keyless list items).
/// </summary>
public sealed class CreatedFieldsWriterTests
{
    private static readonly IReadOnlyList<ResourceDefinition> Resources = BuiltInResources.CreateRegistry().All;

    private static string ByComparison(ResourceDefinition resource, JsonObject created)
    {
        var ignored = FieldManager.ResetFields(resource, "");
        var owned = TypedValue.Compare(FieldManager.ZeroObject(resource), created, FieldManager.SchemaOf(resource), ignored).Changed.Difference(FieldManager.StripSet);
        if (owned.IsEmpty)
        {
            return "(none)";
        }

        var buffer = new ArrayBufferWriter<byte>();
        owned.WriteFieldsV1(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Written(ResourceDefinition resource, JsonObject created)
    {
        using var fields = new PooledBufferWriter(16);
        return CreatedFieldsWriter.Write(FieldManager.ZeroObject(resource), created, FieldManager.SchemaOf(resource), FieldManager.ResetFields(resource, ""), FieldManager.StripSet, fields)
            ? Encoding.UTF8.GetString(fields.WrittenSpan)
            : "(none)";
    }

    [Test]
    public void Write_PodAsClientsSendIt_MatchesTheComparison()
    {
        var pods = Resources.Single(r => r.Plural == "pods" && r.Group.Length == 0);
        var pod = (JsonObject)JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"default","labels":{"tier":"frontend","app":"web"},"annotations":{"example.com/a":"1"},"creationTimestamp":null},
            "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"nginx","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"containerPort":9090}],
            "env":[{"name":"B","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},{"name":"A","value":"1"}],"resources":{"requests":{"cpu":"100m"}}},
            {"name":"sidecar","image":"busybox"}],"volumes":[{"name":"tmp","emptyDir":{}}]},"status":{"phase":"Pending"}}
            """)!.AsObject();

        var written = Written(pods, pod);

        Assert.That(written, Does.StartWith("""{"f:metadata":{"f:annotations":{".":{},"f:example.com/a":{}},"f:labels":{".":{},"f:app":{},"f:tier":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"""));
        Assert.That(written, Does.Not.Contain("f:status").And.Not.Contain("f:name\":{},\"f:namespace"));
        Assert.That(written, Is.EqualTo(ByComparison(pods, pod)));
    }

    [TestCase("""[{"containerPort":80,"protocol":"TCP"},{"containerPort":80.0,"protocol":"TCP"},{"containerPort":80}]""", TestName = "Write_PortKeysOfDifferentSpellings_MatchesTheComparison")]
    [TestCase("""[{"containerPort":-0},{"containerPort":0,"protocol":"TCP"},{"containerPort":1e2},{"containerPort":100}]""", TestName = "Write_ZeroAndExponentKeys_MatchesTheComparison")]
    [TestCase("""[{"containerPort":9090,"protocol":"UDP"},{"containerPort":8080},{"containerPort":9090,"protocol":"TCP"},{"containerPort":8080,"protocol":"TCP","name":"again"}]""", TestName = "Write_UnsortedAndDuplicateKeys_MatchesTheComparison")]
    [TestCase("""[{"containerPort":80,"protocol":"A"},{"containerPort":80,"protocol":"B"},{"containerPort":81,"protocol":"A"}]""", TestName = "Write_AlreadySortedKeys_MatchesTheComparison")]
    [TestCase("""[{"containerPort":"80","protocol":"TCP"},{"containerPort":true},{"containerPort":null},{"containerPort":{"a":1}},{"name":"keyless"},"scalar",null]""", TestName = "Write_KeysOfOtherKinds_MatchesTheComparison")]
    [TestCase("""[{"containerPort":80,"protocol":"x\"y"},{"containerPort":80,"protocol":"a\\b"},{"containerPort":80,"protocol":"\u0041"},{"containerPort":80,"protocol":"A"},{"containerPort":80,"protocol":"é"}]""", TestName = "Write_KeysThatNeedEscaping_MatchesTheComparison")]
    public void Write_ContainerPorts_MatchesTheComparison(string ports)
    {
        var pods = Resources.Single(r => r.Plural == "pods" && r.Group.Length == 0);
        var pod = (JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"app","ports":""" + ports + "}]}}")!;

        var written = Written(pods, pod);

        Assert.That(written, Does.Contain("f:ports"));
        Assert.That(written, Is.EqualTo(ByComparison(pods, pod)));
    }

    [Test]
    public void Write_LongListWithLongKeys_MatchesTheComparison()
    {
        // More items and key text than the writer keeps on the stack: its pooled arrays.
        var pods = Resources.Single(r => r.Plural == "pods" && r.Group.Length == 0);
        var env = new JsonArray();
        for (var i = 40; i > 0; i--)
        {
            env.Add(new JsonObject { ["name"] = "VARIABLE_WITH_A_LONG_NAME_" + (i % 37).ToString(System.Globalization.CultureInfo.InvariantCulture), ["value"] = "v" });
        }

        var pod = (JsonObject)JsonNode.Parse(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "p" },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["env"] = env }) },
        }.ToJsonString())!;

        var written = Written(pods, pod);

        Assert.That(written, Does.Contain("VARIABLE_WITH_A_LONG_NAME_36"));
        Assert.That(written, Is.EqualTo(ByComparison(pods, pod)));
    }

    [TestCase("""["b","a","b","c"]""", TestName = "Write_UnsortedSetWithDuplicates_MatchesTheComparison")]
    [TestCase("""["a","b","c"]""", TestName = "Write_SortedSet_MatchesTheComparison")]
    [TestCase("""["x\"y","é","a",1,80.0,true,null,{"a":1},["b"]]""", TestName = "Write_SetOfMixedScalars_MatchesTheComparison")]
    public void Write_Finalizers_MatchesTheComparison(string finalizers)
    {
        var configMaps = Resources.Single(r => r.Plural == "configmaps" && r.Group.Length == 0);
        var created = (JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":""" + finalizers + "}}")!;

        var written = Written(configMaps, created);

        Assert.That(written, Does.Contain("f:finalizers"));
        Assert.That(written, Is.EqualTo(ByComparison(configMaps, created)));
    }

    [Test]
    public void Write_NothingOwned_WritesNothing()
    {
        var configMaps = Resources.Single(r => r.Plural == "configmaps" && r.Group.Length == 0);
        var created = (JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}}""")!;

        Assert.That(Written(configMaps, created), Is.EqualTo("(none)"));
        Assert.That(ByComparison(configMaps, created), Is.EqualTo("(none)"));
    }

    [Test]
    public void Write_GeneratedObjectsOfEveryKind_MatchTheComparison()
    {
        var random = new Random(20261128);
        var compared = 0;
        foreach (var resource in Resources)
        {
            var schema = FieldManager.SchemaOf(resource);
            for (var i = 0; i < 60; i++)
            {
                var created = new Generator(random).Object(resource, schema);
                var expected = ByComparison(resource, created);
                var written = Written(resource, created);
                Assert.That(written, Is.EqualTo(expected), $"{resource.Kind}: {created.ToJsonString()}");

                // As the server holds a request: values read from the parsed bytes, not built.
                var parsed = (JsonObject)JsonNode.Parse(created.ToJsonString())!;
                Assert.That(Written(resource, parsed), Is.EqualTo(ByComparison(resource, parsed)), $"{resource.Kind} parsed: {created.ToJsonString()}");
                compared++;
            }
        }

        Assert.That(compared, Is.GreaterThan(1000));
    }

    /// <summary>Random objects that follow a schema, mostly: sometimes a value of the wrong shape, a null, a duplicate or keyless list item.</summary>
    private sealed class Generator(Random random)
    {
        private static readonly string[] Words = ["a", "app", "b", "name", "web", "z", "é", "x\"y", "kubernetes.io/x", "a\\b", "tab\t"];

        private static readonly string[] NumberSpellings = ["80", "80.0", "8e1", "-0", "0", "1", "1.5"];

        public JsonObject Object(ResourceDefinition resource, MergeSchema schema)
        {
            var obj = Value(schema, depth: 0) as JsonObject ?? [];
            obj["apiVersion"] = resource.GroupVersion;
            obj["kind"] = resource.Kind;
            var metadata = obj["metadata"] as JsonObject ?? [];
            obj.Remove("metadata");
            metadata.Remove("managedFields");
            metadata["name"] = "n";
            if (random.Next(3) == 0)
            {
                metadata["creationTimestamp"] = random.Next(2) == 0 ? null : "2026-11-28T00:00:00Z";
            }

            obj["metadata"] = metadata;
            return Shuffled(obj);
        }

        private JsonObject Shuffled(JsonObject obj)
        {
            var pairs = obj.ToList();
            obj.Clear();
            var result = new JsonObject();
            foreach (var (key, value) in pairs.OrderBy(_ => random.Next()))
            {
                result[key] = value;
            }

            return result;
        }

        private JsonNode? Value(MergeSchema schema, int depth)
        {
            var roll = random.Next(100);
            if (roll < 3)
            {
                return null;
            }

            if (roll < 6)
            {
                return Scalar();
            }

            if (roll < 8 && depth > 0)
            {
                return new JsonObject();
            }

            switch (schema.Kind)
            {
                case MergeKind.Struct when depth < 6:
                    {
                        var obj = new JsonObject();
                        var fields = schema.Fields!.Keys.ToArray();
                        var count = depth == 0 ? Math.Min(fields.Length, 6) : random.Next(Math.Min(fields.Length, 4) + 1);
                        foreach (var name in fields.OrderBy(_ => random.Next()).Take(count))
                        {
                            obj[name] = Value(schema.Fields[name], depth + 1);
                        }

                        if (random.Next(10) == 0)
                        {
                            obj["unknownField"] = Scalar();
                        }

                        return obj;
                    }

                case MergeKind.Map when depth < 6:
                    {
                        var obj = new JsonObject();
                        foreach (var key in Words.OrderBy(_ => random.Next()).Take(random.Next(4)))
                        {
                            obj[key] = Value(schema.Element ?? MergeSchema.Untyped, depth + 1);
                        }

                        return obj;
                    }

                case MergeKind.List when depth < 6:
                    {
                        var list = new JsonArray();
                        var count = random.Next(4);
                        for (var i = 0; i < count; i++)
                        {
                            var item = Value(schema.Element ?? MergeSchema.Untyped, depth + 1);
                            if (schema.Keys is { Length: > 0 } keys && item is JsonObject keyed)
                            {
                                foreach (var key in keys)
                                {
                                    if (random.Next(12) > 0)
                                    {
                                        keyed[key] = KeyValue();
                                    }
                                }
                            }

                            list.Add(item);
                            if (random.Next(8) == 0)
                            {
                                list.Add(item?.DeepClone());
                            }
                        }

                        if (random.Next(3) == 0)
                        {
                            // Items already in FieldsV1 order, as sorted lists come back from a server.
                            var items = list.ToList();
                            list.Clear();
                            foreach (var item in items.OrderBy(SortKey, StringComparer.Ordinal))
                            {
                                list.Add(item);
                            }
                        }

                        return list;
                    }

                case MergeKind.Untyped when depth < 4:
                    return random.Next(3) switch
                    {
                        0 => new JsonObject { [Words[random.Next(Words.Length)]] = Value(MergeSchema.Untyped, depth + 1) },
                        1 => new JsonArray(Scalar(), Scalar()),
                        _ => Scalar(),
                    };

                default:
                    return Scalar();
            }
        }

        // A key value: mostly short words (few enough to repeat), sometimes a number of one of
        // several spellings (parsed, so 80 and 80.0 differ as text), a boolean, null or a word
        // that needs escaping.
        private JsonNode? KeyValue() => random.Next(10) switch
        {
            0 => JsonValue.Create(random.Next(3)),
            1 => JsonNode.Parse(NumberSpellings[random.Next(NumberSpellings.Length)]),
            2 => random.Next(3) == 0 ? null : JsonValue.Create(random.Next(2) == 0),
            3 => JsonValue.Create(Words[random.Next(Words.Length)]),
            _ => JsonValue.Create(Words[random.Next(3)]),
        };

        private static string SortKey(JsonNode? item) => item is JsonObject obj ? string.Join(",", obj.Select(p => p.Value?.ToJsonString())) : item?.ToJsonString() ?? "";

        private JsonNode? Scalar() => random.Next(5) switch
        {
            0 => JsonValue.Create(random.Next(3)),
            1 => JsonValue.Create(random.Next(2) == 0),
            2 => null,
            _ => JsonValue.Create(Words[random.Next(Words.Length)]),
        };
    }
}
