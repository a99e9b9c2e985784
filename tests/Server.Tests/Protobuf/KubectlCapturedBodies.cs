namespace Nautilus.Server.Tests.Protobuf;

/// <summary>
/// Request bodies captured from kubectl 1.32 (<c>-v=9</c> against a Nautilus server) with the JSON
/// the same command prints with <c>--dry-run=client -o json</c>: what a JSON client would have sent.
/// </summary>
internal static class KubectlCapturedBodies
{
    public static IEnumerable<TestCaseData> All()
    {
        // kubectl create namespace demo
        yield return Case(
            "CreateNamespace",
            "6b3873000a0f0a02763112094e616d657370616365121c0a140a0464656d6f12001a0022002a0032003800420012001a020a001a002200",
            """
            {"kind":"Namespace","apiVersion":"v1","metadata":{"name":"demo","creationTimestamp":null},"spec":{},"status":{}}
            """);

        // kubectl create configmap cfg --from-literal=a=1 --from-literal=b=two
        yield return Case(
            "CreateConfigMapFromLiterals",
            "6b3873000a0f0a0276311209436f6e6669674d617012270a130a0363666712001a0022002a0032003800420012060a016112013112080a01" +
            "62120374776f1a002200",
            """
            {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cfg","creationTimestamp":null},"data":{"a":"1","b":"two"}}
            """);

        // kubectl create secret generic sec --from-literal=user=admin --from-literal=pass=s3cr3t
        yield return Case(
            "CreateSecretGeneric",
            "6b3873000a0c0a027631120653656372657412360a130a0373656312001a0022002a00320038004200120e0a047061737312067333637233" +
            "74120d0a0475736572120561646d696e1a001a002200",
            """
            {"kind":"Secret","apiVersion":"v1","metadata":{"name":"sec","creationTimestamp":null},"data":{"pass":"czNjcjN0","user":"YWRtaW4="}}
            """);

        // kubectl create secret docker-registry reg --docker-username=u --docker-password=p --docker-server=r.example.com
        yield return Case(
            "CreateSecretDockerRegistry",
            "6b3873000a0c0a02763112065365637265741295010a130a0372656712001a0022002a00320038004200125e0a112e646f636b6572636f6e" +
            "6669676a736f6e12497b226175746873223a7b22722e6578616d706c652e636f6d223a7b22757365726e616d65223a2275222c2270617373" +
            "776f7264223a2270222c2261757468223a2264547077227d7d7d1a1e6b756265726e657465732e696f2f646f636b6572636f6e6669676a73" +
            "6f6e1a002200",
            """
            {"kind":"Secret","apiVersion":"v1","metadata":{"name":"reg","creationTimestamp":null},"data":{".dockerconfigjson":"eyJhdXRocyI6eyJyLmV4YW1wbGUuY29tIjp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fQ=="},"type":"kubernetes.io/dockerconfigjson"}
            """);

        // kubectl create serviceaccount robot
        yield return Case(
            "CreateServiceAccount",
            "6b3873000a140a027631120e536572766963654163636f756e7412170a150a05726f626f7412001a0022002a003200380042001a002200",
            """
            {"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"robot","creationTimestamp":null}}
            """);

        // kubectl create deployment web --image=nginx --replicas=3 --port=80
        yield return Case(
            "CreateDeploymentWithPort",
            "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b8010a1f0a0377656212001a0022002a003200380042005a0a0a0361" +
            "707012037765621286010803120c0a0a0a0361707012037765621a6c0a1c0a0012001a0022002a003200380042005a0a0a03617070120377" +
            "6562124c122e0a056e67696e7812056e67696e782a00320a0a001000185022002a0042006a007200800100880100900100a201001a003200" +
            "42004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
            """
            {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx","ports":[{"containerPort":80}],"resources":{}}]}},"strategy":{}},"status":{}}
            """);

        // kubectl create deployment multi --image=nginx --image=busybox:1.36
        yield return Case(
            "CreateDeploymentWithTwoImages",
            "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412e2010a230a056d756c746912001a0022002a003200380042005a0c0a" +
            "0361707012056d756c746912ac010801120e0a0c0a0361707012056d756c74691a8f010a1e0a0012001a0022002a003200380042005a0c0a" +
            "0361707012056d756c7469126d12220a056e67696e7812056e67696e782a0042006a007200800100880100900100a20100122b0a07627573" +
            "79626f78120c62757379626f783a312e33362a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201" +
            "008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
            """
            {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"multi","creationTimestamp":null,"labels":{"app":"multi"}},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"multi"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"multi"}},"spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}},{"name":"busybox","image":"busybox:1.36","resources":{}}]}},"strategy":{}},"status":{}}
            """);

        // kubectl create deployment cmd --image=busybox -- sleep 3600
        yield return Case(
            "CreateDeploymentWithCommand",
            "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bd010a1f0a03636d6412001a0022002a003200380042005a0a0a0361" +
            "70701203636d64128b010801120c0a0a0a036170701203636d641a710a1c0a0012001a0022002a003200380042005a0a0a03617070120363" +
            "6d64125112330a0762757379626f78120762757379626f781a05736c6565701a04333630302a0042006a007200800100880100900100a201" +
            "001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
            """
            {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"cmd","creationTimestamp":null,"labels":{"app":"cmd"}},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"cmd"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"cmd"}},"spec":{"containers":[{"name":"busybox","image":"busybox","command":["sleep","3600"],"resources":{}}]}},"strategy":{}},"status":{}}
            """);

        // kubectl create service clusterip web --tcp=80:8080
        yield return Case(
            "CreateServiceClusterIP",
            "6b3873000a0d0a02763112075365727669636512690a1f0a0377656212001a0022002a003200380042005a0a0a0361707012037765621242" +
            "0a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037765621a002209436c757374657249503a00" +
            "420052005a00600068001a020a001a002200",
            """
            {"kind":"Service","apiVersion":"v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],"selector":{"app":"web"},"type":"ClusterIP"},"status":{"loadBalancer":{}}}
            """);

        // kubectl create service nodeport np --tcp=8080:80 --node-port=30080
        yield return Case(
            "CreateServiceNodePort",
            "6b3873000a0d0a02763112075365727669636512670a1d0a026e7012001a0022002a003200380042005a090a0361707012026e7012420a1d" +
            "0a07383038302d3830120354435018903f2206080010501a002880eb0112090a0361707012026e701a0022084e6f6465506f72743a004200" +
            "52005a00600068001a020a001a002200",
            """
            {"kind":"Service","apiVersion":"v1","metadata":{"name":"np","creationTimestamp":null,"labels":{"app":"np"}},"spec":{"ports":[{"name":"8080-80","protocol":"TCP","port":8080,"targetPort":80,"nodePort":30080}],"selector":{"app":"np"},"type":"NodePort"},"status":{"loadBalancer":{}}}
            """);

        // kubectl create service externalname ext --external-name=example.com
        yield return Case(
            "CreateServiceExternalName",
            "6b3873000a0d0a027631120753657276696365125a0a1f0a0365787412001a0022002a003200380042005a0a0a0361707012036578741233" +
            "120a0a0361707012036578741a00220c45787465726e616c4e616d653a004200520b6578616d706c652e636f6d5a00600068001a020a001a" +
            "002200",
            """
            {"kind":"Service","apiVersion":"v1","metadata":{"name":"ext","creationTimestamp":null,"labels":{"app":"ext"}},"spec":{"selector":{"app":"ext"},"type":"ExternalName","externalName":"example.com"},"status":{"loadBalancer":{}}}
            """);
    }

    private static TestCaseData Case(string name, string hex, string json) =>
        new TestCaseData(Convert.FromHexString(hex), json) { TestName = name + "_DecodesToTheJsonKubectlWouldSend" };
}
