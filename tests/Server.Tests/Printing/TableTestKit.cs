using System.Text;
using System.Text.Json.Nodes;
using Nautilus.Server.Api;
using Nautilus.Server.Api.Printing;

namespace Nautilus.Server.Tests.Printing;

/// <summary>Objects and assertions shared by the Table tests: a fixed clock and one-object Tables read back as cells.</summary>
internal static class TableTestKit
{
    /// <summary>The fixed "now" of every Table test.</summary>
    public static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static ResourceDefinition Resource(string group, string kind) =>
        BuiltInResources.CreateRegistry().All.First(r => r.Group == group && r.Kind == kind);

    /// <summary>A timestamp <paramref name="ago"/> before <see cref="Now"/>, in Kubernetes' RFC 3339 form.</summary>
    public static string Ago(TimeSpan ago) =>
        (Now - ago).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static JsonObject Table(ResourceDefinition resource, string json, IncludeObjectPolicy include = IncludeObjectPolicy.Metadata) =>
        Parse(new TableConvertor(new ManualTimeProvider(Now)).ObjectTable(resource, Encoding.UTF8.GetBytes(json), include, "meta.k8s.io/v1"));

    public static JsonObject Parse(byte[] json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>A Table written into rented memory: read, then the memory returned.</summary>
    public static JsonObject Parse(PooledBufferWriter table)
    {
        using (table)
        {
            return JsonNode.Parse(table.WrittenSpan)!.AsObject();
        }
    }

    /// <summary>The cells of the single row of a one-object Table, as JSON text ("\"1/2\"", "3").</summary>
    public static string[] Cells(ResourceDefinition resource, string json) =>
        Table(resource, json)["rows"]![0]!["cells"]!.AsArray().Select(c => c!.ToJsonString()).ToArray();

    /// <summary>Expected cells written as C# values: strings become JSON strings, numbers JSON numbers, booleans JSON booleans.</summary>
    public static string[] Expect(params object[] cells) =>
        cells.Select(c => c is string s ? JsonValue.Create(s).ToJsonString() : c is bool b ? (b ? "true" : "false") : Convert.ToString(c, System.Globalization.CultureInfo.InvariantCulture)!).ToArray();
}
