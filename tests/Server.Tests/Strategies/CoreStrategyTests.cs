using System.Text.Json.Nodes;
using Nautilus.Server.Api.Strategies;

namespace Nautilus.Server.Tests.Strategies;

/// <summary>Defaulting of the smaller core, discovery and coordination kinds, as kube-apiserver 1.32 stores them.</summary>
public sealed class CoreStrategyTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static IEnumerable<TestCaseData> SecretCases() => new DefaultingCase[]
    {
        new("StringData_IsMergedIntoDataAndDropped",
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds"},"data":{"user":"YWRtaW4=","password":"b2xk"},"stringData":{"password":"s3cret","note":"héllo"}}""",
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds"},"data":{"user":"YWRtaW4=","password":"czNjcmV0","note":"aMOpbGxv"},"type":"Opaque"}"""),
        new("EmptyStringData_IsDropped",
            """{"metadata":{"name":"creds"},"stringData":{}}""",
            """{"metadata":{"name":"creds"},"type":"Opaque"}"""),
        new("SetType_IsKept",
            """{"metadata":{"name":"tls"},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}}""",
            """{"metadata":{"name":"tls"},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}}"""),
    }.Select(c => c.ToTestCase());

    private static IEnumerable<TestCaseData> PersistentVolumeCases() => new DefaultingCase[]
    {
        new("HostPathVolume_IsRetainedFilesystemPending",
            """{"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pv1"},"spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteOnce"],"hostPath":{"path":"/data"}},"status":{"phase":"Bound"}}""",
            """
            {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pv1"},
             "spec":{"accessModes":["ReadWriteOnce"],"capacity":{"storage":"10Gi"},"hostPath":{"path":"/data","type":""},
                     "persistentVolumeReclaimPolicy":"Retain","volumeMode":"Filesystem"},
             "status":{"phase":"Pending","lastPhaseTransitionTime":"2025-01-02T03:04:05Z"}}
            """),
        new("SetValuesAndRbdSource_AreKeptAndCompleted",
            """{"metadata":{"name":"pv2"},"spec":{"capacity":{"storage":"1.5Gi"},"persistentVolumeReclaimPolicy":"Delete","volumeMode":"Block","rbd":{"monitors":["m"],"image":"i"}}}""",
            """
            {"metadata":{"name":"pv2"},
             "spec":{"capacity":{"storage":"1536Mi"},"persistentVolumeReclaimPolicy":"Delete","volumeMode":"Block",
                     "rbd":{"monitors":["m"],"image":"i","pool":"rbd","user":"admin","keyring":"/etc/ceph/keyring"}},
             "status":{"phase":"Pending","lastPhaseTransitionTime":"2025-01-02T03:04:05Z"}}
            """),
    }.Select(c => c.ToTestCase());

    private static IEnumerable<TestCaseData> PersistentVolumeClaimCases() => new DefaultingCase[]
    {
        new("Claim_IsFilesystemPendingWithCanonicalRequest",
            """{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1000M"}}}}""",
            """
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},
             "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1G"}},"volumeMode":"Filesystem"},
             "status":{"phase":"Pending"}}
            """),
        new("BlockClaimWithoutResources_KeepsModeAndGetsEmptyResources",
            """{"metadata":{"name":"raw"},"spec":{"volumeMode":"Block","storageClassName":"fast"}}""",
            """{"metadata":{"name":"raw"},"spec":{"resources":{},"storageClassName":"fast","volumeMode":"Block"},"status":{"phase":"Pending"}}"""),
    }.Select(c => c.ToTestCase());

    private static IEnumerable<TestCaseData> NodeCases() => new DefaultingCase[]
    {
        new("NodeWithCapacity_GetsAllocatableAndZeroValuedStatusStructs",
            """{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"spec":{"podCIDR":"10.244.1.0/24"},"status":{"capacity":{"cpu":4,"memory":"8Gi","pods":"110"}}}""",
            """
            {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"spec":{"podCIDR":"10.244.1.0/24","podCIDRs":["10.244.1.0/24"]},
             "status":{"capacity":{"cpu":"4","memory":"8Gi","pods":"110"},"allocatable":{"cpu":"4","memory":"8Gi","pods":"110"},
                       "daemonEndpoints":{"kubeletEndpoint":{"Port":0}},
                       "nodeInfo":{"machineID":"","systemUUID":"","bootID":"","kernelVersion":"","osImage":"","containerRuntimeVersion":"",
                                   "kubeletVersion":"","kubeProxyVersion":"","operatingSystem":"","architecture":""}}}
            """),
        new("NodeWithPodCIDRsOnly_GetsPodCIDRAndKeepsAllocatable",
            """
            {"metadata":{"name":"n2"},"spec":{"podCIDRs":["10.244.2.0/24"],"unschedulable":true},
             "status":{"capacity":{"cpu":"4"},"allocatable":{"cpu":"3900m"},"daemonEndpoints":{"kubeletEndpoint":{"Port":10250}},
                       "nodeInfo":{"machineID":"m","systemUUID":"s","bootID":"b","kernelVersion":"6.1","osImage":"Linux","containerRuntimeVersion":"nautilus://1",
                                   "kubeletVersion":"v1.32.0","kubeProxyVersion":"","operatingSystem":"linux","architecture":"amd64"}}}
            """,
            """
            {"metadata":{"name":"n2"},"spec":{"podCIDR":"10.244.2.0/24","podCIDRs":["10.244.2.0/24"],"unschedulable":true},
             "status":{"capacity":{"cpu":"4"},"allocatable":{"cpu":"3900m"},"daemonEndpoints":{"kubeletEndpoint":{"Port":10250}},
                       "nodeInfo":{"machineID":"m","systemUUID":"s","bootID":"b","kernelVersion":"6.1","osImage":"Linux","containerRuntimeVersion":"nautilus://1",
                                   "kubeletVersion":"v1.32.0","kubeProxyVersion":"","operatingSystem":"linux","architecture":"amd64"}}}
            """),
    }.Select(c => c.ToTestCase());

    private static IEnumerable<TestCaseData> EndpointsCases() => new DefaultingCase[]
    {
        new("SubsetPorts_DefaultToTcp",
            """{"metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80},{"name":"dns","port":53,"protocol":"UDP"}]}]}""",
            """{"metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80,"protocol":"TCP"},{"name":"dns","port":53,"protocol":"UDP"}]}]}"""),
    }.Select(c => c.ToTestCase());

    private static IEnumerable<TestCaseData> EndpointSliceCases() => new DefaultingCase[]
    {
        new("SlicePorts_GetEmptyNameAndTcpAndGenerationOne",
            """{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web-abc"},"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"]}],"ports":[{"port":80},{"name":"dns","port":53,"protocol":"UDP"}]}""",
            """
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web-abc","generation":1},"addressType":"IPv4",
             "endpoints":[{"addresses":["10.0.0.1"],"conditions":{}}],"ports":[{"name":"","port":80,"protocol":"TCP"},{"name":"dns","port":53,"protocol":"UDP"}]}
            """),
        new("EmptySlice_WritesNullLists",
            """{"metadata":{"name":"empty"},"addressType":"IPv4"}""",
            """{"metadata":{"name":"empty","generation":1},"addressType":"IPv4","endpoints":null,"ports":null}"""),
    }.Select(c => c.ToTestCase());

    private static IEnumerable<TestCaseData> NamespaceCases() => new DefaultingCase[]
    {
        new("Namespace_IsLabelledWithItsName",
            """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a","labels":{"kubernetes.io/metadata.name":"spoofed","env":"dev"}}}""",
            """
            {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a","labels":{"kubernetes.io/metadata.name":"team-a","env":"dev"}},
             "spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}
            """),
    }.Select(c => c.ToTestCase());

    private static IEnumerable<TestCaseData> LeaseCases() => new DefaultingCase[]
    {
        new("LeaseWithoutSpec_GetsEmptySpec",
            """{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"n1"}}""",
            """{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"n1"},"spec":{}}"""),
    }.Select(c => c.ToTestCase());

    [TestCaseSource(nameof(SecretCases))]
    public void CreateSecret_StoresWhatKubeApiserverStores(DefaultingCase row) => StrategyAssert.CreatesExactlyAndIdempotently(new SecretStrategy(), row);

    [TestCaseSource(nameof(PersistentVolumeCases))]
    public void CreatePersistentVolume_StoresWhatKubeApiserverStores(DefaultingCase row) =>
        StrategyAssert.CreatesExactlyAndIdempotently(new PersistentVolumeStrategy(new FixedTime(Now)), row);

    [TestCaseSource(nameof(PersistentVolumeClaimCases))]
    public void CreatePersistentVolumeClaim_StoresWhatKubeApiserverStores(DefaultingCase row) =>
        StrategyAssert.CreatesExactlyAndIdempotently(new PersistentVolumeClaimStrategy(), row);

    [TestCaseSource(nameof(NodeCases))]
    public void CreateNode_StoresWhatKubeApiserverStores(DefaultingCase row) => StrategyAssert.CreatesExactlyAndIdempotently(new NodeStrategy(), row);

    [TestCaseSource(nameof(EndpointsCases))]
    public void CreateEndpoints_StoresWhatKubeApiserverStores(DefaultingCase row) => StrategyAssert.CreatesExactlyAndIdempotently(new EndpointsStrategy(), row);

    [TestCaseSource(nameof(EndpointSliceCases))]
    public void CreateEndpointSlice_StoresWhatKubeApiserverStores(DefaultingCase row) => StrategyAssert.CreatesExactlyAndIdempotently(new EndpointSliceStrategy(), row);

    [TestCaseSource(nameof(NamespaceCases))]
    public void CreateNamespace_StoresWhatKubeApiserverStores(DefaultingCase row) => StrategyAssert.CreatesExactlyAndIdempotently(new NamespaceStrategy(), row);

    [TestCaseSource(nameof(LeaseCases))]
    public void CreateLease_StoresWhatKubeApiserverStores(DefaultingCase row) => StrategyAssert.CreatesExactlyAndIdempotently(new LeaseStrategy(), row);

    [TestCase("""{"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.2"]}]}""", 2)]
    [TestCase("""{"metadata":{"labels":{"kubernetes.io/service-name":"other"}}}""", 2)]
    [TestCase("""{"metadata":{"annotations":{"note":"x"}}}""", 1)]
    public void UpdateEndpointSlice_BumpsGenerationWhenMoreThanMetadataChanges(string change, long generation)
    {
        var strategy = new EndpointSliceStrategy();
        var stored = StrategyAssert.Create(strategy, """{"metadata":{"name":"s","labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"]}]}""");
        var next = (JsonObject)stored.DeepClone();
        foreach (var (key, value) in StrategyAssert.Parse(change))
        {
            if (key == "metadata")
            {
                foreach (var (metaKey, metaValue) in value!.AsObject())
                {
                    next["metadata"]![metaKey] = metaValue?.DeepClone();
                }
            }
            else
            {
                next[key] = value?.DeepClone();
            }
        }

        var updated = StrategyAssert.Update(strategy, next, stored);

        Assert.That(updated["metadata"]!["generation"]!.GetValue<long>(), Is.EqualTo(generation));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
