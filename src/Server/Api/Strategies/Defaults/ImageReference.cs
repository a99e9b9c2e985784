using System.Text.RegularExpressions;

namespace Nautilus.Server.Api.Strategies.Defaults;

/// <summary>
/// The tag of a container image reference as kubelet's <c>parsers.ParseImageName</c> reads it
/// (distribution's reference grammar): "latest" when neither tag nor digest is given, "" when the
/// reference does not parse.
/// </summary>
internal static partial class ImageReference
{
    // docker/distribution reference.ReferenceRegexp, anchored: name (optional domain), :tag, @digest.
    // A path component's separator is "[-]+" as in distribution 2.8 and later, not the older "[-]*":
    // the same strings match, but an empty separator let a long run of letters backtrack exponentially.
    [GeneratedRegex(
        @"^(?<name>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?"
        + @"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*)"
        + @"(?::(?<tag>[\w][\w.-]{0,127}))?"
        + @"(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex Reference();

    [GeneratedRegex("^[a-f0-9]{64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex HexIdentifier();

    /// <summary>SetDefaults_Container's pull policy: Always for <c>:latest</c> (or no tag), else IfNotPresent.</summary>
    public static string DefaultPullPolicy(string image) => Tag(image) is "latest" ? "Always" : "IfNotPresent";

    private static ReadOnlySpan<char> Tag(string image)
    {
        if (!Reference().IsMatch(image) || HexIdentifier().IsMatch(image))
        {
            return "";
        }

        // The match is name[:tag][@digest]: \z, as Go's $, ends it at the end of the text (.NET's $
        // also matches before a final newline). It splits without the regex's groups: only a digest
        // has '@', and a tag's ':' is the last one with no '/' after it (a registry port's ':' is
        // followed by the path).
        var reference = image.AsSpan();
        var at = reference.IndexOf('@');
        var nameAndTag = at < 0 ? reference : reference[..at];
        var colon = nameAndTag.LastIndexOf(':');
        var tagged = colon > nameAndTag.LastIndexOf('/');
        var name = tagged ? nameAndTag[..colon] : nameAndTag;
        if (name.Length > 255 || !HasValidDomain(name))
        {
            return "";
        }

        if (tagged)
        {
            return nameAndTag[(colon + 1)..];
        }

        return at < 0 ? "latest" : "";
    }

    // A first component is a registry only with '.' or ':' in it, or as "localhost"; otherwise it is a
    // Docker Hub path component, which must be lowercase.
    private static bool HasValidDomain(ReadOnlySpan<char> name)
    {
        var slash = name.IndexOf('/');
        if (slash < 0)
        {
            return true;
        }

        var first = name[..slash];
        return first.Contains('.') || first.Contains(':') || first is "localhost" || !first.ContainsAnyInRange('A', 'Z');
    }
}
