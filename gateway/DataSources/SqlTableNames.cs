using System.Text;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>
/// The tables a SQL statement reads, as far as a source-less <c>POST /api/data/sql</c> needs them to find its source:
/// the names after FROM and JOIN (quoted or not, the last part of a dotted name), with string literals, quoted
/// identifiers and comments skipped rather than misread. Nothing here decides what may run: the source's own sandbox does.
/// </summary>
public static class SqlTableNames
{
    public static IReadOnlyList<string> Read(string sql)
    {
        var tokens = Tokens(sql);
        var names = new List<string>();
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if (tokens[i] is not { Quoted: false } keyword
                || !(keyword.Text.Equals("from", StringComparison.OrdinalIgnoreCase) || keyword.Text.Equals("join", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            // schema.table: keep the last part.
            var k = i + 1;
            var name = tokens[k];
            if (name.Text == "(")
            {
                continue;
            }
            while (k + 2 < tokens.Count && tokens[k + 1].Text == "." && !tokens[k + 1].Quoted)
            {
                k += 2;
                name = tokens[k];
            }
            if (name.Quoted || IsWord(name.Text))
            {
                names.Add(name.Text);
            }
        }
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    private static bool IsWord(string text) => text.Length > 0 && (char.IsLetter(text[0]) || text[0] == '_') && text.All(c => char.IsLetterOrDigit(c) || c is '_' or '$');

    private sealed record Token(string Text, bool Quoted);

    private static List<Token> Tokens(string sql)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else if (c is '\'' or '"' or '`' or '[')
            {
                var close = c == '[' ? ']' : c;
                var text = new StringBuilder();
                i++;
                while (i < sql.Length)
                {
                    if (sql[i] == close)
                    {
                        if (i + 1 < sql.Length && sql[i + 1] == close && close != ']')
                        {
                            text.Append(close);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    text.Append(sql[i++]);
                }
                // A string literal is never a table name; a quoted identifier is.
                tokens.Add(c == '\'' ? new Token("'", true) : new Token(text.ToString(), true));
            }
            else if (char.IsLetterOrDigit(c) || c is '_' or '$')
            {
                var start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }
                tokens.Add(new Token(sql[start..i], false));
            }
            else
            {
                tokens.Add(new Token(c.ToString(), false));
                i++;
            }
        }
        return tokens;
    }
}
