namespace Nautilus.Store;

/// <summary>
/// The name grammars of k8s.io/apimachinery's validation regexes, checked by hand: label
/// selectors (here) and object validation (the server) read them for every key, label and name,
/// and a regex match costs several times a scan of a few ASCII letters. Lengths are checked by the
/// callers, whose messages differ. Go's regexes are anchored with $ at the end of the text, so a
/// trailing newline is just another invalid character.
/// </summary>
public static class NameGrammar
{
    /// <summary>IsDNS1123Label's pattern <c>[a-z0-9]([-a-z0-9]*[a-z0-9])?</c>.</summary>
    public static bool IsDns1123Label(ReadOnlySpan<char> value)
    {
        if (value.Length == 0 || !IsLowerAlphanumeric(value[0]) || !IsLowerAlphanumeric(value[^1]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsLowerAlphanumeric(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>IsDNS1123Subdomain's pattern: DNS-1123 labels joined by dots.</summary>
    public static bool IsDns1123Subdomain(ReadOnlySpan<char> value)
    {
        while (true)
        {
            var dot = value.IndexOf('.');
            if (dot < 0)
            {
                return IsDns1123Label(value);
            }

            if (!IsDns1123Label(value[..dot]))
            {
                return false;
            }

            value = value[(dot + 1)..];
        }
    }

    /// <summary>A qualified name's name part, <c>([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]</c>.</summary>
    public static bool IsQualifiedNamePart(ReadOnlySpan<char> value)
    {
        if (value.Length == 0 || !char.IsAsciiLetterOrDigit(value[0]) || !char.IsAsciiLetterOrDigit(value[^1]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>[a-z0-9].</summary>
    public static bool IsLowerAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
