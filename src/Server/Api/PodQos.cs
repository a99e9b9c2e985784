using System.Text.Json.Nodes;

namespace Nautilus.Server.Api;

/// <summary>A pod's quality-of-service class, computed as kube-apiserver's qos.GetPodQOS does.</summary>
public static class PodQos
{
    public static string Classify(JsonObject? spec)
    {
        var anyRequestOrLimit = false;
        var guaranteed = true;
        foreach (var listName in (ReadOnlySpan<string>)["containers", "initContainers"])
        {
            if (spec?[listName] is not JsonArray containers)
            {
                continue;
            }

            foreach (var container in containers)
            {
                var resources = container?["resources"] as JsonObject;
                var requests = resources?["requests"] as JsonObject;
                var limits = resources?["limits"] as JsonObject;
                if ((requests?.Count ?? 0) > 0 || (limits?.Count ?? 0) > 0)
                {
                    anyRequestOrLimit = true;
                }

                foreach (var name in (ReadOnlySpan<string>)["cpu", "memory"])
                {
                    var limit = limits?[name];
                    var request = requests?[name];
                    if (limit is null || (request is not null && request.ToString() != limit.ToString()))
                    {
                        guaranteed = false;
                    }
                }
            }
        }

        return !anyRequestOrLimit ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }
}
