using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Nautilus.Scheduler.Internal.Cache;
using Nautilus.Scheduler.Internal.Framework;
using Nautilus.Scheduler.Internal.Model;
using Nautilus.Scheduler.Internal.Queue;

namespace Nautilus.Scheduler.Internal;

/// <summary>
/// Turns informer notifications into cache and queue updates, as kube-scheduler's event
/// handlers: bound, non-terminal pods go to the cache; pending pods of a served profile go to the
/// queue; changes that can help unschedulable pods move them back. Also the lister plugins read
/// namespaces, claims and volumes through. Each informer calls its handler from one task.
/// </summary>
internal sealed class ClusterEventHandlers(SchedulerCache cache, SchedulingQueue queue, Func<string, bool> servesScheduler, Nominator? nominator = null) : IClusterLister
{
    private readonly ConcurrentDictionary<string, PodInfo> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _pendingSpecs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeModel> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Dictionary<string, string>> _namespaces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ClaimInfo> _claims = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, VolumeInfo> _volumes = new(StringComparer.Ordinal);

    // Default topology spreading's lookups: service selectors by namespace, then name; workload selectors by kind/namespace/name.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Dictionary<string, string>>> _serviceSelectors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Kind, string Key), LabelSelector> _workloads = new();

    /// <summary>The pod as last seen by namespace/name, whatever its uid (null once deleted or terminal).</summary>
    public PodInfo? Get(string ns, string name) => _pods.TryGetValue(ns + "/" + name, out var p) ? p : null;

    /// <summary>The pod as last seen (null once deleted or terminal).</summary>
    public PodInfo? CurrentPod(PodInfo pod) => _pods.TryGetValue(pod.Key, out var p) && (pod.Uid.Length == 0 || p.Uid == pod.Uid) ? p : null;

    public void PodChanged(string key, JsonObject? obj)
    {
        _pods.TryGetValue(key, out var old);
        var pod = obj is null ? null : PodInfo.Parse(obj);
        if (pod is null || pod.Phase is "Succeeded" or "Failed" || (old is not null && old.Uid != pod.Uid))
        {
            // Deleted, terminal (kube's informer filters terminal pods out), or recreated under the same name.
            if (old is not null)
            {
                _pods.TryRemove(key, out _);
                _pendingSpecs.TryRemove(key, out _);
                nominator?.Remove(old);
                if (old.NodeName.Length > 0)
                {
                    cache.RemovePod(old);
                    queue.MoveAllToActiveOrBackoff(ClusterEvents.AssignedPodDelete);
                }
                else
                {
                    queue.Delete(old);
                }
            }

            if (pod is null || pod.Phase is "Succeeded" or "Failed")
            {
                return;
            }

            old = null;
        }

        if (old is not null && old.ResourceVersion == pod.ResourceVersion && pod.ResourceVersion.Length > 0)
        {
            return; // a relist repeating what we have
        }

        _pods[key] = pod;
        if (pod.NodeName.Length > 0)
        {
            _pendingSpecs.TryRemove(key, out _);
            nominator?.Remove(pod);
            if (old is null || old.NodeName.Length == 0)
            {
                if (old is not null)
                {
                    queue.Delete(old);
                }

                cache.AddPod(pod);
                queue.MoveAllToActiveOrBackoff(ClusterEvents.AssignedPodAdd);
            }
            else
            {
                cache.UpdatePod(pod);
                if (!SameLabels(old.Labels, pod.Labels) || !old.Requests.SameAs(pod.Requests))
                {
                    queue.MoveAllToActiveOrBackoff(ClusterEvents.AssignedPodUpdate);
                }
            }

            return;
        }

        if (!servesScheduler(pod.SchedulerName))
        {
            return;
        }

        if (pod.Terminating)
        {
            nominator?.Remove(pod);
            queue.Delete(pod);
            return;
        }

        // A nomination written by this or an earlier scheduler (after a restart) holds its room again.
        if (nominator is not null && pod.NominatedNodeName != (old?.NominatedNodeName ?? ""))
        {
            nominator.Add(pod, pod.NominatedNodeName);
        }

        var spec = SpecHash(obj!);
        var specChanged = !_pendingSpecs.TryGetValue(key, out var previous) || previous != spec;
        _pendingSpecs[key] = spec;
        if (old is null)
        {
            queue.Add(pod);
        }
        else
        {
            queue.Update(pod, specChanged);
        }
    }

    private static int SpecHash(JsonObject pod)
    {
        var meta = pod["metadata"] as JsonObject;
        return HashCode.Combine(pod["spec"]?.ToJsonString(), meta?["labels"]?.ToJsonString(), meta?["annotations"]?.ToJsonString());
    }

    private static bool SameLabels(Dictionary<string, string> a, Dictionary<string, string> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (k, v) in a)
        {
            if (!b.TryGetValue(k, out var w) || w != v)
            {
                return false;
            }
        }

        return true;
    }

    public void NodeChanged(string key, JsonObject? obj)
    {
        lock (_nodes)
        {
            _nodes.TryGetValue(key, out var old);
            if (obj is null)
            {
                if (old is not null)
                {
                    _nodes.Remove(key);
                    cache.RemoveNode(key);
                }

                return;
            }

            var node = NodeModel.Parse(obj);
            _nodes[key] = node;
            if (old is not null && old.SchedulingEquivalent(node))
            {
                return; // a heartbeat: nothing the scheduler reads changed
            }

            cache.AddOrUpdateNode(node);
            queue.MoveAllToActiveOrBackoff(old is null ? ClusterEvents.NodeAdd : ClusterEvents.NodeUpdate);
        }
    }

    public void NamespaceChanged(string key, JsonObject? obj)
    {
        if (obj is null)
        {
            _namespaces.TryRemove(key, out _);
            return;
        }

        var labels = Json.StringMap(Json.Obj(Json.Obj(obj, "metadata"), "labels"));
        var changed = !_namespaces.TryGetValue(key, out var old) || old.Count != labels.Count || !SameLabels(old, labels);
        _namespaces[key] = labels;
        if (changed)
        {
            queue.MoveAllToActiveOrBackoff(ClusterEvents.NamespaceChange);
        }
    }

    public void ClaimChanged(string key, JsonObject? obj)
    {
        if (obj is null)
        {
            _claims.TryRemove(key, out _);
        }
        else
        {
            var meta = Json.Obj(obj, "metadata");
            _claims[key] = new ClaimInfo(Json.Str(meta, "namespace") ?? "", Json.Str(meta, "name") ?? "", Json.Str(Json.Obj(obj, "spec"), "volumeName") ?? "", Json.Str(meta, "deletionTimestamp") is not null);
        }

        queue.MoveAllToActiveOrBackoff(ClusterEvents.ClaimChange);
    }

    public void VolumeChanged(string key, JsonObject? obj)
    {
        if (obj is null)
        {
            _volumes.TryRemove(key, out _);
        }
        else
        {
            var required = Json.Obj(Json.Obj(Json.Obj(obj, "spec"), "nodeAffinity"), "required");
            _volumes[key] = new VolumeInfo(key, required is null ? null : NodeSelector.Parse(required));
        }

        queue.MoveAllToActiveOrBackoff(ClusterEvents.VolumeChange);
    }

    /// <summary>A Service changed: only its selector matters (a service without one selects no pod).</summary>
    public void ServiceChanged(string key, JsonObject? obj)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = slash < 0 ? ("", key) : (key[..slash], key[(slash + 1)..]);
        var selector = Json.Obj(Json.Obj(obj, "spec"), "selector");
        if (obj is null || selector is null)
        {
            if (_serviceSelectors.TryGetValue(ns, out var services))
            {
                services.TryRemove(name, out _);
            }

            return;
        }

        _serviceSelectors.GetOrAdd(ns, static _ => new(StringComparer.Ordinal))[name] = Json.StringMap(selector);
    }

    /// <summary>A ReplicaSet changed: its spec.selector, for the pods it controls.</summary>
    public void ReplicaSetChanged(string key, JsonObject? obj) => WorkloadChanged("ReplicaSet", key, obj);

    private void WorkloadChanged(string kind, string key, JsonObject? obj)
    {
        if (obj is null)
        {
            _workloads.TryRemove((kind, key), out _);
            return;
        }

        _workloads[(kind, key)] = LabelSelector.Parse(Json.Obj(Json.Obj(obj, "spec"), "selector"));
    }

    public IEnumerable<Dictionary<string, string>> ServiceSelectors(string ns) =>
        _serviceSelectors.TryGetValue(ns, out var services) ? services.Values : [];

    public LabelSelector? WorkloadSelector(string ns, ControllerReference owner) =>
        _workloads.TryGetValue((owner.Kind, ns + "/" + owner.Name), out var selector) ? selector : null;

    public Dictionary<string, string>? NamespaceLabels(string ns) => _namespaces.TryGetValue(ns, out var labels) ? labels : null;

    public IEnumerable<KeyValuePair<string, Dictionary<string, string>>> Namespaces() => _namespaces;

    public ClaimInfo? GetClaim(string ns, string name) => _claims.TryGetValue(ns + "/" + name, out var c) ? c : null;

    public VolumeInfo? GetVolume(string name) => _volumes.TryGetValue(name, out var v) ? v : null;
}
