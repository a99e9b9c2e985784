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
    [GeneratedRegex(
        @"^(?<name>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?"
        + @"[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*)"
        + @"(?::(?<tag>[\w][\w.-]{0,127}))?"
        + @"(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Reference();

    [GeneratedRegex("^[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex HexIdentifier();

    public static string Tag(string image)
    {
        var match = Reference().Match(image);
        if (!match.Success || HexIdentifier().IsMatch(image) || match.Groups["name"].Value.Length > 255 || !HasValidDomain(match.Groups["name"].Value))
        {
            return "";
        }

        var tag = match.Groups["tag"];
        if (tag.Success)
        {
            return tag.Value;
        }

        return match.Groups["digest"].Success ? "" : "latest";
    }

    // A first component is a registry only with '.' or ':' in it, or as "localhost"; otherwise it is a
    // Docker Hub path component, which must be lowercase.
    private static bool HasValidDomain(string name)
    {
        var slash = name.IndexOf('/');
        if (slash < 0)
        {
            return true;
        }

        var first = name[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost" || !first.Any(char.IsAsciiLetterUpper);
    }

    /// <summary>SetDefaults_Container's pull policy: Always for <c>:latest</c> (or no tag), else IfNotPresent.</summary>
    public static string DefaultPullPolicy(string image) => Tag(image) == "latest" ? "Always" : "IfNotPresent";
}
