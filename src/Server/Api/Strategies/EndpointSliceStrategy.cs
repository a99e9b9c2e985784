using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies.Defaults;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;
using Nautilus.Server.Api.Strategies.Validation;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// EndpointSlices (discovery/v1 SetDefaults_EndpointPort: port name "" and protocol TCP). Like
/// kube's endpointSliceStrategy, a slice carries a generation: 1 on create, bumped by any update
/// that changes more than metadata (or changes labels).
/// </summary>
public sealed class EndpointSliceStrategy : ResourceStrategy
{
    public override void ApplyDefaults(JsonObject obj)
    {
        // endpoints and ports have no omitempty in Go: unset, they are written as null.
        foreach (var list in (ReadOnlySpan<string>)["endpoints", "ports"])
        {
            if (!obj.ContainsKey(list))
            {
                obj[list] = null;
            }
        }

        foreach (var endpoint in Items(obj, "endpoints"))
        {
            // EndpointConditions is a struct: always written.
            EnsureObject(endpoint, "conditions");
        }

        foreach (var port in Items(obj, "ports"))
        {
            SetIfUnset(port, "name", "");
            SetIfUnset(port, "protocol", "TCP");
        }
    }

    public override void PrepareForCreate(JsonObject obj, bool dryRun) => EnsureObject(obj, "metadata")["generation"] = 1;

    /// <summary>Anything but metadata, or the labels, changing bumps the generation.</summary>
    public override void PrepareForUpdate(JsonObject obj, JsonObject old, bool dryRun)
    {
        var paths = new List<string> { "metadata.labels" };
        foreach (var (key, _) in obj)
        {
            if (key != "metadata")
            {
                paths.Add(key);
            }
        }

        foreach (var (key, _) in old)
        {
            if (key != "metadata" && !obj.ContainsKey(key))
            {
                paths.Add(key);
            }
        }

        Generation.BumpOnChange(obj, old, [.. paths]);
    }

    private static readonly string[] AddressTypes = ["FQDN", "IPv4", "IPv6"];

    /// <summary>ValidateEndpointSlice: a supported address type, endpoints with 1 to 100 addresses, valid ports.</summary>
    public override void Validate(JsonObject obj, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        var addressType = StringValue(obj, "addressType") ?? "";
        if (addressType.Length == 0)
        {
            errors.Required("addressType");
        }
        else if (Array.IndexOf(AddressTypes, addressType) < 0)
        {
            errors.NotSupportedString("addressType", addressType, AddressTypes);
        }

        var index = 0;
        foreach (var endpoint in Items(obj, "endpoints"))
        {
            var addresses = endpoint["addresses"] as JsonArray;
            if (addresses is not { Count: > 0 })
            {
                errors.Required($"endpoints[{index}].addresses", "must contain at least 1 address");
            }
            else if (addresses.Count > 100)
            {
                errors.Invalid($"endpoints[{index}].addresses", $"{addresses.Count}", "may not have more than 100 addresses");
            }

            index++;
        }

        index = 0;
        foreach (var port in Items(obj, "ports"))
        {
            var path = $"ports[{index++}]";
            var name = StringValue(port, "name") ?? "";
            if (name.Length > 0)
            {
                PodSpecValidation.Dns1123Label(name, path, "name", errors);
            }

            var protocol = StringValue(port, "protocol") ?? "";
            if (Array.IndexOf(PodSpecValidation.PortProtocols, protocol) < 0)
            {
                errors.NotSupportedString(path + ".protocol", protocol, PodSpecValidation.PortProtocols);
            }

            if (TryGetInt64(port["port"], out var number) && number is < 0 or > 65535)
            {
                errors.InvalidNumber(path + ".port", number, "must be between 0 and 65535, inclusive");
            }
        }
    }

    /// <summary>The slice rules again, and an immutable address type.</summary>
    public override void ValidateUpdate(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
        Validate(obj, causes);
        var addressType = StringValue(obj, "addressType") ?? "";
        if (addressType != (StringValue(old, "addressType") ?? ""))
        {
            new FieldErrors(causes).InvalidString("addressType", addressType, "field is immutable");
        }
    }
}
