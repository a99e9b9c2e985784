using System.Text.Json.Nodes;

namespace Nautilus.Server.Api;

/// <summary>
/// Converts between events.k8s.io/v1 Event and core/v1 Event, which share storage in
/// kube-apiserver (pkg/apis/events/v1 conversion): regarding/involvedObject, note/message,
/// reportingController/reportingComponent and the deprecated* fields.
/// </summary>
public static class EventConversion
{
    // (events.k8s.io/v1 field, core/v1 field)
    private static readonly (string Events, string Core)[] Renames =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    public static JsonObject ToCore(JsonObject events) => Rename(events, fromEvents: true, "v1");

    public static JsonObject FromCore(JsonObject core) => Rename(core, fromEvents: false, "events.k8s.io/v1");

    private static JsonObject Rename(JsonObject source, bool fromEvents, string apiVersion)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            var name = key;
            foreach (var (events, core) in Renames)
            {
                if (fromEvents ? key == events : key == core)
                {
                    name = fromEvents ? core : events;
                    break;
                }
            }

            result[name] = value?.DeepClone();
        }

        result["apiVersion"] = apiVersion;
        return result;
    }
}
