namespace Nautilus.Server.Tests.Validation;

/// <summary>
/// 422 messages of creates, word for word as kube-apiserver 1.32 writes them (errors.NewInvalid
/// over pkg/apis/core and apps validation): what kubectl prints after "The Kind "name" is invalid".
/// </summary>
public sealed class CreateValidationTests
{
    private const string Dns1123Label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private static IEnumerable<TestCaseData> PodCases() => new InvalidCase[]
    {
        new("ValidPod_IsAccepted", "pods", Pod("""[{"name":"c","image":"nginx","ports":[{"containerPort":80,"name":"http"}]}]"""), null),
        new("NoContainers_ContainersRequired", "pods", """{"metadata":{"name":"p"},"spec":{}}""",
            """Pod "p" is invalid: spec.containers: Required value"""),
        new("NoImage_ImageRequired", "pods", Pod("""[{"name":"c"}]"""),
            """Pod "p" is invalid: spec.containers[0].image: Required value"""),
        new("NoNameNoImage_BothListedInBrackets", "pods", Pod("""[{}]"""),
            """Pod "p" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]"""),
        new("DuplicateContainerNames_DuplicateValue", "pods", Pod("""[{"name":"c","image":"a"},{"name":"c","image":"b"}]"""),
            """Pod "p" is invalid: spec.containers[1].name: Duplicate value: "c" """.TrimEnd()),
        new("InitContainerNamedLikeContainer_DuplicateValue", "pods",
            """{"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"c","image":"a"}],"containers":[{"name":"c","image":"b"}]}}""",
            """Pod "p" is invalid: spec.initContainers[0].name: Duplicate value: "c" """.TrimEnd()),
        new("ContainerNameNotALabel_InvalidValue", "pods", Pod("""[{"name":"My_C","image":"a"}]"""),
            $"""Pod "p" is invalid: spec.containers[0].name: Invalid value: "My_C": {Dns1123Label}"""),
        new("ContainerPortOutOfRange_MustBeBetween", "pods", Pod("""[{"name":"c","image":"a","ports":[{"containerPort":70000}]}]"""),
            """Pod "p" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"""),
        new("ContainerPortZero_Required", "pods", Pod("""[{"name":"c","image":"a","ports":[{"containerPort":0}]}]"""),
            """Pod "p" is invalid: spec.containers[0].ports[0].containerPort: Required value"""),
        new("UnknownProtocol_UnsupportedValue", "pods", Pod("""[{"name":"c","image":"a","ports":[{"containerPort":80,"protocol":"HTTP"}]}]"""),
            """Pod "p" is invalid: spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP" """.TrimEnd()),
        new("DuplicatePortNames_DuplicateValue", "pods", Pod("""[{"name":"c","image":"a","ports":[{"containerPort":80,"name":"http"},{"containerPort":81,"name":"http"}]}]"""),
            """Pod "p" is invalid: spec.containers[0].ports[1].name: Duplicate value: "http" """.TrimEnd()),
        new("PortNameTooLongAndUpperCase_AllMessages", "pods", Pod("""[{"name":"c","image":"a","ports":[{"containerPort":80,"name":"HTTP-ADMIN-PORT-1"}]}]"""),
            """Pod "p" is invalid: [spec.containers[0].ports[0].name: Invalid value: "HTTP-ADMIN-PORT-1": must be no more than 15 characters, spec.containers[0].ports[0].name: Invalid value: "HTTP-ADMIN-PORT-1": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), spec.containers[0].ports[0].name: Invalid value: "HTTP-ADMIN-PORT-1": must contain at least one letter (a-z)]"""),
        new("UnknownRestartPolicy_UnsupportedValue", "pods", """{"metadata":{"name":"p"},"spec":{"restartPolicy":"Sometimes","containers":[{"name":"c","image":"a"}]}}""",
            """Pod "p" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never" """.TrimEnd()),
        new("UnknownDnsPolicy_UnsupportedValue", "pods", """{"metadata":{"name":"p"},"spec":{"dnsPolicy":"Foo","containers":[{"name":"c","image":"a"}]}}""",
            """Pod "p" is invalid: spec.dnsPolicy: Unsupported value: "Foo": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None" """.TrimEnd()),
        new("UnknownPullPolicy_UnsupportedValue", "pods", Pod("""[{"name":"c","image":"a","imagePullPolicy":"Sometimes"}]"""),
            """Pod "p" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never" """.TrimEnd()),
        new("RequestAboveLimit_MustBeLessThanOrEqual", "pods", Pod("""[{"name":"c","image":"a","resources":{"requests":{"cpu":"2"},"limits":{"cpu":"1"}}}]"""),
            """Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1"""),
        new("MemoryRequestAboveLimit_ComparesQuantities", "pods", Pod("""[{"name":"c","image":"a","resources":{"requests":{"memory":"2Gi"},"limits":{"memory":"1000Mi"}}}]"""),
            """Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1000Mi"""),
        new("NegativeRequest_MustBeNonNegative", "pods", Pod("""[{"name":"c","image":"a","resources":{"requests":{"cpu":"-1"}}}]"""),
            """Pod "p" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0"""),
        new("UnknownResource_MustBeStandardInLimitsAndDefaultedRequests", "pods", Pod("""[{"name":"c","image":"a","resources":{"limits":{"gpu":"1"}}}]"""),
            """Pod "p" is invalid: [spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers, spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers]"""),
        new("DuplicateVolumeNames_DuplicateValue", "pods",
            """{"metadata":{"name":"p"},"spec":{"volumes":[{"name":"v","emptyDir":{}},{"name":"v","emptyDir":{}}],"containers":[{"name":"c","image":"a"}]}}""",
            """Pod "p" is invalid: spec.volumes[1].name: Duplicate value: "v" """.TrimEnd()),
        new("TwoVolumeSources_Forbidden", "pods",
            """{"metadata":{"name":"p"},"spec":{"volumes":[{"name":"v","emptyDir":{},"configMap":{"name":"x"}}],"containers":[{"name":"c","image":"a"}]}}""",
            """Pod "p" is invalid: spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type"""),
        new("VolumeWithoutName_Required", "pods",
            """{"metadata":{"name":"p"},"spec":{"volumes":[{"emptyDir":{}}],"containers":[{"name":"c","image":"a"}]}}""",
            """Pod "p" is invalid: spec.volumes[0].name: Required value"""),
        new("SecretVolumeWithoutSecretName_Required", "pods",
            """{"metadata":{"name":"p"},"spec":{"volumes":[{"name":"s","secret":{}}],"containers":[{"name":"c","image":"a"}]}}""",
            """Pod "p" is invalid: spec.volumes[0].secret.secretName: Required value"""),
        new("MountOfUnknownVolume_NotFound", "pods", Pod("""[{"name":"c","image":"a","volumeMounts":[{"name":"data","mountPath":"/data"}]}]"""),
            """Pod "p" is invalid: spec.containers[0].volumeMounts[0].name: Not found: "data" """.TrimEnd()),
        new("EnvWithoutName_Required", "pods", Pod("""[{"name":"c","image":"a","env":[{"value":"x"}]}]"""),
            """Pod "p" is invalid: spec.containers[0].env[0].name: Required value"""),
        new("EnvKeyRefWithoutKey_Required", "pods", Pod("""[{"name":"c","image":"a","env":[{"name":"A","valueFrom":{"secretKeyRef":{"name":"s"}}}]}]"""),
            """Pod "p" is invalid: spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value"""),
        new("EnvWithValueAndValueFrom_Invalid", "pods", Pod("""[{"name":"c","image":"a","env":[{"name":"A","value":"x","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]}]"""),
            """Pod "p" is invalid: spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty"""),
        new("TwoMountsAtOnePath_Invalid", "pods",
            """{"metadata":{"name":"p"},"spec":{"volumes":[{"name":"a","emptyDir":{}},{"name":"b","emptyDir":{}}],"containers":[{"name":"c","image":"a","volumeMounts":[{"name":"a","mountPath":"/data"},{"name":"b","mountPath":"/data"}]}]}}""",
            """Pod "p" is invalid: spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique"""),
        new("MountOfInvalidVolume_NotFound", "pods",
            """{"metadata":{"name":"p"},"spec":{"volumes":[{"name":"s","secret":{}}],"containers":[{"name":"c","image":"a","volumeMounts":[{"name":"s","mountPath":"/s"}]}]}}""",
            """Pod "p" is invalid: [spec.volumes[0].secret.secretName: Required value, spec.containers[0].volumeMounts[0].name: Not found: "s"]"""),
        new("HostPortOutOfRange_Invalid", "pods", Pod("""[{"name":"c","image":"a","ports":[{"containerPort":80,"hostPort":70000}]}]"""),
            """Pod "p" is invalid: spec.containers[0].ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive"""),
        new("ProbePortName_Invalid", "pods", Pod("""[{"name":"c","image":"a","livenessProbe":{"httpGet":{"port":"web--port"}}}]"""),
            """Pod "p" is invalid: spec.containers[0].livenessProbe.httpGet.port: Invalid value: "web--port": must not contain consecutive hyphens"""),
        new("TerminationMessagePolicy_NotSupported", "pods", Pod("""[{"name":"c","image":"a","terminationMessagePolicy":"Sometimes"}]"""),
            """Pod "p" is invalid: spec.containers[0].terminationMessagePolicy: Unsupported value: "Sometimes": supported values: "File", "FallbackToLogsOnError" """.TrimEnd()),
        new("BadHostname_Invalid", "pods", """{"metadata":{"name":"p"},"spec":{"hostname":"Bad_Host","containers":[{"name":"c","image":"a"}]}}""",
            $"""Pod "p" is invalid: spec.hostname: Invalid value: "Bad_Host": {Dns1123Label}"""),
        new("TolerationSecondsWithoutNoExecute_Invalid", "pods",
            """{"metadata":{"name":"p"},"spec":{"tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule","tolerationSeconds":5}],"containers":[{"name":"c","image":"a"}]}}""",
            """Pod "p" is invalid: spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when `tolerationSeconds` is set"""),
        new("ProbeWithoutHandler_Required", "pods", Pod("""[{"name":"c","image":"a","livenessProbe":{"periodSeconds":5}}]"""),
            """Pod "p" is invalid: spec.containers[0].livenessProbe: Required value: must specify a handler type"""),
        new("TolerationExistsWithValue_Invalid", "pods",
            """{"metadata":{"name":"p"},"spec":{"tolerations":[{"key":"k","operator":"Exists","value":"v"}],"containers":[{"name":"c","image":"a"}]}}""",
            """Pod "p" is invalid: spec.tolerations[0].operator: Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is 'Exists'"""),
        new("ActiveDeadlineZero_OutOfRange", "pods", """{"metadata":{"name":"p"},"spec":{"activeDeadlineSeconds":0,"containers":[{"name":"c","image":"a"}]}}""",
            """Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"""),
        new("BadLabelValue_MetadataLabels", "pods", """{"metadata":{"name":"p","labels":{"app":"-x"}},"spec":{"containers":[{"name":"c","image":"a"}]}}""",
            """Pod "p" is invalid: metadata.labels: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"""),
    }.Select(c => c.ToTestCase());

    private static IEnumerable<TestCaseData> WorkloadCases() => new InvalidCase[]
    {
        new("ValidDeployment_IsAccepted", "deployments", Deployment(), null),
        new("SelectorDoesNotMatchTemplate_InvalidLabels", "deployments", Deployment(templateLabels: """{"app":"b","tier":"web"}"""),
            """Deployment.apps "d" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b", "tier":"web"}: `selector` does not match template `labels`"""),
        new("NoSelector_RequiredAndNothingMatches", "deployments", Deployment(selector: null),
            """Deployment.apps "d" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"a"}: `selector` does not match template `labels`]"""),
        new("EmptySelector_InvalidForDeployment", "deployments", Deployment(selector: "{}"),
            """Deployment.apps "d" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"""),
        new("NegativeReplicas_MustBeNonNegative", "deployments", Deployment(extraSpec: "\"replicas\":-1,"),
            """Deployment.apps "d" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"""),
        new("TemplateRestartPolicyNever_OnlyAlways", "deployments", Deployment(restartPolicy: "Never"),
            """Deployment.apps "d" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always" """.TrimEnd()),
        new("TemplateWithoutImage_ImageRequired", "deployments", Deployment(container: """{"name":"c"}"""),
            """Deployment.apps "d" is invalid: spec.template.spec.containers[0].image: Required value"""),
        new("MaxSurgeAndMaxUnavailableZero_Invalid", "deployments", Deployment(extraSpec: "\"strategy\":{\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":0}},"),
            """Deployment.apps "d" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0"""),
        new("UnknownStrategyType_UnsupportedValue", "deployments", Deployment(extraSpec: "\"strategy\":{\"type\":\"Foo\"},"),
            """Deployment.apps "d" is invalid: spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Foo", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate" """.TrimEnd()),
        new("MaxUnavailableNotAPercent_Invalid", "deployments", Deployment(extraSpec: "\"strategy\":{\"rollingUpdate\":{\"maxUnavailable\":\"50\"}},"),
            """Deployment.apps "d" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"50"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"""),
        new("MatchExpressionInWithoutValues_Required", "deployments", Deployment(selector: """{"matchExpressions":[{"key":"app","operator":"In"}]}"""),
            """Deployment.apps "d" is invalid: [spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn', spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string(nil)}}}: invalid label selector]"""),
        new("ReplicaSetSelectorMismatch_InvalidLabels", "replicasets", Deployment(templateLabels: """{"app":"b"}""").Replace("\"d\"", "\"rs\""),
            """ReplicaSet.apps "rs" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`"""),
    }.Select(c => c.ToTestCase());

    private static IEnumerable<TestCaseData> OtherCases() => new InvalidCase[]
    {
        new("ValidService_IsAccepted", "services", """{"metadata":{"name":"s"},"spec":{"selector":{"app":"a"},"ports":[{"port":80}]}}""", null),
        new("HeadlessServiceWithoutPorts_IsAccepted", "services", """{"metadata":{"name":"s"},"spec":{"clusterIP":"None","selector":{"app":"a"}}}""", null),
        new("ServiceWithoutPorts_PortsRequired", "services", """{"metadata":{"name":"s"},"spec":{"selector":{"app":"a"}}}""",
            """Service "s" is invalid: spec.ports: Required value"""),
        new("ServicePortZero_PortAndTargetPortInvalid", "services", """{"metadata":{"name":"s"},"spec":{"ports":[{"port":0}]}}""",
            """Service "s" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive]"""),
        new("TwoUnnamedServicePorts_NamesRequired", "services", """{"metadata":{"name":"s"},"spec":{"ports":[{"port":80},{"port":81}]}}""",
            """Service "s" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]"""),
        new("DuplicateServicePort_DuplicateValue", "services", """{"metadata":{"name":"s"},"spec":{"ports":[{"name":"a","port":80},{"name":"b","port":80,"targetPort":8080}]}}""",
            """Service "s" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}"""),
        new("TargetPortNameInvalid_Invalid", "services", """{"metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":"web--port"}]}}""",
            """Service "s" is invalid: spec.ports[0].targetPort: Invalid value: "web--port": must not contain consecutive hyphens"""),
        new("UnknownSessionAffinity_UnsupportedValue", "services", """{"metadata":{"name":"s"},"spec":{"sessionAffinity":"Sticky","ports":[{"port":80}]}}""",
            """Service "s" is invalid: spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None" """.TrimEnd()),
        new("BadConfigMapName_Subdomain", "configmaps", """{"metadata":{"name":"Bad_Name"}}""",
            """ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"""),
        new("BadConfigMapKey_ConfigKey", "configmaps", """{"metadata":{"name":"c"},"data":{"a b":"1"}}""",
            """ConfigMap "c" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"""),
        new("ConfigMapKeyDotDot_MustNotBe", "configmaps", """{"metadata":{"name":"c"},"data":{"..":"1"}}""",
            """ConfigMap "c" is invalid: data[..]: Invalid value: "..": must not be '..'"""),
        new("TlsSecretWithoutKeys_BothRequired", "secrets", """{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{}}""",
            """Secret "s" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]"""),
        new("DockerConfigJsonSecretWithoutKey_Required", "secrets", """{"metadata":{"name":"s"},"type":"kubernetes.io/dockerconfigjson"}""",
            """Secret "s" is invalid: data[.dockerconfigjson]: Required value"""),
        new("ServiceAccountTokenSecretWithoutAnnotation_Required", "secrets", """{"metadata":{"name":"s"},"type":"kubernetes.io/service-account-token"}""",
            """Secret "s" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value"""),
        new("BasicAuthWithoutUsernameOrPassword_BothRequired", "secrets", """{"metadata":{"name":"s"},"type":"kubernetes.io/basic-auth","stringData":{"other":"x"}}""",
            """Secret "s" is invalid: [data[username]: Required value, data[password]: Required value]"""),
        new("PvcWithoutModesOrStorage_Required", "persistentvolumeclaims", """{"metadata":{"name":"c"},"spec":{}}""",
            """PersistentVolumeClaim "c" is invalid: [spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]"""),
        new("PvcUnknownAccessMode_UnsupportedValue", "persistentvolumeclaims", """{"metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteAlways"],"resources":{"requests":{"storage":"1Gi"}}}}""",
            """PersistentVolumeClaim "c" is invalid: spec.accessModes: Unsupported value: "ReadWriteAlways": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod" """.TrimEnd()),
        new("PvWithoutModesOrCapacity_Required", "persistentvolumes", """{"metadata":{"name":"pv"},"spec":{"hostPath":{"path":"/x"}}}""",
            """PersistentVolume "pv" is invalid: [spec.accessModes: Required value, spec.capacity: Required value, spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"]"""),
        new("LeaseDurationZero_MustBePositive", "leases", """{"metadata":{"name":"l"},"spec":{"leaseDurationSeconds":0}}""",
            """Lease.coordination.k8s.io "l" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"""),
        new("EndpointSliceUnknownAddressType_UnsupportedValue", "endpointslices", """{"metadata":{"name":"e"},"addressType":"IPv5"}""",
            """EndpointSlice.discovery.k8s.io "e" is invalid: addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6" """.TrimEnd()),
    }.Select(c => c.ToTestCase());

    [TestCaseSource(nameof(PodCases))]
    [TestCaseSource(nameof(WorkloadCases))]
    [TestCaseSource(nameof(OtherCases))]
    public void Create_AnswersKubesMessage(InvalidCase row) =>
        Assert.That(ValidationAssert.CreateMessage(row.Resource, row.Input), Is.EqualTo(row.Expected));

    private static string Pod(string containers) => """{"metadata":{"name":"p"},"spec":{"containers":""" + containers + "}}";

    private static string Deployment(
        string? selector = """{"matchLabels":{"app":"a"}}""", string templateLabels = """{"app":"a"}""", string extraSpec = "",
        string restartPolicy = "Always", string container = """{"name":"c","image":"nginx"}""")
    {
        var selectorMember = selector is null ? "" : $"\"selector\":{selector},";
        return """{"metadata":{"name":"d"},"spec":{""" + extraSpec + selectorMember + "\"template\":{\"metadata\":{\"labels\":" + templateLabels
            + "},\"spec\":{\"restartPolicy\":\"" + restartPolicy + "\",\"containers\":[" + container + "]}}}}";
    }
}
