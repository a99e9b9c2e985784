using System.Net;
using System.Text.Json.Nodes;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Endpoints.Internal;

/// <summary>
/// kube's endpointslice Reconciler: turns the pods a service selects into EndpointSlices
/// (one set per address type, slices grouped by identical port lists, at most
/// maxEndpointsPerSlice endpoints each) while changing as few slices as it can: existing slices
/// keep their endpoints where possible, updated slices are filled first, a nearly full
/// unchanged slice takes the remainder before a new one is created, and a slice that would be
/// deleted is reused for one that would be created. A service with no endpoints keeps one
/// empty placeholder slice.
/// </summary>
internal sealed class EndpointSliceReconciler(ApiClient client, Informer nodes, EndpointSliceTracker tracker, int maxEndpointsPerSlice)
{
    private const string ZoneLabel = "topology.kubernetes.io/zone";

    /// <summary>Reconciles; pods skipped because their node is unknown are reported by an exception after the slices are written, so the service is retried.</summary>
    public async Task ReconcileAsync(JsonObject service, List<JsonObject> pods, List<JsonObject> existingSlices, DateTimeOffset? triggerTime, CancellationToken ct)
    {
        var errors = new List<string>();
        var toDelete = new List<JsonObject>();
        var byAddressType = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        var supported = AddressTypes(service);
        foreach (var slice in existingSlices)
        {
            var addressType = KubeFields.String(slice, "addressType") ?? "";
            if (!supported.Contains(addressType))
            {
                toDelete.Add(slice);
                continue;
            }

            if (!byAddressType.TryGetValue(addressType, out var list))
            {
                list = [];
                byAddressType[addressType] = list;
            }

            list.Add(slice);
        }

        foreach (var addressType in supported)
        {
            await ReconcileByAddressTypeAsync(service, pods, byAddressType.GetValueOrDefault(addressType) ?? [], triggerTime, addressType, errors, ct).ConfigureAwait(false);
        }

        foreach (var slice in toDelete)
        {
            await DeleteAsync(slice, ct).ConfigureAwait(false);
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }
    }

    /// <summary>spec.ipFamilies as address types; without them, the clusterIP's family, or both for a headless service.</summary>
    private static List<string> AddressTypes(JsonObject service)
    {
        var families = ServiceEndpoints.IpFamilies(service);
        if (families.Count > 0)
        {
            return families;
        }

        if (ServiceEndpoints.IsServiceIPSet(service))
        {
            return [ServiceEndpoints.IsIPv6(KubeFields.String(service["spec"], "clusterIP")!) ? "IPv6" : "IPv4"];
        }

        return ["IPv4", "IPv6"];
    }

    private async Task ReconcileByAddressTypeAsync(
        JsonObject service, List<JsonObject> pods, List<JsonObject> existingSlices, DateTimeOffset? triggerTime, string addressType, List<string> errors, CancellationToken ct)
    {
        var toCreate = new List<JsonObject>();
        var toUpdate = new List<JsonObject>();
        var toDelete = new List<JsonObject>();

        var existingByPorts = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        foreach (var slice in existingSlices)
        {
            if (OwnedBy(slice, service))
            {
                var key = PortMapKey(KubeFields.Objects(slice, "ports"));
                if (!existingByPorts.TryGetValue(key, out var list))
                {
                    list = [];
                    existingByPorts[key] = list;
                }

                list.Add(slice);
            }
            else
            {
                toDelete.Add(slice);
            }
        }

        var publishNotReady = ServiceEndpoints.PublishNotReadyAddresses(service);
        var desired = new Dictionary<string, (JsonArray Ports, Dictionary<string, JsonObject> Endpoints)>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (!ServiceEndpoints.ShouldPodBeInEndpoints(pod, includeTerminating: true))
            {
                continue;
            }

            var ports = EndpointPorts(service, pod);
            var portKey = PortMapKey(ports.OfType<JsonObject>());
            if (!desired.TryGetValue(portKey, out var group))
            {
                group = (ports, new Dictionary<string, JsonObject>(StringComparer.Ordinal));
                desired[portKey] = group;
            }

            var nodeName = KubeFields.String(pod["spec"], "nodeName") ?? "";
            if (!nodes.TryGet(nodeName, out var node))
            {
                node = null;
                if (!publishNotReady)
                {
                    // The pod garbage collector should remove it; meanwhile leave it out and retry the service.
                    errors.Add($"skipping Pod {KubeFields.Name(pod)} for Service {Informer.KeyOf(service)}: Node {nodeName} Not Found");
                    continue;
                }
            }

            var endpoint = PodToEndpoint(pod, node, service, addressType);
            if (endpoint["addresses"] is JsonArray { Count: > 0 })
            {
                group.Endpoints[EndpointKey(endpoint)] = endpoint;
            }
        }

        foreach (var (portKey, (ports, endpoints)) in desired)
        {
            var (creates, updates, deletes) = ReconcileByPortMapping(service, existingByPorts.GetValueOrDefault(portKey) ?? [], endpoints, ports, addressType);
            toCreate.AddRange(creates);
            toUpdate.AddRange(updates);
            toDelete.AddRange(deletes);
        }

        foreach (var (portKey, slices) in existingByPorts)
        {
            if (!desired.ContainsKey(portKey))
            {
                toDelete.AddRange(slices);
            }
        }

        if (existingSlices.Count == toDelete.Count && toCreate.Count == 0)
        {
            var placeholder = NewSlice(service, new JsonArray(), addressType);
            if (toDelete.Count == 1 && PlaceholderEquivalent(toDelete[0], placeholder))
            {
                toDelete.Clear();
            }
            else
            {
                toCreate.Add(placeholder);
            }
        }

        await FinalizeAsync(service, toCreate, toUpdate, toDelete, triggerTime, ct).ConfigureAwait(false);
    }

    private (List<JsonObject> Creates, List<JsonObject> Updates, List<JsonObject> Deletes) ReconcileByPortMapping(
        JsonObject service, List<JsonObject> existingSlices, Dictionary<string, JsonObject> desired, JsonArray ports, string addressType)
    {
        var slicesByName = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var unchanged = new List<string>();
        var toUpdate = new List<string>();
        var toDelete = new List<string>();

        // 1. Keep the desired endpoints existing slices already hold; drop the others.
        foreach (var existing in existingSlices)
        {
            var name = KubeFields.Name(existing);
            slicesByName[name] = existing;
            var kept = new List<JsonObject>();
            var endpointUpdated = false;
            var existingCount = 0;
            foreach (var endpoint in KubeFields.Objects(existing, "endpoints"))
            {
                existingCount++;
                var key = EndpointKey(endpoint);
                if (desired.Remove(key, out var wanted))
                {
                    kept.Add(wanted);
                    endpointUpdated |= !JsonNode.DeepEquals(wanted, endpoint);
                }
            }

            var (labels, labelsChanged) = SliceLabels(existing, service);
            if (endpointUpdated || existingCount != kept.Count)
            {
                if (kept.Count == 0)
                {
                    toDelete.Add(name);
                }
                else
                {
                    var copy = (JsonObject)existing.DeepClone();
                    copy["endpoints"] = new JsonArray(kept.ToArray<JsonNode?>());
                    ((JsonObject)copy["metadata"]!)["labels"] = labels;
                    slicesByName[name] = copy;
                    toUpdate.Add(name);
                }
            }
            else if (labelsChanged)
            {
                var copy = (JsonObject)existing.DeepClone();
                ((JsonObject)copy["metadata"]!)["labels"] = labels;
                slicesByName[name] = copy;
                toUpdate.Add(name);
            }
            else
            {
                unchanged.Add(name);
            }
        }

        // 2. Fill the slices being updated anyway, fullest first.
        if (desired.Count > 0 && toUpdate.Count > 0)
        {
            foreach (var slice in toUpdate.Select(n => slicesByName[n]).OrderByDescending(EndpointCount).ToList())
            {
                Fill(slice, desired);
            }
        }

        // 3. The rest into the unchanged slice it fits best, else into new slices.
        var toCreate = new List<JsonObject>();
        while (desired.Count > 0)
        {
            JsonObject? sliceToFill = null;
            if (desired.Count < maxEndpointsPerSlice && unchanged.Count > 0)
            {
                sliceToFill = SliceToFill(unchanged.Select(n => slicesByName[n]), desired.Count);
            }

            if (sliceToFill is null)
            {
                sliceToFill = NewSlice(service, ports, addressType);
            }
            else
            {
                sliceToFill = (JsonObject)sliceToFill.DeepClone();
                slicesByName[KubeFields.Name(sliceToFill)] = sliceToFill;
            }

            Fill(sliceToFill, desired);
            var name = KubeFields.Name(sliceToFill);
            if (name.Length > 0)
            {
                toUpdate.Add(name);
                unchanged.Remove(name);
            }
            else
            {
                toCreate.Add(sliceToFill);
            }
        }

        return (toCreate, toUpdate.Select(n => slicesByName[n]).ToList(), toDelete.Select(n => slicesByName[n]).ToList());
    }

    private void Fill(JsonObject slice, Dictionary<string, JsonObject> desired)
    {
        if (slice["endpoints"] is not JsonArray endpoints)
        {
            endpoints = [];
            slice["endpoints"] = endpoints;
        }

        foreach (var key in desired.Keys.Take(maxEndpointsPerSlice - endpoints.Count).ToList())
        {
            desired.Remove(key, out var endpoint);
            endpoints.Add(endpoint);
        }
    }

    /// <summary>The unchanged slice that <paramref name="count"/> more endpoints bring closest to full without overflowing.</summary>
    private JsonObject? SliceToFill(IEnumerable<JsonObject> slices, int count)
    {
        var closestDiff = maxEndpointsPerSlice;
        JsonObject? closest = null;
        foreach (var slice in slices)
        {
            var diff = maxEndpointsPerSlice - (count + EndpointCount(slice));
            if (diff >= 0 && diff < closestDiff)
            {
                closestDiff = diff;
                closest = slice;
                if (diff == 0)
                {
                    break;
                }
            }
        }

        return closest;
    }

    private async Task FinalizeAsync(JsonObject service, List<JsonObject> toCreate, List<JsonObject> toUpdate, List<JsonObject> toDelete, DateTimeOffset? triggerTime, CancellationToken ct)
    {
        // A slice about to be deleted is reused for one about to be created.
        for (var i = 0; i < toDelete.Count && toCreate.Count > 0;)
        {
            var deleting = toDelete[i];
            var creating = toCreate[^1];
            if (KubeFields.String(deleting, "addressType") == KubeFields.String(creating, "addressType") && OwnedBy(deleting, service))
            {
                var metadata = (JsonObject)creating["metadata"]!;
                metadata.Remove("generateName");
                metadata["name"] = KubeFields.Name(deleting);
                metadata["resourceVersion"] = KubeFields.ResourceVersion(deleting);
                toCreate.RemoveAt(toCreate.Count - 1);
                toUpdate.Add(creating);
                toDelete.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }

        var ns = KubeFields.Namespace(service);

        // No new slices for a service being deleted: the garbage collector is removing them.
        if (!KubeFields.IsBeingDeleted(service))
        {
            foreach (var slice in toCreate)
            {
                SetTriggerTime(slice, triggerTime);
                JsonObject created;
                try
                {
                    created = await client.CreateAsync(ClusterResources.EndpointSlices, ns, slice, ct).ConfigureAwait(false);
                }
                catch (ApiStatusException e) when (e.Code == 403 && e.Message.Contains("being terminated", StringComparison.Ordinal))
                {
                    return;
                }

                tracker.Update(created);
            }
        }

        foreach (var slice in toUpdate)
        {
            SetTriggerTime(slice, triggerTime);
            var updated = await client.UpdateAsync(ClusterResources.EndpointSlices, ns, KubeFields.Name(slice), slice, ct: ct).ConfigureAwait(false);
            tracker.Update(updated);
        }

        foreach (var slice in toDelete)
        {
            await DeleteAsync(slice, ct).ConfigureAwait(false);
        }
    }

    private async Task DeleteAsync(JsonObject slice, CancellationToken ct)
    {
        try
        {
            await client.DeleteAsync(ClusterResources.EndpointSlices, KubeFields.Namespace(slice), KubeFields.Name(slice), ct: ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (e.IsNotFound)
        {
            return;
        }

        tracker.ExpectDeletion(slice);
    }

    private static void SetTriggerTime(JsonObject slice, DateTimeOffset? triggerTime)
    {
        var metadata = (JsonObject)slice["metadata"]!;
        var annotations = ServiceEndpoints.ToMap(metadata["annotations"] as JsonObject);
        if (triggerTime is { } t)
        {
            annotations[ServiceEndpoints.LastChangeTriggerTimeAnnotation] = KubeFields.FormatRfc3339Nano(t);
        }
        else
        {
            annotations.Remove(ServiceEndpoints.LastChangeTriggerTimeAnnotation);
        }

        ServiceEndpoints.SetMap(metadata, "annotations", annotations);
    }

    /// <summary>A new slice for the service: generateName "&lt;service&gt;-", the service's labels plus the reserved ones, owned by the service.</summary>
    private static JsonObject NewSlice(JsonObject service, JsonArray ports, string addressType)
    {
        var (labels, _) = SliceLabels(null, service);
        return new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject
            {
                ["generateName"] = KubeFields.Name(service) + "-",
                ["namespace"] = KubeFields.Namespace(service),
                ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(ServiceOwnerReference(service)),
            },
            ["addressType"] = addressType,
            ["endpoints"] = new JsonArray(),
            ["ports"] = ports.DeepClone(),
        };
    }

    private static JsonObject ServiceOwnerReference(JsonObject service) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["name"] = KubeFields.Name(service),
        ["uid"] = KubeFields.Uid(service),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>
    /// setEndpointSliceLabels: the service's labels (but the reserved ones), the headless label
    /// when the service has no cluster IP, the service name and the managing controller.
    /// Changed when the slice's non-reserved labels differ from the service's.
    /// </summary>
    private static (JsonObject Labels, bool Changed) SliceLabels(JsonObject? slice, JsonObject service)
    {
        var sliceLabels = NonReserved(slice is null ? null : KubeFields.Labels(slice));
        var labels = NonReserved(KubeFields.Labels(service));
        var changed = sliceLabels.Count != labels.Count || sliceLabels.Any(p => !labels.TryGetValue(p.Key, out var v) || v != p.Value);
        if (!ServiceEndpoints.IsServiceIPSet(service))
        {
            labels[ServiceEndpoints.HeadlessServiceLabel] = "";
        }

        labels[EndpointSliceController.ServiceNameLabel] = KubeFields.Name(service);
        labels[EndpointSliceController.ManagedByLabel] = EndpointSliceController.ControllerName;
        return (ServiceEndpoints.ToJson(labels), changed);
    }

    private static Dictionary<string, string> NonReserved(JsonObject? labels)
    {
        var map = ServiceEndpoints.ToMap(labels);
        map.Remove(EndpointSliceController.ServiceNameLabel);
        map.Remove(EndpointSliceController.ManagedByLabel);
        map.Remove(ServiceEndpoints.HeadlessServiceLabel);
        return map;
    }

    private static bool OwnedBy(JsonObject slice, JsonObject service)
    {
        var uid = KubeFields.Uid(service);
        foreach (var reference in KubeFields.Objects(KubeFields.Metadata(slice), "ownerReferences"))
        {
            if (KubeFields.String(reference, "uid") == uid && KubeFields.String(reference, "kind") == "Service" && KubeFields.String(reference, "apiVersion") == "v1")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>placeholderSliceCompare: same namespace, labels, owners and address type, and no endpoints or ports.</summary>
    private static bool PlaceholderEquivalent(JsonObject existing, JsonObject placeholder) =>
        KubeFields.Namespace(existing) == KubeFields.Namespace(placeholder)
        && ServiceEndpoints.LabelsEqual(KubeFields.Labels(existing), KubeFields.Labels(placeholder))
        && JsonNode.DeepEquals(KubeFields.Metadata(existing)?["ownerReferences"], KubeFields.Metadata(placeholder)?["ownerReferences"])
        && KubeFields.String(existing, "addressType") == KubeFields.String(placeholder, "addressType")
        && EndpointCount(existing) == 0
        && existing["ports"] is not JsonArray { Count: > 0 };

    /// <summary>podToEndpoint: the pod's addresses of the type, its conditions (ready, serving, terminating), reference, node and zone.</summary>
    private static JsonObject PodToEndpoint(JsonObject pod, JsonObject? node, JsonObject service, string addressType)
    {
        var serving = ServiceEndpoints.IsPodReady(pod);
        var terminating = KubeFields.IsBeingDeleted(pod);
        var ready = ServiceEndpoints.PublishNotReadyAddresses(service) || (serving && !terminating);
        var addresses = new JsonArray();
        foreach (var ip in ServiceEndpoints.PodIPs(pod))
        {
            if (IPAddress.TryParse(ip, out var address) && ServiceEndpoints.IsIPv6(ip) == (addressType == "IPv6"))
            {
                addresses.Add(address.ToString());
            }
        }

        var endpoint = new JsonObject
        {
            ["addresses"] = addresses,
            ["conditions"] = new JsonObject { ["ready"] = ready, ["serving"] = serving, ["terminating"] = terminating },
        };
        if (ServiceEndpoints.ShouldSetHostname(pod, service))
        {
            endpoint["hostname"] = KubeFields.String(pod["spec"], "hostname");
        }

        endpoint["targetRef"] = ServiceEndpoints.PodReference(pod);
        if (KubeFields.String(pod["spec"], "nodeName") is { Length: > 0 } nodeName)
        {
            endpoint["nodeName"] = nodeName;
        }

        if (node is not null && KubeFields.String(KubeFields.Labels(node), ZoneLabel) is { Length: > 0 } zone)
        {
            endpoint["zone"] = zone;
        }

        return endpoint;
    }

    /// <summary>getEndpointPorts: each service port the pod resolves (a headless service may have none).</summary>
    private static JsonArray EndpointPorts(JsonObject service, JsonObject pod)
    {
        var ports = new JsonArray();
        foreach (var servicePort in KubeFields.Objects(service["spec"], "ports"))
        {
            if (ServiceEndpoints.FindPort(pod, servicePort) is not { } number)
            {
                continue;
            }

            var port = new JsonObject
            {
                ["name"] = KubeFields.String(servicePort, "name") ?? "",
                ["protocol"] = KubeFields.String(servicePort, "protocol") ?? "TCP",
                ["port"] = number,
            };
            if (KubeFields.String(servicePort, "appProtocol") is { } appProtocol)
            {
                port["appProtocol"] = appProtocol;
            }

            ports.Add(port);
        }

        return ports;
    }

    /// <summary>The identity of a port list, whatever its order.</summary>
    private static string PortMapKey(IEnumerable<JsonObject> ports) =>
        string.Join('\n', ports
            .Select(p => (KubeFields.String(p, "name") ?? "") + "|" + (KubeFields.String(p, "protocol") ?? "TCP") + "|" + KubeFields.Long(p, "port") + "|" + KubeFields.String(p, "appProtocol"))
            .Order(StringComparer.Ordinal));

    /// <summary>An endpoint's identity (kube's hashEndpoint): its addresses, hostname and target.</summary>
    private static string EndpointKey(JsonObject endpoint)
    {
        var addresses = new List<string>();
        if (endpoint["addresses"] is JsonArray array)
        {
            foreach (var address in array)
            {
                if (address is JsonValue v && v.TryGetValue<string>(out var s))
                {
                    addresses.Add(s);
                }
            }
        }

        addresses.Sort(StringComparer.Ordinal);
        var target = endpoint["targetRef"];
        return string.Join(',', addresses) + "|" + KubeFields.String(endpoint, "hostname") + "|" + KubeFields.String(target, "namespace") + "/" + KubeFields.String(target, "name");
    }

    private static int EndpointCount(JsonObject slice) => (slice["endpoints"] as JsonArray)?.Count ?? 0;
}
