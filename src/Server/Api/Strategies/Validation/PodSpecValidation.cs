using ResourceQuantity = Nautilus.Controllers.Machinery.ResourceQuantity;
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
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
        var names = new HashSet<string>(StringComparer.Ordinal);
        var containers = spec["containers"] as JsonArray;
        if (containers is not { Count: > 0 })
        {
            errors.Required(path + ".containers");
        }

        var index = 0;
        foreach (var container in Items(spec, "containers"))
        {
            var containerPath = $"{path}.containers[{index++}]";
            var name = StringValue(container, "name") ?? "";
            ValidateContainer(container, name, volumes, containerPath, errors);
            if (!names.Add(name))
            {
                errors.Duplicate(containerPath + ".name", GoValue.Quote(name));
            }

            ValidateProbes(container, containerPath, errors);
            if (!IsUnset(container, "restartPolicy"))
            {
                errors.Forbidden(containerPath + ".restartPolicy", "may not be set for non-init containers");
            }
        }

        index = 0;
        foreach (var container in Items(spec, "initContainers"))
        {
            var containerPath = $"{path}.initContainers[{index++}]";
            var name = StringValue(container, "name") ?? "";
            ValidateContainer(container, name, volumes, containerPath, errors);
            if (!names.Add(name))
            {
                errors.Duplicate(containerPath + ".name", GoValue.Quote(name));
            }

            var restartPolicy = StringValue(container, "restartPolicy");
            if (restartPolicy is not null && restartPolicy != "Always")
            {
                errors.NotSupportedString(containerPath + ".restartPolicy", restartPolicy, ["Always"]);
            }

            if (restartPolicy == "Always")
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

        if (StringValue(spec, "serviceAccountName") is { Length: > 0 } serviceAccount)
        {
            foreach (var message in MetadataValidation.ValidateName(serviceAccount, NameRule.Dns1123Subdomain))
            {
                errors.InvalidString(path + ".serviceAccountName", serviceAccount, message);
            }
        }

        if (StringValue(spec, "nodeName") is { Length: > 0 } nodeName)
        {
            foreach (var message in MetadataValidation.ValidateName(nodeName, NameRule.Dns1123Subdomain))
            {
                errors.InvalidString(path + ".nodeName", nodeName, message);
            }
        }

        if (TryGetInt64(spec["activeDeadlineSeconds"], out var deadline) && (deadline < 1 || deadline > int.MaxValue))
        {
            errors.InvalidNumber(path + ".activeDeadlineSeconds", deadline, $"must be between 1 and {int.MaxValue}, inclusive");
        }

        foreach (var field in (ReadOnlySpan<string>)["hostname", "subdomain"])
        {
            if (StringValue(spec, field) is { Length: > 0 } value)
            {
                Dns1123Label(value, path, field, errors);
            }
        }

        ValidateTolerations(spec, path, errors);
    }

    /// <summary>A required string member of <paramref name="path"/> that must be one of <paramref name="supported"/>.</summary>
    private static void OneOf(JsonObject obj, string member, string path, string[] supported, FieldErrors errors)
    {
        if (StringNode(obj, member) is not { } value || StringEquals(value, ""))
        {
            errors.Required($"{path}.{member}");
            return;
        }

        foreach (var candidate in supported)
        {
            if (StringEquals(value, candidate))
            {
                return;
            }
        }

        errors.NotSupportedString($"{path}.{member}", value.GetValue<string>(), supported);
    }

    /// <summary>IsDNS1123Label of the member <paramref name="member"/> of <paramref name="path"/>.</summary>
    public static void Dns1123Label(string value, string path, string member, FieldErrors errors)
    {
        foreach (var message in MetadataValidation.ValidateName(value, NameRule.Dns1123Label))
        {
            errors.InvalidString($"{path}.{member}", value, message);
        }
    }

    /// <summary>ValidateVolumes of the spec at <paramref name="path"/>; returns the names of the valid volumes, which mounts may refer to.</summary>
    private static HashSet<string> ValidateVolumes(JsonObject spec, string path, FieldErrors errors)
    {
        var valid = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var volume in Items(spec, "volumes"))
        {
            var volumePath = $"{path}.volumes[{index++}]";
            var before = errors.Count;
            ValidateVolumeSource(volume, volumePath, errors);
            var name = StringValue(volume, "name") ?? "";
            if (name.Length == 0)
            {
                errors.Required(volumePath + ".name");
            }
            else
            {
                Dns1123Label(name, volumePath, "name", errors);
            }

            if (valid.Contains(name))
            {
                errors.Duplicate(volumePath + ".name", GoValue.Quote(name));
            }

            if (errors.Count == before)
            {
                valid.Add(name);
            }
        }

        return valid;
    }

    private static void ValidateVolumeSource(JsonObject volume, string path, FieldErrors errors)
    {
        var count = 0;
        foreach (var source in VolumeSources)
        {
            if (IsUnset(volume, source))
            {
                continue;
            }

            if (count++ > 0)
            {
                errors.Forbidden($"{path}.{source}", "may not specify more than 1 volume type");
                continue;
            }

            var body = Object(volume, source);
            switch (source)
            {
                case "hostPath" when !HasString(body, "path"):
                    errors.Required(path + ".hostPath.path");
                    break;
                case "secret" when !HasString(body, "secretName"):
                    errors.Required(path + ".secret.secretName");
                    break;
                case "configMap" when !HasString(body, "name"):
                    errors.Required(path + ".configMap.name");
                    break;
                case "persistentVolumeClaim" when !HasString(body, "claimName"):
                    errors.Required(path + ".persistentVolumeClaim.claimName");
                    break;
                case "nfs":
                    if (string.IsNullOrEmpty(StringValue(body, "server")))
                    {
                        errors.Required(path + ".nfs.server");
                    }

                    if (string.IsNullOrEmpty(StringValue(body, "path")))
                    {
                        errors.Required(path + ".nfs.path");
                    }
                    else if (!StringValue(body, "path")!.StartsWith('/'))
                    {
                        errors.InvalidString(path + ".nfs.path", StringValue(body, "path")!, "must be an absolute path");
                    }

                    break;
            }
        }

        if (count == 0)
        {
            errors.Required(path, "must specify a volume type");
        }
    }

    /// <summary>validateContainerCommon: name, image, termination message policy, ports, env, mounts, pull policy, resources.</summary>
    private static void ValidateContainer(JsonObject container, string name, HashSet<string> volumes, string path, FieldErrors errors)
    {
        if (name.Length == 0)
        {
            errors.Required(path + ".name");
        }
        else
        {
            Dns1123Label(name, path, "name", errors);
        }

        var image = StringValue(container, "image") ?? "";
        if (image.Length == 0)
        {
            errors.Required(path + ".image");
        }
        else if (image.Trim().Length != image.Length)
        {
            errors.InvalidString(path + ".image", image, "must not have leading or trailing whitespace");
        }

        OneOf(container, "terminationMessagePolicy", path, TerminationMessagePolicies, errors);
        ValidateContainerPorts(container, path, errors);
        ValidateEnv(container, path, errors);
        ValidateVolumeMounts(container, volumes, path, errors);
        OneOf(container, "imagePullPolicy", path, PullPolicies, errors);
        ValidateResources(Object(container, "resources"), path + ".resources", errors);
    }

    private static void ValidateContainerPorts(JsonObject container, string path, FieldErrors errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var port in Items(container, "ports"))
        {
            var portPath = $"{path}.ports[{index++}]";
            var name = StringValue(port, "name") ?? "";
            if (name.Length > 0)
            {
                var messages = PortNameErrors(name);
                if (messages.Count > 0)
                {
                    foreach (var message in messages)
                    {
                        errors.InvalidString(portPath + ".name", name, message);
                    }
                }
                else if (!names.Add(name))
                {
                    errors.Duplicate(portPath + ".name", GoValue.Quote(name));
                }
            }

            TryGetInt64(port["containerPort"], out var containerPort);
            if (containerPort == 0)
            {
                errors.Required(portPath + ".containerPort");
            }
            else
            {
                PortNumber(containerPort, portPath, "containerPort", errors);
            }

            if (TryGetInt64(port["hostPort"], out var hostPort) && hostPort != 0)
            {
                PortNumber(hostPort, portPath, "hostPort", errors);
            }

            OneOf(port, "protocol", portPath, PortProtocols, errors);
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

    /// <summary>IsValidPortName's messages; empty when valid.</summary>
    public static IReadOnlyList<string> PortNameErrors(string name)
    {
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
    private static void ValidateVolumeMounts(JsonObject container, HashSet<string> volumes, string path, FieldErrors errors)
    {
        var mountPoints = new HashSet<string>(StringComparer.Ordinal);
        var index = -1;
        foreach (var mount in Items(container, "volumeMounts"))
        {
            index++;
            var name = StringValue(mount, "name") ?? "";
            if (name.Length == 0)
            {
                errors.Required($"{path}.volumeMounts[{index}].name");
            }

            if (!volumes.Contains(name))
            {
                errors.NotFound($"{path}.volumeMounts[{index}].name", GoValue.Quote(name));
            }

            var target = StringValue(mount, "mountPath") ?? "";
            if (target.Length == 0)
            {
                errors.Required($"{path}.volumeMounts[{index}].mountPath");
            }

            if (!mountPoints.Add(target))
            {
                errors.InvalidString($"{path}.volumeMounts[{index}].mountPath", target, "must be unique");
            }
        }
    }

    /// <summary>ValidateContainerResourceRequirements: names, non-negative quantities, requests ≤ limits.</summary>
    private static void ValidateResources(JsonObject? resources, string path, FieldErrors errors)
    {
        var limits = Object(resources, "limits");
        var requests = Object(resources, "requests");
        foreach (var (kind, list) in (ReadOnlySpan<(string, JsonObject?)>)[("limits", limits), ("requests", requests)])
        {
            if (list is null)
            {
                continue;
            }

            for (var i = 0; i < list.Count; i++)
            {
                var (name, value) = list.GetAt(i);
                ResourceName(name, path, kind, errors);
                var quantity = ResourceQuantity.Text(value);
                if (quantity is null)
                {
                    continue;
                }

                // Only a quantity with a sign can be below zero: the others skip the exact comparison.
                if (quantity.StartsWith('-') && ResourceQuantity.Compare(quantity, "0") < 0)
                {
                    errors.InvalidString($"{path}.{kind}[{name}]", quantity, "must be greater than or equal to 0");
                }

                if (kind == "requests" && ResourceQuantity.Text(limits?[name]) is { } limit)
                {
                    var overcommit = !name.StartsWith("hugepages-", StringComparison.Ordinal) && (StandardContainerResources.Contains(name) || name.Contains('/'));
                    var comparison = ResourceQuantity.Compare(quantity, limit);
                    if (comparison is not null && comparison != 0 && !overcommit)
                    {
                        errors.InvalidString($"{path}.requests", quantity, $"must be equal to {name} limit of {limit}");
                    }
                    else if (comparison > 0)
                    {
                        errors.InvalidString($"{path}.requests", quantity, $"must be less than or equal to {name} limit of {limit}");
                    }
                }
            }
        }
    }

    /// <summary>The name of an item of the <paramref name="kind"/> list of the resources at <paramref name="path"/>.</summary>
    private static void ResourceName(string name, string path, string kind, FieldErrors errors)
    {
        foreach (var message in MetadataValidation.QualifiedNameErrors(name))
        {
            errors.InvalidString($"{path}.{kind}[{name}]", name, message);
        }

        if (!name.Contains('/') && !StandardContainerResources.Contains(name) && !name.StartsWith("hugepages-", StringComparison.Ordinal))
        {
            errors.InvalidString($"{path}.{kind}[{name}]", name, "must be a standard resource for containers");
        }
    }

    private static void ValidateProbes(JsonObject container, string path, FieldErrors errors)
    {
        foreach (var probeName in (ReadOnlySpan<string>)["livenessProbe", "readinessProbe", "startupProbe"])
        {
            if (Object(container, probeName) is not { } probe)
            {
                continue;
            }

            var probePath = $"{path}.{probeName}";
            var handlers = 0;
            foreach (var handler in ProbeHandlers)
            {
                if (Object(probe, handler) is not { } body)
                {
                    continue;
                }

                if (handlers++ > 0)
                {
                    errors.Forbidden($"{probePath}.{handler}", "may not specify more than 1 handler type");
                    continue;
                }

                if (handler is "httpGet" or "tcpSocket")
                {
                    PortNumOrName(body["port"], $"{probePath}.{handler}", "port", errors);
                }
            }

            if (handlers == 0)
            {
                errors.Required(probePath, "must specify a handler type");
            }

            foreach (var field in (ReadOnlySpan<string>)["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"])
            {
                if (TryGetInt64(probe[field], out var value) && value < 0)
                {
                    errors.InvalidNumber($"{probePath}.{field}", value, "must be greater than or equal to 0");
                }
            }

            if (probeName is "livenessProbe" or "startupProbe" && TryGetInt64(probe["successThreshold"], out var success) && success != 1)
            {
                errors.InvalidNumber(probePath + ".successThreshold", success, "must be 1");
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
            if (key.Length > 0)
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
