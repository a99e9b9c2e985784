using System.Globalization;
using System.Text.Json;

namespace Nautilus.Server.Api.Printing;

/// <summary>printDeployment: READY "ready/desired", UP-TO-DATE, AVAILABLE; wide: CONTAINERS, IMAGES, SELECTOR.</summary>
internal sealed class DeploymentPrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Ready", "string", "Number of the pod with ready state"),
    new("Up-to-date", "string", SwaggerDocs.DeploymentStatusUpdatedReplicas),
    new("Available", "string", SwaggerDocs.DeploymentStatusAvailableReplicas),
    TableColumn.AgeColumn,
    new("Containers", "string", "Names of each container in the template.", Priority: 1),
    new("Images", "string", "Images referenced by each container in the template.", Priority: 1),
    new("Selector", "string", SwaggerDocs.DeploymentSpecSelector, Priority: 1))
{
    public override void WriteCells(CellWriter writer, JsonElement deployment)
    {
        var spec = deployment.Get("spec");
        var status = deployment.Get("status");

        // spec.replicas is defaulted to 1 before it is stored.
        var desired = spec.Int("replicas", absent: 1);
        var (names, images) = ContainerCells(spec.Get("template").Get("spec"));

        writer.WriteStringValue(Name(deployment));
        writer.WriteStringValue(string.Create(CultureInfo.InvariantCulture, $"{status.Int("readyReplicas")}/{desired}"));
        writer.WriteNumberValue(status.Int("updatedReplicas"));
        writer.WriteNumberValue(status.Int("availableReplicas"));
        WriteAge(writer, deployment);
        writer.WriteStringValue(names);
        writer.WriteStringValue(images);
        writer.WriteStringValue(LabelFormat.SelectorString(spec.Get("selector")) ?? "<invalid>");
    }
}

/// <summary>printReplicaSet: DESIRED, CURRENT, READY; wide: CONTAINERS, IMAGES, SELECTOR.</summary>
internal sealed class ReplicaSetPrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Desired", "integer", SwaggerDocs.ReplicaSetSpecReplicas),
    new("Current", "integer", SwaggerDocs.ReplicaSetStatusReplicas),
    new("Ready", "integer", SwaggerDocs.ReplicaSetStatusReadyReplicas),
    TableColumn.AgeColumn,
    new("Containers", "string", "Names of each container in the template.", Priority: 1),
    new("Images", "string", "Images referenced by each container in the template.", Priority: 1),
    new("Selector", "string", SwaggerDocs.ReplicaSetSpecSelector, Priority: 1))
{
    public override void WriteCells(CellWriter writer, JsonElement rs)
    {
        var spec = rs.Get("spec");
        var status = rs.Get("status");
        var (names, images) = ContainerCells(spec.Get("template").Get("spec"));

        writer.WriteStringValue(Name(rs));
        writer.WriteNumberValue(spec.Int("replicas", absent: 1));
        writer.WriteNumberValue(status.Int("replicas"));
        writer.WriteNumberValue(status.Int("readyReplicas"));
        WriteAge(writer, rs);
        writer.WriteStringValue(names);
        writer.WriteStringValue(images);
        writer.WriteStringValue(LabelFormat.FormatLabelSelector(spec.Get("selector")));
    }
}
