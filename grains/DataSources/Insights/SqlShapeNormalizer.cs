using System.Text;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.Insights;

/// <summary>
/// The shape of a raw SQL statement: every literal (quoted text, E'…', X'…' and other prefixed strings, dollar-quoted
/// text, numbers) becomes <c>?</c>, a list of them one <c>?</c>, comments go (they may carry values too), and tokens
/// are spaced one way, so statements that differ only in values or layout share one shape. Quoted identifiers stay
/// (they name tables and columns). A literal that never ends takes the rest of the text with it: nothing after an
/// opening quote is ever kept.
/// </summary>
public static class SqlShapeNormalizer
{
    /// <summary>Longest text kept (the shape's id is taken over the whole normalized text).</summary>
    public const int MaxLength = 1000;

    /// <summary>The normalized text, whole (for the shape's id); <see cref="Cap"/> shortens it for display.</summary>
    public static string Normalize(string sql) => Join(CollapseLists(SqlTokens.Read(sql)));


    /// <summary>The text as shown: at most <see cref="MaxLength"/> characters.</summary>
    public static string Cap(string normalized) => normalized.Length <= MaxLength ? normalized : normalized[..(MaxLength - 1)] + "…";

    /// <summary><c>?, ?, ?</c> becomes <c>?</c>: an IN list of three values is the same shape as one of two.</summary>
    private static List<string> CollapseLists(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        foreach (var token in tokens)
        {
            if (token == "?" && result is [.., "?", ","])
            {
                result.RemoveAt(result.Count - 1);
                continue;
            }
            result.Add(token);
        }
        return result;
    }

    private static string Join(List<string> tokens)
    {
        var text = new StringBuilder();
        string? previous = null;
        foreach (var token in tokens)
        {
            if (previous is not null && !(previous is "(" or "." || token is ")" or "," or "." or ";" || (token == "(" && IsWord(previous))))
            {
                text.Append(' ');
            }
            text.Append(token);
            previous = token;
        }
        return text.ToString();
    }

    private static bool IsWord(string token) => token.Length > 0 && (char.IsLetterOrDigit(token[0]) || token[0] is '_' or '"' or '`' or '[');
}
