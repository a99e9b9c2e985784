using ResourceQuantity = Nautilus.Controllers.Machinery.ResourceQuantity;
using System.Buffers;
using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nautilus.Store;
using Nautilus.Server.Api.Objects;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies.Validation;

/// <summary>
/// ValidatePodSpec and ValidatePodTemplateSpec of pkg/apis/core/validation, for the mistakes
/// users make: the rules, their order and their wording follow kube-apiserver 1.32. Runs on the
/// defaulted object, as kube's does.
/// </summary>
internal static class PodSpecValidation
{
    /// <summary>
    /// Lists up to this long are checked for duplicates by reading their earlier items again (no set,
    /// no strings); a longer one gets a set, so a pathological pod stays linear.
    /// </summary>
    private const int ScannedListLength = 16;

    public static readonly string[] PortProtocols = ["SCTP", "TCP", "UDP"];

    private static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];
    private static readonly string[] DnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] TerminationMessagePolicies = ["File", "FallbackToLogsOnError"];
    private static readonly string[] TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
    private static readonly string[] ProbeHandlers = ["exec", "httpGet", "tcpSocket", "grpc"];
    private static readonly string[] StandardContainerResources = ["cpu", "memory", "ephemeral-storage"];

    private static readonly SearchValues<char> PortNameCharacters = SearchValues.Create("-abcdefghijklmnopqrstuvwxyz0123456789");

    private static readonly SearchValues<char> ConfigKeyCharacters = SearchValues.Create("-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    /// <summary>validateVolumeSource's order: the second source found is the one reported.</summary>
    private static readonly string[] VolumeSources =
    [
        "hostPath", "emptyDir", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi", "glusterfs", "flocker",
        "persistentVolumeClaim", "rbd", "quobyte", "cephfs", "cinder", "downwardAPI", "fc", "azureFile", "vsphereVolume", "photonPersistentDisk",
        "portworxVolume", "azureDisk", "storageos", "scaleIO", "configMap", "projected", "csi", "ephemeral", "image",
    ];

    /// <summary>A volume source's place in <see cref="VolumeSources"/>.</summary>
    private static readonly FrozenDictionary<string, int> VolumeSourceOrder =
        VolumeSources.Select((source, order) => KeyValuePair.Create(source, order)).ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>ValidatePodTemplateSpec: template labels and annotations, then the pod spec.</summary>
    public static void ValidatePodTemplateSpec(JsonObject template, string path, FieldErrors errors)
    {
        var metadata = Object(template, "metadata");
        if (Object(metadata, "labels") is { } labels)
        {
            MetadataValidation.ValidateLabels(labels, path + ".metadata.labels", errors.Causes);
        }

        if (Object(metadata, "annotations") is { } annotations)
        {
            MetadataValidation.ValidateAnnotations(annotations, path + ".metadata.annotations", errors.Causes);
        }

        ValidatePodSpec(Object(template, "spec") ?? [], path + ".spec", errors);
    }

    public static void ValidatePodSpec(JsonObject spec, string path, FieldErrors errors)
    {
        var volumes = ValidateVolumes(spec, path, errors);
        var containers = spec["containers"] as JsonArray;
        var initContainers = spec["initContainers"] as JsonArray;
        if (containers is not { Count: > 0 })
        {
            errors.Required(path + ".containers");
        }

        Span<char> nameBuffer = stackalloc char[64];

        // Container names are unique across containers and init containers; a set for long lists only (see EarlierHas).
        var names = (containers?.Count ?? 0) + (initContainers?.Count ?? 0) > ScannedListLength ? new HashSet<string>(StringComparer.Ordinal) : null;
        var index = 0;
        for (var i = 0; i < (containers?.Count ?? 0); i++)
        {
            if (containers![i] is not JsonObject container)
            {
                continue;
            }

            // One string per container: most of a container's checks name it in their errors.
            var containerPath = $"{path}.containers[{index++}]";
            var name = Chars(container, "name", nameBuffer);
            ValidateContainer(container, name, volumes, containerPath, errors);
            if (names is not null ? !names.Add(name.ToString()) : EarlierHas(containers, i, "name", name))
            {
                errors.Duplicate(containerPath + ".name", GoValue.Quote(name.ToString()));
            }

            ValidateProbes(container, containerPath, errors);
            if (!IsUnset(container, "restartPolicy"))
            {
                errors.Forbidden(containerPath + ".restartPolicy", "may not be set for non-init containers");
            }
        }

        index = 0;
        for (var i = 0; i < (initContainers?.Count ?? 0); i++)
        {
            if (initContainers![i] is not JsonObject container)
            {
                continue;
            }

            var containerPath = $"{path}.initContainers[{index++}]";
            var name = Chars(container, "name", nameBuffer);
            ValidateContainer(container, name, volumes, containerPath, errors);
            if (names is not null ? !names.Add(name.ToString()) : EarlierHas(containers, containers?.Count ?? 0, "name", name) || EarlierHas(initContainers, i, "name", name))
            {
                errors.Duplicate(containerPath + ".name", GoValue.Quote(name.ToString()));
            }

            var restartPolicy = StringNode(container, "restartPolicy");
            var always = restartPolicy is not null && StringEquals(restartPolicy, "Always");
            if (restartPolicy is not null && !always)
            {
                errors.NotSupportedString(containerPath + ".restartPolicy", restartPolicy.GetValue<string>(), ["Always"]);
            }

            if (always)
            {
                ValidateProbes(container, containerPath, errors);
            }
            else
            {
                foreach (var field in (ReadOnlySpan<string>)["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"])
                {
                    if (!IsUnset(container, field))
                    {
                        errors.Forbidden($"{containerPath}.{field}", "may not be set for init containers without restartPolicy=Always");
                    }
                }
            }
        }

        OneOf(spec, "restartPolicy", path, RestartPolicies, errors);
        OneOf(spec, "dnsPolicy", path, DnsPolicies, errors);
        if (Object(spec, "nodeSelector") is { } nodeSelector)
        {
            MetadataValidation.ValidateLabels(nodeSelector, path + ".nodeSelector", errors.Causes);
        }

        Span<char> buffer = stackalloc char[256];
        foreach (var field in (ReadOnlySpan<string>)["serviceAccountName", "nodeName"])
        {
            if (Chars(spec, field, buffer) is { Length: > 0 } value && !(value.Length <= 253 && NameGrammar.IsDns1123Subdomain(value)))
            {
                var text = value.ToString();
                foreach (var message in MetadataValidation.ValidateName(text, NameRule.Dns1123Subdomain))
                {
                    errors.InvalidString($"{path}.{field}", text, message);
                }
            }
        }

        if (TryGetInt64(spec["activeDeadlineSeconds"], out var deadline) && (deadline < 1 || deadline > int.MaxValue))
        {
            errors.InvalidNumber(path + ".activeDeadlineSeconds", deadline, $"must be between 1 and {int.MaxValue}, inclusive");
        }

        foreach (var field in (ReadOnlySpan<string>)["hostname", "subdomain"])
        {
            if (Chars(spec, field, buffer) is { Length: > 0 } value)
            {
                Dns1123Label(value, path, field, errors);
            }
        }

        ValidateTolerations(spec, path, errors);
    }

    /// <summary>Whether an object among <paramref name="items"/>[..<paramref name="end"/>] has <paramref name="member"/> equal to <paramref name="value"/> (absent or not a string reads as "").</summary>
    private static bool EarlierHas(JsonArray? items, int end, string member, ReadOnlySpan<char> value)
    {
        Span<char> buffer = stackalloc char[256];
        for (var i = 0; i < end; i++)
        {
            if (items![i] is JsonObject item && Chars(item, member, buffer).SequenceEqual(value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A required string member of <paramref name="path"/> that must be one of <paramref name="supported"/>.</summary>
    private static void OneOf(JsonObject obj, string member, string path, string[] supported, FieldErrors errors)
    {
        Span<char> buffer = stackalloc char[32];
        if (!KubeJson.TryGetChars(obj[member], buffer, out var value) || value.Length == 0)
        {
            errors.Required($"{path}.{member}");
            return;
        }

        foreach (var candidate in supported)
        {
            if (value.SequenceEqual(candidate))
            {
                return;
            }
        }

        errors.NotSupportedString($"{path}.{member}", value.ToString(), supported);
    }

    /// <summary>IsDNS1123Label of the member <paramref name="member"/> of <paramref name="path"/>.</summary>
    public static void Dns1123Label(string value, string path, string member, FieldErrors errors) => Dns1123Label(value.AsSpan(), path, member, errors);

    /// <inheritdoc cref="Dns1123Label(string, string, string, FieldErrors)"/>
    public static void Dns1123Label(ReadOnlySpan<char> value, string path, string member, FieldErrors errors)
    {
        if (value.Length <= 63 && NameGrammar.IsDns1123Label(value))
        {
            return;
        }

        var text = value.ToString();
        foreach (var message in MetadataValidation.ValidateName(text, NameRule.Dns1123Label))
        {
            errors.InvalidString($"{path}.{member}", text, message);
        }
    }

    /// <summary>
    /// ValidateVolumes of the spec at <paramref name="path"/>; returns the volumes that validated,
    /// which mounts may refer to. Field paths are built only for errors.
    /// </summary>
    private static ValidVolumes ValidateVolumes(JsonObject spec, string path, FieldErrors errors)
    {
        if (spec["volumes"] is not JsonArray list)
        {
            return default;
        }

        // A bit per volume object (by position) up to 64, as pods have; a set of names beyond.
        var names = list.Count > 64 ? new HashSet<string>(StringComparer.Ordinal) : null;
        var valid = 0UL;
        Span<char> buffer = stackalloc char[64];
        var index = 0;
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject volume)
            {
                continue;
            }

            var before = errors.Count;
            ValidateVolumeSource(volume, path, index, errors);
            var name = Chars(volume, "name", buffer);
            if (name.Length == 0)
            {
                errors.Required(VolumePath(path, index) + ".name");
            }
            else
            {
                Dns1123Label(name, VolumePath(path, index), "name", errors);
            }

            var validVolumes = new ValidVolumes(list, valid, names);
            if (validVolumes.Contains(name))
            {
                errors.Duplicate(VolumePath(path, index) + ".name", GoValue.Quote(name.ToString()));
            }

            if (errors.Count == before)
            {
                if (names is not null)
                {
                    names.Add(name.ToString());
                }
                else
                {
                    valid |= 1UL << index;
                }
            }

            index++;
        }

        return new ValidVolumes(list, valid, names);
    }

    private static string VolumePath(string path, int index) => $"{path}.volumes[{index}]";

    /// <summary>The volumes of a pod that validated: bits over the volume objects, or a set of names for more than 64 volumes.</summary>
    private readonly struct ValidVolumes(JsonArray? list, ulong bits, HashSet<string>? names)
    {
        public bool Contains(ReadOnlySpan<char> name)
        {
            if (names is not null)
            {
                return names.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name);
            }

            Span<char> buffer = stackalloc char[64];
            var index = 0;
            for (var i = 0; i < (list?.Count ?? 0) && bits >> index != 0; i++)
            {
                if (list![i] is not JsonObject volume)
                {
                    continue;
                }

                if ((bits & (1UL << index)) != 0 && Chars(volume, "name", buffer).SequenceEqual(name))
                {
                    return true;
                }

                index++;
            }

            return false;
        }
    }

    /// <summary>validateVolumeSource of the volume at index <paramref name="index"/> of the spec at <paramref name="path"/>.</summary>
    private static void ValidateVolumeSource(JsonObject volume, string path, int index, FieldErrors errors)
    {
        // The sources a volume sets, as bits in VolumeSources order: one pass over its few members
        // instead of a lookup of each of the 29 sources.
        var sources = 0UL;
        for (var i = 0; i < volume.Count; i++)
        {
            var (member, value) = volume.GetAt(i);
            if (value is not null && VolumeSourceOrder.TryGetValue(member, out var order))
            {
                sources |= 1UL << order;
            }
        }

        if (sources == 0)
        {
            errors.Required(VolumePath(path, index), "must specify a volume type");
            return;
        }

        var count = 0;
        for (var order = 0; order < VolumeSources.Length; order++)
        {
            if ((sources & (1UL << order)) == 0)
            {
                continue;
            }

            var source = VolumeSources[order];
            if (count++ > 0)
            {
                errors.Forbidden($"{VolumePath(path, index)}.{source}", "may not specify more than 1 volume type");
                continue;
            }

            var body = Object(volume, source);
            switch (source)
            {
                case "hostPath" when !HasString(body, "path"):
                    errors.Required(VolumePath(path, index) + ".hostPath.path");
                    break;
                case "secret" when !HasString(body, "secretName"):
                    errors.Required(VolumePath(path, index) + ".secret.secretName");
                    break;
                case "configMap" when !HasString(body, "name"):
                    errors.Required(VolumePath(path, index) + ".configMap.name");
                    break;
                case "persistentVolumeClaim" when !HasString(body, "claimName"):
                    errors.Required(VolumePath(path, index) + ".persistentVolumeClaim.claimName");
                    break;
                case "nfs":
                    if (string.IsNullOrEmpty(StringValue(body, "server")))
                    {
                        errors.Required(VolumePath(path, index) + ".nfs.server");
                    }

                    if (string.IsNullOrEmpty(StringValue(body, "path")))
                    {
                        errors.Required(VolumePath(path, index) + ".nfs.path");
                    }
                    else if (!StringValue(body, "path")!.StartsWith('/'))
                    {
                        errors.InvalidString(VolumePath(path, index) + ".nfs.path", StringValue(body, "path")!, "must be an absolute path");
                    }

                    break;
            }
        }
    }

    /// <summary>validateContainerCommon: name, image, termination message policy, ports, env, mounts, pull policy, resources.</summary>
    private static void ValidateContainer(JsonObject container, ReadOnlySpan<char> name, ValidVolumes volumes, string path, FieldErrors errors)
    {
        if (name.Length == 0)
        {
            errors.Required(path + ".name");
        }
        else
        {
            Dns1123Label(name, path, "name", errors);
        }

        Span<char> buffer = stackalloc char[256];
        var image = Chars(container, "image", buffer);
        if (image.Length == 0)
        {
            errors.Required(path + ".image");
        }
        else if (image.Trim().Length != image.Length)
        {
            errors.InvalidString(path + ".image", image.ToString(), "must not have leading or trailing whitespace");
        }

        OneOf(container, "terminationMessagePolicy", path, TerminationMessagePolicies, errors);
        ValidateContainerPorts(container, path, errors);
        ValidateEnv(container, path, errors);
        ValidateVolumeMounts(container, volumes, path, errors);
        OneOf(container, "imagePullPolicy", path, PullPolicies, errors);
        ValidateResources(Object(container, "resources"), path, errors);
    }

    /// <summary>The ports of the container at <paramref name="path"/>; field paths are built only for errors.</summary>
    private static void ValidateContainerPorts(JsonObject container, string path, FieldErrors errors)
    {
        if (container["ports"] is not JsonArray ports)
        {
            return;
        }

        var names = ports.Count > ScannedListLength ? new HashSet<string>(StringComparer.Ordinal) : null;
        Span<char> buffer = stackalloc char[64];
        var index = -1;
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i] is not JsonObject port)
            {
                continue;
            }

            index++;
            var name = Chars(port, "name", buffer);
            if (name.Length > 0)
            {
                if (!IsValidPortName(name))
                {
                    var text = name.ToString();
                    foreach (var message in PortNameErrors(text))
                    {
                        errors.InvalidString($"{path}.ports[{index}].name", text, message);
                    }
                }

                // An earlier port with this valid name had it added to the names (or an even earlier one had).
                else if (names is not null ? !names.Add(name.ToString()) : EarlierHas(ports, i, "name", name))
                {
                    errors.Duplicate($"{path}.ports[{index}].name", GoValue.Quote(name.ToString()));
                }
            }

            TryGetInt64(port["containerPort"], out var containerPort);
            if (containerPort == 0)
            {
                errors.Required($"{path}.ports[{index}].containerPort");
            }
            else if (containerPort is < 1 or > 65535)
            {
                PortNumber(containerPort, $"{path}.ports[{index}]", "containerPort", errors);
            }

            if (TryGetInt64(port["hostPort"], out var hostPort) && hostPort is not 0 and (< 1 or > 65535))
            {
                PortNumber(hostPort, $"{path}.ports[{index}]", "hostPort", errors);
            }

            Protocol(port, index, path, errors);
        }

        // OneOf of the protocol, with the port's path built only for an error.
        static void Protocol(JsonObject port, int index, string path, FieldErrors errors)
        {
            if (KubeJson.TryGetChars(port["protocol"], stackalloc char[8], out var protocol) && protocol is "TCP" or "UDP" or "SCTP")
            {
                return;
            }

            OneOf(port, "protocol", $"{path}.ports[{index}]", PortProtocols, errors);
        }
    }

    /// <summary>IsValidPortNum of the member <paramref name="member"/> of <paramref name="path"/>.</summary>
    public static void PortNumber(long port, string path, string member, FieldErrors errors)
    {
        if (port is < 1 or > 65535)
        {
            errors.InvalidNumber($"{path}.{member}", port, "must be between 1 and 65535, inclusive");
        }
    }

    /// <summary>IsValidPortName without its messages.</summary>
    public static bool IsValidPortName(ReadOnlySpan<char> name) =>
        name.Length is > 0 and <= 15 && !name.ContainsAnyExcept(PortNameCharacters) && name.ContainsAnyInRange('a', 'z')
        && !name.Contains("--", StringComparison.Ordinal) && name[0] != '-' && name[^1] != '-';

    /// <summary>IsValidPortName's messages; empty when valid.</summary>
    public static IReadOnlyList<string> PortNameErrors(string name)
    {
        if (IsValidPortName(name))
        {
            return [];
        }

        List<string>? messages = null;
        if (name.Length > 15)
        {
            (messages ??= []).Add("must be no more than 15 characters");
        }

        if (name.AsSpan().ContainsAnyExcept(PortNameCharacters) || name.Length == 0)
        {
            (messages ??= []).Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }

        if (!name.AsSpan().ContainsAnyInRange('a', 'z'))
        {
            (messages ??= []).Add("must contain at least one letter (a-z)");
        }

        if (name.Contains("--", StringComparison.Ordinal))
        {
            (messages ??= []).Add("must not contain consecutive hyphens");
        }

        if (name.Length > 0 && (name[0] == '-' || name[^1] == '-'))
        {
            (messages ??= []).Add("must not begin or end with a hyphen");
        }

        return messages ?? (IReadOnlyList<string>)[];
    }

    /// <summary>ValidatePortNumOrName of an IntOrString port, the member <paramref name="member"/> of <paramref name="path"/> (service targetPort, probe ports).</summary>
    public static void PortNumOrName(JsonNode? port, string path, string member, FieldErrors errors)
    {
        if (port is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            var name = v.GetValue<string>();
            foreach (var message in PortNameErrors(name))
            {
                errors.InvalidString($"{path}.{member}", name, message);
            }
        }
        else
        {
            TryGetInt64(port, out var number);
            PortNumber(number, path, member, errors);
        }
    }

    /// <summary>Whether <see cref="PortNumOrName"/> would find nothing wrong, without building its path.</summary>
    private static bool IsValidPortNumOrName(JsonNode? port)
    {
        if (port is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return KubeJson.TryGetChars(v, stackalloc char[16], out var name) && IsValidPortName(name);
        }

        TryGetInt64(port, out var number);
        return number is >= 1 and <= 65535;
    }

    /// <summary>The env of the container at <paramref name="path"/>; field paths are built only for errors.</summary>
    private static void ValidateEnv(JsonObject container, string path, FieldErrors errors)
    {
        var index = -1;
        foreach (var env in Items(container, "env"))
        {
            index++;
            if (!HasString(env, "name"))
            {
                errors.Required($"{path}.env[{index}].name");
            }

            if (Object(env, "valueFrom") is not { } valueFrom)
            {
                continue;
            }

            var sources = 0;
            foreach (var (source, keyed) in (ReadOnlySpan<(string, bool)>)[("fieldRef", false), ("resourceFieldRef", false), ("configMapKeyRef", true), ("secretKeyRef", true)])
            {
                if (Object(valueFrom, source) is not { } reference)
                {
                    continue;
                }

                sources++;
                if (!keyed)
                {
                    continue;
                }

                if (!HasString(reference, "name"))
                {
                    errors.Required($"{path}.env[{index}].valueFrom.{source}.name");
                }

                var key = StringValue(reference, "key") ?? "";
                if (key.Length == 0)
                {
                    errors.Required($"{path}.env[{index}].valueFrom.{source}.key");
                }
                else
                {
                    foreach (var message in ConfigKeyErrors(key))
                    {
                        errors.InvalidString($"{path}.env[{index}].valueFrom.{source}.key", key, message);
                    }
                }
            }

            if (HasString(env, "value") && sources != 0)
            {
                errors.InvalidString($"{path}.env[{index}].valueFrom", "", "may not be specified when `value` is not empty");
            }
            else if (sources == 0)
            {
                errors.InvalidString($"{path}.env[{index}].valueFrom", "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
            }
            else if (sources > 1)
            {
                errors.InvalidString($"{path}.env[{index}].valueFrom", "", "may not have more than one field specified at a time");
            }
        }
    }

    /// <summary>The volume mounts of the container at <paramref name="path"/>; field paths are built only for errors.</summary>
    private static void ValidateVolumeMounts(JsonObject container, ValidVolumes volumes, string path, FieldErrors errors)
    {
        if (container["volumeMounts"] is not JsonArray mounts)
        {
            return;
        }

        var mountPoints = mounts.Count > ScannedListLength ? new HashSet<string>(StringComparer.Ordinal) : null;
        Span<char> nameBuffer = stackalloc char[64];
        Span<char> targetBuffer = stackalloc char[256];
        var index = -1;
        for (var i = 0; i < mounts.Count; i++)
        {
            if (mounts[i] is not JsonObject mount)
            {
                continue;
            }

            index++;
            var name = Chars(mount, "name", nameBuffer);
            if (name.Length == 0)
            {
                errors.Required($"{path}.volumeMounts[{index}].name");
            }

            if (!volumes.Contains(name))
            {
                errors.NotFound($"{path}.volumeMounts[{index}].name", GoValue.Quote(name.ToString()));
            }

            var target = Chars(mount, "mountPath", targetBuffer);
            if (target.Length == 0)
            {
                errors.Required($"{path}.volumeMounts[{index}].mountPath");
            }

            if (mountPoints is not null ? !mountPoints.Add(target.ToString()) : EarlierHas(mounts, i, "mountPath", target))
            {
                errors.InvalidString($"{path}.volumeMounts[{index}].mountPath", target.ToString(), "must be unique");
            }
        }
    }

    /// <summary>
    /// ValidateContainerResourceRequirements of the container at <paramref name="containerPath"/>:
    /// names, non-negative quantities, requests ≤ limits. Field paths are built only for errors.
    /// </summary>
    private static void ValidateResources(JsonObject? resources, string containerPath, FieldErrors errors)
    {
        var limits = Object(resources, "limits");
        var requests = Object(resources, "requests");
        Span<char> quantityBuffer = stackalloc char[64];
        Span<char> limitBuffer = stackalloc char[64];
        foreach (var (kind, list) in (ReadOnlySpan<(string, JsonObject?)>)[("limits", limits), ("requests", requests)])
        {
            if (list is null)
            {
                continue;
            }

            for (var i = 0; i < list.Count; i++)
            {
                var (name, value) = list.GetAt(i);
                ResourceName(name, containerPath, kind, errors);
                if (!ResourceQuantity.TryGetText(value, quantityBuffer, out var quantity))
                {
                    continue;
                }

                // Only a quantity with a sign can be below zero: the others skip the exact comparison.
                if (quantity.StartsWith('-') && ResourceQuantity.Compare(quantity, "0") < 0)
                {
                    errors.InvalidString($"{containerPath}.resources.{kind}[{name}]", quantity.ToString(), "must be greater than or equal to 0");
                }

                if (kind == "requests" && limits is not null && ResourceQuantity.TryGetText(limits[name], limitBuffer, out var limit))
                {
                    var comparison = ResourceQuantity.Compare(quantity, limit);
                    if (comparison is null or 0)
                    {
                        continue;
                    }

                    var overcommit = !name.StartsWith("hugepages-", StringComparison.Ordinal) && (StandardContainerResources.Contains(name) || name.Contains('/'));
                    if (!overcommit)
                    {
                        errors.InvalidString($"{containerPath}.resources.requests", quantity.ToString(), $"must be equal to {name} limit of {limit}");
                    }
                    else if (comparison > 0)
                    {
                        errors.InvalidString($"{containerPath}.resources.requests", quantity.ToString(), $"must be less than or equal to {name} limit of {limit}");
                    }
                }
            }
        }
    }

    /// <summary>The name of an item of the <paramref name="kind"/> list of the resources of the container at <paramref name="containerPath"/>.</summary>
    private static void ResourceName(string name, string containerPath, string kind, FieldErrors errors)
    {
        if (!MetadataValidation.IsQualifiedName(name))
        {
            foreach (var message in MetadataValidation.QualifiedNameErrors(name))
            {
                errors.InvalidString($"{containerPath}.resources.{kind}[{name}]", name, message);
            }
        }

        if (!name.Contains('/') && !StandardContainerResources.Contains(name) && !name.StartsWith("hugepages-", StringComparison.Ordinal))
        {
            errors.InvalidString($"{containerPath}.resources.{kind}[{name}]", name, "must be a standard resource for containers");
        }
    }

    /// <summary>The probes of the container at <paramref name="path"/>; field paths are built only for errors.</summary>
    private static void ValidateProbes(JsonObject container, string path, FieldErrors errors)
    {
        foreach (var probeName in (ReadOnlySpan<string>)["livenessProbe", "readinessProbe", "startupProbe"])
        {
            if (Object(container, probeName) is not { } probe)
            {
                continue;
            }

            var handlers = 0;
            foreach (var handler in ProbeHandlers)
            {
                if (Object(probe, handler) is not { } body)
                {
                    continue;
                }

                if (handlers++ > 0)
                {
                    errors.Forbidden($"{path}.{probeName}.{handler}", "may not specify more than 1 handler type");
                    continue;
                }

                if (handler is "httpGet" or "tcpSocket" && body["port"] is var port && !IsValidPortNumOrName(port))
                {
                    PortNumOrName(port, $"{path}.{probeName}.{handler}", "port", errors);
                }
            }

            if (handlers == 0)
            {
                errors.Required($"{path}.{probeName}", "must specify a handler type");
            }

            foreach (var field in (ReadOnlySpan<string>)["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"])
            {
                if (TryGetInt64(probe[field], out var value) && value < 0)
                {
                    errors.InvalidNumber($"{path}.{probeName}.{field}", value, "must be greater than or equal to 0");
                }
            }

            if (probeName is "livenessProbe" or "startupProbe" && TryGetInt64(probe["successThreshold"], out var success) && success != 1)
            {
                errors.InvalidNumber($"{path}.{probeName}.successThreshold", success, "must be 1");
            }
        }
    }

    /// <summary>The tolerations of the spec at <paramref name="path"/>.</summary>
    private static void ValidateTolerations(JsonObject spec, string path, FieldErrors errors)
    {
        var index = -1;
        foreach (var toleration in Items(spec, "tolerations"))
        {
            index++;
            var key = StringValue(toleration, "key") ?? "";
            var op = StringValue(toleration, "operator") ?? "";
            var value = StringValue(toleration, "value") ?? "";
            var effect = StringValue(toleration, "effect") ?? "";
            if (key.Length > 0 && !MetadataValidation.IsQualifiedName(key))
            {
                foreach (var message in MetadataValidation.QualifiedNameErrors(key))
                {
                    errors.InvalidString($"{path}.tolerations[{index}].key", key, message);
                }
            }

            if (key.Length == 0 && op != "Exists")
            {
                errors.InvalidString($"{path}.tolerations[{index}].operator", op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
            }

            if (!IsUnset(toleration, "tolerationSeconds") && effect != "NoExecute")
            {
                errors.InvalidString($"{path}.tolerations[{index}].effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set");
            }

            switch (op)
            {
                case "Equal" or "":
                    var messages = MetadataValidation.LabelValueErrors(value);
                    if (messages.Count > 0)
                    {
                        errors.InvalidString($"{path}.tolerations[{index}].operator", value, string.Join(";", messages));
                    }

                    break;
                case "Exists":
                    if (value.Length > 0)
                    {
                        var seconds = TryGetInt64(toleration["tolerationSeconds"], out var s) ? $"&{s}" : "(*int64)(nil)";
                        errors.Invalid($"{path}.tolerations[{index}].operator",
                            $"core.Toleration{{Key:{GoValue.Quote(key)}, Operator:{GoValue.Quote(op)}, Value:{GoValue.Quote(value)}, Effect:{GoValue.Quote(effect)}, TolerationSeconds:{seconds}}}",
                            "value must be empty when `operator` is 'Exists'");
                    }

                    break;
                default:
                    errors.NotSupportedString($"{path}.tolerations[{index}].operator", op, ["Equal", "Exists"]);
                    break;
            }

            if (effect.Length > 0 && Array.IndexOf(TaintEffects, effect) < 0)
            {
                errors.NotSupportedString($"{path}.tolerations[{index}].effect", effect, TaintEffects);
            }
        }
    }

    /// <summary>IsConfigMapKey's messages (ConfigMap and Secret data keys, key references).</summary>
    public static IReadOnlyList<string> ConfigKeyErrors(string key)
    {
        List<string>? messages = null;
        if (key.Length > 253)
        {
            (messages ??= []).Add("must be no more than 253 characters");
        }

        if (key.Length == 0 || key.AsSpan().ContainsAnyExcept(ConfigKeyCharacters))
        {
            (messages ??= []).Add("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
        }

        if (key == ".")
        {
            (messages ??= []).Add("must not be '.'");
        }
        else if (key == "..")
        {
            (messages ??= []).Add("must not be '..'");
        }
        else if (key.StartsWith("..", StringComparison.Ordinal))
        {
            (messages ??= []).Add("must not start with '..'");
        }

        return messages ?? (IReadOnlyList<string>)[];
    }
}
