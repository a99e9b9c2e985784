using System.Buffers;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Nautilus.Server.Api.Discovery;

/// <summary>The document formats a discovery endpoint can answer with, chosen from the Accept header.</summary>
public enum DiscoveryFormat
{
    /// <summary>No acceptable media type: 406 Not Acceptable.</summary>
    NotAcceptable,

    /// <summary>Unaggregated discovery (APIVersions, APIGroupList, APIGroup, APIResourceList) as application/json.</summary>
    Legacy,

    /// <summary>Aggregated discovery, apidiscovery.k8s.io/v2 APIGroupDiscoveryList.</summary>
    AggregatedV2,

    /// <summary>Aggregated discovery, apidiscovery.k8s.io/v2beta1 APIGroupDiscoveryList (clients before 1.30).</summary>
    AggregatedV2Beta1,
}

/// <summary>
/// The discovery documents kube-apiserver 1.32 serves at /version, /api, /apis, /apis/{group},
/// /api/v1 and /apis/{group}/{version}, built once from the registry and served as cached bytes.
/// Field names, field order, omitted-when-empty fields and the order of groups and resources
/// follow kube-apiserver, so clients see the same documents.
/// </summary>
public sealed class DiscoveryDocuments
{
    public const string Major = "1";
    public const string Minor = "32";
    public const string GitVersion = "v1.32.0-nautilus";

    public const string AggregatedV2ContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    public const string AggregatedV2Beta1ContentType = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

    /// <summary>The message kube-apiserver clients see for a path no handler serves.</summary>
    public const string NotFoundMessage = "the server could not find the requested resource";

    /// <summary>
    /// Named groups in the order kube-apiserver lists them (its API service priorities); groups it
    /// does not know follow in registration order.
    /// </summary>
    private static readonly string[] GroupPriority =
    [
        "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch",
        "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io",
        "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io",
        "resource.k8s.io", "internal.apiserver.k8s.io", "storagemigration.k8s.io",
    ];

    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ResourceRegistry _registry;
    private readonly Dictionary<string, byte[]> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _resourceLists = new(StringComparer.Ordinal);

    public DiscoveryDocuments(ResourceRegistry registry)
    {
        _registry = registry;
        OrderedGroups = OrderGroups(registry);
        Version = BuildVersion();
        Groups = BuildGroupList();
        foreach (var group in OrderedGroups)
        {
            _groups[group] = BuildGroup(group);
        }

        foreach (var group in OrderedGroups.Prepend(""))
        {
            foreach (var version in registry.VersionsOf(group))
            {
                _resourceLists[GroupVersionKey(group, version)] = BuildResourceList(group, version);
            }
        }

        AggregatedCoreV2 = BuildAggregated([""], "v2");
        AggregatedCoreV2Beta1 = BuildAggregated([""], "v2beta1");
        AggregatedGroupsV2 = BuildAggregated(OrderedGroups, "v2");
        AggregatedGroupsV2Beta1 = BuildAggregated(OrderedGroups, "v2beta1");
    }

    /// <summary>Named groups in the order /apis lists them.</summary>
    public IReadOnlyList<string> OrderedGroups { get; }

    /// <summary>GET /version: version.Info, indented as kube-apiserver writes it.</summary>
    public byte[] Version { get; }

    /// <summary>GET /apis: APIGroupList.</summary>
    public byte[] Groups { get; }

    /// <summary>GET /api as apidiscovery.k8s.io/v2 APIGroupDiscoveryList.</summary>
    public byte[] AggregatedCoreV2 { get; }

    public byte[] AggregatedCoreV2Beta1 { get; }

    /// <summary>GET /apis as apidiscovery.k8s.io/v2 APIGroupDiscoveryList.</summary>
    public byte[] AggregatedGroupsV2 { get; }

    public byte[] AggregatedGroupsV2Beta1 { get; }

    /// <summary>The 404 kube-apiserver clients get for an unknown group or version.</summary>
    public static ApiException NotFound() => new(404, "NotFound", NotFoundMessage);

    /// <summary>The 406 for an Accept header naming no media type the endpoint can produce.</summary>
    public static ApiException NotAcceptable(string accepted) =>
        new(406, "NotAcceptable", "only the following media types are accepted: " + accepted);

    /// <summary>GET /api: APIVersions. The server address is the one the client reached, so it is written per request.</summary>
    public static byte[] CoreVersions(string serverAddress)
    {
        var buffer = new ArrayBufferWriter<byte>(192);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("kind", "APIVersions");
            w.WriteStartArray("versions");
            w.WriteStringValue("v1");
            w.WriteEndArray();
            w.WriteStartArray("serverAddressByClientCIDRs");
            w.WriteStartObject();
            w.WriteString("clientCIDR", "0.0.0.0/0");
            w.WriteString("serverAddress", serverAddress);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return WithNewline(buffer);
    }

    /// <summary>GET /apis/{group}: APIGroup.</summary>
    public byte[] Group(string group) =>
        _groups.TryGetValue(group, out var bytes) ? bytes : throw NotFound();

    /// <summary>GET /api/{version} (group "") and /apis/{group}/{version}: APIResourceList.</summary>
    public byte[] Resources(string group, string version) =>
        _resourceLists.TryGetValue(GroupVersionKey(group, version), out var bytes) ? bytes : throw NotFound();

    /// <summary>
    /// Chooses the format for /api and /apis. Media ranges are tried in the client's order (by
    /// q-value, then position), as kube-apiserver's negotiation does; kubectl sends aggregated v2,
    /// then v2beta1, then application/json.
    /// </summary>
    public static DiscoveryFormat Negotiate(string? accept, bool allowAggregated = true)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return DiscoveryFormat.Legacy;
        }

        foreach (var range in MediaRange.ParseAccept(accept))
        {
            if (!range.Matches("application", "json"))
            {
                continue;
            }

            var asKind = range.Parameter("as");
            if (asKind is null)
            {
                // application/json, application/*, */*
                return DiscoveryFormat.Legacy;
            }

            if (allowAggregated && asKind == "APIGroupDiscoveryList" && range.Parameter("g") == "apidiscovery.k8s.io")
            {
                switch (range.Parameter("v"))
                {
                    case "v2":
                        return DiscoveryFormat.AggregatedV2;
                    case "v2beta1":
                        return DiscoveryFormat.AggregatedV2Beta1;
                }
            }

            // Other conversions (as=Table, as=PartialObjectMetadata) are not served for discovery: try the next range.
        }

        return DiscoveryFormat.NotAcceptable;
    }

    /// <summary>The storage version hash kube-apiserver publishes: base64 of the first 8 bytes of sha256("group/version/kind").</summary>
    public static string StorageVersionHash(string group, string version, string kind)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(group + "/" + version + "/" + kind), hash);
        return Convert.ToBase64String(hash[..8]);
    }

    /// <summary>Group, version, kind and verbs of a subresource, as kube-apiserver 1.32 serves it.</summary>
    public static SubresourceInfo DescribeSubresource(ResourceDefinition parent, string subresource) => subresource switch
    {
        "status" or "ephemeralcontainers" or "resize" or "approval" => new(parent.Group, parent.Version, parent.Kind, ["get", "patch", "update"]),
        "scale" => new("autoscaling", "v1", "Scale", ["get", "patch", "update"]),
        "binding" => new("", "v1", "Binding", ["create"]),
        "eviction" => new("policy", "v1", "Eviction", ["create"]),
        "finalize" => new(parent.Group, parent.Version, parent.Kind, ["update"]),
        "log" => new("", "v1", "Pod", ["get"]),
        "exec" => new("", "v1", "PodExecOptions", ["create", "get"]),
        "attach" => new("", "v1", "PodAttachOptions", ["create", "get"]),
        "portforward" => new("", "v1", "PodPortForwardOptions", ["create", "get"]),
        "proxy" => new("", "v1", parent.Kind + "ProxyOptions", ["create", "delete", "get", "patch", "update"]),
        "token" => new("authentication.k8s.io", "v1", "TokenRequest", ["create"]),
        _ => new(parent.Group, parent.Version, parent.Kind, ["get", "patch", "update"]),
    };

    private static string GroupVersionKey(string group, string version) => group + "/" + version;

    private static List<string> OrderGroups(ResourceRegistry registry)
    {
        var ordered = new List<string>(registry.Groups.Count);
        foreach (var known in GroupPriority)
        {
            if (registry.Groups.Contains(known))
            {
                ordered.Add(known);
            }
        }

        foreach (var group in registry.Groups)
        {
            if (!ordered.Contains(group))
            {
                ordered.Add(group);
            }
        }

        return ordered;
    }

    /// <summary>Resources of one group-version in discovery order: sorted by name (ordinal), which puts each subresource right after its resource.</summary>
    private List<ResourceDefinition> SortedResources(string group, string version)
    {
        var resources = _registry.InGroupVersion(group, version).ToList();
        resources.Sort(static (a, b) => string.CompareOrdinal(a.Plural, b.Plural));
        return resources;
    }

    private static string[] SortedVerbs(IEnumerable<string> verbs)
    {
        var sorted = verbs.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }

    private static string[] SortedSubresources(ResourceDefinition resource)
    {
        var sorted = (string[])resource.Subresources.Clone();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }

    private static byte[] BuildVersion()
    {
        var assembly = typeof(DiscoveryDocuments).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        var commit = plus >= 0 ? informational[(plus + 1)..] : "";
        var buildDate = DateTime.UnixEpoch;
        if (!string.IsNullOrEmpty(assembly.Location) && File.Exists(assembly.Location))
        {
            buildDate = File.GetLastWriteTimeUtc(assembly.Location);
        }

        var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsWindows() ? "windows" : "unknown";
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "amd64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "386",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };

        // kube-apiserver writes /version with json.MarshalIndent(info, "", "  ").
        var buffer = new ArrayBufferWriter<byte>(384);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions with { Indented = true, IndentSize = 2 }))
        {
            w.WriteStartObject();
            w.WriteString("major", Major);
            w.WriteString("minor", Minor);
            w.WriteString("gitVersion", GitVersion);
            w.WriteString("gitCommit", commit);
            w.WriteString("gitTreeState", "clean");
            w.WriteString("buildDate", buildDate.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("goVersion", "dotnet" + Environment.Version);
            w.WriteString("compiler", "roslyn");
            w.WriteString("platform", os + "/" + arch);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private byte[] BuildGroupList()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("kind", "APIGroupList");
            w.WriteString("apiVersion", "v1");
            w.WriteStartArray("groups");
            foreach (var group in OrderedGroups)
            {
                w.WriteStartObject();
                WriteGroupBody(w, group);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return WithNewline(buffer);
    }

    private byte[] BuildGroup(string group)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("kind", "APIGroup");
            w.WriteString("apiVersion", "v1");
            WriteGroupBody(w, group);
            w.WriteEndObject();
        }

        return WithNewline(buffer);
    }

    private void WriteGroupBody(Utf8JsonWriter w, string group)
    {
        var versions = _registry.VersionsOf(group);
        w.WriteString("name", group);
        w.WriteStartArray("versions");
        foreach (var version in versions)
        {
            WriteGroupVersionForDiscovery(w, group, version);
        }

        w.WriteEndArray();
        w.WritePropertyName("preferredVersion");
        WriteGroupVersionForDiscovery(w, group, versions[0]);
    }

    private static void WriteGroupVersionForDiscovery(Utf8JsonWriter w, string group, string version)
    {
        w.WriteStartObject();
        w.WriteString("groupVersion", group + "/" + version);
        w.WriteString("version", version);
        w.WriteEndObject();
    }

    private byte[] BuildResourceList(string group, string version)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("kind", "APIResourceList");

            // kube-apiserver omits apiVersion on the legacy /api/v1 list and writes it on /apis lists.
            if (group.Length > 0)
            {
                w.WriteString("apiVersion", "v1");
            }

            w.WriteString("groupVersion", group.Length == 0 ? version : group + "/" + version);
            w.WriteStartArray("resources");
            foreach (var resource in SortedResources(group, version))
            {
                WriteApiResource(w, resource.Plural, resource.Singular, resource.Namespaced, null, null, resource.Kind, SortedVerbs(resource.Verbs));
                if (resource.ShortNames.Length > 0)
                {
                    WriteStrings(w, "shortNames", resource.ShortNames);
                }

                if (resource.Categories.Length > 0)
                {
                    WriteStrings(w, "categories", resource.Categories);
                }

                w.WriteString("storageVersionHash", StorageVersionHash(resource.Group, resource.Version, resource.Kind));
                w.WriteEndObject();

                foreach (var subresource in SortedSubresources(resource))
                {
                    var info = DescribeSubresource(resource, subresource);
                    var sameGroupVersion = info.Group == group && info.Version == version;
                    WriteApiResource(
                        w, resource.Plural + "/" + subresource, "", resource.Namespaced,
                        sameGroupVersion ? null : info.Group, sameGroupVersion ? null : info.Version, info.Kind, info.Verbs);
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return WithNewline(buffer);
    }

    /// <summary>Writes an APIResource up to its verbs, leaving the object open for the optional fields.</summary>
    private static void WriteApiResource(Utf8JsonWriter w, string name, string singular, bool namespaced, string? group, string? version, string kind, string[] verbs)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("singularName", singular);
        w.WriteBoolean("namespaced", namespaced);
        if (!string.IsNullOrEmpty(group))
        {
            w.WriteString("group", group);
        }

        if (!string.IsNullOrEmpty(version))
        {
            w.WriteString("version", version);
        }

        w.WriteString("kind", kind);
        WriteStrings(w, "verbs", verbs);
    }

    private byte[] BuildAggregated(IReadOnlyList<string> groups, string discoveryVersion)
    {
        var buffer = new ArrayBufferWriter<byte>(8192);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("kind", "APIGroupDiscoveryList");
            w.WriteString("apiVersion", "apidiscovery.k8s.io/" + discoveryVersion);
            w.WriteStartObject("metadata");
            w.WriteEndObject();
            w.WriteStartArray("items");
            foreach (var group in groups)
            {
                w.WriteStartObject();
                w.WriteStartObject("metadata");
                if (group.Length > 0)
                {
                    w.WriteString("name", group);
                }

                // metav1.Time has no omitempty in 1.32: a zero creationTimestamp is written as null.
                w.WriteNull("creationTimestamp");
                w.WriteEndObject();
                w.WriteStartArray("versions");
                foreach (var version in _registry.VersionsOf(group))
                {
                    WriteAggregatedVersion(w, group, version);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return WithNewline(buffer);
    }

    private void WriteAggregatedVersion(Utf8JsonWriter w, string group, string version)
    {
        w.WriteStartObject();
        w.WriteString("version", version);
        w.WriteStartArray("resources");
        foreach (var resource in SortedResources(group, version))
        {
            w.WriteStartObject();
            w.WriteString("resource", resource.Plural);
            WriteGroupVersionKind(w, "responseKind", resource.Group, resource.Version, resource.Kind);
            w.WriteString("scope", resource.Namespaced ? "Namespaced" : "Cluster");
            w.WriteString("singularResource", resource.Singular);
            WriteStrings(w, "verbs", SortedVerbs(resource.Verbs));
            if (resource.ShortNames.Length > 0)
            {
                WriteStrings(w, "shortNames", resource.ShortNames);
            }

            if (resource.Categories.Length > 0)
            {
                WriteStrings(w, "categories", resource.Categories);
            }

            if (resource.Subresources.Length > 0)
            {
                w.WriteStartArray("subresources");
                foreach (var subresource in SortedSubresources(resource))
                {
                    var info = DescribeSubresource(resource, subresource);
                    w.WriteStartObject();
                    w.WriteString("subresource", subresource);
                    WriteGroupVersionKind(w, "responseKind", info.Group, info.Version, info.Kind);
                    WriteStrings(w, "verbs", info.Verbs);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("freshness", "Current");
        w.WriteEndObject();
    }

    private static void WriteGroupVersionKind(Utf8JsonWriter w, string property, string group, string version, string kind)
    {
        w.WriteStartObject(property);
        w.WriteString("group", group);
        w.WriteString("version", version);
        w.WriteString("kind", kind);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string property, IEnumerable<string> values)
    {
        w.WriteStartArray(property);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    /// <summary>kube-apiserver's JSON serializer ends every encoded object with a newline (json.Encoder).</summary>
    private static byte[] WithNewline(ArrayBufferWriter<byte> buffer)
    {
        var bytes = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(bytes);
        bytes[^1] = (byte)'\n';
        return bytes;
    }
}

/// <summary>How one subresource is published in discovery.</summary>
public sealed record SubresourceInfo(string Group, string Version, string Kind, string[] Verbs);

/// <summary>One media range of an Accept header: type/subtype, parameters and q-value.</summary>
internal readonly record struct MediaRange(string Type, string SubType, KeyValuePair<string, string>[] Parameters, double Quality)
{
    public string? Parameter(string name)
    {
        foreach (var (key, value) in Parameters)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>True when this range admits type/subtype (wildcards included).</summary>
    public bool Matches(string type, string subType) =>
        (Type == "*" || Type == type) && (SubType == "*" || SubType == subType);

    /// <summary>The ranges of an Accept header, best first: by q-value, then by position. Ranges with q=0 are dropped.</summary>
    public static List<MediaRange> ParseAccept(string accept)
    {
        var ranges = new List<MediaRange>();
        foreach (var clause in accept.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = clause.Split(';', StringSplitOptions.TrimEntries);
            var slash = parts[0].IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == parts[0].Length - 1)
            {
                continue;
            }

            var parameters = new List<KeyValuePair<string, string>>();
            var quality = 1.0;
            for (var i = 1; i < parts.Length; i++)
            {
                var eq = parts[i].IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    continue;
                }

                var key = parts[i][..eq].Trim();
                var value = parts[i][(eq + 1)..].Trim().Trim('"');
                if (key == "q")
                {
                    quality = double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q) ? q : 1.0;
                }
                else
                {
                    parameters.Add(new(key, value));
                }
            }

            if (quality > 0)
            {
                ranges.Add(new(parts[0][..slash].ToLowerInvariant(), parts[0][(slash + 1)..].ToLowerInvariant(), [.. parameters], quality));
            }
        }

        // List.Sort is unstable; order by q-value, keeping the client's order among equals.
        return [.. ranges.Select((r, i) => (r, i)).OrderByDescending(x => x.r.Quality).ThenBy(x => x.i).Select(x => x.r)];
    }
}
