using System.Text;
using System.Text.Json;
using static Nautilus.Store.Tests.TestSupport;

namespace Nautilus.Store.Tests;

public sealed class EmbeddedStoreTests
{
    private EmbeddedStore _store = null!;

    [SetUp]
    public void SetUp() => _store = new EmbeddedStore();

    [TearDown]
    public async Task TearDown() => await _store.DisposeAsync();

    [Test]
    public async Task Writes_RevisionsStrictlyIncreaseAcrossTypes_AndAreStampedInJson()
    {
        // Arrange
        var seen = new List<long> { _store.CurrentRevision };

        // Act
        var a = await _store.CreateAsync(Pods, Pod("ns", "a"));
        seen.Add(a.ResourceVersion);
        var d = await _store.CreateAsync(Deployments, Pod("ns", "d"));
        seen.Add(d.ResourceVersion);
        var a2 = await _store.GuaranteedUpdateAsync(Pods, a.Key, (cur, _) => ValueTask.FromResult(Pod("ns", "a", extra: "v2")));
        seen.Add(a2.ResourceVersion);
        var gone = await _store.DeleteAsync(Deployments, d.Key);
        seen.Add(gone.ResourceVersion);

        // Assert
        Assert.That(seen, Is.Ordered.Ascending.And.Unique);
        Assert.That(_store.CurrentRevision, Is.EqualTo(gone.ResourceVersion));
        Assert.That(ResourceVersionInJson(a2), Is.EqualTo(a2.ResourceVersion.ToString()));
        Assert.That(ResourceVersionInJson(gone), Is.EqualTo(gone.ResourceVersion.ToString()));
        var fetched = await _store.GetAsync(Pods, a.Key);
        Assert.That(fetched, Is.SameAs(a2));
        Assert.That(await _store.GetAsync(Deployments, d.Key), Is.Null);
        Assert.That(_store.Count(Pods), Is.EqualTo(1));
    }

    [Test]
    public async Task List_NamespacesThatPrefixEachOther_ReturnsEtcdKeyOrderAndKeepsNamespacesApart()
    {
        // etcd orders "a-x/p" before "a/p" ('-' < '/'), and "a/p" before "a0/p".
        await _store.CreateAsync(Pods, Pod("a0", "p"));
        await _store.CreateAsync(Pods, Pod("a", "p"));
        await _store.CreateAsync(Pods, Pod("a-x", "p"));

        var all = await _store.ListAsync(Pods, new ListOptions());
        var inA = await _store.ListAsync(Pods, new ListOptions { Namespace = "a" });

        Assert.That(all.Items.Select(o => o.Key.ToString()), Is.EqualTo(new[] { "a-x/p", "a/p", "a0/p" }));
        Assert.That(inA.Items.Select(o => o.Key.ToString()), Is.EqualTo(new[] { "a/p" }));
    }

    [Test]
    public async Task Create_ExistingKey_ThrowsKeyExists()
    {
        // Arrange
        await _store.CreateAsync(Pods, Pod("ns", "a"));

        // Act
        var error = Assert.ThrowsAsync<StorageException>(async () => await _store.CreateAsync(Pods, Pod("ns", "a")));

        // Assert
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.KeyExists));
    }

    [Test]
    public async Task Delete_UidPreconditionMismatch_ThrowsConflictWithKubeMessage()
    {
        // Arrange
        var pod = await _store.CreateAsync(Pods, Pod("ns", "a", uid: "u1"));

        // Act
        var error = Assert.ThrowsAsync<StorageException>(async () => await _store.DeleteAsync(Pods, pod.Key, new Preconditions(Uid: "u2")));

        // Assert
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.Conflict));
        Assert.That(error.Message, Is.EqualTo("Precondition failed: UID in precondition: u2, UID in object meta: u1"));
        Assert.That(await _store.GetAsync(Pods, pod.Key), Is.Not.Null);
    }

    [Test]
    public async Task Delete_ResourceVersionPreconditionMismatch_ThrowsConflict_AndMatchingOneDeletes()
    {
        // Arrange
        var pod = await _store.CreateAsync(Pods, Pod("ns", "a"));

        // Act
        var error = Assert.ThrowsAsync<StorageException>(async () => await _store.DeleteAsync(Pods, pod.Key, new Preconditions(ResourceVersion: pod.ResourceVersion - 1)));
        var deleted = await _store.DeleteAsync(Pods, pod.Key, new Preconditions(pod.Uid, pod.ResourceVersion));

        // Assert
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.Conflict));
        Assert.That(error.Message, Does.StartWith("Precondition failed: ResourceVersion in precondition: "));
        Assert.That(deleted.ResourceVersion, Is.GreaterThan(pod.ResourceVersion));
        Assert.That(await _store.GetAsync(Pods, pod.Key), Is.Null);
    }

    [Test]
    public void Delete_Missing_ThrowsKeyNotFound()
    {
        var error = Assert.ThrowsAsync<StorageException>(async () => await _store.DeleteAsync(Pods, new ObjectKey("ns", "none")));
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.KeyNotFound));
    }

    [Test]
    public async Task GuaranteedUpdate_ParallelIncrements_AllLandAfterRetries()
    {
        // Arrange
        const int writers = 32;
        var key = new ObjectKey("ns", "counter");
        await _store.CreateAsync(Pods, Pod("ns", "counter", Labels("count=0")));
        var attempts = 0;
        using var start = new ManualResetEventSlim();

        // Act
        var tasks = new Task[writers];
        for (var i = 0; i < writers; i++)
        {
            tasks[i] = Task.Run(async () =>
            {
                start.Wait();
                await _store.GuaranteedUpdateAsync(Pods, key, async (current, ct) =>
                {
                    Interlocked.Increment(ref attempts);
                    var next = int.Parse(current!.Labels["count"]) + 1;
                    await Task.Yield(); // widen the window between read and commit
                    return Pod("ns", "counter", Labels("count=" + next));
                });
            });
        }

        start.Set();
        await Task.WhenAll(tasks);

        // Assert
        var final = await _store.GetAsync(Pods, key);
        Assert.That(final!.Labels["count"], Is.EqualTo(writers.ToString()));
        Assert.That(attempts, Is.GreaterThanOrEqualTo(writers));
    }

    [Test]
    public async Task GuaranteedUpdate_SameInstanceOrSameBytes_WritesNothing()
    {
        // Arrange
        var pod = await _store.CreateAsync(Pods, Pod("ns", "a"));
        var revision = _store.CurrentRevision;

        // Act
        var same = await _store.GuaranteedUpdateAsync(Pods, pod.Key, (cur, _) => ValueTask.FromResult(cur!));
        var equal = await _store.GuaranteedUpdateAsync(Pods, pod.Key, (cur, _) => ValueTask.FromResult(Pod("ns", "a")));

        // Assert
        Assert.That(same, Is.SameAs(pod));
        Assert.That(equal, Is.SameAs(pod));
        Assert.That(_store.CurrentRevision, Is.EqualTo(revision));
    }

    [Test]
    public async Task GuaranteedUpdate_IgnoreNotFound_CreatesFromNull()
    {
        // Act
        StoredObject? seen = Pod("x", "x");
        var created = await _store.GuaranteedUpdateAsync(Pods, new ObjectKey("ns", "new"), (cur, _) =>
        {
            seen = cur;
            return ValueTask.FromResult(Pod("ns", "new"));
        }, ignoreNotFound: true);

        // Assert
        Assert.That(seen, Is.Null);
        Assert.That(created.ResourceVersion, Is.EqualTo(_store.CurrentRevision));
        Assert.That(await _store.GetAsync(Pods, created.Key), Is.SameAs(created));
    }

    [Test]
    public async Task GuaranteedUpdate_StaleResourceVersionPrecondition_ThrowsConflict()
    {
        // Arrange
        var pod = await _store.CreateAsync(Pods, Pod("ns", "a"));
        await _store.GuaranteedUpdateAsync(Pods, pod.Key, (_, _) => ValueTask.FromResult(Pod("ns", "a", extra: "1")));

        // Act
        var error = Assert.ThrowsAsync<StorageException>(async () =>
            await _store.GuaranteedUpdateAsync(Pods, pod.Key, (_, _) => ValueTask.FromResult(Pod("ns", "a", extra: "2")), new Preconditions(ResourceVersion: pod.ResourceVersion)));

        // Assert
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.Conflict));
    }

    [Test]
    public void GuaranteedUpdate_Missing_ThrowsKeyNotFound()
    {
        var error = Assert.ThrowsAsync<StorageException>(async () =>
            await _store.GuaranteedUpdateAsync(Pods, new ObjectKey("ns", "none"), (_, _) => ValueTask.FromResult(Pod("ns", "none"))));
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.KeyNotFound));
    }

    private async Task<List<StoredObject>> SeedAsync()
    {
        var all = new List<StoredObject>();
        for (var i = 0; i < 400; i++)
        {
            var labels = Labels("app=" + "abc"[i % 3], "tier=" + (i % 5 == 0 ? "web" : "db"));
            if (i % 7 == 0)
            {
                labels["canary"] = "true";
            }

            var node = i % 4 == 0 ? "" : "node-" + (i % 10);
            all.Add(await _store.CreateAsync(Pods, Pod("ns-" + (i % 5), "pod-" + i.ToString("D3"), labels, node)));
        }

        return all;
    }

    private static IEnumerable<TestCaseData> ListCases()
    {
        yield return new TestCaseData(null, "", "").SetName("List_All");
        yield return new TestCaseData("ns-2", "", "").SetName("List_Namespace");
        yield return new TestCaseData("ns-9", "", "").SetName("List_EmptyNamespace");
        yield return new TestCaseData(null, "app=a", "").SetName("List_LabelEquals");
        yield return new TestCaseData("ns-1", "app in (a,c),tier=web", "").SetName("List_NamespaceLabelIn");
        yield return new TestCaseData(null, "canary,app!=b", "").SetName("List_LabelExistsNotEquals");
        yield return new TestCaseData(null, "!canary", "").SetName("List_LabelDoesNotExist");
        yield return new TestCaseData(null, "", "spec.nodeName=node-3").SetName("List_FieldIndexed");
        yield return new TestCaseData(null, "", "spec.nodeName=").SetName("List_FieldUnscheduled");
        yield return new TestCaseData("ns-3", "tier=db", "spec.nodeName!=node-3").SetName("List_FieldNotEquals");
        yield return new TestCaseData(null, "", "metadata.namespace=ns-4,metadata.name=pod-004").SetName("List_FieldNameAndNamespace");
        yield return new TestCaseData("ns-0", "", "metadata.namespace=ns-1").SetName("List_ConflictingNamespaces");
    }

    [TestCaseSource(nameof(ListCases))]
    public async Task List_WithSelectors_AgreesWithFullScan(string? ns, string labels, string fields)
    {
        // Arrange
        var all = await SeedAsync();
        var labelSelector = LabelSelector.Parse(labels);
        var fieldSelector = FieldSelector.Parse(fields);
        var expected = new List<ObjectKey>();
        foreach (var obj in all)
        {
            if ((ns is null || obj.Namespace == ns) && labelSelector.Matches(obj.Labels) && fieldSelector.Matches(obj))
            {
                expected.Add(obj.Key);
            }
        }

        expected.Sort();

        // Act
        var result = await _store.ListAsync(Pods, new ListOptions { Namespace = ns, Labels = labelSelector, Fields = fieldSelector });

        // Assert
        var keys = new List<ObjectKey>();
        foreach (var item in result.Items)
        {
            keys.Add(item.Key);
        }

        Assert.That(keys, Is.EqualTo(expected));
        Assert.That(result.ResourceVersion, Is.EqualTo(_store.CurrentRevision));
        Assert.That(result.Continue, Is.Null);
    }

    [Test]
    public async Task List_Pagination_WithWritesBetweenPages_ReturnsTheFirstPagesSnapshot()
    {
        // Arrange
        await SeedAsync();
        var before = await _store.ListAsync(Pods, new ListOptions { Namespace = "ns-1" });

        // Act
        var pages = new List<StoredObject>();
        var page = await _store.ListAsync(Pods, new ListOptions { Namespace = "ns-1", Limit = 7 });
        var firstRevision = page.ResourceVersion;
        pages.AddRange(page.Items);
        var round = 0;
        while (page.Continue is not null)
        {
            // Churn between pages: delete one not yet listed, add one, update one not yet listed.
            var last = page.Items[^1];
            var later = await _store.ListAsync(Pods, new ListOptions { Namespace = "ns-1" });
            foreach (var obj in later.Items)
            {
                if (obj.Key.CompareTo(last.Key) > 0)
                {
                    if (round % 2 == 0)
                    {
                        await _store.DeleteAsync(Pods, obj.Key);
                    }
                    else
                    {
                        await _store.GuaranteedUpdateAsync(Pods, obj.Key, (_, _) => ValueTask.FromResult(Pod("ns-1", obj.Name, new Dictionary<string, string>(obj.Labels), extra: "changed")));
                    }

                    break;
                }
            }

            await _store.CreateAsync(Pods, Pod("ns-1", "pod-" + round.ToString("D3") + "-new"));
            round++;
            page = await _store.ListAsync(Pods, new ListOptions { Namespace = "ns-1", Limit = 7, Continue = page.Continue });
            Assert.That(page.ResourceVersion, Is.EqualTo(firstRevision));
            pages.AddRange(page.Items);
        }

        // Assert
        Assert.That(round, Is.GreaterThan(3));
        Assert.That(pages, Is.EqualTo(before.Items));
    }

    [Test]
    public async Task List_Limit_SetsRemainingItemCountOnlyWithoutSelectors()
    {
        // Arrange
        await SeedAsync();

        // Act
        var plain = await _store.ListAsync(Pods, new ListOptions { Namespace = "ns-0", Limit = 10 });
        var selected = await _store.ListAsync(Pods, new ListOptions { Namespace = "ns-0", Limit = 10, Labels = LabelSelector.Parse("tier") });

        // Assert
        Assert.That(plain.Items, Has.Count.EqualTo(10));
        Assert.That(plain.RemainingItemCount, Is.EqualTo(70));
        Assert.That(selected.Continue, Is.Not.Null);
        Assert.That(selected.RemainingItemCount, Is.Null);
        var token = JsonDocument.Parse(Convert.FromBase64String(PadBase64(plain.Continue!))).RootElement;
        Assert.That(token.GetProperty("v").GetString(), Is.EqualTo("meta.k8s.io/v1"));
        Assert.That(token.GetProperty("rv").GetInt64(), Is.EqualTo(plain.ResourceVersion));
        Assert.That(token.GetProperty("start").GetString(), Is.EqualTo(plain.Items[^1].Key + "\0"));
    }

    [Test]
    public async Task List_ExactResourceVersion_ReturnsThePastState()
    {
        // Arrange
        var a = await _store.CreateAsync(Pods, Pod("ns", "a", extra: "old"));
        var b = await _store.CreateAsync(Pods, Pod("ns", "b"));
        var at = _store.CurrentRevision;
        await _store.GuaranteedUpdateAsync(Pods, a.Key, (_, _) => ValueTask.FromResult(Pod("ns", "a", extra: "new")));
        await _store.DeleteAsync(Pods, b.Key);
        await _store.CreateAsync(Pods, Pod("ns", "c"));

        // Act
        var exact = await _store.ListAsync(Pods, new ListOptions { ResourceVersion = at.ToString(), ResourceVersionMatch = ResourceVersionMatch.Exact });
        var notOlder = await _store.ListAsync(Pods, new ListOptions { ResourceVersion = at.ToString(), ResourceVersionMatch = ResourceVersionMatch.NotOlderThan });

        // Assert
        Assert.That(exact.ResourceVersion, Is.EqualTo(at));
        Assert.That(exact.Items, Is.EqualTo(new[] { a, b }));
        Assert.That(Extra(exact.Items[0]), Is.EqualTo("old"));
        Assert.That(notOlder.ResourceVersion, Is.EqualTo(_store.CurrentRevision));
        Assert.That(notOlder.Items, Has.Count.EqualTo(2));
        Assert.That(notOlder.Items[1].Name, Is.EqualTo("c"));
    }

    [Test]
    public async Task List_ContinueAfterWindowRollsOver_ThrowsExpiredWithKubeMessage()
    {
        // Arrange
        await using var store = new EmbeddedStore(new EmbeddedStoreOptions { EventWindow = 5 });
        for (var i = 0; i < 10; i++)
        {
            await store.CreateAsync(Pods, Pod("ns", "p" + i));
        }

        var page = await store.ListAsync(Pods, new ListOptions { Limit = 3 });
        for (var i = 0; i < 6; i++)
        {
            await store.CreateAsync(Pods, Pod("other", "q" + i));
        }

        // Act
        var error = Assert.ThrowsAsync<StorageException>(async () => await store.ListAsync(Pods, new ListOptions { Limit = 3, Continue = page.Continue }));
        var exact = Assert.ThrowsAsync<StorageException>(async () => await store.ListAsync(Pods, new ListOptions { ResourceVersion = page.ResourceVersion.ToString(), ResourceVersionMatch = ResourceVersionMatch.Exact }));

        // Assert
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.Expired));
        Assert.That(error.Message, Does.StartWith("The provided continue parameter is too old to display a consistent list result."));
        Assert.That(exact!.Code, Is.EqualTo(StorageErrorCode.Expired));
        Assert.That(exact.Message, Is.EqualTo("The resourceVersion for the provided list is too old."));
    }

    [Test]
    public async Task List_FutureResourceVersion_FailsTooLargeAfterWait_OrServesOnceItArrives()
    {
        // Arrange
        await using var impatient = new EmbeddedStore(new EmbeddedStoreOptions { ResourceVersionWaitTimeout = TimeSpan.Zero });
        var target = _store.CurrentRevision + 1;

        // Act
        var error = Assert.ThrowsAsync<StorageException>(async () => await impatient.ListAsync(Pods, new ListOptions { ResourceVersion = "100" }));
        var waiting = _store.ListAsync(Pods, new ListOptions { ResourceVersion = target.ToString(), ResourceVersionMatch = ResourceVersionMatch.NotOlderThan }).AsTask();
        Assert.That(waiting.IsCompleted, Is.False);
        await _store.CreateAsync(Pods, Pod("ns", "a"));
        var served = await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        // Assert
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.TooLargeResourceVersion));
        Assert.That(error.Message, Is.EqualTo("Too large resource version: 100, current: 1"));
        Assert.That(served.Items, Has.Count.EqualTo(1));
        Assert.That(served.ResourceVersion, Is.GreaterThanOrEqualTo(target));
    }

    [TestCase("abc")]
    [TestCase("-1")]
    public void List_MalformedResourceVersion_ThrowsInvalidArgument(string rv)
    {
        var error = Assert.ThrowsAsync<StorageException>(async () => await _store.ListAsync(Pods, new ListOptions { ResourceVersion = rv }));
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.InvalidArgument));
    }

    [TestCase("!!!")]
    [TestCase("e30")] // {}
    [TestCase("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MCwic3RhcnQiOiJhXHUwMDAwIn0")] // rv 0
    public void List_MalformedContinue_ThrowsInvalidArgument(string token)
    {
        var error = Assert.ThrowsAsync<StorageException>(async () => await _store.ListAsync(Pods, new ListOptions { Continue = token }));
        Assert.That(error!.Code, Is.EqualTo(StorageErrorCode.InvalidArgument));
        Assert.That(error.Message, Does.StartWith("invalid continue token: continue key is not valid"));
    }

    [Test]
    public async Task List_ClusterScoped_PagesInNameOrder()
    {
        // Arrange
        var nodes = new ResourceType("", "nodes");
        foreach (var name in new[] { "c", "a", "b", "d" })
        {
            await _store.CreateAsync(nodes, new StoredObject(new ObjectKey("", name), "u-" + name, Encoding.UTF8.GetBytes("{\"metadata\":{\"name\":\"" + name + "\"}}")));
        }

        // Act
        var first = await _store.ListAsync(nodes, new ListOptions { Limit = 3 });
        var second = await _store.ListAsync(nodes, new ListOptions { Limit = 3, Continue = first.Continue });

        // Assert
        Assert.That(Names(first.Items), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(Names(second.Items), Is.EqualTo(new[] { "d" }));
        Assert.That(second.Continue, Is.Null);
    }

    private static List<string> Names(IReadOnlyList<StoredObject> items)
    {
        var names = new List<string>();
        foreach (var item in items)
        {
            names.Add(item.Name);
        }

        return names;
    }

    private static string PadBase64(string token)
    {
        var s = token.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }
}
