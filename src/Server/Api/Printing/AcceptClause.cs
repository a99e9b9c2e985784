namespace Nautilus.Server.Api.Printing;

/// <summary>One media range of an Accept header with the parameters kube's negotiation reads (as, g, v).</summary>
internal readonly record struct AcceptClause(string Type, string Subtype, double Quality, string? As, string? Group, string? Version)
{
    public bool Matches(string type, string subtype) =>
        (Type == type && (Subtype == subtype || Subtype == "*")) || (Type == "*" && Subtype == "*");

    /// <summary>
    /// goautoneg.ParseAccept: clauses ordered by quality, then concrete types before wildcards,
    /// header order kept otherwise.
    /// </summary>
    public static List<AcceptClause> Parse(string header)
    {
        var clauses = new List<AcceptClause>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            var mediaType = pieces[0];
            var slash = mediaType.IndexOf('/', StringComparison.Ordinal);
            string type, subtype;
            if (slash < 0)
            {
                if (mediaType != "*")
                {
                    continue;
                }

                (type, subtype) = ("*", "*");
            }
            else
            {
                (type, subtype) = (mediaType[..slash].Trim(), mediaType[(slash + 1)..].Trim());
            }

            double quality = 1;
            string? @as = null, group = null, version = null;
            for (var i = 1; i < pieces.Length; i++)
            {
                var eq = pieces[i].IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    continue;
                }

                var key = pieces[i][..eq].Trim();
                var value = pieces[i][(eq + 1)..].Trim();
                switch (key)
                {
                    case "q":
                        quality = double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q) ? q : 0;
                        break;
                    case "as":
                        @as = value;
                        break;
                    case "g":
                        group = value;
                        break;
                    case "v":
                        version = value;
                        break;
                }
            }

            clauses.Add(new AcceptClause(type, subtype, quality, @as, group, version));
        }

        // Stable: OrderBy keeps header order among equals.
        return clauses
            .OrderByDescending(static c => c.Quality)
            .ThenBy(static c => c.Type == "*" ? 1 : 0)
            .ThenBy(static c => c.Subtype == "*" ? 1 : 0)
            .ToList();
    }
}
