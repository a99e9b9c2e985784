using System.Text.Json.Nodes;
using Nautilus.Controllers.Client;
using Nautilus.Controllers.Events;

namespace Nautilus.Controllers.Machinery;

/// <summary>
/// kube's RealPodControl: creates pods from a controller's template and deletes them, recording
/// SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete Events on the controller
/// with kube's messages.
/// </summary>
public sealed class PodControl(ApiClient client, EventRecorder recorder)
{
    public const string SuccessfulCreate = "SuccessfulCreate";
    public const string FailedCreate = "FailedCreate";
    public const string SuccessfulDelete = "SuccessfulDelete";
    public const string FailedDelete = "FailedDelete";

    /// <summary>
    /// controller.GetPodFromTemplate: the template's labels, annotations and finalizers, the
    /// controller's name plus a dash as generateName, the controller reference, the template's spec.
    /// </summary>
    public static JsonObject PodFromTemplate(JsonObject template, string controllerName, ControllerReference controllerRef)
    {
        var templateMeta = template["metadata"] as JsonObject;
        var metadata = new JsonObject { ["generateName"] = controllerName + "-" };
        foreach (var field in (ReadOnlySpan<string>)["labels", "annotations", "finalizers"])
        {
            if (templateMeta?[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
        }

        metadata["ownerReferences"] = new JsonArray { controllerRef.ToJson() };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }

    /// <summary>Creates one pod; records the outcome on <paramref name="controllerObject"/>. Throws what the API refused.</summary>
    public async Task<JsonObject> CreatePodAsync(string ns, JsonObject template, InvolvedObject controllerObject, ControllerReference controllerRef, CancellationToken ct)
    {
        var pod = PodFromTemplate(template, controllerObject.Name, controllerRef);
        if (KubeObject.Labels(pod) is not { Count: > 0 })
        {
            throw new ApiStatusException(422, "Invalid", "unable to create pods, no labels");
        }

        try
        {
            var created = await client.CreateAsync(WorkloadResources.Pods, ns, pod, ct).ConfigureAwait(false);
            recorder.Event(controllerObject, EventRecorder.Normal, SuccessfulCreate, "Created pod: " + KubeObject.Name(created));
            return created;
        }
        catch (ApiStatusException e)
        {
            recorder.Event(controllerObject, EventRecorder.Warning, FailedCreate, "Error creating: " + e.Message);
            throw;
        }
    }

    /// <summary>Deletes one pod; records the outcome. NotFound is thrown without an Event, as kube does.</summary>
    public async Task DeletePodAsync(string ns, string name, InvolvedObject controllerObject, CancellationToken ct)
    {
        try
        {
            await client.DeleteAsync(WorkloadResources.Pods, ns, name, ct: ct).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (!e.IsNotFound)
        {
            recorder.Event(controllerObject, EventRecorder.Warning, FailedDelete, "Error deleting: " + e.Message);
            throw;
        }

        recorder.Event(controllerObject, EventRecorder.Normal, SuccessfulDelete, "Deleted pod: " + name);
    }
}
