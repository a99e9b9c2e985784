using System.Text.Json.Nodes;
using Nautilus.Store;

namespace Nautilus.Server.Api.Strategies;

/// <summary>
/// What is particular to one kind when it is written, as kube-apiserver's REST strategies are:
/// defaulting, create/update preparation (status resets, allocations) and validation. The
/// generic machinery in <see cref="ResourceHandler"/> calls these in kube's order:
/// defaults → prepare → validate. The base does nothing.
/// </summary>
public class ResourceStrategy
{
    public static readonly ResourceStrategy None = new();

    /// <summary>SetDefaults_*: fills unset fields. Applied to every object written (create, update, patch result), so it must be idempotent.</summary>
    public virtual void ApplyDefaults(JsonObject obj)
    {
    }

    /// <summary>
    /// Admission on create that reads other objects, as kube's admission plugins read them through
    /// their informers (Priority resolves a pod's class; only one PriorityClass may be the global
    /// default). Runs after defaulting, before <see cref="PrepareForCreate"/>; denies by throwing
    /// <see cref="ApiException"/>.
    /// </summary>
    public virtual ValueTask AdmitCreateAsync(JsonObject obj, IObjectStore store, CancellationToken ct) => ValueTask.CompletedTask;

    /// <summary>Whether <see cref="AdmitUpdateAsync"/> does anything: updates of other kinds skip the read it needs.</summary>
    public virtual bool AdmitsUpdates => false;

    /// <summary>
    /// Admission on an update of the main resource that reads other objects, given the client's
    /// object as produced from the stored one (<paramref name="old"/>). Denies by throwing <see cref="ApiException"/>.
    /// </summary>
    public virtual ValueTask AdmitUpdateAsync(JsonObject obj, JsonObject old, IObjectStore store, CancellationToken ct) => ValueTask.CompletedTask;

    /// <summary>Denies a delete the kind's storage refuses (system priority classes), by throwing <see cref="ApiException"/>.</summary>
    public virtual void ValidateDelete(string name)
    {
    }

    /// <summary>PrepareForCreate: resets what clients may not set (status) and allocates what the server owns (cluster IPs). With dryRun nothing is allocated.</summary>
    public virtual void PrepareForCreate(JsonObject obj, bool dryRun)
    {
    }

    /// <summary>Undoes <see cref="PrepareForCreate"/>'s allocations when the object was not created after all.</summary>
    public virtual void CreateAborted(JsonObject obj)
    {
    }

    /// <summary>PrepareForUpdate of the main resource (not status): <paramref name="obj"/> is the new object, <paramref name="old"/> the stored one. With dryRun nothing is allocated.</summary>
    public virtual void PrepareForUpdate(JsonObject obj, JsonObject old, bool dryRun)
    {
    }

    /// <summary>Validation of a new object; adds causes with kube's field paths and messages.</summary>
    public virtual void Validate(JsonObject obj, List<StatusCause> causes)
    {
    }

    /// <summary>Validation of an update (immutable fields and the object's own rules).</summary>
    public virtual void ValidateUpdate(JsonObject obj, JsonObject old, List<StatusCause> causes) => Validate(obj, causes);
}
