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
        SetIfUnset(spec, "securityContext", new JsonObject());
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
            container["imagePullPolicy"] = ImageReference.DefaultPullPolicy(StringValue(container, "image") ?? "");
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

        if (Object(volume, "emptyDir") is { } emptyDir)
        {
            ResourceQuantity.CanonicalizeMember(emptyDir, "sizeLimit", roundToMilli: false);
        }

        if (Object(volume, "secret") is { } secret)
        {
            SetIfUnset(secret, "defaultMode", 420);
        }

        if (Object(volume, "configMap") is { } configMap)
        {
            SetIfUnset(configMap, "defaultMode", 420);
        }

        if (Object(volume, "downwardAPI") is { } downwardApi)
        {
            SetIfUnset(downwardApi, "defaultMode", 420);
            foreach (var item in Items(downwardApi, "items"))
            {
                ApplyToValueSource(item);
            }
        }

        if (Object(volume, "projected") is { } projected)
        {
            SetIfUnset(projected, "defaultMode", 420);
            foreach (var source in Items(projected, "sources"))
            {
                foreach (var item in Items(Object(source, "downwardAPI"), "items"))
                {
                    ApplyToValueSource(item);
                }

                if (Object(source, "serviceAccountToken") is { } token)
                {
                    SetIfUnset(token, "expirationSeconds", 3600);
                }
            }
        }

        if (Object(volume, "ephemeral") is { } ephemeral && Object(ephemeral, "volumeClaimTemplate") is { } claimTemplate)
        {
            var metadata = EnsureObject(claimTemplate, "metadata");
            if (!metadata.ContainsKey("creationTimestamp"))
            {
                metadata["creationTimestamp"] = null;
            }

            ApplyToClaimSpec(EnsureObject(claimTemplate, "spec"));
        }

        ApplyToVolumeSource(volume);
    }

    /// <summary>The defaults of volume sources a Pod and a PersistentVolume share.</summary>
    public static void ApplyToVolumeSource(JsonObject source)
    {
        if (Object(source, "hostPath") is { } hostPath)
        {
            SetIfUnset(hostPath, "type", "");
        }

        if (Object(source, "iscsi") is { } iscsi)
        {
            SetIfEmpty(iscsi, "iscsiInterface", "default");
        }

        if (Object(source, "rbd") is { } rbd)
        {
            SetIfEmpty(rbd, "pool", "rbd");
            SetIfEmpty(rbd, "user", "admin");
            SetIfEmpty(rbd, "keyring", "/etc/ceph/keyring");
        }

        if (Object(source, "azureDisk") is { } azureDisk)
        {
            SetIfUnset(azureDisk, "cachingMode", "ReadWrite");
            SetIfUnset(azureDisk, "kind", "Shared");
            SetIfUnset(azureDisk, "fsType", "ext4");
            SetIfUnset(azureDisk, "readOnly", false);
        }

        if (Object(source, "scaleIO") is { } scaleIo)
        {
            SetIfEmpty(scaleIo, "storageMode", "ThinProvisioned");
            SetIfEmpty(scaleIo, "fsType", "xfs");
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
