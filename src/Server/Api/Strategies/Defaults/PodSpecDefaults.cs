using ResourceQuantity = Nautilus.Controllers.Machinery.ResourceQuantity;
using System.Text.Json.Nodes;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies.Defaults;

/// <summary>
/// kube-apiserver 1.32's defaulting of a PodSpec (pkg/apis/core/v1/defaults.go and the
/// defaulter-gen walk in zz_generated.defaults.go), shared by Pods and the pod templates of
/// Deployments and ReplicaSets. Also what the v1 ↔ internal conversion and Go's serialization of
/// zero-valued structs make visible in every stored PodSpec (<c>serviceAccount</c>,
/// <c>resources: {}</c>, a template's <c>creationTimestamp: null</c>). Idempotent.
/// </summary>
internal static class PodSpecDefaults
{
    private static readonly string[] ContainerLists = ["initContainers", "containers", "ephemeralContainers"];

    private static readonly string[] Probes = ["livenessProbe", "readinessProbe", "startupProbe"];

    /// <summary>SetObjectDefaults_PodTemplate's walk over a PodTemplateSpec (Deployment, ReplicaSet).</summary>
    public static void ApplyToTemplate(JsonObject? template)
    {
        if (template is null)
        {
            return;
        }

        // ObjectMeta is a struct in Go: an unset creationTimestamp is written as null.
        var metadata = EnsureObject(template, "metadata");
        if (!metadata.ContainsKey("creationTimestamp"))
        {
            metadata["creationTimestamp"] = null;
        }

        ApplyToPodSpec(EnsureObject(template, "spec"));
    }

    /// <summary>SetDefaults_Pod: what only a Pod gets, not a template (run before <see cref="ApplyToPodSpec"/>, as kube does).</summary>
    public static void ApplyPodOnly(JsonObject spec)
    {
        // Requests default to limits, per container.
        foreach (var list in (ReadOnlySpan<string>)["containers", "initContainers"])
        {
            foreach (var container in Items(spec, list))
            {
                if (Object(container, "resources") is not { } resources || Object(resources, "limits") is not { } limits)
                {
                    continue;
                }

                var requests = EnsureObject(resources, "requests");
                for (var i = 0; i < limits.Count; i++)
                {
                    var (name, value) = limits.GetAt(i);
                    if (!requests.ContainsKey(name))
                    {
                        requests[name] = value?.DeepClone();
                    }
                }
            }
        }

        SetIfUnset(spec, "enableServiceLinks", true);

        // With host networking every container port is a host port.
        if (spec["hostNetwork"] is JsonValue hostNetwork && hostNetwork.TryGetValue<bool>(out var isHostNetwork) && isHostNetwork)
        {
            foreach (var list in (ReadOnlySpan<string>)["containers", "initContainers"])
            {
                foreach (var container in Items(spec, list))
                {
                    foreach (var port in Items(container, "ports"))
                    {
                        if (IsZeroNumber(port, "hostPort") && port["containerPort"] is JsonValue containerPort)
                        {
                            port["hostPort"] = containerPort.DeepClone();
                        }
                    }
                }
            }
        }
    }

    /// <summary>SetDefaults_PodSpec and every defaulter nested in a PodSpec.</summary>
    public static void ApplyToPodSpec(JsonObject spec)
    {
        SetIfEmpty(spec, "dnsPolicy", "ClusterFirst");
        SetIfEmpty(spec, "restartPolicy", "Always");
        if (IsUnset(spec, "securityContext"))
        {
            spec["securityContext"] = new JsonObject();
        }

        SetIfUnset(spec, "terminationGracePeriodSeconds", 30);
        SetIfEmpty(spec, "schedulerName", "default-scheduler");
        AliasServiceAccount(spec);

        foreach (var volume in Items(spec, "volumes"))
        {
            ApplyToVolume(volume);
        }

        foreach (var list in ContainerLists)
        {
            foreach (var container in Items(spec, list))
            {
                ApplyToContainer(container);
            }
        }

        ResourceQuantity.DefaultResourceList(Object(spec, "overhead"));
    }

    /// <summary>
    /// v1 <c>serviceAccount</c> is a deprecated alias of <c>serviceAccountName</c>: on the way in the
    /// new field wins (the old one fills it when empty); on the way out both carry the name.
    /// </summary>
    public static void AliasServiceAccount(JsonObject spec)
    {
        var name = StringValue(spec, "serviceAccountName");
        if (string.IsNullOrEmpty(name))
        {
            name = StringValue(spec, "serviceAccount");
        }

        if (string.IsNullOrEmpty(name))
        {
            spec.Remove("serviceAccountName");
            spec.Remove("serviceAccount");
            return;
        }

        spec["serviceAccountName"] = name;
        spec["serviceAccount"] = name;
    }

    private static void ApplyToContainer(JsonObject container)
    {
        if (IsEmptyString(container, "imagePullPolicy"))
        {
            container["imagePullPolicy"] = ImageReference.DefaultPullPolicy(Chars(container, "image", stackalloc char[256]));
        }

        SetIfEmpty(container, "terminationMessagePath", "/dev/termination-log");
        SetIfEmpty(container, "terminationMessagePolicy", "File");

        foreach (var port in Items(container, "ports"))
        {
            SetIfEmpty(port, "protocol", "TCP");
        }

        foreach (var env in Items(container, "env"))
        {
            ApplyToValueSource(Object(env, "valueFrom"));
        }

        // ResourceRequirements is a struct in Go: always written, {} when empty.
        var resources = EnsureObject(container, "resources");
        ResourceQuantity.DefaultResourceList(Object(resources, "limits"));
        ResourceQuantity.DefaultResourceList(Object(resources, "requests"));

        foreach (var name in Probes)
        {
            if (Object(container, name) is { } probe)
            {
                SetIfZero(probe, "timeoutSeconds", 1);
                SetIfZero(probe, "periodSeconds", 10);
                SetIfZero(probe, "successThreshold", 1);
                SetIfZero(probe, "failureThreshold", 3);
                ApplyToHttpGet(Object(probe, "httpGet"));
                if (Object(probe, "grpc") is { } grpc)
                {
                    SetIfUnset(grpc, "service", "");
                }
            }
        }

        if (Object(container, "lifecycle") is { } lifecycle)
        {
            ApplyToHttpGet(Object(Object(lifecycle, "postStart"), "httpGet"));
            ApplyToHttpGet(Object(Object(lifecycle, "preStop"), "httpGet"));
        }
    }

    private static void ApplyToHttpGet(JsonObject? httpGet)
    {
        if (httpGet is not null)
        {
            SetIfEmpty(httpGet, "path", "/");
            SetIfEmpty(httpGet, "scheme", "HTTP");
        }
    }

    /// <summary>Env valueFrom and downward API items: fieldRef.apiVersion v1; a resourceFieldRef divisor in canonical form.</summary>
    private static void ApplyToValueSource(JsonObject? source)
    {
        if (source is null)
        {
            return;
        }

        if (Object(source, "fieldRef") is { } fieldRef)
        {
            SetIfEmpty(fieldRef, "apiVersion", "v1");
        }

        if (Object(source, "resourceFieldRef") is { } resourceFieldRef)
        {
            ResourceQuantity.CanonicalizeMember(resourceFieldRef, "divisor", roundToMilli: false);
        }
    }

    private static void ApplyToVolume(JsonObject volume)
    {
        // SetDefaults_Volume: a volume without a source is an emptyDir.
        var hasSource = false;
        for (var i = 0; i < volume.Count && !hasSource; i++)
        {
            var (name, value) = volume.GetAt(i);
            hasSource = name != "name" && value is not null;
        }

        if (!hasSource)
        {
            volume["emptyDir"] = new JsonObject();
        }

        // One pass over the volume's few members, not a lookup of every source a volume may have.
        for (var i = 0; i < volume.Count; i++)
        {
            if (volume.GetAt(i) is not (var source, JsonObject body))
            {
                continue;
            }

            switch (source)
            {
                case "emptyDir":
                    ResourceQuantity.CanonicalizeMember(body, "sizeLimit", roundToMilli: false);
                    break;
                case "secret" or "configMap":
                    SetIfUnset(body, "defaultMode", 420);
                    break;
                case "downwardAPI":
                    SetIfUnset(body, "defaultMode", 420);
                    foreach (var item in Items(body, "items"))
                    {
                        ApplyToValueSource(item);
                    }

                    break;
                case "projected":
                    SetIfUnset(body, "defaultMode", 420);
                    foreach (var projection in Items(body, "sources"))
                    {
                        foreach (var item in Items(Object(projection, "downwardAPI"), "items"))
                        {
                            ApplyToValueSource(item);
                        }

                        if (Object(projection, "serviceAccountToken") is { } token)
                        {
                            SetIfUnset(token, "expirationSeconds", 3600);
                        }
                    }

                    break;
                case "ephemeral" when Object(body, "volumeClaimTemplate") is { } claimTemplate:
                    var metadata = EnsureObject(claimTemplate, "metadata");
                    if (!metadata.ContainsKey("creationTimestamp"))
                    {
                        metadata["creationTimestamp"] = null;
                    }

                    ApplyToClaimSpec(EnsureObject(claimTemplate, "spec"));
                    break;
                default:
                    ApplyToVolumeSource(source, body);
                    break;
            }
        }
    }

    /// <summary>The defaults of volume sources a Pod and a PersistentVolume share.</summary>
    public static void ApplyToVolumeSource(JsonObject source)
    {
        for (var i = 0; i < source.Count; i++)
        {
            if (source.GetAt(i) is (var name, JsonObject body))
            {
                ApplyToVolumeSource(name, body);
            }
        }
    }

    /// <summary>The defaults of the volume source <paramref name="source"/>, whose object is <paramref name="body"/>.</summary>
    private static void ApplyToVolumeSource(string source, JsonObject body)
    {
        switch (source)
        {
            case "hostPath":
                SetIfUnset(body, "type", "");
                break;
            case "iscsi":
                SetIfEmpty(body, "iscsiInterface", "default");
                break;
            case "rbd":
                SetIfEmpty(body, "pool", "rbd");
                SetIfEmpty(body, "user", "admin");
                SetIfEmpty(body, "keyring", "/etc/ceph/keyring");
                break;
            case "azureDisk":
                SetIfUnset(body, "cachingMode", "ReadWrite");
                SetIfUnset(body, "kind", "Shared");
                SetIfUnset(body, "fsType", "ext4");
                SetIfUnset(body, "readOnly", false);
                break;
            case "scaleIO":
                SetIfEmpty(body, "storageMode", "ThinProvisioned");
                SetIfEmpty(body, "fsType", "xfs");
                break;
        }
    }

    /// <summary>SetDefaults_PersistentVolumeClaimSpec (PVCs and ephemeral volume claim templates).</summary>
    public static void ApplyToClaimSpec(JsonObject spec)
    {
        SetIfUnset(spec, "volumeMode", "Filesystem");
        var resources = EnsureObject(spec, "resources");
        ResourceQuantity.DefaultResourceList(Object(resources, "limits"));
        ResourceQuantity.DefaultResourceList(Object(resources, "requests"));
    }
}
