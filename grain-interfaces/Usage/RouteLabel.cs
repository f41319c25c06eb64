namespace Mcp.Cluster.Usage;

/// <summary>
/// The route label of metrics and usage aggregates: <c>METHOD /template</c>, the template as a user writes it, without
/// the trailing slash a group's root endpoint gets (<c>MapGroup("/api/keys").MapPost("/")</c> is <c>/api/keys/</c>),
/// so <c>route="POST /api/keys"</c> matches what the docs and the OpenAPI document show. Usage state written before
/// labels were normalized still holds <c>POST /api/keys/</c>; <see cref="Fold"/> counts it under the new label on read.
/// </summary>
public static class RouteLabel
{
    public static string Of(string method, string template) => $"{method} {Template(template)}";

    /// <summary>A route template without its trailing slashes; the root stays <c>/</c>.</summary>
    public static string Template(string template)
    {
        var trimmed = template.TrimEnd('/');
        return trimmed.Length == 0 && template.Length > 0 ? "/" : trimmed;
    }

    /// <summary>A label (<c>METHOD /template</c>, or one without a method such as <c>(unmatched)</c>) in today's form.</summary>
    public static string Normalize(string label)
    {
        var space = label.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 || space + 1 >= label.Length || label[space + 1] != '/'
            ? label
            : string.Concat(label.AsSpan(0, space + 1), Template(label[(space + 1)..]));
    }

    /// <summary>Counts by route with labels of older spellings added to today's, so no count is lost or split.</summary>
    public static Dictionary<string, long> Fold(IReadOnlyDictionary<string, long> byRoute)
    {
        var folded = new Dictionary<string, long>(byRoute.Count, StringComparer.Ordinal);
        foreach (var (label, count) in byRoute)
        {
            var normalized = Normalize(label);
            folded[normalized] = folded.GetValueOrDefault(normalized) + count;
        }
        return folded;
    }
}
