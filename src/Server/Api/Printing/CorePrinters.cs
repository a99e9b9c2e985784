using System.Text;
using System.Text.Json;

namespace Nautilus.Server.Api.Printing;

/// <summary>printNode: STATUS from the Ready condition (+SchedulingDisabled), ROLES from node-role labels.</summary>
internal sealed class NodePrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Status", "string", "The status of the node"),
    new("Roles", "string", "The roles of the node"),
    TableColumn.AgeColumn,
    new("Version", "string", SwaggerDocs.KubeletVersion),
    new("Internal-IP", "string", SwaggerDocs.NodeAddresses, Priority: 1),
    new("External-IP", "string", SwaggerDocs.NodeAddresses, Priority: 1),
    new("OS-Image", "string", SwaggerDocs.OsImage, Priority: 1),
    new("Kernel-Version", "string", SwaggerDocs.KernelVersion, Priority: 1),
    new("Container-Runtime", "string", SwaggerDocs.ContainerRuntimeVersion, Priority: 1))
{
    private const string LabelNodeRolePrefix = "node-role.kubernetes.io/";
    private const string NodeLabelRole = "kubernetes.io/role";

    public override void WriteCells(CellWriter writer, JsonElement node)
    {
        var status = node.Get("status");

        // Only NodeReady is reported; a later duplicate condition replaces an earlier one (conditionMap).
        string? ready = null;
        foreach (var condition in status.Items("conditions"))
        {
            if (condition.Str("type") == "Ready")
            {
                ready = condition.Str("status") == "True" ? "Ready" : "NotReady";
            }
        }

        var text = ready ?? "Unknown";
        if (node.Get("spec").Bool("unschedulable"))
        {
            text += ",SchedulingDisabled";
        }

        var nodeInfo = status.Get("nodeInfo");
        writer.WriteStringValue(Name(node));
        writer.WriteStringValue(text);
        writer.WriteStringValue(Roles(node.Get("metadata").Get("labels")));
        WriteAge(writer, node);
        writer.WriteStringValue(nodeInfo.Str("kubeletVersion"));
        writer.WriteStringValue(Address(status, "InternalIP"));
        writer.WriteStringValue(Address(status, "ExternalIP"));
        writer.WriteStringValue(OrUnknown(nodeInfo.Str("osImage")));
        writer.WriteStringValue(OrUnknown(nodeInfo.Str("kernelVersion")));
        writer.WriteStringValue(OrUnknown(nodeInfo.Str("containerRuntimeVersion")));
    }

    private static string OrUnknown(string value) => value.Length == 0 ? "<unknown>" : value;

    private static string Address(JsonElement status, string type)
    {
        foreach (var address in status.Items("addresses"))
        {
            if (address.Str("type") == type)
            {
                return address.Str("address");
            }
        }

        return "<none>";
    }

    /// <summary>findNodeRoles: node-role.kubernetes.io/&lt;role&gt; keys and kubernetes.io/role values, sorted and de-duplicated.</summary>
    private static string Roles(JsonElement labels)
    {
        if (labels.ValueKind != JsonValueKind.Object)
        {
            return "<none>";
        }

        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var label in labels.EnumerateObject())
        {
            if (label.Name.StartsWith(LabelNodeRolePrefix, StringComparison.Ordinal))
            {
                var role = label.Name[LabelNodeRolePrefix.Length..];
                if (role.Length > 0)
                {
                    roles.Add(role);
                }
            }
            else if (label.Name == NodeLabelRole && label.Value.ValueKind == JsonValueKind.String && label.Value.GetString() is { Length: > 0 } value)
            {
                roles.Add(value);
            }
        }

        return roles.Count == 0 ? "<none>" : string.Join(',', roles);
    }
}

/// <summary>printNamespace.</summary>
internal sealed class NamespacePrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Status", "string", "The status of the namespace"),
    TableColumn.AgeColumn)
{
    public override void WriteCells(CellWriter writer, JsonElement obj)
    {
        writer.WriteStringValue(Name(obj));
        writer.WriteStringValue(obj.Get("status").Str("phase"));
        WriteAge(writer, obj);
    }
}

/// <summary>printConfigMap: DATA counts data and binaryData keys.</summary>
internal sealed class ConfigMapPrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Data", "string", SwaggerDocs.ConfigMapData),
    TableColumn.AgeColumn)
{
    public override void WriteCells(CellWriter writer, JsonElement obj)
    {
        writer.WriteStringValue(Name(obj));
        writer.WriteNumberValue(obj.Count("data") + obj.Count("binaryData"));
        WriteAge(writer, obj);
    }
}

/// <summary>printSecret.</summary>
internal sealed class SecretPrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Type", "string", SwaggerDocs.SecretType),
    new("Data", "string", SwaggerDocs.SecretData),
    TableColumn.AgeColumn)
{
    public override void WriteCells(CellWriter writer, JsonElement obj)
    {
        writer.WriteStringValue(Name(obj));
        writer.WriteStringValue(obj.Str("type"));
        writer.WriteNumberValue(obj.Count("data"));
        WriteAge(writer, obj);
    }
}

/// <summary>printServiceAccount.</summary>
internal sealed class ServiceAccountPrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Secrets", "string", SwaggerDocs.ServiceAccountSecrets),
    TableColumn.AgeColumn)
{
    public override void WriteCells(CellWriter writer, JsonElement obj)
    {
        writer.WriteStringValue(Name(obj));
        writer.WriteNumberValue(obj.Count("secrets"));
        WriteAge(writer, obj);
    }
}

/// <summary>printLease.</summary>
internal sealed class LeasePrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Holder", "string", SwaggerDocs.LeaseHolderIdentity),
    TableColumn.AgeColumn)
{
    public override void WriteCells(CellWriter writer, JsonElement obj)
    {
        writer.WriteStringValue(Name(obj));
        writer.WriteStringValue(obj.Get("spec").Str("holderIdentity"));
        WriteAge(writer, obj);
    }
}

/// <summary>
/// printEvent (always wide on the server). Reads core/v1 Events and events.k8s.io/v1 Events alike:
/// kube prints both from the same internal type.
/// </summary>
internal sealed class EventPrinter() : ResourcePrinter(
    new("Last Seen", "string", SwaggerDocs.EventLastTimestamp),
    new("Type", "string", SwaggerDocs.EventType),
    new("Reason", "string", SwaggerDocs.EventReason),
    new("Object", "string", SwaggerDocs.EventInvolvedObject),
    new("Subobject", "string", SwaggerDocs.FieldPath, Priority: 1),
    new("Source", "string", SwaggerDocs.EventSource, Priority: 1),
    new("Message", "string", SwaggerDocs.EventMessage),
    new("First Seen", "string", SwaggerDocs.EventFirstTimestamp, Priority: 1),
    new("Count", "string", SwaggerDocs.EventCount, Priority: 1),
    new("Name", "string", SwaggerDocs.ObjectMetaName, Priority: 1, Format: "name"))
{
    public override void WriteCells(CellWriter writer, JsonElement e)
    {
        var firstTimestamp = Time(e, "firstTimestamp", "deprecatedFirstTimestamp") ?? e.Time("eventTime");
        var lastTimestamp = Time(e, "lastTimestamp", "deprecatedLastTimestamp") is { } last ? last : firstTimestamp;

        var count = e.Get("count", "deprecatedCount") is { ValueKind: JsonValueKind.Number } c && c.TryGetInt64(out var n) ? n : 0;
        var series = e.Get("series");
        if (series.IsObject())
        {
            lastTimestamp = series.Time("lastObservedTime");
            count = series.Int("count");
        }
        else if (count == 0)
        {
            // Singleton events have no count in the new API.
            count = 1;
        }

        var involved = e.Get("involvedObject", "regarding");
        var kind = involved.Str("kind").ToLowerInvariant();
        var target = involved.Str("name") is { Length: > 0 } name ? kind + "/" + name : kind;

        var source = e.Get("source", "deprecatedSource");
        var component = FirstNonEmpty(source.Str("component"), Str(e, "reportingComponent", "reportingController"));
        var instance = FirstNonEmpty(source.Str("host"), e.Str("reportingInstance"));

        writer.WriteSince(lastTimestamp);
        writer.WriteStringValue(e.Str("type"));
        writer.WriteStringValue(e.Str("reason"));
        writer.WriteStringValue(target);
        writer.WriteStringValue(involved.Str("fieldPath"));
        writer.WriteStringValue(instance.Length == 0 ? component : component + ", " + instance);
        writer.WriteStringValue(Str(e, "message", "note").Trim());
        writer.WriteSince(firstTimestamp);
        writer.WriteNumberValue(count);
        writer.WriteStringValue(Name(e));
    }

    private static DateTimeOffset? Time(JsonElement e, string core, string events) => e.Time(core) ?? e.Time(events);

    private static string Str(JsonElement e, string core, string events) => e.Str(core) is { Length: > 0 } s ? s : e.Str(events);

    private static string FirstNonEmpty(string a, string b) => a.Length > 0 ? a : b;
}

/// <summary>printPersistentVolume (VOLUMEMODE is appended on every row, as kube does).</summary>
internal sealed class PersistentVolumePrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Capacity", "string", SwaggerDocs.PvCapacity),
    new("Access Modes", "string", SwaggerDocs.PvAccessModes),
    new("Reclaim Policy", "string", SwaggerDocs.PvReclaimPolicy),
    new("Status", "string", SwaggerDocs.PvPhase),
    new("Claim", "string", SwaggerDocs.PvClaimRef),
    new("StorageClass", "string", "StorageClass of the pv"),
    new("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
    new("Reason", "string", SwaggerDocs.PvReason),
    TableColumn.AgeColumn,
    new("VolumeMode", "string", SwaggerDocs.PvVolumeMode, Priority: 1))
{
    public override void WriteCells(CellWriter writer, JsonElement pv)
    {
        var spec = pv.Get("spec");
        var status = pv.Get("status");
        var claimRef = spec.Get("claimRef");
        var claim = claimRef.IsObject() ? claimRef.Str("namespace") + "/" + claimRef.Str("name") : "";
        var phase = pv.Get("metadata").Time("deletionTimestamp") is not null ? "Terminating" : status.Str("phase");

        writer.WriteStringValue(Name(pv));
        writer.WriteStringValue(Storage(spec.Get("capacity")));
        writer.WriteStringValue(StoragePrinting.AccessModes(spec));
        writer.WriteStringValue(spec.Str("persistentVolumeReclaimPolicy"));
        writer.WriteStringValue(phase);
        writer.WriteStringValue(claim);
        writer.WriteStringValue(StoragePrinting.StorageClass(pv, spec.Str("storageClassName")));
        writer.WriteStringValue(StoragePrinting.OrUnset(spec.Get("volumeAttributesClassName")));
        writer.WriteStringValue(status.Str("reason"));
        WriteAge(writer, pv);
        writer.WriteStringValue(StoragePrinting.OrUnset(spec.Get("volumeMode")));
    }

    /// <summary>Quantity.String() of resources["storage"]; the zero quantity prints "0".</summary>
    internal static string Storage(JsonElement resources) =>
        resources.Str("storage") is { Length: > 0 } q ? q : "0";
}

/// <summary>printPersistentVolumeClaim: capacity and access modes come from status once bound.</summary>
internal sealed class PersistentVolumeClaimPrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Status", "string", SwaggerDocs.PvcPhase),
    new("Volume", "string", SwaggerDocs.PvcVolumeName),
    new("Capacity", "string", SwaggerDocs.PvcCapacity),
    new("Access Modes", "string", SwaggerDocs.PvcAccessModes),
    new("StorageClass", "string", "StorageClass of the pvc"),
    new("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
    TableColumn.AgeColumn,
    new("VolumeMode", "string", SwaggerDocs.PvcVolumeMode, Priority: 1))
{
    public override void WriteCells(CellWriter writer, JsonElement pvc)
    {
        var spec = pvc.Get("spec");
        var status = pvc.Get("status");
        var phase = pvc.Get("metadata").Time("deletionTimestamp") is not null ? "Terminating" : status.Str("phase");
        var volumeName = spec.Str("volumeName");
        var capacity = "";
        var accessModes = "";
        if (volumeName.Length > 0)
        {
            accessModes = StoragePrinting.AccessModes(status);
            capacity = PersistentVolumePrinter.Storage(status.Get("capacity"));
        }

        var storageClass = spec.Get("storageClassName");
        writer.WriteStringValue(Name(pvc));
        writer.WriteStringValue(phase);
        writer.WriteStringValue(volumeName);
        writer.WriteStringValue(capacity);
        writer.WriteStringValue(accessModes);
        writer.WriteStringValue(StoragePrinting.StorageClass(pvc, storageClass.ValueKind == JsonValueKind.String ? storageClass.GetString()! : ""));
        writer.WriteStringValue(StoragePrinting.OrUnset(spec.Get("volumeAttributesClassName")));
        WriteAge(writer, pvc);
        writer.WriteStringValue(StoragePrinting.OrUnset(spec.Get("volumeMode")));
    }
}

internal static class StoragePrinting
{
    private const string BetaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

    /// <summary>helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once.</summary>
    public static string AccessModes(JsonElement holder)
    {
        bool rwo = false, rox = false, rwx = false, rwop = false;
        foreach (var mode in holder.Items("accessModes"))
        {
            switch (mode.ValueKind == JsonValueKind.String ? mode.GetString() : null)
            {
                case "ReadWriteOnce": rwo = true; break;
                case "ReadOnlyMany": rox = true; break;
                case "ReadWriteMany": rwx = true; break;
                case "ReadWriteOncePod": rwop = true; break;
            }
        }

        var text = new StringBuilder();
        Append(text, rwo, "RWO");
        Append(text, rox, "ROX");
        Append(text, rwx, "RWX");
        Append(text, rwop, "RWOP");
        return text.ToString();

        static void Append(StringBuilder text, bool present, string value)
        {
            if (present)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }

                text.Append(value);
            }
        }
    }

    /// <summary>GetPersistentVolume(Claim)Class: the beta annotation wins over spec.storageClassName.</summary>
    public static string StorageClass(JsonElement obj, string specClass)
    {
        var annotations = obj.Get("metadata").Get("annotations");
        var beta = annotations.Get(BetaStorageClassAnnotation);
        return beta.ValueKind == JsonValueKind.String ? beta.GetString()! : specClass;
    }

    /// <summary>An optional string field: its value, or "&lt;unset&gt;" when nil.</summary>
    public static string OrUnset(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : "<unset>";
}

/// <summary>
/// printResourceQuota: REQUEST and LIMIT list <c>name: used/hard</c> for every resource in
/// status.hard, sorted by name; <c>limits.*</c> go to LIMIT, the rest to REQUEST.
/// </summary>
internal sealed class ResourceQuotaPrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    TableColumn.AgeColumn,
    new("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
    new("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."))
{
    public override void WriteCells(CellWriter writer, JsonElement obj)
    {
        var status = obj.Get("status");
        var hard = status.Get("hard");
        var used = status.Get("used");
        var names = new List<string>();
        if (hard.IsObject())
        {
            foreach (var member in hard.EnumerateObject())
            {
                names.Add(member.Name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        var request = new StringBuilder();
        var limit = new StringBuilder();
        foreach (var name in names)
        {
            var column = name.StartsWith("limits.", StringComparison.Ordinal) ? limit : request;
            if (column.Length > 0)
            {
                column.Append(", ");
            }

            var usedValue = used.IsObject() ? used.Str(name) : "";
            column.Append(name).Append(": ").Append(usedValue.Length == 0 ? "0" : usedValue).Append('/').Append(hard.Str(name));
        }

        writer.WriteStringValue(Name(obj));
        WriteAge(writer, obj);
        writer.WriteStringValue(request.ToString());
        writer.WriteStringValue(limit.ToString());
    }
}
