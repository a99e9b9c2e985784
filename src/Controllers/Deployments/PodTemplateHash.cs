using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Nautilus.Controllers.Machinery;

namespace Nautilus.Controllers.Deployments;

/// <summary>
/// The <c>pod-template-hash</c> label a Deployment puts on its ReplicaSets and their pods
/// (controller.ComputeHash): FNV-32a over the pod template, then over the collision count when
/// there is one (4 bytes little-endian, padded to 8), printed in decimal and mapped onto
/// kube's 27 safe characters (rand.SafeEncodeString), so names have kube's shape:
/// <c>web-7d9f8c6b5d</c>. Kube hashes Go's printed struct (spew); Nautilus hashes the
/// template's canonical JSON (members sorted, empty values dropped) instead, so a template hashes
/// the same however its JSON is ordered, but the value differs from what kube would compute.
/// </summary>
public static class PodTemplateHash
{
    public const string Label = "pod-template-hash";

    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Compute(JsonObject template, long? collisionCount)
    {
        var hash = Fnv32a.Offset;
        hash = Fnv32a.Append(hash, Encoding.UTF8.GetBytes(KubeObject.Canonical(template)));
        if (collisionCount is { } count)
        {
            Span<byte> bytes = stackalloc byte[8];
            bytes.Clear();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, unchecked((uint)count));
            hash = Fnv32a.Append(hash, bytes);
        }

        return SafeEncodeString(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>rand.SafeEncodeString: each character replaced by one of 27 that never spell words or look alike.</summary>
    public static string SafeEncodeString(string s) => string.Create(s.Length, s, static (span, text) =>
    {
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = SafeAlphabet[text[i] % SafeAlphabet.Length];
        }
    });

    /// <summary>deploymentutil.EqualIgnoreHash: the templates are semantically equal once the pod-template-hash label is ignored.</summary>
    public static bool EqualIgnoreHash(JsonObject? t1, JsonObject? t2) => KubeObject.SemanticEquals(WithoutHash(t1), WithoutHash(t2));

    private static JsonObject? WithoutHash(JsonObject? template)
    {
        if (template is null)
        {
            return null;
        }

        var copy = (JsonObject)template.DeepClone();
        ((copy["metadata"] as JsonObject)?["labels"] as JsonObject)?.Remove(Label);
        return copy;
    }

    /// <summary>32-bit FNV-1a (hash/fnv New32a).</summary>
    internal static class Fnv32a
    {
        public const uint Offset = 2166136261;
        private const uint Prime = 16777619;

        public static uint Append(uint hash, ReadOnlySpan<byte> data)
        {
            foreach (var b in data)
            {
                hash ^= b;
                hash *= Prime;
            }

            return hash;
        }
    }
}
