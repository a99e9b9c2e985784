using System.Text.Json;

namespace Nautilus.Server.Api.Printing;

/// <summary>printPriorityClass: VALUE, GLOBAL-DEFAULT, AGE, PREEMPTIONPOLICY (&lt;none&gt; when unset).</summary>
internal sealed class PriorityClassPrinter() : ResourcePrinter(
    TableColumn.NameColumn,
    new("Value", "integer", SwaggerDocs.PriorityClassValue),
    new("Global-Default", "boolean", SwaggerDocs.PriorityClassGlobalDefault),
    TableColumn.AgeColumn,
    new("PreemptionPolicy", "string", SwaggerDocs.PriorityClassPreemptionPolicy))
{
    public override void WriteCells(CellWriter writer, JsonElement pc)
    {
        writer.WriteStringValue(Name(pc));
        writer.WriteNumberValue(pc.Int("value"));
        writer.WriteBooleanValue(pc.Bool("globalDefault"));
        WriteAge(writer, pc);
        writer.WriteStringValue(OrNone(pc.Str("preemptionPolicy")));
    }
}
