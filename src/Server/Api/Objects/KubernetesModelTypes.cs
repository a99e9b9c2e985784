using System.Reflection;
using k8s.Models;

namespace Nautilus.Server.Api.Objects;

/// <summary>
/// Reflection over the official client's model types, shared by the schemas derived from them
/// (field validation, server-side apply): one index of kinds to types, built once.
/// </summary>
internal static class KubernetesModelTypes
{
    private static readonly Lazy<Dictionary<(string Group, string Version, string Kind), Type>> Entities = new(FindEntityTypes);

    /// <summary>The model type of a kind (group "" for core), or false when the client does not model it.</summary>
    public static bool TryGetEntity(string group, string version, string kind, out Type type) =>
        Entities.Value.TryGetValue((group, version, kind), out type!);

    /// <summary>A value with no fields of its own: primitives, strings, times, bytes, IntOrString, Quantity.</summary>
    public static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
        || type == typeof(byte[]) || type == typeof(IntOrString) || type == typeof(ResourceQuantity);

    /// <summary>The <paramref name="index"/>th type argument of <paramref name="openInterface"/> as <paramref name="type"/> implements it, or null.</summary>
    public static Type? GenericArgument(Type type, Type openInterface, int index)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == openInterface)
        {
            return type.GetGenericArguments()[index];
        }

        foreach (var candidate in type.GetInterfaces())
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == openInterface)
            {
                return candidate.GetGenericArguments()[index];
            }
        }

        return null;
    }

    private static Dictionary<(string, string, string), Type> FindEntityTypes()
    {
        var types = new Dictionary<(string, string, string), Type>();
        foreach (var type in typeof(V1Pod).Assembly.GetTypes())
        {
            if (type.GetCustomAttribute<KubernetesEntityAttribute>() is { Kind: { Length: > 0 } kind } entity)
            {
                types.TryAdd((entity.Group ?? "", entity.ApiVersion ?? "", kind), type);
            }
        }

        return types;
    }
}
