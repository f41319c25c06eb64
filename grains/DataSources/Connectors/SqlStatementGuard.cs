namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// Checks that raw SQL is exactly one statement. Drivers send several semicolon-separated statements in one call, and
/// a second statement could end the read-only transaction (<c>COMMIT; DELETE …</c>), so anything after the first
/// statement's semicolon, other than whitespace and comments, is refused. String literals, quoted identifiers,
/// PostgreSQL dollar quotes and E'' strings, and comments are skipped so a semicolon inside them does not count.
/// </summary>
public static class SqlStatementGuard
{
    public static bool IsSingleStatement(string sql, out string? problem)
    {
        problem = null;
        var sawStatementEnd = false;
        var sawContent = false;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            if (c == '-' && At(sql, i + 1, '-'))
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
                continue;
            }
            if (c == '/' && At(sql, i + 1, '*'))
            {
                if (!SkipBlockComment(sql, ref i))
                {
                    problem = "The statement has an unterminated comment.";
                    return false;
                }
                continue;
            }
            if (sawStatementEnd)
            {
                problem = "Only one statement per request: remove everything after the first ';'.";
                return false;
            }
            if (c == ';')
            {
                sawStatementEnd = true;
                i++;
                continue;
            }
            sawContent = true;
            var ok = c switch
            {
                '\'' => SkipQuoted(sql, ref i, '\'', backslashEscapes: i > 0 && sql[i - 1] is 'e' or 'E'),
                '"' => SkipQuoted(sql, ref i, '"', backslashEscapes: false),
                '`' => SkipQuoted(sql, ref i, '`', backslashEscapes: false),
                '$' => SkipDollarQuoted(sql, ref i),
                _ => Advance(ref i),
            };
            if (!ok)
            {
                problem = "The statement has an unterminated string, identifier or dollar quote.";
                return false;
            }
        }
        if (!sawContent)
        {
            problem = "The statement is empty.";
            return false;
        }
        return true;
    }

    private static bool Advance(ref int i)
    {
        i++;
        return true;
    }

    private static bool At(string sql, int index, char c) => index < sql.Length && sql[index] == c;

    private static bool SkipBlockComment(string sql, ref int i)
    {
        // PostgreSQL nests block comments; counting depth is also safe for engines that do not.
        var depth = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && At(sql, i + 1, '*'))
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && At(sql, i + 1, '/'))
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return true;
                }
            }
            else
            {
                i++;
            }
        }
        return false;
    }

    private static bool SkipQuoted(string sql, ref int i, char quote, bool backslashEscapes)
    {
        i++;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (backslashEscapes && c == '\\')
            {
                i += 2;
                continue;
            }
            if (c == quote)
            {
                if (At(sql, i + 1, quote))
                {
                    i += 2;
                    continue;
                }
                i++;
                return true;
            }
            i++;
        }
        return false;
    }

    private static bool SkipDollarQuoted(string sql, ref int i)
    {
        // $tag$ … $tag$, where tag is empty or an identifier; a lone $ (e.g. $1) is not a quote.
        var end = i + 1;
        while (end < sql.Length && (char.IsLetterOrDigit(sql[end]) || sql[end] == '_'))
        {
            end++;
        }
        if (end >= sql.Length || sql[end] != '$' || (end > i + 1 && char.IsDigit(sql[i + 1])))
        {
            i++;
            return true;
        }
        var tag = sql[i..(end + 1)];
        var close = sql.IndexOf(tag, end + 1, StringComparison.Ordinal);
        if (close < 0)
        {
            return false;
        }
        i = close + tag.Length;
        return true;
    }

    /// <summary>The statement's first word, after leading whitespace, comments and opening parentheses.</summary>
    public static string FirstKeyword(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        while (text.StartsWith("--") || text.StartsWith("/*") || text.StartsWith("("))
        {
            if (text.StartsWith("("))
            {
                text = text[1..].TrimStart();
                continue;
            }
            var end = text.StartsWith("--") ? text.IndexOf('\n') : text.IndexOf("*/");
            text = end < 0 ? [] : text[(end + (text.StartsWith("--") ? 1 : 2))..].TrimStart();
        }
        var length = 0;
        while (length < text.Length && char.IsLetter(text[length]))
        {
            length++;
        }
        return text[..length].ToString();
    }
}
