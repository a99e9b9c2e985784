using System.Text;
using System.Text.Json;

namespace Nautilus.Store.Tests;

/// <summary>Builds pod-shaped objects and reads watch channels with deadlines.</summary>
internal static class TestSupport
{
    public static readonly ResourceType Pods = new("", "pods");

    public static readonly ResourceType Deployments = new("apps", "deployments");

    public static StoredObject Pod(string ns, string name, IReadOnlyDictionary<string, string>? labels = null, string nodeName = "", string? uid = null, string extra = "")
    {
        uid ??= "uid-" + ns + "-" + name;
        var json = new StringBuilder();
        json.Append("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"").Append(name)
            .Append("\",\"namespace\":\"").Append(ns).Append("\",\"uid\":\"").Append(uid).Append('"');
        if (labels is { Count: > 0 })
        {
            json.Append(",\"labels\":").Append(JsonSerializer.Serialize(labels));
        }

        json.Append("},\"spec\":{\"nodeName\":\"").Append(nodeName).Append("\",\"extra\":\"").Append(extra).Append("\"}}");
        return new StoredObject(
            new ObjectKey(ns, name),
            uid,
            Encoding.UTF8.GetBytes(json.ToString()),
            labels is null ? null : new Dictionary<string, string>(labels),
            new Dictionary<string, string> { ["spec.nodeName"] = nodeName, ["status.phase"] = "Pending" });
    }

    public static string ResourceVersionInJson(StoredObject obj)
    {
        using var document = JsonDocument.Parse(obj.Json);
        return document.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    public static string Extra(StoredObject obj)
    {
        using var document = JsonDocument.Parse(obj.Json);
        return document.RootElement.GetProperty("spec").GetProperty("extra").GetString()!;
    }

    /// <summary>The next event, or a failed test after a generous deadline.</summary>
    public static async Task<WatchEvent> NextAsync(IObjectWatch watch, double seconds = 10)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        return await watch.Events.ReadAsync(cts.Token);
    }

    public static async Task<List<WatchEvent>> TakeAsync(IObjectWatch watch, int count)
    {
        var events = new List<WatchEvent>(count);
        for (var i = 0; i < count; i++)
        {
            events.Add(await NextAsync(watch));
        }

        return events;
    }

    public static string NewDataDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "nautilus-store-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static Dictionary<string, string> Labels(params string[] pairs)
    {
        var labels = new Dictionary<string, string>();
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            labels[pair[..eq]] = pair[(eq + 1)..];
        }

        return labels;
    }
}

/// <summary>A clock the test moves by hand; timers fire inside <see cref="Advance"/>.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        var due = new List<ManualTimer>();
        lock (_gate)
        {
            _now += by;
            foreach (var timer in _timers)
            {
                if (timer.Due is { } when && when <= _now)
                {
                    due.Add(timer);
                    timer.Due = timer.Period > TimeSpan.Zero && timer.Period != Timeout.InfiniteTimeSpan ? _now + timer.Period : null;
                }
            }
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Period = period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
            }

            return true;
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
