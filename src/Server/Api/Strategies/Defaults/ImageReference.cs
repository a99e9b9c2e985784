using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Nautilus.Store;

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
    internal static partial Regex Reference();

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    private static readonly SearchValues<char> LowerHexDigits = SearchValues.Create("0123456789abcdef");

    /// <summary>SetDefaults_Container's pull policy: Always for <c>:latest</c> (or no tag), else IfNotPresent.</summary>
    public static string DefaultPullPolicy(ReadOnlySpan<char> image) => Tag(image) is "latest" ? "Always" : "IfNotPresent";

    private static ReadOnlySpan<char> Tag(ReadOnlySpan<char> image)
    {
        // A 64-hex-digit identifier ([a-f0-9]{64}) names an image by its ID, not a tag.
        if (!(MatchesReference(image) ?? Reference().IsMatch(image)) || (image.Length == 64 && !image.ContainsAnyExcept(LowerHexDigits)))
        {
            return "";
        }

        // The match is name[:tag][@digest]: \z, as Go's $, ends it at the end of the text (.NET's $
        // also matches before a final newline). It splits without the regex's groups: only a digest
        // has '@', and a tag's ':' is the last one with no '/' after it (a registry port's ':' is
        // followed by the path).
        var at = image.IndexOf('@');
        var nameAndTag = at < 0 ? image : image[..at];
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

    /// <summary>
    /// Whether <paramref name="image"/> matches <see cref="Reference"/>, for ASCII references (what
    /// images are); null for anything else, which the regex decides. The regex costs more than the
    /// rest of a container's defaults, and every pod create reads it for every container.
    /// </summary>
    internal static bool? MatchesReference(ReadOnlySpan<char> image)
    {
        if (!Ascii.IsValid(image))
        {
            return null;
        }

        // name[:tag][@digest]: only a digest has '@'.
        var at = image.IndexOf('@');
        if (at >= 0 && !IsDigest(image[(at + 1)..]))
        {
            return false;
        }

        var nameAndTag = at < 0 ? image : image[..at];

        // A ':' after the last '/' starts the tag: a registry port's ':' is always followed by the path.
        var colon = nameAndTag.LastIndexOf(':');
        var name = nameAndTag;
        if (colon > nameAndTag.LastIndexOf('/'))
        {
            if (!IsTag(nameAndTag[(colon + 1)..]))
            {
                return false;
            }

            name = nameAndTag[..colon];
        }

        // The first component is a registry when it parses as one and path components follow;
        // otherwise every component is a path component.
        var slash = name.IndexOf('/');
        if (slash >= 0 && IsDomain(name[..slash]) && ArePathComponents(name[(slash + 1)..]))
        {
            return true;
        }

        return ArePathComponents(name);
    }

    /// <summary><c>[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*</c> joined by '/'.</summary>
    private static bool ArePathComponents(ReadOnlySpan<char> path)
    {
        foreach (var range in path.Split('/'))
        {
            var component = path[range];
            if (component.Length == 0 || !NameGrammar.IsLowerAlphanumeric(component[0]) || !NameGrammar.IsLowerAlphanumeric(component[^1]))
            {
                return false;
            }

            // Between runs of [a-z0-9]: one '.', one '_', two '_', or any number of '-'.
            for (var i = 0; i < component.Length;)
            {
                if (NameGrammar.IsLowerAlphanumeric(component[i]))
                {
                    i++;
                    continue;
                }

                var end = i;
                while (end < component.Length && !NameGrammar.IsLowerAlphanumeric(component[end]))
                {
                    end++;
                }

                var separator = component[i..end];
                if (separator is not ("." or "_" or "__") && separator.ContainsAnyExcept('-'))
                {
                    return false;
                }

                i = end;
            }
        }

        return true;
    }

    /// <summary><c>domain-component(\.domain-component)*(:[0-9]+)?</c>, a component being letters, digits and inner '-'.</summary>
    private static bool IsDomain(ReadOnlySpan<char> domain)
    {
        var colon = domain.IndexOf(':');
        if (colon >= 0)
        {
            var port = domain[(colon + 1)..];
            if (port.Length == 0 || port.ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }

            domain = domain[..colon];
        }

        foreach (var range in domain.Split('.'))
        {
            var component = domain[range];
            if (component.Length == 0 || !char.IsAsciiLetterOrDigit(component[0]) || !char.IsAsciiLetterOrDigit(component[^1]))
            {
                return false;
            }

            foreach (var c in component)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary><c>[\w][\w.-]{0,127}</c> over ASCII.</summary>
    private static bool IsTag(ReadOnlySpan<char> tag)
    {
        if (tag.Length is 0 or > 128 || !IsWord(tag[0]))
        {
            return false;
        }

        foreach (var c in tag)
        {
            if (!IsWord(c) && c is not ('.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}</c>.</summary>
    private static bool IsDigest(ReadOnlySpan<char> digest)
    {
        var colon = digest.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        var hex = digest[(colon + 1)..];
        if (hex.Length < 32 || hex.ContainsAnyExcept(HexDigits))
        {
            return false;
        }

        // The algorithm: components starting with a letter, separated by one of "-_+.".
        var algorithm = digest[..colon];
        var start = true;
        foreach (var c in algorithm)
        {
            if (start ? !char.IsAsciiLetter(c) : !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '+' or '.'))
            {
                return false;
            }

            start = c is '-' or '_' or '+' or '.';
        }

        return algorithm.Length > 0 && !start;
    }


    private static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
