using System.Globalization;
using System.Text.Json.Nodes;
using Nautilus.Server.Api.Objects;
using Nautilus.Server.Api.Strategies.Validation;
using Nautilus.Store;
using static Nautilus.Server.Api.Strategies.Defaults.JsonDefaults;

namespace Nautilus.Server.Api.Strategies;

/// <summary>A priority class kube-apiserver creates at startup (schedulingapiv1.SystemPriorityClasses).</summary>
public sealed record SystemPriorityClass(string Name, int Value, string Description);

/// <summary>
/// scheduling.k8s.io/v1 PriorityClasses: SetDefaults_PriorityClass, ValidatePriorityClass(Update),
/// the Priority admission plugin's check that only one class is the global default, and the
/// storage's refusal to delete a system class.
/// </summary>
public sealed class PriorityClassStrategy : ResourceStrategy
{
    /// <summary>scheduling.SystemCriticalPriority: twice HighestUserDefinablePriority.</summary>
    public const int SystemCriticalPriority = 2 * HighestUserDefinablePriority;

    /// <summary>scheduling.HighestUserDefinablePriority.</summary>
    public const int HighestUserDefinablePriority = 1_000_000_000;

    public const string PreemptLowerPriority = "PreemptLowerPriority";

    private const string SystemPrefix = "system-";

    public static readonly ResourceType StorageType = new("scheduling.k8s.io", "priorityclasses");

    public static readonly IReadOnlyList<SystemPriorityClass> SystemClasses =
    [
        new("system-node-critical", SystemCriticalPriority + 1000, "Used for system critical pods that must not be moved from their current node."),
        new("system-cluster-critical", SystemCriticalPriority, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
    ];

    private static readonly string[] PreemptionPolicies = [PreemptLowerPriority, "Never"];

    private static readonly ListOptions AllClasses = new();

    public override void ApplyDefaults(JsonObject obj) => SetIfUnset(obj, "preemptionPolicy", PreemptLowerPriority);

    /// <summary>ValidatePriorityClass (metadata is validated by the handler).</summary>
    public override void Validate(JsonObject obj, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        var name = StringValue(Object(obj, "metadata"), "name") ?? "";
        var value = Value(obj);
        if (name.StartsWith(SystemPrefix, StringComparison.Ordinal))
        {
            if (KnownSystemClassError(name, value, GlobalDefault(obj)) is { } error)
            {
                errors.Forbidden("metadata.name", $"priority class names with '{SystemPrefix}' prefix are reserved for system use only. error: {error}");
            }
        }
        else if (value > HighestUserDefinablePriority)
        {
            errors.Forbidden("value", "maximum allowed value of a user defined priority is " + HighestUserDefinablePriority.ToString(CultureInfo.InvariantCulture));
        }

        if (StringValue(obj, "preemptionPolicy") is { } policy && Array.IndexOf(PreemptionPolicies, policy) < 0)
        {
            errors.NotSupportedString("preemptionPolicy", policy, PreemptionPolicies);
        }
    }

    /// <summary>ValidatePriorityClassUpdate: value and preemptionPolicy are immutable.</summary>
    public override void ValidateUpdate(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
        var errors = new FieldErrors(causes);
        if (Value(obj) != Value(old))
        {
            errors.Forbidden("value", "may not be changed in an update.");
        }

        var policy = StringValue(obj, "preemptionPolicy");
        if (policy != StringValue(old, "preemptionPolicy"))
        {
            errors.Invalid("preemptionPolicy", policy is null ? "null" : GoValue.Quote(policy), "field is immutable");
        }
    }

    /// <summary>The Priority admission plugin's validation of a new class: a second global default is forbidden.</summary>
    public override async ValueTask AdmitCreateAsync(JsonObject obj, IObjectStore store, CancellationToken ct)
    {
        if (!GlobalDefault(obj))
        {
            return;
        }

        if (await GlobalDefaultAsync(store, ct).ConfigureAwait(false) is { } existing)
        {
            throw AlreadyDefault(StringValue(Object(obj, "metadata"), "name") ?? "", existing);
        }
    }

    public override bool AdmitsUpdates => true;

    /// <summary>The Priority admission plugin's validation of an update: another class may not already be the global default.</summary>
    public override async ValueTask AdmitUpdateAsync(JsonObject obj, JsonObject old, IObjectStore store, CancellationToken ct)
    {
        if (!GlobalDefault(obj))
        {
            return;
        }

        var name = StringValue(Object(old, "metadata"), "name") ?? "";
        if (await GlobalDefaultAsync(store, ct).ConfigureAwait(false) is { } existing && Name(existing) != name)
        {
            throw AlreadyDefault(name, existing);
        }
    }

    /// <summary>The priority class storage's Delete: system classes stay.</summary>
    public override void ValidateDelete(string name)
    {
        foreach (var system in SystemClasses)
        {
            if (system.Name == name)
            {
                throw new ApiException(403, "Forbidden",
                    $"priorityclasses.scheduling.k8s.io \"{name}\" is forbidden: this is a system priority class and cannot be deleted",
                    name, "scheduling.k8s.io", "priorityclasses");
            }
        }
    }

    /// <summary>The class of that name, or null.</summary>
    public static async ValueTask<JsonObject?> GetAsync(IObjectStore store, string name, CancellationToken ct)
    {
        var stored = await store.GetAsync(StorageType, new ObjectKey("", name), ct).ConfigureAwait(false);
        return stored is null ? null : ObjectCodec.ToTree(stored);
    }

    /// <summary>getDefaultPriorityClass: of the classes marked globalDefault (more than one after a race), the lowest value.</summary>
    public static async ValueTask<JsonObject?> GlobalDefaultAsync(IObjectStore store, CancellationToken ct)
    {
        var items = (await store.ListAsync(StorageType, AllClasses, ct).ConfigureAwait(false)).Items;
        JsonObject? found = null;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            // Every pod create without a class asks: parse only the classes that can be defaults.
            if (!MayBeGlobalDefault.Ask(item))
            {
                continue;
            }

            var pc = ObjectCodec.ToTree(item);
            if (GlobalDefault(pc) && (found is null || Value(found) > Value(pc)))
            {
                found = pc;
            }
        }

        return found;
    }

    /// <summary>Whether a stored class may say globalDefault true: every pod create without a class asks it of every class.</summary>
    private static readonly StoredObjectMemo MayBeGlobalDefault = new(static item => item.JsonContains("\"globalDefault\":true"u8));

    public static long Value(JsonObject pc) => TryGetInt64(pc["value"], out var value) ? value : 0;

    public static string Name(JsonObject pc) => StringValue(Object(pc, "metadata"), "name") ?? "";

    private static bool GlobalDefault(JsonObject pc) => pc["globalDefault"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static ApiException AlreadyDefault(string name, JsonObject existing) => new(403, "Forbidden",
        $"priorityclasses.scheduling.k8s.io \"{name}\" is forbidden: PriorityClass {Name(existing)} is already marked as default. Only one default can exist",
        name, "scheduling.k8s.io", "priorityclasses");

    /// <summary>IsKnownSystemPriorityClass: null when the name, value and globalDefault are those of a system class.</summary>
    private static string? KnownSystemClassError(string name, long value, bool globalDefault)
    {
        foreach (var system in SystemClasses)
        {
            if (system.Name != name)
            {
                continue;
            }

            if (system.Value != value)
            {
                return $"value of {name} PriorityClass must be {system.Value.ToString(CultureInfo.InvariantCulture)}";
            }

            return globalDefault ? $"globalDefault of {name} PriorityClass must be false" : null;
        }

        return $"{name} is not a known system priority class";
    }
}
