namespace Nautilus.Server.Api.Printing;

/// <summary>
/// What each Table row carries in <c>object</c>: the <c>includeObject</c> query parameter
/// (metav1.IncludeObjectPolicy). kube-apiserver defaults it to <see cref="Metadata"/>.
/// </summary>
public enum IncludeObjectPolicy
{
    /// <summary><c>"object":null</c>.</summary>
    None,

    /// <summary>A <c>meta.k8s.io PartialObjectMetadata</c> carrying the object's metadata.</summary>
    Metadata,

    /// <summary>The whole object, in the version the request was made in.</summary>
    Object,
}
