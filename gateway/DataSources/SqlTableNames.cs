using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>
/// The tables a SQL statement reads, as far as a source-less <c>POST /api/data/sql</c> needs them to find its source:
/// the names after FROM and JOIN (quoted or not, the last part of a dotted name), read from the statement's tokens
/// (<see cref="SqlTokens"/>), so literals and comments are never misread as names. Nothing here decides what may run:
/// the source's own sandbox does.
/// </summary>
public static class SqlTableNames
{
    public static IReadOnlyList<string> Read(string sql)
    {
        var tokens = SqlTokens.Read(sql);
        var names = new List<string>();
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if (!tokens[i].Equals("from", StringComparison.OrdinalIgnoreCase) && !tokens[i].Equals("join", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            // schema.table: keep the last part.
            var k = i + 1;
            while (k + 2 < tokens.Count && tokens[k + 1] == ".")
            {
                k += 2;
            }
            if (SqlTokens.QuotedName(tokens[k]) is { } quoted)
            {
                names.Add(quoted);
            }
            else if (char.IsLetter(tokens[k][0]) || tokens[k][0] == '_')
            {
                names.Add(tokens[k]);
            }
        }
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }
}
