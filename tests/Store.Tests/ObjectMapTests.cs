using Nautilus.Store.Internal;

namespace Nautilus.Store.Tests;

/// <summary>
/// The table's objects by key: the same answers as a dictionary under any sequence of writes,
/// bounded size under churn, and readers without a lock that never miss a key that stays while
/// the writer adds, replaces, removes and rebuilds around it.
/// </summary>
public sealed class ObjectMapTests
{
    [Test]
    public void RandomWrites_AnswerAsADictionaryDoes()
    {
        var map = new ObjectMap();
        var model = new Dictionary<ObjectKey, StoredObject>();
        var random = new Random(7);
        for (var step = 0; step < 200_000; step++)
        {
            var key = Key(random.Next(3_000));
            switch (random.Next(3))
            {
                case 0:
                case 1:
                    var obj = Object(key, step);
                    map.Set(obj);
                    model[key] = obj;
                    break;
                default:
                    Assert.That(map.Remove(key), Is.EqualTo(model.Remove(key)), $"remove {key} at step {step}");
                    break;
            }

            if (step % 997 == 0)
            {
                var probe = Key(random.Next(3_000));
                Assert.That(map.TryGet(probe, out var found), Is.EqualTo(model.TryGetValue(probe, out var expected)), $"get {probe} at step {step}");
                Assert.That(found, Is.SameAs(expected));
            }
        }

        Assert.That(map.Count, Is.EqualTo(model.Count));
        Assert.That(map.Values, Is.EquivalentTo(model.Values));
        foreach (var (key, obj) in model)
        {
            Assert.That(map.TryGet(key, out var found) && ReferenceEquals(found, obj), Is.True, key.ToString());
        }
    }

    [Test]
    public void Churn_AtASteadyCount_KeepsTheArrayBounded()
    {
        var map = new ObjectMap();
        for (var i = 0; i < 100_000; i++)
        {
            map.Set(Object(Key(i), i));
            if (i >= 1_000)
            {
                Assert.That(map.Remove(Key(i - 1_000)), Is.True);
            }
        }

        Assert.That(map.Count, Is.EqualTo(1_000));
        Assert.That(map.Capacity, Is.LessThanOrEqualTo(4_096), "removal marks are cleaned by rebuilding, not kept forever");
    }

    [Test]
    public void Emptied_ShrinksAndStillAnswers()
    {
        var map = new ObjectMap();
        for (var i = 0; i < 50_000; i++)
        {
            map.Set(Object(Key(i), i));
        }

        var full = map.Capacity;
        for (var i = 0; i < 49_990; i++)
        {
            Assert.That(map.Remove(Key(i)), Is.True);
        }

        Assert.That(map.Capacity, Is.LessThan(full / 100));
        Assert.That(map.Count, Is.EqualTo(10));
        Assert.That(map.TryGet(Key(49_995), out var kept) && kept.Key == Key(49_995), Is.True);
        Assert.That(map.TryGet(Key(5), out _), Is.False);
        Assert.That(map.Remove(Key(5)), Is.False);
    }

    [Test]
    public void ReadersWithoutALock_NeverMissAKeyThatStays()
    {
        var map = new ObjectMap();
        const int stable = 500;
        for (var i = 0; i < stable; i++)
        {
            map.Set(Object(Key(i), 0));
        }

        var done = 0;
        var misses = 0;
        var reads = 0L;
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            while (Volatile.Read(ref done) == 0)
            {
                var key = Key(random.Next(stable));
                if (!map.TryGet(key, out var found) || found.Key != key)
                {
                    Interlocked.Increment(ref misses);
                }

                Interlocked.Increment(ref reads);
            }
        })).ToArray();

        // The writer grows the map far past its first arrays (rebuilds), removes most of it again
        // (removal marks, shrinking) and replaces the stable objects all along.
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 40_000; i++)
            {
                map.Set(Object(Key(stable + i), round));
                map.Set(Object(Key(i % stable), round));
            }

            for (var i = 0; i < 40_000; i++)
            {
                map.Remove(Key(stable + i));
            }
        }

        Volatile.Write(ref done, 1);
        Task.WaitAll(readers);
        Assert.That(Interlocked.Read(ref reads), Is.GreaterThan(0));
        Assert.That(misses, Is.Zero);
        Assert.That(map.Count, Is.EqualTo(stable));
    }

    private static ObjectKey Key(int i) => new("ns-" + (i % 7), "pod-" + i);

    private static StoredObject Object(ObjectKey key, int version) => new(key, "uid-" + version, [(byte)'{', (byte)'}']);
}
