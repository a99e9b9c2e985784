using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nautilus.Server.Api.Objects;

/// <summary>
/// Builds a request body's JsonNode tree in one pass over the bytes, every node made at once:
/// strings are decoded once (common member names and values are shared, not allocated again),
/// objects are sized for their members, booleans are plain values, and numbers stay as the text
/// that was sent (a JsonElement, shared between equal small integers). JsonNode.Parse instead
/// keeps a parsed document behind the tree and makes each node, and each string again, when it
/// is first read, which every stage of a write does. A member sent twice keeps its first place
/// and its last value, as kube's decoder reads it.
/// </summary>
internal static class JsonTreeReader
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Small non-negative integers as parsed elements, made on first use (ports, counts, seconds).</summary>
    private static readonly ConcurrentDictionary<int, JsonElement> SmallIntegers = new();
    private const int SmallIntegerLimit = 65536;

    [ThreadStatic]
    private static Stack<List<KeyValuePair<string, JsonNode?>>>? t_members;

    [ThreadStatic]
    private static Stack<List<JsonNode?>>? t_items;

    /// <summary>The tree of <paramref name="utf8"/>, one JSON value; throws <see cref="JsonException"/> for malformed JSON or content after the value.</summary>
    public static JsonNode? Read(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return ReadRoot(utf8, lastWins: false);
        }
        catch (DuplicateMemberException)
        {
            return ReadRoot(utf8, lastWins: true);
        }
    }

    private static JsonNode? ReadRoot(ReadOnlySpan<byte> utf8, bool lastWins)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        reader.Read();
        var root = ReadValue(ref reader, lastWins);

        // Anything after the value: Utf8JsonReader throws kube's "invalid after a single JSON value".
        reader.Read();
        return root;
    }

    private static JsonNode? ReadValue(ref Utf8JsonReader reader, bool lastWins)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return ReadObject(ref reader, lastWins);
            case JsonTokenType.StartArray:
                return ReadArray(ref reader, lastWins);
            case JsonTokenType.String:
                return JsonValue.Create(ReadString(ref reader), NodeOptions);
            case JsonTokenType.Number:
                return JsonValue.Create(Number(ref reader), NodeOptions);
            case JsonTokenType.True:
                return JsonValue.Create(true, NodeOptions);
            case JsonTokenType.False:
                return JsonValue.Create(false, NodeOptions);
            default:
                return null;
        }
    }

    private static JsonObject ReadObject(ref Utf8JsonReader reader, bool lastWins)
    {
        if (lastWins)
        {
            var obj = new JsonObject(NodeOptions);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = ReadString(ref reader);
                reader.Read();
                var value = ReadValue(ref reader, lastWins);
                if (!obj.TryAdd(name, value))
                {
                    obj[name] = value;
                }
            }

            return obj;
        }

        var pool = t_members ??= new();
        var members = pool.Count > 0 ? pool.Pop() : [];
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = ReadString(ref reader);
                reader.Read();
                members.Add(new(name, ReadValue(ref reader, lastWins)));
            }

            try
            {
                // Sized for its members at once.
                return new JsonObject(members, NodeOptions);
            }
            catch (ArgumentException)
            {
                throw new DuplicateMemberException();
            }
        }
        finally
        {
            members.Clear();
            pool.Push(members);
        }
    }

    /// <summary>A member name sent twice in one object: the body is read again, the slower way that keeps the last value.</summary>
    private sealed class DuplicateMemberException : Exception;

    private static JsonArray ReadArray(ref Utf8JsonReader reader, bool lastWins)
    {
        var pool = t_items ??= new();
        var items = pool.Count > 0 ? pool.Pop() : [];
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                items.Add(ReadValue(ref reader, lastWins));
            }

            return new JsonArray(NodeOptions, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(items));
        }
        finally
        {
            items.Clear();
            pool.Push(items);
        }
    }

    private static string ReadString(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && CommonStrings.TryGet(reader.ValueSpan) is { } common)
        {
            return common;
        }

        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    private static JsonElement Number(ref Utf8JsonReader reader)
    {
        var text = reader.ValueSpan;
        if (text.Length is > 0 and <= 5 && (text[0] != '0' || text.Length == 1) && IsDigits(text))
        {
            var value = 0;
            foreach (var digit in text)
            {
                value = (value * 10) + (digit - '0');
            }

            if (value < SmallIntegerLimit)
            {
                return SmallIntegers.GetOrAdd(value, static v =>
                {
                    var digits = new Utf8JsonReader(Encoding.ASCII.GetBytes(v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    digits.Read();
                    return JsonElement.ParseValue(ref digits);
                });
            }
        }

        return JsonElement.ParseValue(ref reader);
    }

    private static bool IsDigits(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The member names and values most Kubernetes objects repeat, as strings made once: a lookup
    /// of the UTF-8 text that allocates nothing. Fixed at startup, so client data never grows it.
    /// </summary>
    private static class CommonStrings
    {
        private const int Slots = 2048;
        private static readonly (byte[] Utf8, string Text)[] Table = Build();

        public static string? TryGet(ReadOnlySpan<byte> utf8)
        {
            if (utf8.Length is 0 or > 48)
            {
                return null;
            }

            var slot = Hash(utf8) & (Slots - 1);
            while (Table[slot].Utf8 is { } candidate)
            {
                if (candidate.AsSpan().SequenceEqual(utf8))
                {
                    return Table[slot].Text;
                }

                slot = (slot + 1) & (Slots - 1);
            }

            return null;
        }

        private static int Hash(ReadOnlySpan<byte> utf8)
        {
            var hash = 2166136261u;
            foreach (var b in utf8)
            {
                hash = (hash ^ b) * 16777619u;
            }

            return (int)(hash ^ (hash >> 15));
        }

        private static (byte[], string)[] Build()
        {
            var table = new (byte[] Utf8, string Text)[Slots];
            foreach (var text in Words.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal))
            {
                var utf8 = Encoding.UTF8.GetBytes(text);
                var slot = Hash(utf8) & (Slots - 1);
                while (table[slot].Utf8 is not null)
                {
                    slot = (slot + 1) & (Slots - 1);
                }

                table[slot] = (utf8, text);
            }

            return table;
        }

        // ObjectMeta, the workload and pod specs and status, and the values they mostly hold.
        private const string Words = """
            apiVersion kind metadata spec status items name generateName namespace uid resourceVersion generation
            creationTimestamp deletionTimestamp deletionGracePeriodSeconds labels annotations ownerReferences finalizers
            managedFields manager operation time fieldsType fieldsV1 subresource controller blockOwnerDeletion
            v1 apps/v1 batch/v1 Pod Deployment ReplicaSet StatefulSet DaemonSet Job CronJob ConfigMap Secret Service
            Endpoints EndpointSlice Node Namespace Event Lease ServiceAccount PersistentVolumeClaim Update Apply FieldsV1
            app tier component release version default kube-system
            containers initContainers ephemeralContainers image imagePullPolicy command args workingDir ports containerPort
            hostPort protocol hostIP env value valueFrom fieldRef fieldPath configMapKeyRef secretKeyRef resourceFieldRef
            key optional envFrom resources requests limits claims cpu memory ephemeral-storage volumeMounts mountPath
            readOnly subPath mountPropagation volumeDevices livenessProbe readinessProbe startupProbe httpGet tcpSocket exec
            grpc path port host scheme httpHeaders initialDelaySeconds timeoutSeconds periodSeconds successThreshold
            failureThreshold terminationGracePeriodSeconds lifecycle postStart preStop terminationMessagePath
            terminationMessagePolicy securityContext stdin stdinOnce tty restartPolicy activeDeadlineSeconds dnsPolicy
            nodeSelector serviceAccountName serviceAccount automountServiceAccountToken nodeName hostNetwork hostPID hostIPC
            shareProcessNamespace imagePullSecrets hostname subdomain affinity schedulerName tolerations operator effect
            tolerationSeconds hostAliases priorityClassName priority dnsConfig readinessGates runtimeClassName
            enableServiceLinks preemptionPolicy overhead topologySpreadConstraints setHostnameAsFQDN os hostUsers
            schedulingGates resourceClaims volumes emptyDir configMap secret secretName projected sources defaultMode
            persistentVolumeClaim claimName hostPath downwardAPI
            runAsUser runAsGroup runAsNonRoot fsGroup seccompProfile type capabilities add drop privileged
            allowPrivilegeEscalation readOnlyRootFilesystem
            phase conditions lastProbeTime lastTransitionTime reason message hostIPs podIP podIPs ip startTime
            containerStatuses initContainerStatuses state running waiting terminated startedAt finishedAt exitCode
            lastState ready restartCount imageID containerID started qosClass observedGeneration
            PodScheduled Initialized ContainersReady Ready PodReadyToStartContainers True False Unknown Pending Running
            Succeeded Failed
            replicas selector matchLabels matchExpressions values template strategy rollingUpdate maxSurge maxUnavailable
            revisionHistoryLimit progressDeadlineSeconds minReadySeconds paused
            data binaryData stringData immutable clusterIP clusterIPs targetPort nodePort sessionAffinity ipFamilies
            ipFamilyPolicy internalTrafficPolicy
            IfNotPresent Always Never Default ClusterFirst ClusterFirstWithHostNet None OnFailure File
            FallbackToLogsOnError /dev/termination-log default-scheduler TCP UDP SCTP HTTP HTTPS Exists Equal NoSchedule
            NoExecute PreferNoSchedule PreemptLowerPriority BestEffort Burstable Guaranteed ClusterIP NodePort LoadBalancer
            SingleStack RuntimeDefault Cluster node.kubernetes.io/not-ready node.kubernetes.io/unreachable
            """;
    }
}
