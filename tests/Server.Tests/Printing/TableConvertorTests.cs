using System.Text;
using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Printing;
using static Nautilus.Server.Tests.Printing.TableTestKit;

namespace Nautilus.Server.Tests.Printing;

/// <summary>The Table documents themselves: shape, list metadata, includeObject, watch events, column definitions.</summary>
public sealed class TableConvertorTests
{
    private static readonly ResourceDefinition Pods = Resource("", "Pod");
    private static readonly TableConvertor Convertor = new(new ManualTimeProvider(Now));

    private static byte[] Pod(string name, string resourceVersion = "11") => Encoding.UTF8.GetBytes(
        $$$$"""{"kind":"Pod","apiVersion":"v1","metadata":{"name":"{{{{name}}}}","namespace":"default","uid":"u-{{{{name}}}}","resourceVersion":"{{{{resourceVersion}}}}","creationTimestamp":"{{{{Ago(TimeSpan.FromSeconds(5))}}}}","labels":{"app":"web"},"managedFields":[{"manager":"kubectl","operation":"Update"}]},"spec":{"containers":[{"name":"c","image":"nginx"}],"nodeName":"node-1"},"status":{"phase":"Running","podIPs":[{"ip":"10.0.0.9"}],"containerStatuses":[{"name":"c","ready":true,"restartCount":0,"state":{"running":{}}}]}}""");

    [Test]
    public void ListTable_HasKubernetesShapeAndListMetadata()
    {
        byte[] bytes;
        using (var written = Convertor.ListTable(Pods, [Pod("a"), Pod("b")], "42", "next-page", 5, IncludeObjectPolicy.Metadata, "meta.k8s.io/v1"))
        {
            bytes = written.WrittenSpan.ToArray();
        }

        var table = Parse(bytes);

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(bytes), Does.StartWith("""{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"42","continue":"next-page","remainingItemCount":5},"columnDefinitions":[{"name":"Name","type":"string","format":"name","description":"Name must be unique"""));
            Assert.That(table.Select(p => p.Key), Is.EqualTo(new[] { "kind", "apiVersion", "metadata", "columnDefinitions", "rows" }));
            Assert.That(table["rows"]!.AsArray(), Has.Count.EqualTo(2));
            Assert.That(table["rows"]![1]!["cells"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "b", "1/1", "Running", "0", "5s", "10.0.0.9", "node-1", "<none>", "<none>" }));
            Assert.That(table["rows"]![0]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "cells", "object" }));
        });
    }

    [Test]
    public void ListTable_EmptyListMetadataMembers_AreOmitted()
    {
        var table = Parse(Convertor.ListTable(Pods, [], "", null, null, IncludeObjectPolicy.Metadata, "meta.k8s.io/v1"));

        Assert.Multiple(() =>
        {
            Assert.That(table["metadata"]!.ToJsonString(), Is.EqualTo("{}"));
            Assert.That(table["rows"]!.ToJsonString(), Is.EqualTo("[]"));
        });
    }

    [TestCase("meta.k8s.io/v1")]
    [TestCase("meta.k8s.io/v1beta1")]
    public void IncludeMetadata_RowObjectIsPartialObjectMetadataOfTheTableVersion(string tableApiVersion)
    {
        var pod = Pod("a");
        var table = Parse(Convertor.ListTable(Pods, [pod], "42", null, null, IncludeObjectPolicy.Metadata, tableApiVersion));

        var expected = new JsonObject
        {
            ["kind"] = "PartialObjectMetadata",
            ["apiVersion"] = tableApiVersion,
            ["metadata"] = JsonNode.Parse(pod)!["metadata"]!.DeepClone(),
        };
        Assert.Multiple(() =>
        {
            Assert.That(table["apiVersion"]!.GetValue<string>(), Is.EqualTo(tableApiVersion));
            Assert.That(JsonNode.DeepEquals(table["rows"]![0]!["object"], expected), Is.True, table["rows"]![0]!["object"]!.ToJsonString());
        });
    }

    [Test]
    public void IncludeObject_RowObjectIsTheWholeObject()
    {
        var pod = Pod("a");
        var table = Parse(Convertor.ListTable(Pods, [pod], "42", null, null, IncludeObjectPolicy.Object, "meta.k8s.io/v1"));

        Assert.That(JsonNode.DeepEquals(table["rows"]![0]!["object"], JsonNode.Parse(pod)), Is.True);
    }

    [Test]
    public void IncludeNone_RowObjectIsNull()
    {
        var row = Parse(Convertor.ListTable(Pods, [Pod("a")], "42", null, null, IncludeObjectPolicy.None, "meta.k8s.io/v1"))["rows"]![0]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(row.ContainsKey("object"), Is.True);
            Assert.That(row["object"], Is.Null);
        });
    }

    [Test]
    public void ObjectTable_OneRowWithTheObjectsResourceVersion()
    {
        var table = Parse(Convertor.ObjectTable(Pods, Pod("a", resourceVersion: "99"), IncludeObjectPolicy.Metadata, "meta.k8s.io/v1"));

        Assert.Multiple(() =>
        {
            Assert.That(table["metadata"]!.ToJsonString(), Is.EqualTo("""{"resourceVersion":"99"}"""));
            Assert.That(table["columnDefinitions"]!.AsArray(), Has.Count.EqualTo(9));
            Assert.That(table["rows"]!.AsArray(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void WatchEventTable_ColumnDefinitionsOnlyWhenAsked()
    {
        var first = Parse(Convertor.WatchEventTable(Pods, Pod("a"), IncludeObjectPolicy.Metadata, "meta.k8s.io/v1", includeColumnDefinitions: true));
        var later = Parse(Convertor.WatchEventTable(Pods, Pod("a"), IncludeObjectPolicy.Metadata, "meta.k8s.io/v1", includeColumnDefinitions: false));

        Assert.Multiple(() =>
        {
            Assert.That(first["columnDefinitions"]!.AsArray(), Has.Count.EqualTo(9));
            Assert.That(later.ContainsKey("columnDefinitions"), Is.True);
            Assert.That(later["columnDefinitions"], Is.Null);
            Assert.That(later["rows"]![0]!["cells"]![0]!.GetValue<string>(), Is.EqualTo("a"));
        });
    }

    [Test]
    public void Age_FollowsTheClock()
    {
        var clock = new ManualTimeProvider(Now);
        var convertor = new TableConvertor(clock);
        clock.Now = Now + TimeSpan.FromDays(3) + TimeSpan.FromHours(4);

        var cells = Parse(convertor.ObjectTable(Pods, Pod("a"), IncludeObjectPolicy.None, "meta.k8s.io/v1"))["rows"]![0]!["cells"]!;

        Assert.That(cells[4]!.GetValue<string>(), Is.EqualTo("3d4h"));
    }

    [Test]
    public void ListRows_PrintTheirAgesAsOfEachRequest()
    {
        // One stored object listed again and again: its row is rendered once, its AGE each time.
        var clock = new ManualTimeProvider(Now + TimeSpan.FromSeconds(5));
        var convertor = new TableConvertor(clock);
        var pod = Pod("a"); // created 5 s before Now
        string Age() => Parse(convertor.ListTable(Pods, [pod], "7", null, null, IncludeObjectPolicy.Metadata, "meta.k8s.io/v1"))["rows"]![0]!["cells"]![4]!.GetValue<string>();

        var ages = new List<string> { Age() };
        clock.Now += TimeSpan.FromMilliseconds(400);
        ages.Add(Age());
        clock.Now += TimeSpan.FromSeconds(1);
        ages.Add(Age());
        clock.Now = Now + TimeSpan.FromMinutes(42) + TimeSpan.FromSeconds(54);
        ages.Add(Age());
        clock.Now += TimeSpan.FromSeconds(1);
        ages.Add(Age());
        clock.Now = Now + TimeSpan.FromSeconds(3);
        ages.Add(Age());

        Assert.That(ages, Is.EqualTo(new[] { "10s", "10s", "11s", "42m", "43m", "8s" }));
    }

    [Test]
    public void ListRows_CarryTheObjectsMetadata()
    {
        var convertor = new TableConvertor(new ManualTimeProvider(Now));
        var pod = Pod("a");
        var first = Parse(convertor.ListTable(Pods, [pod], "7", null, null, IncludeObjectPolicy.Metadata, "meta.k8s.io/v1"));
        var again = Parse(convertor.ListTable(Pods, [pod], "7", null, null, IncludeObjectPolicy.Metadata, "meta.k8s.io/v1beta1"));
        var expected = JsonNode.Parse(pod)!["metadata"]!.ToJsonString();

        Assert.Multiple(() =>
        {
            Assert.That(first["rows"]![0]!["object"]!["metadata"]!.ToJsonString(), Is.EqualTo(expected));
            Assert.That(again["rows"]![0]!["object"]!["metadata"]!.ToJsonString(), Is.EqualTo(expected));
            Assert.That(again["rows"]![0]!["object"]!["apiVersion"]!.GetValue<string>(), Is.EqualTo("meta.k8s.io/v1beta1"));
        });
    }

    private static IEnumerable<TestCaseData> ColumnCases()
    {
        (string Group, string Kind, string Columns)[] cases =
        [
            ("", "Pod", "Name:string:name:0 Ready:string::0 Status:string::0 Restarts:string::0 Age:string::0 IP:string::1 Node:string::1 Nominated Node:string::1 Readiness Gates:string::1"),
            ("", "Node", "Name:string:name:0 Status:string::0 Roles:string::0 Age:string::0 Version:string::0 Internal-IP:string::1 External-IP:string::1 OS-Image:string::1 Kernel-Version:string::1 Container-Runtime:string::1"),
            ("", "Namespace", "Name:string:name:0 Status:string::0 Age:string::0"),
            ("", "Service", "Name:string:name:0 Type:string::0 Cluster-IP:string::0 External-IP:string::0 Port(s):string::0 Age:string::0 Selector:string::1"),
            ("", "Endpoints", "Name:string:name:0 Endpoints:string::0 Age:string::0"),
            ("", "ConfigMap", "Name:string:name:0 Data:string::0 Age:string::0"),
            ("", "Secret", "Name:string:name:0 Type:string::0 Data:string::0 Age:string::0"),
            ("", "ServiceAccount", "Name:string:name:0 Secrets:string::0 Age:string::0"),
            ("", "Event", "Last Seen:string::0 Type:string::0 Reason:string::0 Object:string::0 Subobject:string::1 Source:string::1 Message:string::0 First Seen:string::1 Count:string::1 Name:string:name:1"),
            ("events.k8s.io", "Event", "Last Seen:string::0 Type:string::0 Reason:string::0 Object:string::0 Subobject:string::1 Source:string::1 Message:string::0 First Seen:string::1 Count:string::1 Name:string:name:1"),
            ("", "PersistentVolume", "Name:string:name:0 Capacity:string::0 Access Modes:string::0 Reclaim Policy:string::0 Status:string::0 Claim:string::0 StorageClass:string::0 VolumeAttributesClass:string::0 Reason:string::0 Age:string::0 VolumeMode:string::1"),
            ("", "PersistentVolumeClaim", "Name:string:name:0 Status:string::0 Volume:string::0 Capacity:string::0 Access Modes:string::0 StorageClass:string::0 VolumeAttributesClass:string::0 Age:string::0 VolumeMode:string::1"),
            ("apps", "Deployment", "Name:string:name:0 Ready:string::0 Up-to-date:string::0 Available:string::0 Age:string::0 Containers:string::1 Images:string::1 Selector:string::1"),
            ("apps", "ReplicaSet", "Name:string:name:0 Desired:integer::0 Current:integer::0 Ready:integer::0 Age:string::0 Containers:string::1 Images:string::1 Selector:string::1"),
            ("coordination.k8s.io", "Lease", "Name:string:name:0 Holder:string::0 Age:string::0"),
            ("scheduling.k8s.io", "PriorityClass", "Name:string:name:0 Value:integer::0 Global-Default:boolean::0 Age:string::0 PreemptionPolicy:string::0"),
            ("discovery.k8s.io", "EndpointSlice", "Name:string:name:0 AddressType:string::0 Ports:string::0 Endpoints:string::0 Age:string::0"),
        ];
        return cases.Select(c => new TestCaseData(c.Group, c.Kind).Returns(c.Columns).SetArgDisplayNames((c.Group.Length == 0 ? "core" : c.Group) + "/" + c.Kind));
    }

    [TestCaseSource(nameof(ColumnCases))]
    public string ColumnDefinitions_AreKubernetesPrinters(string group, string kind)
    {
        var table = Parse(Convertor.ListTable(Resource(group, kind), [], "1", null, null, IncludeObjectPolicy.None, "meta.k8s.io/v1"));
        return string.Join(' ', table["columnDefinitions"]!.AsArray().Select(c =>
            $"{c!["name"]}:{c["type"]}:{c["format"]}:{c["priority"]}"));
    }

    [Test]
    public void ColumnDefinitions_CarryTheObjectMetaDescriptions()
    {
        var columns = Parse(Convertor.ListTable(Pods, [], "1", null, null, IncludeObjectPolicy.None, "meta.k8s.io/v1"))["columnDefinitions"]!.AsArray();

        Assert.Multiple(() =>
        {
            Assert.That(columns[0]!["description"]!.GetValue<string>(), Does.StartWith("Name must be unique within a namespace.").And.EndWith("names#names"));
            Assert.That(columns[4]!["description"]!.GetValue<string>(), Does.Contain("in UTC.\n\nPopulated by the system."));
        });
    }

    [Test]
    public void KindWithoutPrinter_GetsTheDefaultNameAndCreatedAtTable()
    {
        var widgets = new ResourceDefinition { Group = "example.com", Version = "v1", Kind = "Widget", Plural = "widgets", Singular = "widget", Namespaced = true };
        var widget = Encoding.UTF8.GetBytes("""{"kind":"Widget","apiVersion":"example.com/v1","metadata":{"name":"w1","creationTimestamp":"2025-03-01T11:00:00Z"}}""");

        var table = Parse(Convertor.ListTable(widgets, [widget], "3", null, null, IncludeObjectPolicy.None, "meta.k8s.io/v1"));
        var empty = Parse(Convertor.ListTable(widgets, [], "3", null, null, IncludeObjectPolicy.None, "meta.k8s.io/v1"));

        Assert.Multiple(() =>
        {
            Assert.That(table["columnDefinitions"]!.AsArray().Select(c => $"{c!["name"]}:{c["type"]}:{c["format"]}"), Is.EqualTo(new[] { "Name:string:name", "Created At:date:" }));
            Assert.That(table["rows"]![0]!["cells"]!.ToJsonString(), Is.EqualTo("""["w1","2025-03-01T11:00:00Z"]"""));
            Assert.That(empty.ContainsKey("rows") && empty["rows"] is null, Is.True, "rest.defaultTableConvertor leaves rows nil for an empty list");
        });
    }

    [Test]
    public void ListTable_TenThousandPods_OneRowEach()
    {
        var pods = Enumerable.Range(0, 10_000).Select(i => Pod("pod-" + i)).ToArray();

        var table = Parse(Convertor.ListTable(Pods, pods, "10001", null, null, IncludeObjectPolicy.Metadata, "meta.k8s.io/v1"));

        var rows = table["rows"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(rows, Has.Count.EqualTo(10_000));
            Assert.That(rows[9_999]!["cells"]![0]!.GetValue<string>(), Is.EqualTo("pod-9999"));
            Assert.That(rows[9_999]!["object"]!["metadata"]!["uid"]!.GetValue<string>(), Is.EqualTo("u-pod-9999"));
        });
    }
}
