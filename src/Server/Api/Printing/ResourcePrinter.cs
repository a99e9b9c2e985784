using System.Collections.Frozen;
using System.Text.Json;

namespace Nautilus.Server.Api.Printing;

/// <summary>
/// One kind's table handler, as registered in kubernetes pkg/printers/internalversion AddHandlers:
/// the column definitions and the cells of one object's row. kube-apiserver always prints with
/// <c>Wide: true</c> (pkg/printers/storage TableConvertor), so rows carry the priority-1 cells too
/// and kubectl drops them unless <c>-o wide</c>.
/// </summary>
internal abstract class ResourcePrinter
{
    private static readonly FrozenDictionary<(string Group, string Kind), ResourcePrinter> ByKind = new Dictionary<(string, string), ResourcePrinter>
    {
        [("", "Pod")] = new PodPrinter(),
        [("", "Node")] = new NodePrinter(),
        [("", "Namespace")] = new NamespacePrinter(),
        [("", "Service")] = new ServicePrinter(),
        [("", "Endpoints")] = new EndpointsPrinter(),
        [("", "ConfigMap")] = new ConfigMapPrinter(),
        [("", "Secret")] = new SecretPrinter(),
        [("", "ServiceAccount")] = new ServiceAccountPrinter(),
        [("", "Event")] = new EventPrinter(),
        [("events.k8s.io", "Event")] = new EventPrinter(),
        [("", "PersistentVolume")] = new PersistentVolumePrinter(),
        [("", "PersistentVolumeClaim")] = new PersistentVolumeClaimPrinter(),
        [("", "ResourceQuota")] = new ResourceQuotaPrinter(),
        [("apps", "Deployment")] = new DeploymentPrinter(),
        [("apps", "ReplicaSet")] = new ReplicaSetPrinter(),
        [("coordination.k8s.io", "Lease")] = new LeasePrinter(),
        [("discovery.k8s.io", "EndpointSlice")] = new EndpointSlicePrinter(),
        [("scheduling.k8s.io", "PriorityClass")] = new PriorityClassPrinter(),
    }.ToFrozenDictionary();

    /// <summary>rest.defaultTableConvertor: what kube-apiserver serves for a kind without a printer.</summary>
    public static readonly ResourcePrinter Default = new DefaultPrinter();

    protected ResourcePrinter(params TableColumn[] columns)
    {
        Columns = columns;
        ColumnDefinitionsJson = TableColumn.Serialize(columns);
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The serialized columnDefinitions array, shared by every Table of this kind.</summary>
    public byte[] ColumnDefinitionsJson { get; }

    /// <summary>
    /// The default convertor appends rows to a nil slice, so an empty list is <c>"rows":null</c>;
    /// printer handlers return <c>make([]TableRow, 0)</c>, so theirs is <c>"rows":[]</c>.
    /// </summary>
    public virtual bool EmptyRowsAreNull => false;

    public static ResourcePrinter For(ResourceDefinition resource) =>
        ByKind.TryGetValue((resource.Group, resource.Kind), out var printer) ? printer : Default;

    /// <summary>Writes the row's cells (the "cells" array's members) for one object.</summary>
    public abstract void WriteCells(CellWriter writer, JsonElement obj);

    /// <summary>Writes the row's "conditions" member when the kind has one (pods that completed or failed).</summary>
    public virtual void WriteConditions(Utf8JsonWriter writer, JsonElement obj)
    {
    }

    /// <summary>AGE: the duration since creation, as of when the row is printed.</summary>
    protected static void WriteAge(CellWriter writer, JsonElement obj) =>
        writer.WriteSince(obj.Get("metadata").Time("creationTimestamp"));

    protected static string Name(JsonElement obj) => obj.Get("metadata").Str("name");

    protected static string OrNone(string value) => value.Length == 0 ? "<none>" : value;

    /// <summary>layoutContainerCells: container names and images, comma separated.</summary>
    protected static (string Names, string Images) ContainerCells(JsonElement podSpec)
    {
        var names = new System.Text.StringBuilder();
        var images = new System.Text.StringBuilder();
        var first = true;
        foreach (var container in podSpec.Items("containers"))
        {
            if (!first)
            {
                names.Append(',');
                images.Append(',');
            }

            first = false;
            names.Append(container.Str("name"));
            images.Append(container.Str("image"));
        }

        return (names.ToString(), images.ToString());
    }
}

/// <summary>Name and "Created At" (RFC 3339, UTC), as rest.NewDefaultTableConvertor prints any object.</summary>
internal sealed class DefaultPrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new TableColumn("Created At", "date", SwaggerDocs.ObjectMetaCreationTimestamp))
{
    public override bool EmptyRowsAreNull => true;

    public override void WriteCells(CellWriter writer, JsonElement obj)
    {
        writer.WriteStringValue(Name(obj));

        // Go formats the zero time too: m.GetCreationTimestamp().Time.UTC().Format(time.RFC3339).
        var created = obj.Get("metadata").Time("creationTimestamp") ?? new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero);
        writer.WriteStringValue(created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }
}
